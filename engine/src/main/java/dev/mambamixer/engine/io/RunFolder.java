package dev.mambamixer.engine.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;

/**
 * The output folder of one training run:
 * <pre>
 *   runs/20250101-120000-etth1-tsm2/
 *     .lock              the writer's lock (pid, host, start time, command inside; see below)
 *     config.json        run/model config, written atomically
 *     metrics.csv        epoch,step,train_loss,val_mse,lr,wall_time_s (one row per validation)
 *     events.jsonl       the event log (introspect.EventLog), one JSON object per line
 *     test-metrics.json  final test metrics, written atomically
 *     label.txt          the name a user gave the run (runs table), written atomically; the folder keeps its name
 *     forecast.csv       window,horizon_step,variate,prediction,target (temp file, renamed when complete)
 *     snapshots/step-N/  captures (introspect.SnapshotRecorder)
 *     checkpoints/...    {@link Checkpoint} folders, e.g. best and last (see {@link #checkpoint})
 * </pre>
 * In metrics.csv a NaN value is written as an empty field (= not measured, e.g. no validation
 * that epoch); pandas and spreadsheets read it as missing.
 *
 * <h2>Rules that keep a run folder readable whatever happens (docs/RELIABILITY.md)</h2>
 * <ul>
 *   <li><b>One writer.</b> {@link #create} and {@link #open} take an exclusive lock on {@code .lock}
 *       ({@link FileChannel#tryLock}; a second writer in the same JVM is caught by a registry, since
 *       on POSIX closing any channel of the file would drop the lock). A second writer fails with
 *       {@link RunFolderLockedException} naming the holder. {@link #close} releases it; the OS
 *       releases a crashed holder's lock, so a stale {@code .lock} file never blocks.</li>
 *   <li><b>Torn lines only.</b> metrics.csv and events.jsonl are {@link HistoryFile}s: one write per
 *       complete line, so a crash leaves at most a torn last line, which readers skip
 *       ({@link HistoryFile#completeLines}).</li>
 *   <li><b>History before checkpoint.</b> Runs append the history of a validation, wait for the
 *       snapshots up to it, {@link #syncHistory} and only then save checkpoints, so the history on
 *       disk always reaches at least the newest checkpoint's step.</li>
 *   <li><b>Resume cuts history back.</b> A resumed run calls {@link #cutHistoryAfter} with the step
 *       of the checkpoint it continues from: rows, events and snapshots after that step, torn
 *       lines and the finish/failed lines of earlier attempts go, so the history equals an
 *       uninterrupted run's (the wall-clock fields aside).</li>
 *   <li><b>Recovery.</b> {@link #open} puts checkpoints interrupted between their two renames
 *       back in place ({@link Checkpoint#recover}) and deletes temp files and folders left by
 *       crashes; {@link #tidy} does the same for a reader, when no writer holds the folder.</li>
 *   <li><b>Failed before the first step.</b> A folder this process created that holds nothing but
 *       its config when it is closed (the run failed before any history was written) is removed;
 *       a failure after that is recorded in events.jsonl ("failed" or a failed "finish").</li>
 * </ul>
 */
public final class RunFolder implements Closeable {

    public static final String CONFIG_FILE = "config.json";
    public static final String METRICS_FILE = "metrics.csv";
    public static final String EVENTS_FILE = "events.jsonl";
    public static final String TEST_METRICS_FILE = "test-metrics.json";
    public static final String FORECAST_FILE = "forecast.csv";
    public static final String LOCK_FILE = ".lock";
    public static final String LABEL_FILE = "label.txt";
    /** Longest run label kept; a label is one line of text. */
    public static final int MAX_LABEL_LENGTH = 120;
    public static final String CHECKPOINTS = "checkpoints";
    public static final String SNAPSHOTS = "snapshots";
    public static final String METRICS_HEADER = "epoch,step,train_loss,val_mse,lr,wall_time_s";
    public static final String FORECAST_HEADER = "window,horizon_step,variate,prediction,target";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Pattern SNAPSHOT_DIR = Pattern.compile("step-(\\d+)");
    /** Run folders locked by this JVM (real path -> holder), so a second writer here never opens the lock file. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path dir;
    private final boolean created;
    private final Path lockKey;
    private FileChannel lockChannel;
    private FileLock lock;
    private HistoryFile metrics;

    private RunFolder(Path dir, boolean created) throws IOException {
        this.dir = dir;
        this.created = created;
        this.lockKey = dir.toRealPath();
        lock();
    }

    /** Creates {@code runsRoot/<yyyyMMdd-HHmmss>-<name>} (local time), unique: "-2", "-3", ... on collision; locked. */
    public static RunFolder create(Path runsRoot, String name) throws IOException {
        return create(runsRoot, name, Clock.systemDefaultZone());
    }

    public static RunFolder create(Path runsRoot, String name, Clock clock) throws IOException {
        Files.createDirectories(runsRoot);
        String base = STAMP.format(LocalDateTime.now(clock));
        String safe = sanitize(name);
        if (!safe.isEmpty()) base += "-" + safe;
        for (int i = 1; i < 10_000; i++) {
            Path candidate = runsRoot.resolve(i == 1 ? base : base + "-" + i);
            try {
                // createDirectory fails if it exists: uniqueness holds even across concurrent processes
                return new RunFolder(Files.createDirectory(candidate), true);
            } catch (FileAlreadyExistsException e) {
                // taken, try the next suffix
            }
        }
        throw new IOException("could not find a free run folder name for " + runsRoot.resolve(base));
    }

    /**
     * Creates exactly {@code dir} (its parent folders as needed) and locks it; fails when {@code dir}
     * already exists, so two writers (e.g. a sweep started twice) never share or duplicate a run folder.
     */
    public static RunFolder createAt(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            return new RunFolder(Files.createDirectory(dir), true);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir + ": the run folder already exists (resume it with --resume, or choose another folder)", e);
        }
    }

    /**
     * Reopens an existing run folder for writing (e.g. to resume training): takes the lock
     * ({@link RunFolderLockedException} when another writer holds it), recovers interrupted
     * checkpoint saves and deletes crash leftovers. A resumed run then cuts the history back to its
     * checkpoint ({@link #cutHistoryAfter}); metrics rows are appended after that.
     */
    public static RunFolder open(Path existing) throws IOException {
        if (!Files.isDirectory(existing))
            throw new IOException("not a run folder: " + existing + (Files.exists(existing) ? " (a file)" : " (no such folder)"));
        RunFolder f = new RunFolder(existing, false);
        try {
            cleanUp(existing);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * For readers (eval of a run folder, the workbench's Open): when no writer holds the folder,
     * recovers interrupted checkpoint saves and deletes crash leftovers under the lock; when a
     * writer holds it, changes nothing (its readers use {@link Checkpoint#locate}). Returns whether it tidied.
     */
    public static boolean tidy(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) return false;
        Path key = runDir.toRealPath();
        if (HELD.putIfAbsent(key, "tidying") != null) return false;
        try (FileChannel ch = FileChannel.open(runDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return false;
            }
            if (l == null) return false;
            try {
                cleanUp(runDir);
                return true;
            } finally {
                l.release();
            }
        } catch (java.nio.file.AccessDeniedException | java.nio.file.ReadOnlyFileSystemException e) {
            return false;   // a read-only run folder: nothing to tidy, nobody can write
        } finally {
            HELD.remove(key);
        }
    }

    /** Keeps letters, digits, '.', '_' and '-'; everything else becomes '_'. */
    static String sanitize(String name) {
        if (name == null) return "";
        String s = name.strip().replaceAll("[^A-Za-z0-9._-]", "_");
        return s.replaceAll("^\\.+", ""); // no hidden folders
    }

    public Path dir() { return dir; }

    /** A path inside the run folder, e.g. {@code resolve("checkpoints/best")}. */
    public Path resolve(String relative) { return dir.resolve(relative); }

    /** The folder of checkpoint {@code which} ("best", "last") of this run. */
    public Path checkpointDir(String which) { return checkpointDir(dir, which); }

    public static Path checkpointDir(Path runDir, String which) { return runDir.resolve(CHECKPOINTS).resolve(which); }

    /** Checkpoint {@code which} of this run ({@link Checkpoint#load}, so interrupted saves are found), or null when there is none. */
    public Checkpoint checkpoint(String which) throws IOException {
        Path d = checkpointDir(which);
        return Checkpoint.exists(d) ? Checkpoint.load(d) : null;
    }

    /**
     * What a "run folder or checkpoint folder" argument means for readers (eval, vision eval,
     * the workbench): a checkpoint folder itself, else the run folder's {@code best}, else its
     * {@code last} (each found by {@link Checkpoint#locate}, so an interrupted save is no obstacle).
     * Throws {@link CheckpointException} naming the path when there is none.
     */
    public static Path findCheckpoint(Path path) throws CheckpointException {
        if (Checkpoint.exists(path)) return path;
        for (String which : new String[] {"best", "last"}) {
            Path d = checkpointDir(path, which);
            if (Checkpoint.exists(d)) return d;
        }
        throw new CheckpointException(path + ": no complete checkpoint here (expected a checkpoint folder, or a run folder "
                                      + "with " + CHECKPOINTS + "/best or " + CHECKPOINTS + "/last)");
    }

    public void writeConfig(JsonElement config) throws IOException {
        AtomicFiles.writeJson(dir.resolve(CONFIG_FILE), Objects.requireNonNull(config, "config"));
    }

    /** The run's config.json (a JSON object). */
    public JsonObject readConfig() throws IOException { return readConfig(dir); }

    /**
     * {@code runDir}/config.json as a JSON object, for readers that do not open the folder for
     * writing (the workbench, eval): an error names the file and whether it is missing, unreadable
     * or not a JSON object.
     */
    public static JsonObject readConfig(Path runDir) throws IOException {
        Path f = runDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(f)) throw new IOException(runDir + ": no " + CONFIG_FILE + " (not a run folder)");
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw FileErrors.reading(f, e);
        }
        try {
            return Checkpoint.parseObject(text, f.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Config given as JSON text; must be a JSON object. */
    public void writeConfig(String configJson) throws IOException {
        writeConfig(Checkpoint.parseObject(configJson, "config"));
    }

    /** Appends one metrics row in one write (see {@link HistoryFile}), so a crash loses at most the row being written. */
    public synchronized void appendMetrics(int epoch, long step, double trainLoss, double valMse, double lr,
                                           double wallTimeSeconds) throws IOException {
        if (metrics == null) metrics = openMetrics();
        StringBuilder sb = new StringBuilder(96);
        sb.append(epoch).append(',').append(step).append(',');
        num(sb, trainLoss).append(',');
        num(sb, valMse).append(',');
        num(sb, lr).append(',');
        num(sb, wallTimeSeconds);
        metrics.append(sb.toString());
    }

    /** Puts the metrics rows written so far on disk (before a checkpoint save). */
    public synchronized void syncHistory() throws IOException {
        if (metrics != null) metrics.sync();
    }

    private HistoryFile openMetrics() throws IOException {
        Path f = dir.resolve(METRICS_FILE);
        HistoryFile h = new HistoryFile(f);
        if (h.isEmpty()) {
            h.append(METRICS_HEADER);
        } else {
            List<String> lines = HistoryFile.completeLines(f);
            String first = lines.isEmpty() ? null : lines.get(0);
            if (!METRICS_HEADER.equals(first)) {
                h.close();
                throw new IOException(f + ": existing header '" + first + "' differs from '" + METRICS_HEADER + "'");
            }
        }
        return h;
    }

    /**
     * Cuts the history back to optimiser step {@code step} (the step of the checkpoint a resumed
     * run continues from; 0 = from the start): metrics rows and events.jsonl lines of later steps,
     * events without a step (the finish/failed lines of earlier attempts), torn last lines and
     * snapshot folders of later steps (or incomplete ones) are removed. Call before any new
     * history is written; the caller holds the lock (it has this open folder).
     */
    public synchronized void cutHistoryAfter(long step) throws IOException {
        if (metrics != null) throw new IllegalStateException(dir + ": history already written by this run; cut it first");
        Path mf = dir.resolve(METRICS_FILE);
        List<String> mlines = HistoryFile.completeLines(mf);
        if (!mlines.isEmpty() && !METRICS_HEADER.equals(mlines.get(0)))
            throw new IOException(mf + ": header '" + mlines.get(0) + "' differs from '" + METRICS_HEADER + "'");
        HistoryFile.retain(mf, ln -> ln.equals(METRICS_HEADER) || metricsStep(ln) <= step);
        HistoryFile.retain(dir.resolve(EVENTS_FILE), ln -> eventStep(ln) <= step);
        Path snaps = dir.resolve(SNAPSHOTS);
        if (Files.isDirectory(snaps)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(snaps)) {
                for (Path p : ds) {
                    Matcher m = SNAPSHOT_DIR.matcher(p.getFileName().toString());
                    if (!m.matches() || !Files.isDirectory(p)) continue;
                    // capture.json is written last (introspect.CaptureFiles): without it the snapshot is torn
                    if (Long.parseLong(m.group(1)) > step || !Files.exists(p.resolve("capture.json"))) deleteTree(p);
                }
            }
        }
    }

    /** The step of a metrics row; a row that does not parse counts as after every step (it is cut). */
    private static long metricsStep(String row) {
        String[] f = row.split(",", -1);
        try {
            return f.length == 6 ? Long.parseLong(f[1]) : Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The "step" of an event line; lines without one (finish, failed) or that do not parse count as after every step. */
    private static long eventStep(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) return Long.MAX_VALUE;
            JsonElement s = e.getAsJsonObject().get("step");
            return s != null && s.isJsonPrimitive() && s.getAsJsonPrimitive().isNumber() ? s.getAsLong() : Long.MAX_VALUE;
        } catch (RuntimeException ex) {   // JsonParseException, NumberFormatException
            return Long.MAX_VALUE;
        }
    }

    private static StringBuilder num(StringBuilder sb, double v) {
        return Double.isNaN(v) ? sb : sb.append(v); // NaN -> empty field (not measured)
    }

    // ------------------------------------------------------------------ lock and clean-up

    /** Takes the exclusive writer lock or throws {@link RunFolderLockedException} naming the holder. */
    private void lock() throws IOException {
        String me = holderDescription();
        String other = HELD.putIfAbsent(lockKey, me);
        if (other != null) throw new RunFolderLockedException(dir, "this process (" + other + ")");
        boolean ok = false;
        try {
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                                           StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {   // locked by this JVM outside this class: never close our channel
                lockChannel = null;
                throw new RunFolderLockedException(dir, "this process");
            }
            if (lock == null) {
                String holder = readHolder(lockChannel);
                lockChannel.close();
                lockChannel = null;
                throw new RunFolderLockedException(dir, holder.isBlank() ? "another process (it has not named itself yet)"
                                                                         : holder.strip());
            }
            lockChannel.truncate(0);
            AtomicFiles.writeFully(lockChannel, ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)));
            lockChannel.force(false);
            ok = true;
        } finally {
            if (!ok) {
                if (lock != null) { try { lock.release(); } catch (IOException ignored) { /* failing anyway */ } }
                if (lockChannel != null) { try { lockChannel.close(); } catch (IOException ignored) { /* failing anyway */ } }
                if (other == null) HELD.remove(lockKey);
            }
        }
    }

    private static String readHolder(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            ch.read(buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** pid, host, start time and command of this process: what a refused writer is told. */
    private static String holderDescription() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        String cmd = System.getProperty("sun.java.command", "java");
        if (cmd.length() > 300) cmd = cmd.substring(0, 300) + "...";
        return "pid " + ProcessHandle.current().pid() + " on " + host + ", since "
               + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ": " + cmd;
    }

    /** Recovers interrupted checkpoint saves and deletes temp files of crashed writes (caller holds the lock). */
    private static void cleanUp(Path runDir) throws IOException {
        Path ck = runDir.resolve(CHECKPOINTS);
        for (String name : Checkpoint.names(ck)) Checkpoint.recover(ck.resolve(name));
        // .<name>.<random>.tmp of AtomicFiles and ForecastWriter: in the folder, snapshots/ and snapshots/step-N/
        try (Stream<Path> s = Files.walk(runDir, 3)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(AtomicFiles.TMP_SUFFIX) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    && !p.startsWith(ck))
                    Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    /** Nothing but config (and the lock file, and an event log without a line): no run happened here. */
    private boolean holdsNoHistory() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.equals(LOCK_FILE) || n.equals(CONFIG_FILE)) continue;
                if (n.equals(EVENTS_FILE) && Files.size(p) == 0) continue;
                return false;
            }
        }
        return true;
    }

    /**
     * The name a user gave the run, or empty when none was given (readers then show the folder's
     * name). Any label file that is not one line of at most {@value #MAX_LABEL_LENGTH} characters is
     * ignored rather than shown.
     */
    public static java.util.Optional<String> readLabel(Path runDir) {
        Path f = runDir.resolve(LABEL_FILE);
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > 4 * MAX_LABEL_LENGTH) return java.util.Optional.empty();
            String s = Files.readString(f, StandardCharsets.UTF_8).strip();
            return s.isEmpty() || s.length() > MAX_LABEL_LENGTH || s.contains("\n") ? java.util.Optional.empty() : java.util.Optional.of(s);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Names the run {@code label} (written atomically; a writer training in the folder is not
     * disturbed: the label is its own file). A blank label removes the name.
     *
     * @throws IllegalArgumentException when the label has a line break or is over {@value #MAX_LABEL_LENGTH} characters
     */
    public static void writeLabel(Path runDir, String label) throws IOException {
        String s = label == null ? "" : label.strip();
        if (s.contains("\n") || s.contains("\r"))
            throw new IllegalArgumentException("a run name is one line: " + s.replace("\n", "\\n"));
        if (s.length() > MAX_LABEL_LENGTH)
            throw new IllegalArgumentException("a run name has at most " + MAX_LABEL_LENGTH + " characters, this one " + s.length());
        if (!Files.isRegularFile(runDir.resolve(CONFIG_FILE)))
            throw new IOException(runDir + ": not a run folder (no " + CONFIG_FILE + ")");
        Path f = runDir.resolve(LABEL_FILE);
        if (s.isEmpty()) Files.deleteIfExists(f);
        else AtomicFiles.writeString(f, s + "\n");
    }

    /** Writes test-metrics.json atomically (any JSON object, e.g. {"mse": .., "mae": ..}). */
    public void writeTestMetrics(JsonObject metrics) throws IOException {
        AtomicFiles.writeJson(dir.resolve(TEST_METRICS_FILE), metrics);
    }

    /** Convenience: name -> number, in the map's iteration order. */
    public void writeTestMetrics(Map<String, ? extends Number> metrics) throws IOException {
        JsonObject o = new JsonObject();
        metrics.forEach(o::addProperty);
        writeTestMetrics(o);
    }

    /** A streaming writer for {@value #FORECAST_FILE}. */
    public ForecastWriter forecastWriter() throws IOException { return forecastWriter(FORECAST_FILE); }

    public ForecastWriter forecastWriter(String fileName) throws IOException {
        return new ForecastWriter(dir.resolve(fileName));
    }

    /** A forecast writer for any file (e.g. {@code mambamixer forecast --out}); no run folder, no lock. */
    public static ForecastWriter forecastWriterAt(Path target) throws IOException {
        return new ForecastWriter(target);
    }

    /**
     * Closes the metrics file and releases the lock. A folder this process created that holds no
     * history yet (the run failed before its first validation or event) is removed.
     */
    @Override
    public synchronized void close() throws IOException {
        if (lockChannel == null && metrics == null) return;
        try {
            if (metrics != null) {
                metrics.close();
                metrics = null;
            }
            if (created && lockChannel != null && holdsNoHistory()) deleteTree(dir);
        } finally {
            if (lockChannel != null) {
                try {
                    if (lock != null && lock.isValid()) lock.release();
                } finally {
                    lockChannel.close();
                    lockChannel = null;
                    HELD.remove(lockKey);
                }
            }
        }
    }

    /**
     * Streams forecast rows ({@value #FORECAST_HEADER}) to a temp file next to the target;
     * {@link #close()} fsyncs it and renames it into place, so the CSV appears only when complete.
     * {@link #abort()} discards it. Values are written with Float.toString (round-trip exact).
     */
    public static final class ForecastWriter implements Closeable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final Writer out;
        private final StringBuilder row = new StringBuilder(64);
        private boolean closed;
        private long rows;

        ForecastWriter(Path target) throws IOException {
            this.target = target.toAbsolutePath();
            this.tmp = AtomicFiles.newTempFile(this.target.getParent(), this.target.getFileName().toString());
            this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            this.out = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8), 1 << 16);
            out.write(FORECAST_HEADER + "\n");
        }

        public void row(long window, int horizonStep, int variate, float prediction, float target) throws IOException {
            if (closed) throw new IllegalStateException("forecast writer closed: " + this.target);
            row.setLength(0);
            row.append(window).append(',').append(horizonStep).append(',').append(variate).append(',')
               .append(prediction).append(',').append(target).append('\n');
            out.append(row);
            rows++;
        }

        /**
         * All rows of one window: {@code prediction} and {@code target} are row-major (H, M)
         * slices starting at {@code offset} (e.g. sample b of a (B, H, M) batch: offset b*H*M).
         */
        public void window(long window, float[] prediction, float[] target, int offset, int horizon, int variates)
                throws IOException {
            for (int h = 0; h < horizon; h++) {
                int base = offset + h * variates; // (h, 0) in the (H, M) slice
                for (int m = 0; m < variates; m++) row(window, h, m, prediction[base + m], target[base + m]);
            }
        }

        public long rows() { return rows; }

        /** Discards everything written; the target file is not touched. */
        public void abort() throws IOException {
            if (closed) return;
            closed = true;
            try {
                out.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        /** Completes the file: flush, fsync, atomic rename onto the target. */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            boolean ok = false;
            try {
                out.flush();
                channel.force(true);
                out.close();
                AtomicFiles.moveIntoPlace(tmp, target);
                AtomicFiles.fsyncDirectory(target.getParent());
                ok = true;
            } finally {
                if (!ok) {
                    try { out.close(); } catch (IOException ignored) { /* already failing */ }
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }
}
