package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates /work/shared/data (never copied into the repo); tests skip when it is absent. */
public final class TestData {
    private TestData() {}

    public static Path sharedFile(String relative) {
        for (Path root : new Path[] {Paths.get("..", "..", "shared", "data"), Paths.get("..", "shared", "data")}) {
            Path p = root.resolve(relative);
            if (Files.isRegularFile(p)) return p;
        }
        assumeTrue(false, "shared data file not found, skipping: " + relative);
        return null;
    }

    /** sample-data/ at the repository root (committed, so always present). */
    static Path sampleFile(String name) {
        for (Path p : new Path[] {Paths.get("..", "sample-data", name), Paths.get("sample-data", name)}) {
            if (Files.isRegularFile(p)) return p;
        }
        throw new AssertionError("sample-data/" + name + " not found from " + Paths.get("").toAbsolutePath());
    }
}
