package dev.mambamixer.engine.backend.cpu;

/**
 * One sequence of the S6 selective scan in float32, token-major (spec §3.2, §3.3). The CPU
 * backend parallelises over sequences and calls these per sequence; implementations differ only
 * in how the inner n loop is evaluated (scalar {@link Math#exp} or the Vector API).
 *
 * <p>Layouts: u, dr (deltaRaw), z, out, gu, gdr, gz: (S, L, E); b, c, gb, gc: (S, L, N);
 * a: (E, N) holds A = -exp(A_log) (precomputed once per call); ck: (S, chunks, E, N) where
 * chunk k holds the state before step k*chunk.
 */
public abstract class ScanKernel {

    /** softplus₂₀ threshold (spec §2). */
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
     * Forward for sequence {@code s}. {@code h} is a work buffer of at least E*N floats (the
     * running state, (E, N)).
     */
    public abstract void forward(int s, int L, int E, int N, int chunk,
                                 float[] u, float[] dr, float[] a, float[] b, float[] c,
                                 float[] d, float[] z, float[] db, float[] out, float[] ck, float[] h);

    /**
     * Backward for sequence {@code s} (spec §3.3). Work buffers: hbuf (chunk+1)*E*N (states
     * h_{t0-1}..h_{t1-1} of the current chunk), abuf chunk*E*N (Ā_t), ybuf 2*chunk*E (pre-gate y_t
     * then δ_t),
     * carry E*N (Ā_{t+1}·λ_{t+1}). Writes gu, gdr, gz (if z != null) for this sequence and
     * overwrites this sequence's rows of gb, gc. Adds the unscaled dA (Σ λ·δ·p, before the
     * ⊙A of dA_log), dD and dDeltaBias into the per-block partials pA (E*N), pD (E), pDb (E).
     */
    public abstract void backward(int s, int L, int E, int N, int chunk,
                                  float[] u, float[] dr, float[] a, float[] b, float[] c,
                                  float[] d, float[] z, float[] db, float[] ck, float[] g,
                                  float[] gu, float[] gdr, float[] gb, float[] gc, float[] gz,
                                  float[] pA, float[] pD, float[] pDb,
                                  float[] hbuf, float[] abuf, float[] ybuf, float[] carry);
}
