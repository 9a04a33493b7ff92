package dev.mambamixer.engine.data;

import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Mini-batches over a {@link WindowDataset}, filling caller-owned buffers: {@code x} as
 * (batch, T, M) and {@code y} as (batch, H, M), both row-major. Nothing is allocated per batch.
 *
 * <p>Order: sequential (window 0, 1, 2, ...) or shuffled. A shuffled epoch is a permutation that
 * depends only on {@code (seed, epoch)}, so a run is reproducible, and a resumed run that calls
 * {@link #startEpoch(int)} with the same epoch number sees the same order. Every window appears
 * exactly once per epoch, except that with {@code dropLast} the final {@code size % batchSize}
 * windows of the (shuffled) order are skipped.
 *
 * <p>Usage: {@code it.startEpoch(e); while (it.hasNext()) { int n = it.next(x, y); ... }}. A
 * partial last batch fills only the first {@code n} samples; the rest of the buffers keep their
 * old contents.
 */
public final class BatchIterator {
    private final WindowDataset ds;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int[] order;
    private final int end; // number of windows served per epoch
    private int pos;
    private int lastCount;
    private int epoch;

    public BatchIterator(WindowDataset ds, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        this.ds = ds;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.order = new int[ds.size()];
        this.end = dropLast ? (ds.size() / batchSize) * batchSize : ds.size();
        if (end == 0) {
            throw new IllegalArgumentException(ds.source() + ": split '" + ds.split() + "' has " + ds.size()
                    + " windows, fewer than one batch of " + batchSize + " with dropLast");
        }
        startEpoch(0);
    }

    /** Sequential order, keeps the last partial batch (evaluation). */
    public static BatchIterator sequential(WindowDataset ds, int batchSize) {
        return new BatchIterator(ds, batchSize, false, 0L, false);
    }

    /** Shuffled order with the given seed (training). */
    public static BatchIterator shuffled(WindowDataset ds, int batchSize, long seed, boolean dropLast) {
        return new BatchIterator(ds, batchSize, true, seed, dropLast);
    }

    /** Rewinds to the start of {@code epoch}, reshuffling deterministically from (seed, epoch). */
    public void startEpoch(int epoch) {
        this.epoch = epoch;
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            // Golden-ratio stride keeps per-epoch seeds distinct; SplittableRandom mixes them well.
            SplittableRandom rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1L));
            for (int i = order.length - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
        }
        pos = 0;
        lastCount = 0;
    }

    public boolean hasNext() { return pos < end; }

    /** Number of batches per epoch (the last one may be partial unless dropLast). */
    public int batchesPerEpoch() { return (end + batchSize - 1) / batchSize; }

    public int batchSize() { return batchSize; }
    public int epoch() { return epoch; }
    public WindowDataset dataset() { return ds; }

    /**
     * Fills the next batch into {@code x} (at least batchSize*T*M floats) and {@code y} (at least
     * batchSize*H*M floats) and returns how many samples it filled.
     *
     * @throws NoSuchElementException when the epoch is exhausted
     */
    public int next(float[] x, float[] y) {
        if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " is exhausted; call startEpoch");
        int tm = ds.lookback() * ds.variates();
        int hm = ds.horizon() * ds.variates();
        if (x.length < batchSize * tm || y.length < batchSize * hm) {
            throw new IllegalArgumentException("buffers too small: x needs " + batchSize + "*" + ds.lookback() + "*"
                    + ds.variates() + " = " + (batchSize * tm) + " (has " + x.length + "), y needs " + batchSize + "*"
                    + ds.horizon() + "*" + ds.variates() + " = " + (batchSize * hm) + " (has " + y.length + ")");
        }
        int n = Math.min(batchSize, end - pos);
        for (int b = 0; b < n; b++) {
            int w = order[pos + b];
            ds.copyInput(w, x, b * tm);  // x[b] is (T, M)
            ds.copyTarget(w, y, b * hm); // y[b] is (H, M)
        }
        pos += n;
        lastCount = n;
        return n;
    }

    /** Window index (in the dataset) of sample {@code b} of the batch last returned by {@link #next}. */
    public int windowIndex(int b) {
        if (b < 0 || b >= lastCount) throw new IndexOutOfBoundsException("sample " + b + " of a batch of " + lastCount);
        return order[pos - lastCount + b];
    }
}
