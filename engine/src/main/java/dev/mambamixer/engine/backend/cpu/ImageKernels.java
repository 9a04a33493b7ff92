package dev.mambamixer.engine.backend.cpu;

/**
 * Float32 loops of the image operations of ViM2 (MODEL.md §7): the depth-wise k×k convolution
 * with 'same' zero padding and the 2×2 patch-merging gather, all channels-last (B, H, W, C) so the
 * innermost loop runs over contiguous channels. Each method covers images [b0, b1), so callers
 * split work over the batch; parameter-gradient partials go to a per-block double array that the
 * caller sums in block order (bit-reproducible regardless of thread count).
 */
public final class ImageKernels {
    private ImageKernels() {}

    /** (E, k, k) -> (k·k, E): contiguous over channels for each tap. */
    public static float[] tapMajor(float[] w, int e, int k) {
        float[] t = new float[k * k * e];
        for (int ei = 0; ei < e; ei++)
            for (int tap = 0; tap < k * k; tap++) t[tap * e + ei] = w[ei * k * k + tap];
        return t;
    }

    /** out[b,i,j,:] = bias + Σ_{p,q} w[:,p,q] x[b, i+p-k/2, j+q-k/2, :] for b in [b0, b1). wt: (k·k, E). */
    public static void depthwiseConvForward(float[] x, float[] wt, float[] bias, float[] out, int b0, int b1,
                                            int h, int w, int e, int k) {
        int half = k / 2;
        for (int b = b0; b < b1; b++) {
            int img = b * h * w * e;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    int o = img + (i * w + j) * e;
                    System.arraycopy(bias, 0, out, o, e);
                    for (int p = 0; p < k; p++) {
                        int ii = i + p - half;
                        if (ii < 0 || ii >= h) continue;
                        for (int q = 0; q < k; q++) {
                            int jj = j + q - half;
                            if (jj < 0 || jj >= w) continue;
                            int src = img + (ii * w + jj) * e, tap = (p * k + q) * e;
                            for (int c = 0; c < e; c++) out[o + c] += wt[tap + c] * x[src + c];
                        }
                    }
                }
        }
    }

    /**
     * Adjoint for b in [b0, b1): dx overwritten; dw as (k·k, E) then dbias (E) accumulated into
     * {@code part} from {@code partOff} (double, one slice per block).
     */
    public static void depthwiseConvBackward(float[] x, float[] wt, float[] dout, float[] dx, double[] part,
                                             int partOff, int b0, int b1, int h, int w, int e, int k) {
        int half = k / 2, dbOff = partOff + k * k * e;
        for (int b = b0; b < b1; b++) {
            int img = b * h * w * e;
            java.util.Arrays.fill(dx, img, img + h * w * e, 0f);
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    int o = img + (i * w + j) * e;
                    for (int c = 0; c < e; c++) part[dbOff + c] += dout[o + c];
                    for (int p = 0; p < k; p++) {
                        int ii = i + p - half;
                        if (ii < 0 || ii >= h) continue;
                        for (int q = 0; q < k; q++) {
                            int jj = j + q - half;
                            if (jj < 0 || jj >= w) continue;
                            int src = img + (ii * w + jj) * e, tap = (p * k + q) * e;
                            for (int c = 0; c < e; c++) {
                                float g = dout[o + c];
                                dx[src + c] += wt[tap + c] * g;
                                part[partOff + tap + c] += (double) g * x[src + c];
                            }
                        }
                    }
                }
        }
    }

    /**
     * PatchMerging2D gather for b in [b0, b1): (B, H, W, C) -> (B, ⌈H/2⌉, ⌈W/2⌉, 4C), the four
     * neighbours in the order (0,0), (1,0), (0,1), (1,1) (row offset first), zeros past the edge.
     */
    public static void mergePatches(float[] x, float[] out, int b0, int b1, int h, int w, int c) {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int b = b0; b < b1; b++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int o = ((b * ho + i) * wo + j) * 4 * c;
                    for (int part = 0; part < 4; part++) {
                        int ii = 2 * i + (part & 1), jj = 2 * j + (part >> 1);
                        int dst = o + part * c;
                        if (ii < h && jj < w) System.arraycopy(x, ((b * h + ii) * w + jj) * c, out, dst, c);
                        else java.util.Arrays.fill(out, dst, dst + c, 0f);
                    }
                }
    }

    /** Adjoint of {@link #mergePatches}: dx (B, H, W, C) overwritten (every input cell has exactly one source). */
    public static void mergePatchesBackward(float[] dout, float[] dx, int b0, int b1, int h, int w, int c) {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int b = b0; b < b1; b++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int o = ((b * ho + i) * wo + j) * 4 * c;
                    for (int part = 0; part < 4; part++) {
                        int ii = 2 * i + (part & 1), jj = 2 * j + (part >> 1);
                        if (ii < h && jj < w) System.arraycopy(dout, o + part * c, dx, ((b * h + ii) * w + jj) * c, c);
                    }
                }
    }
}
