package dev.mambamixer.workbench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the workbench finds the embedded sample data and puts its run folders. */
public final class Paths {
    private Paths() {}

    public static final String SAMPLE = "sample-data/synthetic.csv";

    /**
     * The repository's sample CSV: system property {@code workbench.sample}, else
     * {@code sample-data/synthetic.csv} in the working folder or any folder above it (the app is
     * started from the repository root or from a module folder).
     */
    public static Path sampleData() {
        String p = System.getProperty("workbench.sample");
        if (p != null) return Path.of(p).toAbsolutePath();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path c = dir.resolve(SAMPLE);
            if (Files.isRegularFile(c)) return c;
        }
        return Path.of(SAMPLE).toAbsolutePath();   // missing: the config panel says "data file not found"
    }

    /** Run folders: system property {@code workbench.runs}, else {@code runs/} next to the sample data's folder. */
    public static Path runsDir() {
        String p = System.getProperty("workbench.runs");
        if (p != null) return Path.of(p).toAbsolutePath();
        Path sample = sampleData();
        Path root = sample.getParent() != null && sample.getParent().getParent() != null ? sample.getParent().getParent()
                                                                                         : Path.of("").toAbsolutePath();
        return root.resolve("runs");
    }
}
