package dev.mambamixer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TallGemm} on the Vector API: a register tile of C (16 accumulators: 4 rows × 64 columns,
 * 8 × 32 or 8 × 16) takes one row of B and one broadcast element of A per row and k, so B's row is
 * loaded once for the whole tile and C is written once. On this project's 2-core Zen 4 one core ran
 * 14,112×64×32 at ~105 GFLOP/s where OpenBLAS (one thread) ran 75–90 (docs/BENCHMARKS.md). Every
 * output is Σₖ in k order with one FMA per step, so it is the same in every JIT tier and on any
 * thread count. Rows left over after the last full tile go one at a time. Loaded by name from
 * {@link Gemm} only when {@link CpuKernels#VECTOR} holds.
 */
final class VectorTallGemm implements TallGemm {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_512;

    /** Whether the 16-lane tiles run as machine vectors here (AVX-512); elsewhere {@link Gemm} keeps the BLAS. */
    static boolean native512() { return FloatVector.SPECIES_PREFERRED.length() == 16; }

    @Override
    public void multiply(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, boolean acc, float[] c, int cOff) {
        int done = switch (n) {
            case 64 -> n64(m, k, a, aOff, b, bOff, acc, c, cOff);
            case 32 -> n32(m, k, a, aOff, b, bOff, acc, c, cOff);
            case 16 -> n16(m, k, a, aOff, b, bOff, acc, c, cOff);
            default -> throw new IllegalArgumentException("TallGemm: n must be 16, 32 or 64, got " + n);
        };
        for (int i = done; i < m; i++) row(i, n, k, a, aOff, b, bOff, acc, c, cOff);
    }

    private static void store(FloatVector v, boolean acc, float[] c, int off) {
        (acc ? v.add(FloatVector.fromArray(SP, c, off)) : v).intoArray(c, off);
    }

    /** One row of C, one vector of it at a time. */
    private static void row(int i, int n, int k, float[] a, int aOff, float[] b, int bOff, boolean acc, float[] c, int cOff) {
        int ai = aOff + i * k;
        for (int j = 0; j < n; j += 16) {
            FloatVector s = FloatVector.zero(SP);
            for (int p = 0; p < k; p++) s = FloatVector.broadcast(SP, a[ai + p]).fma(FloatVector.fromArray(SP, b, bOff + p * n + j), s);
            store(s, acc, c, cOff + i * n + j);
        }
    }

    /** n = 64: tiles of 4 rows × 4 vectors, 16 accumulators. */
    private static int n64(int m, int k, float[] a, int aOff, float[] b, int bOff, boolean acc, float[] c, int cOff) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00,
                c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            int a0 = aOff + i * k;
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * 64;
                FloatVector b0 = FloatVector.fromArray(SP, b, bp), b1 = FloatVector.fromArray(SP, b, bp + 16),
                    b2 = FloatVector.fromArray(SP, b, bp + 32), b3 = FloatVector.fromArray(SP, b, bp + 48);
                FloatVector x0 = FloatVector.broadcast(SP, a[a0 + p]);
                c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
                FloatVector x1 = FloatVector.broadcast(SP, a[a0 + 1 * k + p]);
                c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
                FloatVector x2 = FloatVector.broadcast(SP, a[a0 + 2 * k + p]);
                c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
                FloatVector x3 = FloatVector.broadcast(SP, a[a0 + 3 * k + p]);
                c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
            }
            int co = cOff + i * 64;
            store(c00, acc, c, co);
            store(c01, acc, c, co + 16);
            store(c02, acc, c, co + 32);
            store(c03, acc, c, co + 48);
            store(c10, acc, c, co + 64);
            store(c11, acc, c, co + 80);
            store(c12, acc, c, co + 96);
            store(c13, acc, c, co + 112);
            store(c20, acc, c, co + 128);
            store(c21, acc, c, co + 144);
            store(c22, acc, c, co + 160);
            store(c23, acc, c, co + 176);
            store(c30, acc, c, co + 192);
            store(c31, acc, c, co + 208);
            store(c32, acc, c, co + 224);
            store(c33, acc, c, co + 240);
        }
        return i;
    }

    /** n = 32: tiles of 8 rows × 2 vectors, 16 accumulators. */
    private static int n32(int m, int k, float[] a, int aOff, float[] b, int bOff, boolean acc, float[] c, int cOff) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
            int a0 = aOff + i * k;
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * 32;
                FloatVector b0 = FloatVector.fromArray(SP, b, bp), b1 = FloatVector.fromArray(SP, b, bp + 16);
                FloatVector x0 = FloatVector.broadcast(SP, a[a0 + p]);
                c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
                FloatVector x1 = FloatVector.broadcast(SP, a[a0 + 1 * k + p]);
                c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
                FloatVector x2 = FloatVector.broadcast(SP, a[a0 + 2 * k + p]);
                c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
                FloatVector x3 = FloatVector.broadcast(SP, a[a0 + 3 * k + p]);
                c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
                FloatVector x4 = FloatVector.broadcast(SP, a[a0 + 4 * k + p]);
                c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
                FloatVector x5 = FloatVector.broadcast(SP, a[a0 + 5 * k + p]);
                c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
                FloatVector x6 = FloatVector.broadcast(SP, a[a0 + 6 * k + p]);
                c60 = x6.fma(b0, c60); c61 = x6.fma(b1, c61);
                FloatVector x7 = FloatVector.broadcast(SP, a[a0 + 7 * k + p]);
                c70 = x7.fma(b0, c70); c71 = x7.fma(b1, c71);
            }
            int co = cOff + i * 32;
            store(c00, acc, c, co);
            store(c01, acc, c, co + 16);
            store(c10, acc, c, co + 32);
            store(c11, acc, c, co + 48);
            store(c20, acc, c, co + 64);
            store(c21, acc, c, co + 80);
            store(c30, acc, c, co + 96);
            store(c31, acc, c, co + 112);
            store(c40, acc, c, co + 128);
            store(c41, acc, c, co + 144);
            store(c50, acc, c, co + 160);
            store(c51, acc, c, co + 176);
            store(c60, acc, c, co + 192);
            store(c61, acc, c, co + 208);
            store(c70, acc, c, co + 224);
            store(c71, acc, c, co + 240);
        }
        return i;
    }

    /** n = 16: tiles of 8 rows × 1 vector, 8 accumulators. */
    private static int n16(int m, int k, float[] a, int aOff, float[] b, int bOff, boolean acc, float[] c, int cOff) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            FloatVector c00 = FloatVector.zero(SP), c10 = c00, c20 = c00, c30 = c00, c40 = c00, c50 = c00, c60 = c00,
                c70 = c00;
            int a0 = aOff + i * k;
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * 16;
                FloatVector b0 = FloatVector.fromArray(SP, b, bp);
                FloatVector x0 = FloatVector.broadcast(SP, a[a0 + p]);
                c00 = x0.fma(b0, c00);
                FloatVector x1 = FloatVector.broadcast(SP, a[a0 + 1 * k + p]);
                c10 = x1.fma(b0, c10);
                FloatVector x2 = FloatVector.broadcast(SP, a[a0 + 2 * k + p]);
                c20 = x2.fma(b0, c20);
                FloatVector x3 = FloatVector.broadcast(SP, a[a0 + 3 * k + p]);
                c30 = x3.fma(b0, c30);
                FloatVector x4 = FloatVector.broadcast(SP, a[a0 + 4 * k + p]);
                c40 = x4.fma(b0, c40);
                FloatVector x5 = FloatVector.broadcast(SP, a[a0 + 5 * k + p]);
                c50 = x5.fma(b0, c50);
                FloatVector x6 = FloatVector.broadcast(SP, a[a0 + 6 * k + p]);
                c60 = x6.fma(b0, c60);
                FloatVector x7 = FloatVector.broadcast(SP, a[a0 + 7 * k + p]);
                c70 = x7.fma(b0, c70);
            }
            int co = cOff + i * 16;
            store(c00, acc, c, co);
            store(c10, acc, c, co + 16);
            store(c20, acc, c, co + 32);
            store(c30, acc, c, co + 48);
            store(c40, acc, c, co + 64);
            store(c50, acc, c, co + 80);
            store(c60, acc, c, co + 96);
            store(c70, acc, c, co + 112);
        }
        return i;
    }
}
