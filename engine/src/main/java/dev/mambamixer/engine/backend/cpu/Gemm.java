package dev.mambamixer.engine.backend.cpu;

import dev.ludovic.netlib.blas.BLAS;
import java.util.logging.Logger;

/**
 * Row-major single-precision GEMM on the system BLAS, split over the engine's own workers.
 *
 * <p>Why split ourselves: OpenBLAS's worker threads spin for a while after each call, and on a
 * machine with as many cores as engine workers they take the cores from the scan and element-wise
 * kernels that run between GEMMs (measured on 2 cores: the scan ran 1.5× slower beside a 2-thread
 * OpenBLAS). So OpenBLAS is set to one thread ({@link BlasThreads}) and a GEMM is cut into fixed
 * blocks run on {@link Parallel}: rows of C when C is tall, columns when it is wide, and the
 * reduction axis k when C is small and k long (the weight gradients, k = all tokens of a batch),
 * with per-block partial products summed in block order. The blocks depend only on the sizes, so
 * results are bit-identical run to run whatever the thread count. When OpenBLAS cannot be set to
 * one thread (another BLAS), every GEMM is one call and the BLAS threads itself.
 */
public final class Gemm {
    private static final Logger LOG = Logger.getLogger(Gemm.class.getName());
    private static final BLAS BLAS_IMPL = BLAS.getInstance();
    /** Whether this process splits GEMMs (the BLAS runs one thread). */
    public static final boolean SPLIT = blasSingleThreaded();
    /** Below this many flops a GEMM is one call (a hand-off to the workers costs a few µs). */
    static final double SPLIT_MIN_FLOPS = 1e6;
    /** Blocks per split GEMM: a power of two, so 2, 4 or 8 workers get equal shares. */
    static final int MAX_BLOCKS = 8;
    private static final Scratch PARTIAL = new Scratch();

    static {
        LOG.fine(() -> "Gemm: " + (SPLIT ? "split over the engine's workers, BLAS single-threaded" : "one BLAS call each"));
    }

    private Gemm() {}

    /** {@link BlasThreads#singleThreaded}, or false where JNA is not on the class path (a slim bundle). */
    private static boolean blasSingleThreaded() {
        try {
            return BlasThreads.singleThreaded();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** The netlib implementation in use (JNIBLAS = native system libblas.so.3). */
    public static String implementation() { return BLAS_IMPL.getClass().getSimpleName(); }

    /**
     * C (m×n, row stride n) = α op(A) op(B) + β C, row-major, A (m×k, or k×m when transA) and B
     * (k×n, or n×k when transB) contiguous from their offsets; β = 0 overwrites C.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                            float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(SPLIT, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    }

    /** {@link #gemm} with the split chosen by the caller (tests split whatever the BLAS). */
    static void gemm(boolean split, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                     float[] b, int bOff, float beta, float[] c, int cOff) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        double flops = 2.0 * m * n * k;
        if (!split || flops < SPLIT_MIN_FLOPS) {
            call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, n);
            return;
        }
        if (m >= 2 * 64 && m >= n) {                       // tall C: row blocks
            int blocks = blocks(m / 64);
            Parallel.forBlocks(m, blocks, (blk, i0, i1) ->
                call(transA, transB, i1 - i0, n, k, alpha, a, aOff + (transA ? i0 : i0 * lda), lda, b, bOff, ldb,
                     beta, c, cOff + i0 * n, n));
        } else if (n >= 2 * 64) {                          // wide C: column blocks
            int blocks = blocks(n / 64);
            Parallel.forBlocks(n, blocks, (blk, j0, j1) ->
                call(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bOff + (transB ? j0 * ldb : j0), ldb,
                     beta, c, cOff + j0, n));
        } else if (k >= 2 * 256) {                         // small C, long k: partial products
            int blocks = blocks(k / 256), mn = m * n;
            float[] part = PARTIAL.get(blocks * mn);
            Parallel.forBlocks(k, blocks, (blk, p0, p1) ->
                call(transA, transB, m, n, p1 - p0, 1f, a, aOff + (transA ? p0 * lda : p0), lda,
                     b, bOff + (transB ? p0 : p0 * ldb), ldb, 0f, part, blk * mn, n));
            for (int i = 0; i < mn; i++) {
                float s = part[i];
                for (int blk = 1; blk < blocks; blk++) s += part[blk * mn + i];
                c[cOff + i] = beta == 0f ? alpha * s : alpha * s + beta * c[cOff + i];
            }
        } else {
            call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, n);
        }
    }

    /** The largest power of two ≤ min(MAX_BLOCKS, units), at least 1. */
    static int blocks(int units) {
        int b = 1;
        while (b * 2 <= Math.min(MAX_BLOCKS, units)) b *= 2;
        return b;
    }

    /**
     * One BLAS call with explicit leading dimensions. Row-major C = op(A) op(B) is column-major
     * Cᵀ = op(B)ᵀ op(A)ᵀ, so A and B swap places (and m, n), keeping their trans flags.
     */
    private static void call(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        BLAS_IMPL.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }
}
