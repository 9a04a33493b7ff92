package dev.mambamixer.engine.backend;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Tests of the non-scan kernels of {@link ReferenceBackend}: exact small cases and float64
 * central-difference gradient checks. The static helpers are shared with
 * {@link SelectiveScanReferenceTest}.
 */
class ReferenceBackendTest {

    private final ReferenceBackend be = new ReferenceBackend();

    // ================================================================ shared helpers

    static double[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
        return v;
    }

    static Tensor rand(Backend be, SplittableRandom rng, double lo, double hi, int... shape) {
        Tensor t = be.zeros(shape);
        be.upload(uniform(rng, t.size(), lo, hi), t);
        return t;
    }

    /**
     * Central-difference gradient of {@code loss} w.r.t. every element of {@code param}
     * (a reference-backend tensor, perturbed in place and restored).
     */
    static double[] numericGrad(Tensor param, DoubleSupplier loss, double h) {
        double[] p = (double[]) param.storage();
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + h;
            double fp = loss.getAsDouble();
            p[i] = keep - h;
            double fm = loss.getAsDouble();
            p[i] = keep;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }

    /**
     * Max over elements of |a - n| / max(|a|, |n|, floor): relative error, with an absolute
     * floor so gradients that are ~0 are judged by their absolute error.
     */
    static double maxRelErr(double[] analytic, double[] numeric, double floor) {
        assertEquals(numeric.length, analytic.length, "gradient length");
        double worst = 0;
        for (int i = 0; i < analytic.length; i++) {
            double den = Math.max(floor, Math.max(Math.abs(analytic[i]), Math.abs(numeric[i])));
            worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / den);
        }
        return worst;
    }

    static void assertGrad(String name, double[] analytic, double[] numeric, double tol) {
        double err = maxRelErr(analytic, numeric, 1e-3);
        assertTrue(err <= tol, name + ": max relative error " + err + " > " + tol);
        // Guard against a vacuous check (an all-zero gradient compared with itself).
        double mag = 0;
        for (double v : numeric) mag = Math.max(mag, Math.abs(v));
        assertTrue(mag > 1e-3, name + ": numeric gradient is ~0 (" + mag + "), test would be vacuous");
    }

    static double[] sub(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] - b[i];
        return r;
    }

    // ================================================================ memory / element-wise

    @Test
    void identityAndConversions() {
        assertEquals("reference-f64", be.name());
        assertEquals(8, be.elementBytes());
        Tensor t = be.fromFloats(new float[] {1.5f, -2f, 0.1f}, 3);
        assertEquals(0.1f, (double) be.toDoubles(t)[2], 0.0); // exact float widening
        be.upload(new double[] {0.1, 1e-50, 3}, t);
        assertArrayEquals(new float[] {0.1f, 0f, 3f}, be.toFloats(t)); // rounded to nearest float
        assertThrows(IllegalArgumentException.class, () -> be.upload(new double[2], t));
        assertThrows(IllegalArgumentException.class, () -> be.fromDoubles(new double[4], 2, 3));
    }

    @Test
    void elementwiseCopyAndReductions() {
        Tensor a = be.fromDoubles(new double[] {1, -2, 3, 4}, 2, 2);
        Tensor b = be.fromDoubles(new double[] {0.5, 2, -1, 0}, 2, 2);
        Tensor o = be.zeros(2, 2);
        be.add(a, b, o);
        assertArrayEquals(new double[] {1.5, 0, 2, 4}, be.toDoubles(o));
        be.sub(a, b, o);
        assertArrayEquals(new double[] {0.5, -4, 4, 4}, be.toDoubles(o));
        be.mul(a, b, o);
        assertArrayEquals(new double[] {0.5, -4, -3, 0}, be.toDoubles(o));
        assertEquals(0.5 - 4 - 3, be.dot(a, b));
        assertEquals(10, be.sumAbs(a));
        be.axpy(2, a, 1, o, 0, 2); // o[0..1] += 2 * a[1..2]
        assertArrayEquals(new double[] {-3.5, 2, -3, 0}, be.toDoubles(o));
        be.scale(o, -1);
        assertArrayEquals(new double[] {3.5, -2, 3, 0}, be.toDoubles(o), 0.0); // delta form: -0.0 == 0.0
        be.copy(a, 2, o, 0, 2);
        assertArrayEquals(new double[] {3, 4, 3, 0}, be.toDoubles(o), 0.0);
        be.fill(o, 7);
        assertArrayEquals(new double[] {7, 7, 7, 7}, be.toDoubles(o));
        // rows x cols = 2 x 2: add v to each row, then sum the rows into an accumulator.
        Tensor v = be.fromDoubles(new double[] {10, 20}, 2);
        be.addRowVector(a, 2, 2, v);
        assertArrayEquals(new double[] {11, 18, 13, 24}, be.toDoubles(a));
        Tensor acc = be.fromDoubles(new double[] {1, 1}, 2);
        be.sumRows(a, 2, 2, acc);
        assertArrayEquals(new double[] {25, 43}, be.toDoubles(acc));
        assertThrows(IllegalArgumentException.class, () -> be.copy(a, 3, o, 0, 2));
    }

    @Test
    void siluValuesAndGradient() {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor x = rand(be, rng, -4, 4, 3, 5);
        Tensor out = be.zeros(3, 5);
        be.siluForward(x, out);
        double x0 = be.toDoubles(x)[0];
        assertEquals(x0 / (1 + Math.exp(-x0)), be.toDoubles(out)[0], 1e-15);
        Tensor w = rand(be, rng, -1, 1, 3, 5);
        Tensor dx = be.zeros(3, 5);
        be.fill(dx, Double.NaN); // overwrite semantics
        be.siluBackward(x, w, dx);
        double[] num = numericGrad(x, () -> { be.siluForward(x, out); return be.dot(out, w); }, 1e-5);
        assertGrad("silu dx", be.toDoubles(dx), num, 1e-7);
    }

    // ================================================================ GEMM

    @Test
    void gemmMatchesNaiveForAllTransposesWithOffsets() {
        int m = 3, n = 4, k = 5, aOff = 2, bOff = 3, cOff = 1;
        SplittableRandom rng = new SplittableRandom(3);
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true})
                for (double beta : new double[] {0.0, 0.7}) {
                    double[] A = uniform(rng, aOff + m * k, -1, 1);
                    double[] B = uniform(rng, bOff + k * n, -1, 1);
                    double[] C0 = uniform(rng, cOff + m * n + 2, -1, 1);
                    if (beta == 0) for (int i = cOff; i < cOff + m * n; i++) C0[i] = Double.NaN;
                    Tensor a = be.fromDoubles(A, A.length), b = be.fromDoubles(B, B.length);
                    Tensor c = be.fromDoubles(C0, C0.length);
                    be.gemm(ta, tb, m, n, k, 1.5, a, aOff, b, bOff, beta, c, cOff);
                    double[] got = be.toDoubles(c);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                // op(A) m x k: A stored m x k, or k x m when transposed.
                                double av = ta ? A[aOff + p * m + i] : A[aOff + i * k + p];
                                double bv = tb ? B[bOff + j * k + p] : B[bOff + p * n + j];
                                s += av * bv;
                            }
                            double expect = 1.5 * s + (beta == 0 ? 0 : beta * C0[cOff + i * n + j]);
                            assertEquals(expect, got[cOff + i * n + j], 1e-14,
                                "C[" + i + "," + j + "] transA=" + ta + " transB=" + tb + " beta=" + beta);
                        }
                    // Elements outside the C window are untouched.
                    assertEquals(C0[0], got[0]);
                    assertEquals(C0[C0.length - 1], got[C0.length - 1]);
                }
        // A concrete product: [[1,2],[3,4]] * [[5,6],[7,8]] = [[19,22],[43,50]].
        Tensor a = be.fromDoubles(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor b = be.fromDoubles(new double[] {5, 6, 7, 8}, 2, 2);
        Tensor c = be.zeros(2, 2);
        be.gemm(false, false, 2, 2, 2, 1, a, 0, b, 0, 0, c, 0);
        assertArrayEquals(new double[] {19, 22, 43, 50}, be.toDoubles(c));
        be.gemm(true, false, 2, 2, 2, 1, a, 0, b, 0, 0, c, 0); // A^T B = [[26,30],[38,44]]
        assertArrayEquals(new double[] {26, 30, 38, 44}, be.toDoubles(c));
    }

    // ================================================================ optimiser

    @Test
    void adamwOneStepMatchesHandFormula() {
        // p = [1, 2], g = [0.5, -0.25], gradScale 2 -> g = [1, -0.5]; m = v = 0; step 1.
        // m = 0.1 g = [0.1, -0.05]; v = 0.001 g^2 = [0.001, 0.00025];
        // c1 = 0.1, c2 = 0.001 -> mHat = [1, -0.5], vHat = [1, 0.25], sqrt = [1, 0.5].
        // p0 = 1 - 0.01 * (1/(1+1e-8) + 0.1*1)      = 0.9890000000999999...
        // p1 = 2 - 0.01 * (-0.5/(0.5+1e-8) + 0.1*2) = 2.0079999998000000...
        Tensor p = be.fromDoubles(new double[] {1, 2}, 2);
        Tensor g = be.fromDoubles(new double[] {0.5, -0.25}, 2);
        Tensor m = be.zeros(2), v = be.zeros(2);
        be.adamw(p, g, m, v, 0.01, 0.9, 0.999, 1e-8, 0.1, 1, 2.0);
        assertArrayEquals(new double[] {0.1, -0.05}, be.toDoubles(m), 1e-16);
        assertArrayEquals(new double[] {0.001, 0.00025}, be.toDoubles(v), 1e-18);
        assertEquals(0.9890000001, be.toDoubles(p)[0], 1e-15);
        assertEquals(2.0079999998, be.toDoubles(p)[1], 1e-15);

        // A later step with non-zero moments: step 3, m = 0.2, v = 0.03, g = 0.4, no scaling.
        Tensor p2 = be.fromDoubles(new double[] {0.5}, 1);
        Tensor m2 = be.fromDoubles(new double[] {0.2}, 1), v2 = be.fromDoubles(new double[] {0.03}, 1);
        be.adamw(p2, be.fromDoubles(new double[] {0.4}, 1), m2, v2, 1e-3, 0.9, 0.99, 1e-6, 0.05, 3, 1.0);
        double mm = 0.9 * 0.2 + 0.1 * 0.4, vv = 0.99 * 0.03 + 0.01 * 0.16;
        double mHat = mm / (1 - 0.9 * 0.9 * 0.9), vHat = vv / (1 - 0.99 * 0.99 * 0.99);
        assertEquals(0.5 - 1e-3 * (mHat / (Math.sqrt(vHat) + 1e-6) + 0.05 * 0.5), be.toDoubles(p2)[0], 1e-15);
        assertEquals(mm, be.toDoubles(m2)[0], 1e-16);
        assertEquals(vv, be.toDoubles(v2)[0], 1e-16);
    }

    // ================================================================ dropout / layout

    @Test
    void dropoutMaskIsDeterministicInvertedBernoulli() {
        Tensor a = be.zeros(10_000), b = be.zeros(10_000);
        be.dropoutMask(a, 0.8, 42);
        be.dropoutMask(b, 0.8, 42);
        assertArrayEquals(be.toDoubles(a), be.toDoubles(b));
        // Documented draw order: element i takes the i-th nextDouble() of SplittableRandom(seed).
        SplittableRandom rng = new SplittableRandom(42);
        double[] got = be.toDoubles(a);
        int kept = 0;
        for (int i = 0; i < got.length; i++) {
            double expect = rng.nextDouble() < 0.8 ? 1.25 : 0.0;
            assertEquals(expect, got[i], 0.0, "mask[" + i + "]");
            if (got[i] != 0) kept++;
        }
        assertEquals(8000, kept, 200); // ~5 sigma
        be.dropoutMask(b, 0.8, 43);
        assertNotEquals(be.sumAbs(a), be.sumAbs(b));
        assertThrows(IllegalArgumentException.class, () -> be.dropoutMask(a, 0, 1));
    }

    @Test
    void swapMiddleAndFlip() {
        // x (A=2, B=3, C=2, D=2) with x[i] = i; out (A, C, B, D).
        double[] xs = new double[24];
        for (int i = 0; i < 24; i++) xs[i] = i;
        Tensor x = be.fromDoubles(xs, 2, 3, 2, 2), out = be.zeros(2, 2, 3, 2);
        be.swapMiddle(x, 2, 3, 2, 2, out);
        double[] o = be.toDoubles(out);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 2; c++)
                    for (int d = 0; d < 2; d++)
                        assertEquals(xs[((a * 3 + b) * 2 + c) * 2 + d], o[((a * 2 + c) * 3 + b) * 2 + d]);
        // Flip (S=2, L=3, E=4) along L: out[s, t, e] = x[s, L-1-t, e].
        Tensor y = be.zeros(2, 3, 4);
        be.flipSequence(x, 2, 3, 4, y);
        double[] f = be.toDoubles(y);
        assertEquals(xs[8], f[0]);       // (0,0,0) <- (0,2,0)
        assertEquals(xs[12 + 3], f[12 + 8 + 3]); // (1,2,3) <- (1,0,3)
        assertEquals(xs[4 + 1], f[4 + 1]); // middle row stays
        assertThrows(IllegalArgumentException.class, () -> be.flipSequence(x, 2, 3, 4, x));
    }

    // ================================================================ causal conv

    @Test
    void causalConvValuesAndGradients() {
        int s = 2, l = 5, e = 3, k = 4;
        SplittableRandom rng = new SplittableRandom(5);
        Tensor x = rand(be, rng, -1, 1, s, l, e), w = rand(be, rng, -1, 1, e, k), bias = rand(be, rng, -1, 1, e);
        Tensor out = be.zeros(s, l, e), gw = rand(be, rng, -1, 1, s, l, e);
        be.causalConvForward(x, w, bias, s, l, e, k, out);
        double[] xv = be.toDoubles(x), wv = be.toDoubles(w), bv = be.toDoubles(bias), ov = be.toDoubles(out);
        // t = 0 sees only the current step through tap K-1; t = 4 sees steps 1..4.
        assertEquals(bv[1] + wv[1 * k + 3] * xv[1], ov[1], 1e-15);
        double t4 = bv[2];
        for (int kk = 0; kk < k; kk++) t4 += wv[2 * k + kk] * xv[(4 - 3 + kk) * e + 2];
        assertEquals(t4, ov[4 * e + 2], 1e-15);

        Tensor dx = be.zeros(s, l, e), dw = be.zeros(e, k), db = be.zeros(e);
        be.fill(dx, Double.NaN); // overwrite
        double[] dw0 = uniform(rng, e * k, -1, 1), db0 = uniform(rng, e, -1, 1);
        be.upload(dw0, dw); // accumulate
        be.upload(db0, db);
        be.causalConvBackward(x, w, gw, s, l, e, k, dx, dw, db);
        DoubleSupplier loss = () -> { be.causalConvForward(x, w, bias, s, l, e, k, out); return be.dot(out, gw); };
        assertGrad("conv dx", be.toDoubles(dx), numericGrad(x, loss, 1e-5), 1e-7);
        assertGrad("conv dw", sub(be.toDoubles(dw), dw0), numericGrad(w, loss, 1e-5), 1e-7);
        assertGrad("conv dbias", sub(be.toDoubles(db), db0), numericGrad(bias, loss, 1e-5), 1e-7);
    }

    // ================================================================ LayerNorm

    @Test
    void layerNormValuesAndGradients() {
        int rows = 3, n = 6;
        double eps = 1e-5;
        SplittableRandom rng = new SplittableRandom(9);
        Tensor x = rand(be, rng, -2, 3, rows, n), gamma = rand(be, rng, 0.5, 1.5, n), beta = rand(be, rng, -1, 1, n);
        Tensor out = be.zeros(rows, n), mean = be.zeros(rows), rstd = be.zeros(rows);
        be.layerNormForward(x, gamma, beta, rows, n, eps, out, mean, rstd);
        double[] xv = be.toDoubles(x), gv = be.toDoubles(gamma), bv = be.toDoubles(beta);
        for (int r = 0; r < rows; r++) {
            double mu = 0, var = 0;
            for (int i = 0; i < n; i++) mu += xv[r * n + i] / n;
            for (int i = 0; i < n; i++) var += (xv[r * n + i] - mu) * (xv[r * n + i] - mu) / n; // population
            assertEquals(mu, be.toDoubles(mean)[r], 1e-14);
            assertEquals(1 / Math.sqrt(var + eps), be.toDoubles(rstd)[r], 1e-12);
            assertEquals((xv[r * n + 2] - mu) / Math.sqrt(var + eps) * gv[2] + bv[2], be.toDoubles(out)[r * n + 2], 1e-13);
        }
        Tensor gout = rand(be, rng, -1, 1, rows, n);
        Tensor dx = be.zeros(rows, n), dg = be.zeros(n), dbt = be.zeros(n);
        be.fill(dx, Double.NaN);
        be.layerNormBackward(x, gamma, mean, rstd, gout, rows, n, dx, dg, dbt);
        DoubleSupplier loss = () -> {
            be.layerNormForward(x, gamma, beta, rows, n, eps, out, mean, rstd);
            return be.dot(out, gout);
        };
        assertGrad("ln dx", be.toDoubles(dx), numericGrad(x, loss, 1e-5), 1e-6);
        assertGrad("ln dgamma", be.toDoubles(dg), numericGrad(gamma, loss, 1e-5), 1e-7);
        assertGrad("ln dbeta", be.toDoubles(dbt), numericGrad(beta, loss, 1e-5), 1e-7);
    }

    // ================================================================ RevIN

    @Test
    void revinNormalizeStatsAndGradients() {
        int b = 2, t = 7, m = 3;
        double eps = 1e-5;
        SplittableRandom rng = new SplittableRandom(21);
        Tensor x = rand(be, rng, -3, 5, b, t, m), gamma = rand(be, rng, 0.5, 1.5, m), beta = rand(be, rng, -1, 1, m);
        Tensor out = be.zeros(b, t, m), mean = be.zeros(b, m), std = be.zeros(b, m);
        be.revinNormalize(x, gamma, beta, b, t, m, eps, out, mean, std);
        double[] xv = be.toDoubles(x);
        // (b=1, m=2): population statistics over T.
        double mu = 0, var = 0;
        for (int i = 0; i < t; i++) mu += xv[(t + i) * m + 2] / t;
        for (int i = 0; i < t; i++) var += Math.pow(xv[(t + i) * m + 2] - mu, 2) / t;
        assertEquals(mu, be.toDoubles(mean)[m + 2], 1e-14);
        assertEquals(Math.sqrt(var + eps), be.toDoubles(std)[m + 2], 1e-14);
        assertEquals((xv[(t + 4) * m + 2] - mu) / Math.sqrt(var + eps) * be.toDoubles(gamma)[2] + be.toDoubles(beta)[2],
            be.toDoubles(out)[(t + 4) * m + 2], 1e-13);

        Tensor gout = rand(be, rng, -1, 1, b, t, m);
        Tensor dg = be.zeros(m), db = be.zeros(m);
        be.revinNormalizeBackward(x, mean, std, gout, b, t, m, dg, db);
        // mean/std are constants in backward (MODEL.md §6.3), so the loss re-uses the saved ones.
        Tensor mean0 = be.zeros(b, m), std0 = be.zeros(b, m);
        be.copy(mean, mean0);
        be.copy(std, std0);
        double[] muv = be.toDoubles(mean0), sdv = be.toDoubles(std0);
        DoubleSupplier loss = () -> {
            double[] g = be.toDoubles(gamma), bt = be.toDoubles(beta), go = be.toDoubles(gout);
            double acc = 0;
            for (int bi = 0; bi < b; bi++)
                for (int ti = 0; ti < t; ti++)
                    for (int mi = 0; mi < m; mi++) {
                        int i = (bi * t + ti) * m + mi;
                        acc += go[i] * ((xv[i] - muv[bi * m + mi]) / sdv[bi * m + mi] * g[mi] + bt[mi]);
                    }
            return acc;
        };
        assertGrad("revin dgamma", be.toDoubles(dg), numericGrad(gamma, loss, 1e-5), 1e-7);
        assertGrad("revin dbeta", be.toDoubles(db), numericGrad(beta, loss, 1e-5), 1e-7);
        // The kernel's own output agrees with the loss used above.
        be.revinNormalize(x, gamma, beta, b, t, m, eps, out, mean, std);
        assertEquals(loss.getAsDouble(), be.dot(out, gout), 1e-12);
    }

    @Test
    void revinDenormalizeRoundTripAndGradients() {
        int b = 2, t = 9, h = 4, m = 3;
        double eps = 1e-5;
        SplittableRandom rng = new SplittableRandom(22);
        Tensor x = rand(be, rng, -3, 5, b, t, m), gamma = rand(be, rng, 0.5, 1.5, m), beta = rand(be, rng, -1, 1, m);
        Tensor xn = be.zeros(b, t, m), mean = be.zeros(b, m), std = be.zeros(b, m), back = be.zeros(b, t, m);
        be.revinNormalize(x, gamma, beta, b, t, m, eps, xn, mean, std);
        // Denormalising the normalised input recovers it (up to the eps^2 in the denominator).
        be.revinDenormalize(xn, gamma, beta, mean, std, b, t, m, eps, back);
        assertArrayEquals(be.toDoubles(x), be.toDoubles(back), 1e-8);

        Tensor y = rand(be, rng, -2, 2, b, h, m), out = be.zeros(b, h, m), gout = rand(be, rng, -1, 1, b, h, m);
        Tensor dy = be.zeros(b, h, m), dg = be.zeros(m), db = be.zeros(m);
        be.fill(dy, Double.NaN);
        be.revinDenormalizeBackward(y, gamma, beta, std, gout, b, h, m, eps, dy, dg, db);
        DoubleSupplier loss = () -> {
            be.revinDenormalize(y, gamma, beta, mean, std, b, h, m, eps, out);
            return be.dot(out, gout);
        };
        assertGrad("denorm dy", be.toDoubles(dy), numericGrad(y, loss, 1e-5), 1e-7);
        assertGrad("denorm dgamma", be.toDoubles(dg), numericGrad(gamma, loss, 1e-5), 1e-7);
        assertGrad("denorm dbeta", be.toDoubles(db), numericGrad(beta, loss, 1e-5), 1e-7);
    }

    // ================================================================ patching

    @Test
    void patchifyValuesAndAdjoint() {
        // T = 10, P = 4, S = 3: Np = (10-4)/3 + 1 = 3, plus one end-padded patch -> 4.
        int b = 2, t = 10, m = 3, p = 4, s = 3, np = 4;
        SplittableRandom rng = new SplittableRandom(31);
        Tensor x = rand(be, rng, -1, 1, b, t, m), out = be.zeros(b, m, np, p);
        be.patchify(x, b, t, m, p, s, np, out);
        double[] xv = be.toDoubles(x), ov = be.toDoubles(out);
        // out[1, 2, 1, 3] = x[1, 1*3+3 = 6, 2].
        assertEquals(xv[(t + 6) * m + 2], ov[((m + 2) * np + 1) * p + 3]);
        // Padded patch j = 3 covers indices 9, 10, 11, 12 -> all read x[9] (clamped to T-1).
        for (int pi = 0; pi < p; pi++) assertEquals(xv[(t + 9) * m + 1], ov[((m + 1) * np + 3) * p + pi]);

        // Adjoint: <patchify(x), y> = <x, patchifyBackward(y)>.
        Tensor y = rand(be, rng, -1, 1, b, m, np, p), dx = be.zeros(b, t, m);
        be.fill(dx, Double.NaN);
        be.patchifyBackward(y, b, t, m, p, s, np, dx);
        assertEquals(be.dot(out, y), be.dot(x, dx), 1e-13);
        // The last time step collects 1 (patch 2) + 4 (padded patch 3) contributions.
        double[] yv = be.toDoubles(y);
        double expect = yv[((0 * m + 0) * np + 2) * p + 3];
        for (int pi = 0; pi < p; pi++) expect += yv[((0 * m + 0) * np + 3) * p + pi];
        assertEquals(expect, be.toDoubles(dx)[9 * m], 1e-15);
    }
}
