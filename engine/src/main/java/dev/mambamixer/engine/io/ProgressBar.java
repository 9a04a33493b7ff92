package dev.mambamixer.engine.io;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * One-line terminal progress for training loops, e.g.
 * <pre>epoch 3/20 [########............] 412/1004  41%  ETA 00:12  183.2 samples/s  loss 0.4123</pre>
 *
 * On a console the line is redrawn in place with '\r', at most every {@link #REDRAW_INTERVAL_NS}.
 * When output is not a terminal (CI logs, files) it prints plain lines instead, at most one every
 * {@link #LOG_INTERVAL_NS}, so logs stay readable. The rate is an exponentially smoothed
 * units-per-second (time constant {@link #RATE_TAU_SECONDS}, robust to uneven step spacing); the
 * ETA is remaining / smoothed rate. Output and clock are injectable for tests. Not thread-safe:
 * call from the training loop thread.
 */
public final class ProgressBar {

    public static final long REDRAW_INTERVAL_NS = 100_000_000L; // <= 10 redraws/s
    public static final long LOG_INTERVAL_NS = 2_000_000_000L;  // <= 1 line / 2 s in logs
    /** Rate samples closer together than this are merged (avoids noise from tiny intervals). */
    static final long RATE_SAMPLE_NS = 100_000_000L;
    static final double RATE_TAU_SECONDS = 5.0;
    private static final int BAR_WIDTH = 20;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final String unit;

    private String label = "";
    private long total;
    private long done;
    private String extra = "";
    private long startNs;
    private long lastDrawNs;
    private boolean drawnSinceStart;
    private long sampleNs;
    private long sampleDone;
    private double rate = Double.NaN; // smoothed units per second
    private int lastLineLength;
    private boolean active;

    /**
     * @param out         where to print
     * @param interactive true: redraw one line with '\r'; false: periodic plain lines
     * @param nanoClock   monotonic nanoseconds (System::nanoTime in production)
     * @param unit        what one count is, for the rate ("samples", "batches")
     */
    public ProgressBar(PrintStream out, boolean interactive, LongSupplier nanoClock, String unit) {
        this.out = Objects.requireNonNull(out, "out");
        this.interactive = interactive;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.unit = Objects.requireNonNull(unit, "unit");
    }

    /** Counts in "samples". */
    public ProgressBar(PrintStream out, boolean interactive, LongSupplier nanoClock) {
        this(out, interactive, nanoClock, "samples");
    }

    /** Progress on stdout: in-place when attached to a console, periodic lines otherwise. */
    public static ProgressBar console(String unit) {
        return new ProgressBar(System.out, System.console() != null, System::nanoTime, unit);
    }

    public boolean interactive() { return interactive; }

    /** Begins a new phase; {@code total <= 0} means unknown (no bar, percent or ETA). */
    public void start(String label, long total) {
        if (active) finish();
        this.label = label == null ? "" : label;
        this.total = total;
        this.done = 0;
        this.extra = "";
        this.startNs = nanoClock.getAsLong();
        this.lastDrawNs = startNs;
        this.drawnSinceStart = false;
        this.sampleNs = startNs;
        this.sampleDone = 0;
        this.rate = Double.NaN;
        this.lastLineLength = 0;
        this.active = true;
    }

    /** Reports {@code done} units completed so far (absolute, not an increment); {@code extra} is appended, e.g. "loss 0.41". */
    public void step(long done, String extra) {
        if (!active) throw new IllegalStateException("ProgressBar.step before start");
        long now = nanoClock.getAsLong();
        this.done = done;
        this.extra = extra == null ? "" : extra;
        updateRate(now);
        if (interactive) {
            boolean complete = total > 0 && done >= total;
            if (!drawnSinceStart || now - lastDrawNs >= REDRAW_INTERVAL_NS || complete) {
                drawInPlace(render(now, false));
                lastDrawNs = now;
                drawnSinceStart = true;
            }
        } else if (now - lastDrawNs >= LOG_INTERVAL_NS) {
            out.println(render(now, false));
            out.flush();
            lastDrawNs = now;
        }
    }

    /** Ends the phase: prints the final state with elapsed time and mean rate, then a newline. */
    public void finish() {
        if (!active) return;
        long now = nanoClock.getAsLong();
        String line = render(now, true);
        if (interactive) {
            drawInPlace(line);
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
        active = false;
    }

    /** Smoothed rate in units per second (NaN before the first sample). */
    public double rate() { return rate; }

    private void updateRate(long now) {
        long dt = now - sampleNs;
        if (dt < RATE_SAMPLE_NS) return;
        double seconds = dt * 1e-9;
        double inst = (done - sampleDone) / seconds;
        // Time-based EMA: the weight of old samples decays with elapsed time, not with call count.
        double alpha = 1 - Math.exp(-seconds / RATE_TAU_SECONDS);
        rate = Double.isNaN(rate) ? inst : rate + alpha * (inst - rate);
        sampleNs = now;
        sampleDone = done;
    }

    private void drawInPlace(String line) {
        StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
        for (int i = line.length(); i < lastLineLength; i++) sb.append(' '); // erase a longer previous line
        out.print(sb);
        out.flush();
        lastLineLength = line.length();
    }

    /** Formats the line; {@code finalLine} shows elapsed time and mean rate instead of ETA and smoothed rate. */
    String render(long now, boolean finalLine) {
        StringBuilder sb = new StringBuilder(120);
        if (!label.isEmpty()) sb.append(label).append(' ');
        if (total > 0) {
            long clamped = Math.max(0, Math.min(done, total));
            int filled = (int) (BAR_WIDTH * clamped / total);
            sb.append('[');
            for (int i = 0; i < BAR_WIDTH; i++) sb.append(i < filled ? '#' : '.');
            sb.append("] ").append(done).append('/').append(total);
            sb.append("  ").append(100 * clamped / total).append('%');
        } else {
            sb.append(done);
        }
        double elapsed = (now - startNs) * 1e-9;
        double shownRate;
        if (finalLine) {
            sb.append("  in ").append(formatDuration(elapsed));
            shownRate = elapsed > 0 ? done / elapsed : Double.NaN;
        } else {
            // no rate from less than one sample interval: a first batch reported 1 ms after start read as 59,609 samples/s
            shownRate = !Double.isNaN(rate) ? rate : elapsed >= RATE_SAMPLE_NS * 1e-9 ? done / elapsed : Double.NaN;
            if (total > 0) {
                double eta = shownRate > 0 ? Math.max(0, total - done) / shownRate : Double.NaN;
                sb.append("  ETA ").append(formatDuration(eta));
            }
        }
        if (!Double.isNaN(shownRate)) {
            sb.append("  ").append(String.format(Locale.ROOT, "%.1f", shownRate)).append(' ').append(unit).append("/s");
        }
        if (!extra.isEmpty()) sb.append("  ").append(extra);
        return sb.toString();
    }

    /** mm:ss, or h:mm:ss from one hour; "--:--" when unknown. */
    static String formatDuration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0) return "--:--";
        long s = Math.round(seconds);
        long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%02d:%02d", m, sec);
    }
}
