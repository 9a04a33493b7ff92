package dev.mambamixer.engine.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.io.AtomicFiles;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.FileErrors;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sweep's folder:
 * <pre>
 *   SWEEP/
 *     .lock           held by the coordinator while it runs (a second coordinator is refused)
 *     sweep.json      the sweep file as read (data paths absolute), so resume needs only the folder
 *     state.json      every run's stage, status, attempts, exit code and wall time; the selections (atomic)
 *     runs/RUN_ID/    the run folder of each run ({@code train --run-dir})
 *     runs/RUN_ID.log the run's stdout and stderr, every attempt appended
 *     table.csv, table.md, hparams.csv   written by {@code sweep table}
 * </pre>
 * Whether a run finished is read from its run folder (test-metrics.json and a finish event), not
 * only from state.json, so a coordinator killed between a run's end and its state write loses nothing.
 */
public final class SweepFolder implements Closeable {
    public static final String SPEC_FILE = "sweep.json";
    public static final String STATE_FILE = "state.json";
    public static final String RUNS = "runs";
    public static final String LOCK_FILE = ".lock";

    /** What a run folder on disk says about a run. */
    public enum DiskStatus { NOT_STARTED, PARTIAL, FINISHED, FAILED }

    private final Path dir;
    private final SweepSpec spec;
    private FileChannel lockChannel;
    private FileLock lock;

    private SweepFolder(Path dir, SweepSpec spec) {
        this.dir = dir;
        this.spec = spec;
    }

    /** Creates the folder for a new sweep (it may exist but must hold no sweep.json yet), copies the spec, locks it. */
    public static SweepFolder create(Path dir, SweepSpec spec) throws IOException {
        if (Files.exists(dir.resolve(SPEC_FILE)))
            throw new IOException(dir + ": already holds a sweep (" + SPEC_FILE + "); continue it with `sweep resume " + dir
                                  + "` or choose another --dir");
        Files.createDirectories(dir.resolve(RUNS));
        SweepFolder f = new SweepFolder(dir, spec);
        f.lock();
        AtomicFiles.writeJson(dir.resolve(SPEC_FILE), spec.toJson());
        return f;
    }

    /** Opens an existing sweep folder for reading (status, table); no lock. */
    public static SweepFolder read(Path dir) throws IOException {
        Path f = dir.resolve(SPEC_FILE);
        if (!Files.isRegularFile(f))
            throw new IOException(dir + ": not a sweep folder (no " + SPEC_FILE + ")");
        String text = new String(FileErrors.readAllBytes(f), StandardCharsets.UTF_8);
        return new SweepFolder(dir, SweepSpec.parse(text, f.toString(), dir.toAbsolutePath()));
    }

    /** Opens an existing sweep folder to continue it: locked like {@link #create}. */
    public static SweepFolder open(Path dir) throws IOException {
        SweepFolder f = read(dir);
        f.lock();
        return f;
    }

    private void lock() throws IOException {
        lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IOException(dir + ": another coordinator is running this sweep (" + LOCK_FILE + " is locked)");
        }
    }

    /** Whether a coordinator holds the sweep now (tried without taking it for long). */
    public static boolean coordinatorRunning(Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;   // this JVM holds it
        } catch (IOException e) {
            return false;
        }
    }

    public Path dir() { return dir; }

    public SweepSpec spec() { return spec; }

    public Path runDir(String runId) { return dir.resolve(RUNS).resolve(runId); }

    public Path runLog(String runId) { return dir.resolve(RUNS).resolve(runId + ".log"); }

    /**
     * FINISHED: test-metrics.json and a finish event that is not a failure. FAILED: the run recorded
     * a failure (non-finite values, an exception). PARTIAL: a folder with a config or checkpoint to
     * continue from. NOT_STARTED: no folder, or one with nothing to continue from.
     */
    public DiskStatus diskStatus(String runId) throws IOException {
        Path d = runDir(runId);
        if (!Files.isDirectory(d)) return DiskStatus.NOT_STARTED;
        boolean resumable = Files.isRegularFile(d.resolve(RunFolder.CONFIG_FILE))
                            || Checkpoint.exists(RunFolder.checkpointDir(d, "last"));
        if (!resumable) return DiskStatus.NOT_STARTED;
        RunHistory h = RunHistory.read(d);
        if (h.failed()) return DiskStatus.FAILED;
        if (h.finished() && Files.isRegularFile(d.resolve(RunFolder.TEST_METRICS_FILE))) return DiskStatus.FINISHED;
        return DiskStatus.PARTIAL;
    }

    /** Removes a run folder that holds nothing to continue from (killed before its config was written). */
    public void removeEmptyRunDir(String runId) throws IOException {
        Path d = runDir(runId);
        if (!Files.isDirectory(d) || diskStatus(runId) != DiskStatus.NOT_STARTED) return;
        Files.walkFileTree(d, new SimpleFileVisitor<>() {
            @Override public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override public FileVisitResult postVisitDirectory(Path p, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(p);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The lowest validation MSE a run recorded (NaN when none). */
    public double bestValMse(String runId) throws IOException {
        double best = Double.NaN;
        for (EpochEvent e : RunHistory.read(runDir(runId)).validations())
            if (Double.isFinite(e.valMse()) && !(e.valMse() >= best)) best = e.valMse();
        return best;
    }

    /** The wall time of the run's last validation, in seconds (NaN when none): the training time. */
    public double trainingSeconds(String runId) throws IOException {
        var v = RunHistory.read(runDir(runId)).validations();
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1).wallSeconds();
    }

    /**
     * {@code "mse"}, {@code "mae"} and {@code "best_step"} (NaN when absent: older builds) of the run's
     * test-metrics.json; names the file and field when mse or mae is missing.
     */
    public double[] testMetrics(String runId) throws IOException {
        Path f = runDir(runId).resolve(RunFolder.TEST_METRICS_FILE);
        JsonObject o = readObject(f);
        double[] r = new double[3];
        JsonElement step = o.get("best_step");   // absent in runs of older builds
        r[2] = step != null && step.isJsonPrimitive() && step.getAsJsonPrimitive().isNumber() ? step.getAsDouble() : Double.NaN;
        String[] keys = {"mse", "mae"};
        for (int i = 0; i < 2; i++) {
            JsonElement e = o.get(keys[i]);
            if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())
                throw new IOException(f + ": \"" + keys[i] + "\" expected a number, found " + (e == null ? "nothing (missing)" : e));
            r[i] = e.getAsDouble();
        }
        return r;
    }

    // ------------------------------------------------------------------ state.json

    /** state.json as a JSON object, or an empty state when there is none yet. */
    public JsonObject readState() throws IOException {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.exists(f)) {
            JsonObject o = new JsonObject();
            o.add("runs", new JsonObject());
            o.add("selections", new JsonObject());
            return o;
        }
        JsonObject o = readObject(f);
        for (String k : new String[] {"runs", "selections"})
            if (!o.has(k) || !o.get(k).isJsonObject())
                throw new IOException(f + ": \"" + k + "\" expected a JSON object, found " + (o.has(k) ? o.get(k) : "nothing (missing)"));
        return o;
    }

    public void writeState(JsonObject state) throws IOException {
        AtomicFiles.writeJson(dir.resolve(STATE_FILE), state);
    }

    /** The selections recorded in {@code state}: setting index -> selection. */
    public static Map<Integer, SweepPlan.Selection> selections(JsonObject state, String file) throws IOException {
        Map<Integer, SweepPlan.Selection> m = new LinkedHashMap<>();
        JsonObject sels = state.getAsJsonObject("selections");
        for (String k : sels.keySet()) {
            try {
                JsonObject s = sels.getAsJsonObject(k);
                Map<String, JsonPrimitive> point = point(s);
                int setting = Integer.parseInt(k);
                m.put(setting, new SweepPlan.Selection(setting, s.get("runId").getAsString(), point, s.get("bestValMse").getAsDouble()));
            } catch (RuntimeException e) {
                throw new IOException(file + ": selections.\"" + k + "\" is not a selection (runId, point, bestValMse): " + e.getMessage(), e);
            }
        }
        return m;
    }

    /** The grid point a state.json entry (a run or a selection) records, option -> value as written. */
    public static Map<String, JsonPrimitive> point(JsonObject entry) {
        Map<String, JsonPrimitive> point = new LinkedHashMap<>();
        entry.getAsJsonObject("point").entrySet().forEach(e -> point.put(e.getKey(), e.getValue().getAsJsonPrimitive()));
        return point;
    }

    private static JsonObject readObject(Path f) throws IOException {
        String text = new String(FileErrors.readAllBytes(f), StandardCharsets.UTF_8);
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) throw new IOException(f + ": expected a JSON object");
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(f + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    @Override public void close() throws IOException {
        if (lockChannel == null) return;
        try {
            if (lock != null && lock.isValid()) lock.release();
        } finally {
            lockChannel.close();
            lockChannel = null;
        }
    }
}
