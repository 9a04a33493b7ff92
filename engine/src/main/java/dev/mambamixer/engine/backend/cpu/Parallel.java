package dev.mambamixer.engine.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's thread pool plus a block-parallel for loop with <em>fixed</em> partitioning:
 * the block boundaries depend only on the problem size, never on the thread count or on
 * scheduling, so reductions done per block and summed in block order are bit-reproducible run to
 * run (and across machines with different core counts).
 */
public final class Parallel {

    /**
     * Shared by every CpuBackend; daemon workers, one per core unless {@code -Dmambamixer.cpu.threads=N}
     * (or the environment variable {@code MAMBAMIXER_CPU_THREADS}) says otherwise, e.g. to leave a
     * core to a UI. Results do not depend on it (fixed partitioning, below).
     */
    private static final ForkJoinPool POOL = new ForkJoinPool(configuredThreads(),
        pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("mambamixer-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);

    /** Upper bound on blocks for reductions: keeps partial buffers small, enough for 32+ cores. */
    public static final int MAX_BLOCKS = 64;

    private Parallel() {}

    public static int threads() { return POOL.getParallelism(); }

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
     * Runs {@code body} for blocks 0..blocks-1 of [0, count), in parallel when there is more than
     * one block and more than one thread. Bodies must not call {@link #forBlocks} themselves
     * (they use per-thread work buffers that a joining worker could re-enter).
     */
    public static void forBlocks(int count, int blocks, BlockBody body) {
        if (count <= 0 || blocks <= 0) return;
        if (blocks == 1 || POOL.getParallelism() == 1 || isPoolWorker()) {
            for (int i = 0; i < blocks; i++) body.run(i, blockStart(count, blocks, i), blockStart(count, blocks, i + 1));
            return;
        }
        POOL.invoke(new Task(body, count, blocks, 0, blocks));
    }

    private static boolean isPoolWorker() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }

    private static final class Task extends RecursiveAction {
        private final BlockBody body;
        private final int count, blocks, lo, hi;

        Task(BlockBody body, int count, int blocks, int lo, int hi) {
            this.body = body; this.count = count; this.blocks = blocks; this.lo = lo; this.hi = hi;
        }

        @Override protected void compute() {
            if (hi - lo == 1) {
                body.run(lo, blockStart(count, blocks, lo), blockStart(count, blocks, lo + 1));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Task(body, count, blocks, lo, mid), new Task(body, count, blocks, mid, hi));
        }
    }
}
