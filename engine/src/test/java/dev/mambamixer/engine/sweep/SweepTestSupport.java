package dev.mambamixer.engine.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.cli.CliRun;
import dev.mambamixer.engine.cli.CliRun.Out;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Shared by the sweep tests: the sample data, a tiny sweep file and the CLI run in-process. */
final class SweepTestSupport {
    private SweepTestSupport() {}


    static Path sampleData() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p.toAbsolutePath().normalize();
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    /** A sweep of a tiny TSM2 (a few seconds per run): grid --lr {1e-2, 1e-4}, search seed 1, the given horizons and seeds. */
    static Path writeSpec(Path dir, String horizons, String seeds, int epochs) throws IOException {
        Path f = dir.resolve("tiny-sweep.json");
        Files.writeString(f, """
            {"name": "tiny",
             "settings": [{"data": "%s", "seqLen": 32, "horizon": %s}],
             "fixed": {"--d-model": 8, "--layers": 1, "--epochs": %d, "--max-steps-per-epoch": 5, "--batch": 16,
                       "--warmup": 0, "--snapshot-every": 0, "--update-ratio-every": 0, "--eval-batch": 256},
             "grid": {"--lr": [1e-2, 1e-4]},
             "searchSeed": 1, "seeds": %s}
            """.formatted(sampleData().toString().replace("\\", "\\\\"), horizons, epochs, seeds));
        return f;
    }

    static Out cli(String... args) { return CliRun.run(args); }

    /** Replaces the top-level grid of a sweep folder's sweep.json (as one widens or narrows a sweep by hand). */
    static void editGrid(Path sweep, String gridJson) throws IOException {
        Path specFile = sweep.resolve(SweepFolder.SPEC_FILE);
        JsonObject sj = JsonParser.parseString(Files.readString(specFile)).getAsJsonObject();
        sj.add("grid", JsonParser.parseString(gridJson));
        Files.writeString(specFile, sj.toString());
    }

    /** The run folders under SWEEP/runs (not the logs). */
    static List<Path> runDirs(Path sweep) throws IOException {
        try (Stream<Path> s = Files.list(sweep.resolve(SweepFolder.RUNS))) {
            return new ArrayList<>(s.filter(Files::isDirectory).sorted().toList());
        }
    }

    /** The lowest val_mse of a run's metrics.csv, read directly (not through the sweep's code). */
    static double minValMse(Path runDir) throws IOException {
        double best = Double.POSITIVE_INFINITY;
        for (String line : Files.readAllLines(runDir.resolve("metrics.csv")).subList(1, Files.readAllLines(runDir.resolve("metrics.csv")).size())) {
            String v = line.split(",", -1)[3];
            if (!v.isEmpty()) best = Math.min(best, Double.parseDouble(v));
        }
        return best;
    }

    static int finishEvents(Path runDir) throws IOException {
        return (int) Files.readAllLines(runDir.resolve("events.jsonl")).stream().filter(l -> l.contains("\"type\":\"finish\"")).count();
    }
}
