package dev.mambamixer.engine.backend.cpu;

/**
 * C (m×n) = A (m×k) · B (k×n), or C += A·B, row-major and contiguous, for the narrow C of a TSM2
 * step: n ∈ {16, 32, 64} (x_proj's B and C, d_model, E = 2·d_model at d_model 32), m all tokens.
 * {@link Gemm} uses it where it applies; the Vector API implementation is {@link VectorTallGemm}.
 */
interface TallGemm {
    /** Whether this kernel computes C of width n. */
    static boolean fits(int n) { return n == 16 || n == 32 || n == 64; }

    void multiply(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, boolean accumulate, float[] c, int cOff);
}
