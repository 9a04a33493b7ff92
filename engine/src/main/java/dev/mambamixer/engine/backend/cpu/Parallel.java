package dev.mambamixer.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's worker threads plus a block-parallel for loop with <em>fixed</em> partitioning:
 * the block boundaries depend only on the problem size, never on the thread count or on
 * scheduling, so reductions done per block and summed in block order are bit-reproducible run to
 * run (and across machines with different core counts).
 *
 * <p>Why not a ForkJoinPool: a training step is ~230 kernel calls of 0.1–10 ms, and a parked
 * worker took long enough to wake on this project's 2-core VM that most kernels ran 1.0–1.2× faster
 * on two threads than on one (docs/BENCHMARKS.md). Here the calling thread runs blocks itself, and
 * the workers, after a job, spin for {@value #SPIN_MICROS} µs watching for the next one before they
 * park, so within a step the next kernel's blocks are taken at once. One job runs at a time; a
 * second caller meanwhile runs its blocks alone, in order (same results).
 */
public final class Parallel {

    /** How long an idle worker watches for the next job before it parks. */
    static final long SPIN_MICROS = 200;

    private static final int THREADS = configuredThreads();

    /** A forBlocks call being run: blocks are claimed with {@code next}, counted in {@code done}. */
    private static final class Job {
        final BlockBody body;
        final int count, blocks;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(BlockBody body, int count, int blocks) { this.body = body; this.count = count; this.blocks = blocks; }

        /** Runs blocks until none is left to claim. */
        void work() {
            int b;
            while ((b = next.getAndIncrement()) < blocks) {
                try {
                    body.run(b, blockStart(count, blocks, b), blockStart(count, blocks, b + 1));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static volatile Job current;
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static final Thread[] WORKERS = startWorkers(THREADS - 1);

    /** Upper bound on blocks for reductions: keeps partial buffers small, enough for 32+ cores. */
    public static final int MAX_BLOCKS = 64;

    private Parallel() {}

    public static int threads() { return THREADS; }

    /**
     * Daemon workers, one per core besides the caller, unless {@code -Dmambamixer.cpu.threads=N}
     * (or the environment variable {@code MAMBAMIXER_CPU_THREADS}) says otherwise, e.g. to leave a
     * core to a UI. Results do not depend on it (fixed partitioning).
     */
    static int configuredThreads() {
        String v = System.getProperty("mambamixer.cpu.threads", System.getenv("MAMBAMIXER_CPU_THREADS"));
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        if (v == null || v.isBlank()) return cores;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("mambamixer.cpu.threads / MAMBAMIXER_CPU_THREADS must be a positive integer, "
                                           + "got '" + v + "'");
    }

    /** Body of one block: items [from, to) of the range, block index {@code block}. */
    @FunctionalInterface
    public interface BlockBody { void run(int block, int from, int to); }

    /**
     * Number of blocks used for {@code count} items when each block should hold at least
     * {@code minPerBlock} items (a work-size grain): min(MAX_BLOCKS, ceil(count / minPerBlock)).
     */
    public static int blocks(int count, int minPerBlock) {
        if (count <= 0) return 0;
        long b = ((long) count + minPerBlock - 1) / Math.max(1, minPerBlock);
        return (int) Math.max(1, Math.min(MAX_BLOCKS, b));
    }

    /** Start of block {@code i} of {@code blocks} equal-ish parts of [0, count). */
    public static int blockStart(int count, int blocks, int i) { return (int) ((long) count * i / blocks); }

    /**
     * Runs {@code body} for blocks 0..blocks-1 of [0, count), on the calling thread and the workers
     * when there is more than one block and more than one thread. Bodies must not call
     * {@link #forBlocks} themselves (they use per-thread work buffers); if one does, its blocks run
     * in order on its own thread.
     */
    public static void forBlocks(int count, int blocks, BlockBody body) {
        if (count <= 0 || blocks <= 0) return;
        if (blocks == 1 || THREADS == 1 || isWorker() || !BUSY.compareAndSet(false, true)) {
            for (int i = 0; i < blocks; i++) body.run(i, blockStart(count, blocks, i), blockStart(count, blocks, i + 1));
            return;
        }
        Job job = new Job(body, count, blocks);
        try {
            current = job;
            for (Thread w : WORKERS) LockSupport.unpark(w);
            job.work();
            for (int spins = 0; job.done.get() < blocks; spins++) {   // the last blocks are running on workers
                if (spins < 4096) Thread.onSpinWait();
                else Thread.yield();                                 // a worker lost its core: let it run
            }
        } finally {
            current = null;
            BUSY.set(false);
        }
        Throwable t = job.failure;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    private static boolean isWorker() { return Thread.currentThread() instanceof Worker; }

    private static Thread[] startWorkers(int n) {
        Thread[] ws = new Thread[n];
        for (int i = 0; i < n; i++) {
            ws[i] = new Worker(i);
            ws[i].start();
        }
        return ws;
    }

    private static final class Worker extends Thread {
        Worker(int i) {
            super("mambamixer-cpu-" + i);
            setDaemon(true);
        }

        @Override public void run() {
            Job last = null;
            long spinNanos = SPIN_MICROS * 1000;
            while (true) {
                Job j = current;
                if (j != null && j != last) {
                    last = j;
                    j.work();
                    continue;
                }
                long t0 = System.nanoTime();
                while ((j = current) == null || j == last) {
                    if (System.nanoTime() - t0 < spinNanos) Thread.onSpinWait();
                    else LockSupport.park(this);   // forBlocks unparks every worker after publishing a job
                }
            }
        }
    }
}
