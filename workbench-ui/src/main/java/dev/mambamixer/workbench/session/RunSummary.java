package dev.mambamixer.workbench.session;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.HeldOutEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One row of the runs table: a run folder read back (config.json, its history, test-metrics.json).
 * Values that a run does not have are NaN / empty; nothing here writes to the folder.
 *
 * @param name          the name the user gave the run ({@link RunFolder#readLabel}), else the folder's name
 * @param kind          "TSM2", "ViM2" or "teaching" (from config.json)
 * @param dataset       the data file or image source the run was trained on ("" when not recorded)
 * @param settings      the model's key settings, e.g. "d_model 32, 2 layers, lr 0.001"
 * @param bestMetric    "val MSE" (lower is better) or "held-out accuracy" (higher is better)
 * @param best          the best validation MSE or held-out accuracy over the run (NaN: none yet)
 * @param test          test MSE, or the final held-out accuracy of ViM2 and teaching runs (NaN: none)
 * @param seconds       wall time of the last recorded step
 */
public record RunSummary(Path dir, String name, String kind, String dataset, String settings, String bestMetric, double best,
                         double test, int steps, double seconds, String status) {

    /** The run folders directly under {@code runsDir}, newest name first, each read back (unreadable ones skipped). */
    public static List<RunSummary> list(Path runsDir) throws IOException {
        List<RunSummary> out = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) return out;
        List<Path> dirs;
        try (Stream<Path> s = Files.list(runsDir)) {
            dirs = s.filter(p -> Files.isRegularFile(p.resolve(RunFolder.CONFIG_FILE))).sorted().toList();
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            try {
                out.add(read(dirs.get(i)));
            } catch (IOException | RuntimeException e) {
                // a folder being written or damaged: the table lists what it can read
            }
        }
        return out;
    }

    public static RunSummary read(Path dir) throws IOException {
        JsonObject c = RunFolder.readConfig(dir);
        String kind = c.has("vision_training") ? "ViM2" : c.has("teaching") ? "teaching" : "TSM2";
        JsonObject model = c.has("model") && c.get("model").isJsonObject() ? c.getAsJsonObject("model") : new JsonObject();
        JsonObject train = c.has("vision_training") ? c.getAsJsonObject("vision_training")
                         : c.has("teaching") ? c.getAsJsonObject("teaching")
                         : c.has("training") && c.get("training").isJsonObject() ? c.getAsJsonObject("training") : new JsonObject();
        String dataset = "";
        if (c.has("data") && c.get("data").isJsonObject()) {
            JsonObject d = c.getAsJsonObject("data");
            dataset = d.has("kind") ? d.get("kind").getAsString() : d.has("path") ? Path.of(d.get("path").getAsString()).getFileName().toString() : "";
        } else if (c.has("task") && c.get("task").isJsonObject() && c.getAsJsonObject("task").has("name")) {
            dataset = c.getAsJsonObject("task").get("name").getAsString();
        }
        List<String> s = new ArrayList<>();
        if (model.has("dModel")) s.add("d_model " + model.get("dModel").getAsInt());
        if (model.has("dims")) s.add("dims " + model.get("dims").toString());
        if (model.has("layers")) s.add(model.get("layers").getAsInt() + " layers");
        if (train.has("lr")) s.add("lr " + num(train.get("lr").getAsDouble()));
        if (train.has("batchSize")) s.add("batch " + train.get("batchSize").getAsInt());
        else if (train.has("batch")) s.add("batch " + train.get("batch").getAsInt());

        RunHistory h = RunHistory.read(dir);
        boolean tsm2 = kind.equals("TSM2");
        double best = Double.NaN;
        if (tsm2) for (EpochEvent e : h.validations()) best = Double.isNaN(best) ? e.valMse() : Math.min(best, e.valMse());
        else for (HeldOutEvent e : h.heldOut()) best = Double.isNaN(best) ? e.accuracy() : Math.max(best, e.accuracy());
        if (tsm2 && Double.isNaN(best)) best = bestFromMetrics(dir);
        double test = Double.NaN;
        Path tm = dir.resolve(RunFolder.TEST_METRICS_FILE);
        if (Files.isRegularFile(tm)) {
            JsonObject t = json(tm);
            for (String key : new String[] {"mse", "accuracy", "held_out_token_accuracy"})
                if (t.has(key)) {
                    test = t.get(key).getAsDouble();
                    break;
                }
        }
        int steps = h.steps().isEmpty() ? 0 : h.steps().get(h.steps().size() - 1).step();
        double seconds = h.steps().isEmpty() ? Double.NaN : h.steps().get(h.steps().size() - 1).wallSeconds();
        String status = h.failed() ? "failed" : h.finished() ? "finished" : "unfinished";
        return new RunSummary(dir, RunFolder.readLabel(dir).orElse(dir.getFileName().toString()), kind, dataset, String.join(", ", s),
                              tsm2 ? "val MSE" : "held-out accuracy", best, test, steps, seconds, status);
    }

    /** The run folder's own name (stays when the run is renamed). */
    public String folder() { return dir.getFileName().toString(); }

    /** This row with another display name. */
    public RunSummary withName(String newName) {
        return new RunSummary(dir, newName, kind, dataset, settings, bestMetric, best, test, steps, seconds, status);
    }

    /** Whether a larger {@link #best} is better (accuracy) or a smaller one (MSE). */
    public boolean higherIsBetter() { return !bestMetric.equals("val MSE"); }

    /** A CLI run keeps its validations in metrics.csv only: the smallest val_mse there. */
    private static double bestFromMetrics(Path dir) throws IOException {
        Path m = dir.resolve(RunFolder.METRICS_FILE);
        if (!Files.isRegularFile(m)) return Double.NaN;
        double best = Double.NaN;
        for (String line : Files.readAllLines(m)) {
            String[] f = line.split(",", -1);
            if (f.length != 6 || f[3].isBlank()) continue;
            try {
                double v = Double.parseDouble(f[3]);
                best = Double.isNaN(best) ? v : Math.min(best, v);
            } catch (NumberFormatException e) {
                // the header, or a torn last line
            }
        }
        return best;
    }

    private static JsonObject json(Path f) throws IOException {
        JsonElement e = JsonParser.parseString(Files.readString(f));
        if (!e.isJsonObject()) throw new IOException(f + ": not a JSON object");
        return e.getAsJsonObject();
    }

    private static String num(double v) { return String.format(Locale.ROOT, "%.3g", v); }
}
