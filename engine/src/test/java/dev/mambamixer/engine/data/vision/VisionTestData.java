package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Locates /work/shared/data (never copied into the repo); tests skip when it is absent. */
final class VisionTestData {
    private VisionTestData() {}

    static Path sharedFile(String relative) {
        for (Path root : new Path[] {Paths.get("..", "..", "shared", "data"), Paths.get("..", "shared", "data")}) {
            Path p = root.resolve(relative);
            if (Files.isRegularFile(p)) return p;
        }
        assumeTrue(false, "shared data file not found, skipping: " + relative);
        return null;
    }

    /** A small synthetic set: image i is filled with value (i % 10) / 10 and labelled i % classes. */
    static ImageSet synthetic(int n, int h, int w, int c, int classes) {
        float[] px = new float[n * h * w * c];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int k = 0; k < h * w * c; k++) px[i * h * w * c + k] = (i % 10) / 10f;
        }
        String[] names = new String[classes];
        for (int k = 0; k < classes; k++) names[k] = "c" + k;
        return new ImageSet("synthetic", px, y, h, w, c, List.of(names));
    }
}
