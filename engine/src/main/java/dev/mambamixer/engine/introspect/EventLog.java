package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.io.ConfigJson;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends training events to {@code <run>/events.jsonl}, one JSON object per line with a
 * {@code "type"}: {@code step}, {@code validation} (an {@link EpochEvent}; {@code best} marks a new
 * best), {@code snapshot} ({@code path} relative to the run folder), {@code update_ratios} (an
 * {@link UpdateRatioEvent}: step and groups), {@code finish}
 * ({@code reason}, {@code failed}) and {@code failed} ({@code reason}, {@code error}). Field names
 * are the event records' component names. Appends, so a resumed run continues the same file.
 * {@link RunHistory#read} reads it back.
 * <p>
 * Cheap (a buffered write; flushed at validations, snapshots and the end) and thread-safe, since
 * snapshot events arrive from the recorder's writer thread. Wrap it in an {@link AsyncListener} to
 * keep even that off the training thread.
 */
public final class EventLog implements TrainingListener, AutoCloseable {
    public static final String FILE = "events.jsonl";
    static final Gson GSON = ConfigJson.builder().create();

    private final Path runDir;
    private final BufferedWriter out;
    private IOException error;   // first write error, rethrown by close

    public EventLog(Path runDir) throws IOException {
        this.runDir = runDir;
        Files.createDirectories(runDir);
        out = Files.newBufferedWriter(runDir.resolve(FILE), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                      StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** A step; a forecasting step's accuracy (NaN) is left out, so its line is what it always was. */
    @Override public void onStep(StepEvent e) {
        JsonObject o = line("step", e);
        if (Double.isNaN(e.accuracy())) o.remove("accuracy");
        write(o, false);
    }

    @Override public void onEpoch(EpochEvent e) { write(line("validation", e), true); }

    @Override public void onUpdateRatios(UpdateRatioEvent e) { write(line("update_ratios", e), false); }

    /** A held-out evaluation of a teaching task (type "held_out"). */
    @Override public void onHeldOut(HeldOutEvent e) { write(line("held_out", e), true); }

    @Override public void onSnapshot(SnapshotEvent e) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "snapshot");
        o.addProperty("step", e.step());
        Path p = e.path().isAbsolute() && e.path().startsWith(runDir.toAbsolutePath())
                 ? runDir.toAbsolutePath().relativize(e.path()) : e.path().startsWith(runDir) ? runDir.relativize(e.path())
                                                                                             : e.path();
        o.addProperty("path", p.toString().replace('\\', '/'));
        write(o, true);
    }

    @Override public void onFinish(String reason) { onFinish(reason, false); }

    @Override public void onFinish(String reason, boolean failed) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "finish");
        o.addProperty("reason", reason);
        o.addProperty("failed", failed);
        write(o, true);
    }

    @Override public void onFailed(String reason, Throwable error) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "failed");
        o.addProperty("reason", reason);
        o.addProperty("error", error == null ? null : error.toString());
        write(o, true);
    }

    private static JsonObject line(String type, Record r) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);   // first, for people reading the file
        GSON.toJsonTree(r).getAsJsonObject().entrySet().forEach(en -> o.add(en.getKey(), en.getValue()));
        return o;
    }

    private synchronized void write(JsonObject o, boolean flush) {
        if (error != null) return;
        try {
            out.write(GSON.toJson(o));
            out.write('\n');
            if (flush) out.flush();
        } catch (IOException e) {
            error = e;   // reported by close; a full disk must not crash training
        }
    }

    @Override public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            if (error == null) error = e;
        }
        if (error != null) throw new UncheckedIOException("writing " + runDir.resolve(FILE) + " failed", error);
    }
}
