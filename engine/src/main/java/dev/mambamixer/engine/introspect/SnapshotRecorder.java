package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Snapshots during training: after every {@code every}-th optimiser step it takes
 * {@link Introspector#capture} on a fixed probe batch, on the training thread (the capture reads
 * the model's buffers, so it must run between steps; it changes no training state, so the loss
 * curve stays bit-identical), records the averaging matrix into an {@link AveragingHistory}, and
 * hands the write to a background thread: {@code <run>/snapshots/step-000050/} via
 * {@link CaptureFiles} (plus {@code forecasts.json}: the probe windows with their ground truth,
 * when the recorder was made with {@link #of}). Once a snapshot is on disk, a {@link SnapshotEvent} goes to the optional
 * downstream listener (from the writer thread). On finish the averaging history is written to
 * {@code <run>/snapshots/}. {@link #close()} waits for the writes and reports the first error.
 * <p>
 * Cost on the training thread: one evaluation forward on B probe windows plus host copies; keep B
 * small (e.g. 8). At most {@code maxPendingWrites} captures wait for the disk; a snapshot that
 * would exceed that is skipped (counted in {@link #skipped()}) rather than stalling training.
 */
public final class SnapshotRecorder implements TrainingListener, AutoCloseable {
    public static final String SNAPSHOTS = dev.mambamixer.engine.io.RunFolder.SNAPSHOTS;

    private final Tsm2 model;
    private final float[] probe;
    private final int batch, every, maxPendingWrites;
    private final Path runDir;
    private final TrainingListener downstream;
    private final AveragingHistory history = new AveragingHistory();
    private final ExecutorService writer;
    private final AtomicInteger pending = new AtomicInteger();
    private final List<SnapshotEvent> written = new ArrayList<>();   // guarded by itself
    private volatile Throwable firstError;
    private volatile int skipped;
    private volatile long captureNanos;   // training-thread time spent in captures
    private volatile ModelCapture last;
    private WindowDataset probeData;   // set by of(...): lets snapshots carry the probe windows' truth
    private int[] probeWindows;
    private volatile List<String> variateNames;   // for the forecasts; v0, v1, ... when not given

    /**
     * @param probe      probe batch (B, T, M) row-major, standardised like the training inputs
     * @param downstream receives {@link #onSnapshot} once each snapshot is written; may be null
     */
    public SnapshotRecorder(Tsm2 model, float[] probe, int batch, int every, Path runDir, TrainingListener downstream) {
        this(model, probe, batch, every, runDir, downstream, 4);
    }

    public SnapshotRecorder(Tsm2 model, float[] probe, int batch, int every, Path runDir, TrainingListener downstream,
                            int maxPendingWrites) {
        this.model = Objects.requireNonNull(model, "model");
        if (every <= 0) throw new IllegalArgumentException("every must be positive, got " + every);
        if (maxPendingWrites <= 0) throw new IllegalArgumentException("maxPendingWrites must be positive, got " + maxPendingWrites);
        int per = model.config().seqLen() * model.config().variates();
        if (batch <= 0 || probe.length != batch * per)
            throw new IllegalArgumentException("probe batch has " + probe.length + " values, expected B*T*M = " + batch
                                               + "*" + model.config().seqLen() + "*" + model.config().variates());
        this.probe = probe.clone();
        this.batch = batch;
        this.every = every;
        this.maxPendingWrites = maxPendingWrites;
        this.runDir = Objects.requireNonNull(runDir, "runDir");
        this.downstream = downstream;
        writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshot-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Probe batch from the given windows of a dataset (e.g. the first few validation windows). */
    public static SnapshotRecorder of(Tsm2 model, WindowDataset ds, int[] windows, int every, Path runDir,
                                      TrainingListener downstream) {
        SnapshotRecorder r = new SnapshotRecorder(model, Introspector.probeInput(ds, windows), windows.length, every,
                                                  runDir, downstream);
        r.probeData = ds;
        r.probeWindows = windows.clone();
        return r;
    }

    /**
     * The probe windows as forecast windows (standardised units) from a capture's input and
     * forecast plus the dataset's ground truth: no extra forward pass.
     */
    static List<ForecastWindow> forecasts(ModelCapture cap, WindowDataset ds, int[] windows, List<String> given) {
        int t = ds.lookback(), h = ds.horizon(), m = ds.variates();
        List<String> names = given != null ? given : Introspector.defaultNames(m);
        List<ForecastWindow> out = new ArrayList<>();
        for (int b = 0; b < windows.length; b++) {
            float[] x = Arrays.copyOfRange(cap.input(), b * t * m, (b + 1) * t * m);          // (T,M)
            float[] p = Arrays.copyOfRange(cap.forecast(), b * h * m, (b + 1) * h * m);       // (H,M)
            float[] y = ds.target(windows[b]);                                                // (H,M)
            out.add(ForecastWindow.standardised(windows[b], t, h, m, names, x, y, p));
        }
        return out;
    }

    /** Names of the variates (e.g. {@code ForecastData.columns()}) for the snapshots' forecasts. */
    public SnapshotRecorder withVariateNames(List<String> names) {
        if (names.size() != model.config().variates())
            throw new IllegalArgumentException(names.size() + " variate names for " + model.config().variates()
                                               + " variates");
        variateNames = List.copyOf(names);
        return this;
    }

    /** {@code n} windows spread evenly over the dataset (window 0, size/n, 2·size/n, ...). */
    public static int[] spreadWindows(WindowDataset ds, int n) {
        if (n <= 0 || n > ds.size())
            throw new IllegalArgumentException("cannot pick " + n + " windows from " + ds.size());
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = (int) ((long) i * ds.size() / n);
        return w;
    }

    /** The folder of the snapshot after optimiser step {@code step}. */
    public static Path snapshotDir(Path runDir, long step) {
        return runDir.resolve(SNAPSHOTS).resolve(String.format(Locale.ROOT, "step-%06d", step));
    }

    @Override public void onStep(StepEvent e) {
        if (e.step() % every != 0) return;
        if (pending.get() >= maxPendingWrites) { skipped++; return; }   // disk is behind: skip, never block
        long t0 = System.nanoTime();
        ModelCapture cap = Introspector.capture(model, probe, batch, e.step());   // training thread: reads buffers
        List<ForecastWindow> fw = probeData == null ? null : forecasts(cap, probeData, probeWindows, variateNames);
        history.record(e.step(), cap.averaging());
        last = cap;
        captureNanos += System.nanoTime() - t0;
        Path dir = snapshotDir(runDir, e.step());
        pending.incrementAndGet();
        writer.execute(() -> {
            long c0 = threadCpuNanos();
            try {
                if (fw != null) CaptureFiles.writeForecasts(fw, dir);   // before capture.json, which marks completion
                CaptureFiles.write(cap, dir);
                SnapshotEvent ev = new SnapshotEvent(e.step(), dir);
                synchronized (written) { written.add(ev); }
                if (downstream != null) downstream.onSnapshot(ev);
            } catch (Throwable t) {
                if (firstError == null) firstError = t;
            } finally {
                writerCpuNanos.addAndGet(threadCpuNanos() - c0);
                pending.decrementAndGet();
            }
        });
    }

    /** Writes the averaging history (after the pending snapshots) and passes the finish on. */
    @Override public void onFinish(String reason) {
        writer.execute(() -> {
            try {
                if (history.size() > 0) CaptureFiles.write(history, runDir.resolve(SNAPSHOTS));
            } catch (Throwable t) {
                if (firstError == null) firstError = t;
            }
        });
    }

    /**
     * Waits until the snapshots queued so far are written and their events passed on: runs call
     * it before a checkpoint save, so a resume from that checkpoint finds every snapshot up to its
     * step (and the resumed run the same snapshots as an uninterrupted one).
     */
    public void awaitWrites() {
        try {
            writer.submit(() -> { }).get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            // closed already: nothing left to wait for
        }
    }

    /**
     * A resumed run: the averaging history of the snapshots already in the run folder up to
     * {@code step} (read back from their captures), so the history written at the end covers the
     * whole run as it would have without the interruption.
     */
    public void restoreHistory(long step) throws IOException {
        java.nio.file.Path dir = runDir.resolve(SNAPSHOTS);
        if (!java.nio.file.Files.isDirectory(dir)) return;
        java.util.TreeMap<Long, java.nio.file.Path> found = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.matches("step-\\d+") || !java.nio.file.Files.exists(p.resolve(CaptureFiles.CAPTURE_JSON))) continue;
                long st = Long.parseLong(n.substring(5));
                if (st <= step) found.put(st, p);
            }
        }
        for (var en : found.entrySet()) history.record(en.getKey(), CaptureFiles.read(en.getValue()).averaging());
    }

    /** Waits for every queued write; throws the first write error, if any. */
    @Override public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.MINUTES))
                throw new IllegalStateException("snapshot writes did not finish within 10 minutes");
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        Throwable t = firstError;
        if (t instanceof IOException io) throw new UncheckedIOException("writing a snapshot under " + runDir + " failed", io);
        if (t != null) throw new IllegalStateException("writing a snapshot under " + runDir + " failed: " + t, t);
    }

    public AveragingHistory history() { return history; }
    /** The most recent capture (held until the next one), or null before the first. */
    public ModelCapture lastCapture() { return last; }
    /** Snapshots written so far, in write order. */
    public List<SnapshotEvent> written() { synchronized (written) { return List.copyOf(written); } }
    /** Snapshots skipped because too many writes were pending. */
    public int skipped() { return skipped; }
    /** Training-thread seconds spent taking captures. */
    public double captureSeconds() { return captureNanos / 1e9; }

    /**
     * CPU seconds the background writer spent writing snapshots (JSON + safetensors). On a machine
     * whose cores are all busy training, this is at most what the writer takes from training.
     */
    public double writerCpuSeconds() { return writerCpuNanos.get() / 1e9; }

    private final java.util.concurrent.atomic.AtomicLong writerCpuNanos = new java.util.concurrent.atomic.AtomicLong();

    private static long threadCpuNanos() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : 0L;
    }
}
