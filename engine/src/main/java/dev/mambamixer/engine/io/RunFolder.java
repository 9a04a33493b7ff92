package dev.mambamixer.engine.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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
 *     config.json        run/model config, written atomically
 *     metrics.csv        epoch,step,train_loss,val_mse,lr,wall_time_s (one row per call, flushed)
 *     test-metrics.json  final test metrics, written atomically
 *     forecast.csv       window,horizon_step,variate,prediction,target (streamed)
 *     checkpoints/...    (callers put {@link Checkpoint} folders here, see {@link #resolve})
 * </pre>
 * In metrics.csv a NaN value is written as an empty field (= not measured, e.g. no validation
 * that epoch); pandas and spreadsheets read it as missing.
 */
public final class RunFolder implements Closeable {

    public static final String CONFIG_FILE = "config.json";
    public static final String METRICS_FILE = "metrics.csv";
    public static final String TEST_METRICS_FILE = "test-metrics.json";
    public static final String FORECAST_FILE = "forecast.csv";
    public static final String METRICS_HEADER = "epoch,step,train_loss,val_mse,lr,wall_time_s";
    public static final String FORECAST_HEADER = "window,horizon_step,variate,prediction,target";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private BufferedWriter metrics;

    private RunFolder(Path dir) { this.dir = dir; }

    /** Creates {@code runsRoot/<yyyyMMdd-HHmmss>-<name>} (local time), unique: "-2", "-3", ... on collision. */
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
                return new RunFolder(Files.createDirectory(candidate));
            } catch (FileAlreadyExistsException e) {
                // taken, try the next suffix
            }
        }
        throw new IOException("could not find a free run folder name for " + runsRoot.resolve(base));
    }

    /** Reopens an existing run folder (e.g. to resume training; metrics rows are appended). */
    public static RunFolder open(Path existing) throws IOException {
        if (!Files.isDirectory(existing)) throw new IOException("not a run folder: " + existing);
        return new RunFolder(existing);
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

    public void writeConfig(JsonElement config) throws IOException {
        AtomicFiles.writeJson(dir.resolve(CONFIG_FILE), Objects.requireNonNull(config, "config"));
    }

    /** Config given as JSON text; must be a JSON object. */
    public void writeConfig(String configJson) throws IOException {
        writeConfig(Checkpoint.parseObject(configJson, "config"));
    }

    /** Appends one metrics row and flushes it, so a crash loses at most the row being written. */
    public synchronized void appendMetrics(int epoch, long step, double trainLoss, double valMse, double lr,
                                           double wallTimeSeconds) throws IOException {
        if (metrics == null) metrics = openMetrics();
        StringBuilder sb = new StringBuilder(96);
        sb.append(epoch).append(',').append(step).append(',');
        num(sb, trainLoss).append(',');
        num(sb, valMse).append(',');
        num(sb, lr).append(',');
        num(sb, wallTimeSeconds).append('\n');
        metrics.write(sb.toString());
        metrics.flush();
    }

    private BufferedWriter openMetrics() throws IOException {
        Path f = dir.resolve(METRICS_FILE);
        if (Files.exists(f) && Files.size(f) > 0) {
            String first;
            try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                first = r.readLine();
            }
            if (!METRICS_HEADER.equals(first)) {
                throw new IOException(f + ": existing header '" + first + "' differs from '" + METRICS_HEADER + "'");
            }
            return Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        w.write(METRICS_HEADER + "\n");
        return w;
    }

    private static StringBuilder num(StringBuilder sb, double v) {
        return Double.isNaN(v) ? sb : sb.append(v); // NaN -> empty field (not measured)
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

    @Override
    public synchronized void close() throws IOException {
        if (metrics != null) {
            metrics.close();
            metrics = null;
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
            this.tmp = Files.createTempFile(this.target.getParent(), "." + this.target.getFileName() + ".", ".tmp");
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
