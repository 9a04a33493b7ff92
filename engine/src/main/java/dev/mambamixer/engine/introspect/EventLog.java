package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.io.ConfigJson;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.io.HistoryFile;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Appends training events to {@code <run>/events.jsonl}, one JSON object per line with a
 * {@code "type"}: {@code step}, {@code validation} (an {@link EpochEvent}; {@code best} marks a new
 * best), {@code snapshot} ({@code path} relative to the run folder), {@code update_ratios} (an
 * {@link UpdateRatioEvent}: step and groups), {@code finish}
 * ({@code reason}, {@code failed}) and {@code failed} ({@code reason}, {@code error}). Field names
 * are the event records' component names. Appends, so a resumed run continues the same file
 * (after {@link RunFolder#cutHistoryAfter} cut it back to the resumed checkpoint's step).
 * {@link RunHistory#read} reads it back.
 * <p>
 * A {@link HistoryFile}: every line goes to the OS in one write, so a crash leaves at most a
 * torn last line; {@link #sync} puts it on disk (runs call it before a checkpoint save).
 * Thread-safe, since snapshot events arrive from the recorder's writer thread. Wrap it in an
 * {@link AsyncListener} to keep even the write off the training thread.
 */
public final class EventLog implements TrainingListener, AutoCloseable {
    public static final String FILE = RunFolder.EVENTS_FILE;
    static final Gson GSON = ConfigJson.builder().create();

    private final Path runDir;
    private final HistoryFile out;
    private IOException error;   // first write error, rethrown by close

    public EventLog(Path runDir) throws IOException {
        this.runDir = runDir;
        Files.createDirectories(runDir);
        out = new HistoryFile(runDir.resolve(FILE));
    }

    /** A step; a forecasting step's accuracy (NaN) is left out, so its line is what it always was. */
    @Override public void onStep(StepEvent e) {
        JsonObject o = line("step", e);
        if (Double.isNaN(e.accuracy())) o.remove("accuracy");
        write(o);
    }

    @Override public void onEpoch(EpochEvent e) { write(line("validation", e)); }

    @Override public void onUpdateRatios(UpdateRatioEvent e) { write(line("update_ratios", e)); }

    /** A held-out evaluation of a teaching task (type "held_out"). */
    @Override public void onHeldOut(HeldOutEvent e) { write(line("held_out", e)); }

    @Override public void onSnapshot(SnapshotEvent e) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "snapshot");
        o.addProperty("step", e.step());
        Path p = e.path().isAbsolute() && e.path().startsWith(runDir.toAbsolutePath())
                 ? runDir.toAbsolutePath().relativize(e.path()) : e.path().startsWith(runDir) ? runDir.relativize(e.path())
                                                                                             : e.path();
        o.addProperty("path", p.toString().replace('\\', '/'));
        write(o);
    }

    @Override public void onFinish(String reason) { onFinish(reason, false); }

    @Override public void onFinish(String reason, boolean failed) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "finish");
        o.addProperty("reason", reason);
        o.addProperty("failed", failed);
        write(o);
    }

    @Override public void onFailed(String reason, Throwable error) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "failed");
        o.addProperty("reason", reason);
        o.addProperty("error", error == null ? null : error.toString());
        write(o);
    }

    private static JsonObject line(String type, Record r) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);   // first, for people reading the file
        GSON.toJsonTree(r).getAsJsonObject().entrySet().forEach(en -> o.add(en.getKey(), en.getValue()));
        return o;
    }

    private synchronized void write(JsonObject o) {
        if (error != null) return;
        try {
            out.append(GSON.toJson(o));   // one line: the GSON here does no pretty printing
        } catch (IOException e) {
            error = e;   // reported by close; a full disk must not crash training
        }
    }

    /** Everything logged so far on disk (before a checkpoint save: history first, then checkpoint). */
    public synchronized void sync() {
        if (error != null) return;
        try {
            out.sync();
        } catch (IOException e) {
            error = e;
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
