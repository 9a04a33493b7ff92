package dev.mambamixer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The split GEMM (row, column and k blocks over the workers) against a float64 product, for every
 * transpose combination, offsets, α and β, and bit-identical when repeated.
 */
class GemmTest {

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    @Test
    void splitProductsMatchFloat64AndRepeatExactly() {
        SplittableRandom rng = new SplittableRandom(5);
        // tall C (row blocks), wide C (column blocks), small C with long k (partial sums), small (one call)
        int[][] shapes = {{3000, 16, 64}, {16, 3000, 100}, {16, 8, 40_000}, {7, 5, 3}};
        for (int[] sh : shapes)
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true})
                    for (float beta : new float[] {0f, 0.5f}) {
                        int m = sh[0], n = sh[1], k = sh[2], aOff = 3, bOff = 5, cOff = 7;
                        float[] a = random(rng, aOff + m * k), b = random(rng, bOff + k * n), c0 = random(rng, cOff + m * n);
                        if (beta == 0f) c0[cOff] = Float.NaN;   // β = 0 overwrites: a NaN in C is ignored
                        float alpha = 0.75f;
                        float[] c = c0.clone();
                        Gemm.gemm(true, ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
                        float[] again = c0.clone();
                        Gemm.gemm(true, ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, again, cOff);
                        String what = "m " + m + " n " + n + " k " + k + (ta ? " T" : " N") + (tb ? "T" : "N") + " beta " + beta;
                        assertArrayEquals(c, again, what + ": repeat");
                        double worst = 0;
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++) {
                                double s = 0, scale = 0;
                                for (int p = 0; p < k; p++) {
                                    double x = a[aOff + (ta ? p * m + i : i * k + p)], y = b[bOff + (tb ? j * k + p : p * n + j)];
                                    s += x * y;
                                    scale += Math.abs(x * y);
                                }
                                double want = alpha * s + (beta == 0f ? 0 : beta * c0[cOff + i * n + j]);
                                worst = Math.max(worst, Math.abs(c[cOff + i * n + j] - want) / (scale + 1));
                            }
                        assertTrue(worst < 1e-6, what + ": error " + worst);
                        for (int i = 0; i < cOff; i++) assertEquals(c0[i], c[i], what + ": before C untouched");
                    }
    }

    @Test
    void blocksArePowersOfTwoUpToTheLimit() {
        assertEquals(1, Gemm.blocks(0));
        assertEquals(1, Gemm.blocks(1));
        assertEquals(2, Gemm.blocks(3));
        assertEquals(4, Gemm.blocks(7));
        assertEquals(Gemm.MAX_BLOCKS, Gemm.blocks(1000));
    }
}
