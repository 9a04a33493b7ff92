package dev.mambamixer.engine.data.vision;

import dev.mambamixer.engine.data.TestData;
import java.nio.file.Path;
import java.util.List;

/** Shared data for the vision tests ({@link TestData}: skipped when absent) and small synthetic image sets. */
final class VisionTestData {
    private VisionTestData() {}

    static Path sharedFile(String relative) { return TestData.sharedFile(relative); }

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
