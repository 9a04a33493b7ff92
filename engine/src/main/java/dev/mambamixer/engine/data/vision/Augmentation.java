package dev.mambamixer.engine.data.vision;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training-time augmentation: translate an image by a few pixels, filling uncovered pixels with
 * zero (background). Small random shifts are the classic cheap regulariser for digit models and
 * test that a patch-token model does not memorise absolute positions. Use it for training batches
 * only; evaluation must see the images unchanged, which is the caller's choice (e.g.
 * {@link ImageBatches} with {@code maxShift = 0}). Images are (H, W, C) channels-last at an offset
 * in a flat array.
 */
public final class Augmentation {
    private Augmentation() {}

    /**
     * dst(y, x) = src(y - dy, x - dx), zero where that lies outside; positive dy moves the content
     * down, positive dx right. {@code src} and {@code dst} ranges must not overlap.
     */
    public static void shift(float[] src, int srcOff, int h, int w, int c, int dy, int dx, float[] dst, int dstOff) {
        int row = w * c;
        for (int y = 0; y < h; y++) {
            int sy = y - dy;
            int d = dstOff + y * row;
            if (sy < 0 || sy >= h) {
                Arrays.fill(dst, d, d + row, 0f);
                continue;
            }
            int x0 = Math.max(0, dx), x1 = Math.min(w, w + dx); // destination columns with a source
            if (x1 <= x0) {
                Arrays.fill(dst, d, d + row, 0f);
                continue;
            }
            Arrays.fill(dst, d, d + x0 * c, 0f);
            System.arraycopy(src, srcOff + sy * row + (x0 - dx) * c, dst, d + x0 * c, (x1 - x0) * c);
            Arrays.fill(dst, d + x1 * c, d + row, 0f);
        }
    }

    /**
     * Shifts by dy, dx drawn uniformly from [-maxShift, maxShift] (dy first, then dx, from
     * {@code rng}); maxShift 0 is a plain copy. Returns the shift as {dy, dx}.
     */
    public static int[] randomShift(float[] src, int srcOff, int h, int w, int c, int maxShift, SplittableRandom rng,
                                    float[] dst, int dstOff) {
        if (maxShift < 0) throw new IllegalArgumentException("maxShift must be >= 0, got " + maxShift);
        int dy = maxShift == 0 ? 0 : rng.nextInt(-maxShift, maxShift + 1);
        int dx = maxShift == 0 ? 0 : rng.nextInt(-maxShift, maxShift + 1);
        shift(src, srcOff, h, w, c, dy, dx, dst, dstOff);
        return new int[] {dy, dx};
    }
}
