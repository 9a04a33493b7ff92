package dev.mambamixer.workbench.session;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the work the app does on the FX thread (applying a batch, redrawing a view): wall and
 * CPU time of each piece, the maxima kept. CPU time is the app's own cost; wall time also counts
 * time the thread waited for a core (on a busy machine). {@code -Dworkbench.timing=true} prints
 * every piece over 30 ms.
 */
public final class FxWork {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final boolean PRINT = Boolean.getBoolean("workbench.timing");
    private static final AtomicLong maxWall = new AtomicLong(), maxCpu = new AtomicLong(), pieces = new AtomicLong();

    private FxWork() {}

    /** Runs {@code work} and records its wall and CPU time. */
    public static void timed(String what, Runnable work) {
        long w0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
        try {
            work.run();
        } finally {
            long wall = System.nanoTime() - w0, cpu = MX.getCurrentThreadCpuTime() - c0;
            maxWall.accumulateAndGet(wall, Math::max);
            maxCpu.accumulateAndGet(cpu, Math::max);
            pieces.incrementAndGet();
            if (PRINT && wall > 30_000_000L)
                System.out.printf("FX work %s: %.0f ms wall, %.0f ms cpu%n", what, wall / 1e6, cpu / 1e6);
        }
    }

    public static double maxWallMillis() { return maxWall.get() / 1e6; }
    public static double maxCpuMillis() { return maxCpu.get() / 1e6; }
    public static long pieces() { return pieces.get(); }

    /** Starts a new measurement (tests). */
    public static void reset() {
        maxWall.set(0);
        maxCpu.set(0);
        pieces.set(0);
    }
}
