package dev.mambamixer.engine.backend.cpu;

/**
 * The S6 selective scan in float32, token-major (MODEL.md §3.2, §3.3). The CPU backend
 * parallelises over sequences in fixed blocks and calls these per block; implementations differ
 * in how the inner loops are evaluated (scalar {@link Math#exp} or the Vector API).
 *
 * <p>Layouts ({@link ScanArrays}, {@link ScanGradArrays}): u, dr (deltaRaw), z, out, g, gu, gdr,
 * gz: (S, L, E); b, c, gb, gc: (S, L, N); a: (E, N) holds A = -exp(A_log) (precomputed once per
 * call); ck: (S, chunks, E, N) where chunk k holds the state before step k*chunk.
 */
public abstract class ScanKernel {

    /** softplus₂₀ threshold (MODEL.md §2). */
    public static final float SOFTPLUS_THRESHOLD = 20f;

    public abstract String name();

    /**
     * softplus₂₀ in float. Math.log and Math.exp are JIT intrinsics while log1p is not (~5x
     * slower), so: log(1 + e^x) in double for x >= -17, where the rounding of 1 + e^x costs
     * < 3e-9 relative; below, e^x itself (relative error e^x/2 < 2e-8, under float epsilon).
     */
    public static float softplus20(float x) {
        if (x > SOFTPLUS_THRESHOLD) return x;
        double ex = Math.exp(x);
        return x < -17f ? (float) ex : (float) Math.log(1.0 + ex);
    }

    public static float sigmoid(float x) { return 1f / (1f + (float) Math.exp(-x)); }

    /**
     * Forward for sequences [s0, s1) (one parallel block; called on a worker thread, so
     * implementations keep their work buffers per thread). Writes out (S, L, E) rows and the
     * checkpoints ck (S, chunks, E, N) of these sequences.
     */
    public abstract void forwardBlock(int s0, int s1, ScanArrays in, float[] out, float[] ck);

    /**
     * Backward for sequences [s0, s1) (MODEL.md §3.3). Writes gu, gdr, gz (if z != null) and
     * overwrites these sequences' rows of gb, gc. Adds the unscaled dA (Σ λ·δ·p, before the ⊙A of
     * dA_log), dD and dDeltaBias of the block into the zeroed per-block partials pA (E, N), pD (E),
     * pDb (E), each summed in a fixed order (bit-reproducible).
     */
    public abstract void backwardBlock(int s0, int s1, ScanArrays in, float[] ck, float[] g, ScanGradArrays grads,
                                       float[] pA, float[] pD, float[] pDb);
}
