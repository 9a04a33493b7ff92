package dev.mambamixer.engine.introspect;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.HeldOutEvent;
import dev.mambamixer.engine.train.TrainingListener.SnapshotEvent;
import dev.mambamixer.engine.train.TrainingListener.StepEvent;
import dev.mambamixer.engine.train.TrainingListener.UpdateRatioEvent;
import dev.mambamixer.engine.io.HistoryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A run folder read back: the events of {@link EventLog} and the snapshots of
 * {@link SnapshotRecorder}, so a finished (or crashed) run can be explored later.
 *
 * @param steps        step events in order
 * @param validations  validation events in order
 * @param heldOut      held-out evaluations of teaching and ViM2 runs, in order (empty for TSM2 runs)
 * @param updateRatios update:parameter ratio events in order (empty when none were asked for)
 * @param snapshots    complete snapshots (their {@code capture.json} exists) sorted by step; paths absolute
 * @param finishReason the finish reason, or null when the run did not finish (still running, or killed)
 * @param failed       the run aborted (non-finite values) or reported an exception
 */
public record RunHistory(Path runDir, List<StepEvent> steps, List<EpochEvent> validations, List<HeldOutEvent> heldOut,
                         List<UpdateRatioEvent> updateRatios, List<SnapshotEvent> snapshots, String finishReason,
                         boolean failed) {

    public RunHistory {
        steps = List.copyOf(steps);
        validations = List.copyOf(validations);
        heldOut = List.copyOf(heldOut);
        updateRatios = List.copyOf(updateRatios);
        snapshots = List.copyOf(snapshots);
    }

    /**
     * Reads {@code <run>/events.jsonl} (when present) and lists {@code <run>/snapshots/step-*}.
     * A torn last line (no '\n': a run killed mid-write, see {@link HistoryFile}) is ignored; a
     * malformed line elsewhere is an error, except the one shape older versions left behind: a torn
     * line with a resumed run's next line glued to it, which is read as that next line.
     */
    public static RunHistory read(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) throw new IOException(runDir + " is not a folder");
        List<StepEvent> steps = new ArrayList<>();
        List<EpochEvent> vals = new ArrayList<>();
        List<HeldOutEvent> held = new ArrayList<>();
        List<UpdateRatioEvent> ratios = new ArrayList<>();
        TreeMap<Long, SnapshotEvent> snaps = new TreeMap<>();
        String reason = null;
        boolean failed = false;
        Path log = runDir.resolve(EventLog.FILE);
        if (Files.exists(log)) {
            List<String> lines = HistoryFile.completeLines(log);
            for (int i = 0; i < lines.size(); i++) {
                String ln = lines.get(i).strip();
                if (ln.isEmpty()) continue;
                JsonObject o;
                try {
                    o = JsonParser.parseString(ln).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException e) {
                    if (i == lines.size() - 1) break;   // the run died while writing this line
                    int glued = ln.indexOf("{\"type\":", 1);
                    JsonObject next = glued > 0 ? parseOrNull(ln.substring(glued)) : null;
                    if (next != null) {
                        o = next;
                    } else {
                        throw new IOException(log + ":" + (i + 1) + ": not a JSON object: " + e.getMessage(), e);
                    }
                }
                String type = o.has("type") ? o.get("type").getAsString() : "";
                switch (type) {
                    case "step" -> {
                        if (!o.has("accuracy")) o.addProperty("accuracy", Double.NaN);   // forecasting steps have none
                        steps.add(EventLog.GSON.fromJson(o, StepEvent.class));
                    }
                    case "validation" -> vals.add(EventLog.GSON.fromJson(o, EpochEvent.class));
                    case "held_out" -> held.add(EventLog.GSON.fromJson(o, HeldOutEvent.class));
                    case "update_ratios" -> ratios.add(EventLog.GSON.fromJson(o, UpdateRatioEvent.class));
                    case "snapshot" -> {
                        long s = o.get("step").getAsLong();
                        snaps.put(s, new SnapshotEvent(s, runDir.resolve(o.get("path").getAsString()).toAbsolutePath()));
                    }
                    case "finish" -> {
                        reason = o.get("reason").getAsString();
                        failed |= o.get("failed").getAsBoolean();
                    }
                    case "failed" -> {
                        failed = true;
                        if (reason == null) reason = o.get("reason").getAsString();
                    }
                    default -> throw new IOException(log + ":" + (i + 1) + ": unknown event type '" + type + "'");
                }
            }
        }
        // Snapshots written without an EventLog (or whose event was not logged) still count.
        Path dir = runDir.resolve(SnapshotRecorder.SNAPSHOTS);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.matches("step-\\d+") || !Files.exists(p.resolve(CaptureFiles.CAPTURE_JSON))) continue;
                    long step = Long.parseLong(name.substring(5));
                    snaps.putIfAbsent(step, new SnapshotEvent(step, p.toAbsolutePath()));
                }
            }
        }
        // only complete snapshots (capture.json is written last)
        snaps.values().removeIf(ev -> !Files.exists(ev.path().resolve(CaptureFiles.CAPTURE_JSON)));
        return new RunHistory(runDir, steps, vals, held, ratios, new ArrayList<>(snaps.values()), reason, failed);
    }

    private static JsonObject parseOrNull(String s) {
        try {
            return JsonParser.parseString(s).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    public boolean finished() { return finishReason != null; }

    /** Loads snapshot i (in step order). */
    public ModelCapture capture(int i) throws IOException { return CaptureFiles.read(snapshots.get(i).path()); }

    /** Loads the snapshot taken after {@code step}. */
    public ModelCapture captureAt(long step) throws IOException {
        for (SnapshotEvent s : snapshots) if (s.step() == step) return CaptureFiles.read(s.path());
        throw new IllegalArgumentException("no snapshot at step " + step + " in " + runDir + " (have "
                                           + snapshots.stream().map(SnapshotEvent::step).toList() + ")");
    }

    /**
     * The probe windows of the snapshot after {@code step} with history, ground truth and forecast
     * (standardised units), or an empty list when that snapshot has none.
     */
    public List<ForecastWindow> forecastsAt(long step) throws IOException {
        for (SnapshotEvent s : snapshots)
            if (s.step() == step)
                return Files.exists(s.path().resolve(CaptureFiles.FORECASTS_JSON)) ? CaptureFiles.readForecasts(s.path())
                                                                                   : List.of();
        throw new IllegalArgumentException("no snapshot at step " + step + " in " + runDir);
    }

    /** The averaging history written at the end of the run, or null when there is none. */
    public AveragingHistory averagingHistory() throws IOException {
        Path dir = runDir.resolve(SnapshotRecorder.SNAPSHOTS);
        return Files.exists(dir.resolve(CaptureFiles.HISTORY_JSON)) ? CaptureFiles.readHistory(dir) : null;
    }

    /** Training loss per step, in step order. */
    public double[] lossCurve() { return steps.stream().mapToDouble(StepEvent::loss).toArray(); }
}
