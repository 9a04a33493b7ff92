package dev.mambamixer.engine.data.vision;

import java.util.SplittableRandom;

/**
 * Mini-batches over an {@link ImageSet} for training and evaluation loops: fills caller-owned
 * (n, H, W, C) pixel and label arrays, optionally shuffled and shift-augmented. Everything random
 * is derived from (seed, epoch) for the order and (seed, epoch, batch index) for the shifts, never
 * from earlier calls, so a run resumed at epoch e repeats exactly the batches an uninterrupted run
 * would have seen. Call {@link #startEpoch} before each epoch (the constructor starts epoch 0).
 * The last batch may be partial unless {@code dropLast}. Use {@code maxShift = 0} and no shuffle for
 * evaluation.
 */
public final class ImageBatches {
    private final ImageSet set;
    private final int batch;
    private final boolean shuffle;
    private final long seed;
    private final int maxShift;
    private final boolean dropLast;
    private final int[] order;
    private int epoch;
    private int cursor;
    private int batchIndex;

    public ImageBatches(ImageSet set, int batch, boolean shuffle, long seed, int maxShift) {
        this(set, batch, shuffle, seed, maxShift, false);
    }

    public ImageBatches(ImageSet set, int batch, boolean shuffle, long seed, int maxShift, boolean dropLast) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (maxShift < 0) throw new IllegalArgumentException("maxShift must be >= 0, got " + maxShift);
        this.set = set;
        this.batch = batch;
        this.shuffle = shuffle;
        this.seed = seed;
        this.maxShift = maxShift;
        this.dropLast = dropLast;
        this.order = new int[set.count()];
        startEpoch(0);
    }

    /** Resets to the first batch of {@code epoch}; its order depends only on (seed, epoch). */
    public void startEpoch(int epoch) {
        this.epoch = epoch;
        this.cursor = 0;
        this.batchIndex = 0;
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch));
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
        }
    }

    public int epoch() { return epoch; }

    public int batchesPerEpoch() {
        int n = order.length;
        return dropLast ? n / batch : (n + batch - 1) / batch;
    }

    public boolean hasNext() {
        int left = order.length - cursor;
        return dropLast ? left >= batch : left > 0;
    }

    /**
     * Fills {@code x} with the next n images (n * H * W * C values from index 0) and {@code y} with
     * their labels; returns n ({@code batch}, or fewer for the last batch).
     */
    public int next(float[] x, int[] y) {
        if (!hasNext()) throw new IllegalStateException("epoch " + epoch + " has no more batches; call startEpoch");
        int n = Math.min(batch, order.length - cursor);
        int per = set.imageSize();
        if (x.length < n * per || y.length < n)
            throw new IllegalArgumentException("batch arrays too small: need " + n * per + " pixels and " + n
                                               + " labels, got " + x.length + " and " + y.length);
        SplittableRandom rng = maxShift > 0 ? new SplittableRandom(Seeds.mix(seed, epoch, batchIndex)) : null;
        float[] px = set.pixels();
        for (int k = 0; k < n; k++) {
            int i = order[cursor + k];
            if (rng != null) {
                Augmentation.randomShift(px, i * per, set.height(), set.width(), set.channels(), maxShift, rng, x, k * per);
            } else {
                set.copyImage(i, x, k * per);
            }
            y[k] = set.label(i);
        }
        cursor += n;
        batchIndex++;
        return n;
    }

    /** The dataset index of each position of the current epoch (a copy), for tests and logging. */
    public int[] epochOrder() { return order.clone(); }
}
