package dev.mambamixer.engine.backend;

import static dev.mambamixer.engine.backend.ReferenceBackendTest.assertGrad;
import static dev.mambamixer.engine.backend.ReferenceBackendTest.numericGrad;
import static dev.mambamixer.engine.backend.ReferenceBackendTest.rand;
import static dev.mambamixer.engine.backend.ReferenceBackendTest.sub;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The S6 selective scan of {@link ReferenceBackend} (MODEL.md §3.2, §3.3): a hand-computed case,
 * the float64 central-difference check of MODEL.md §3.4, and chunked = unchunked.
 */
class SelectiveScanReferenceTest {

    private final ReferenceBackend be = new ReferenceBackend();

    /** All inputs, outputs and gradients of one scan call. */
    private final class Case {
        final ScanDims dims;
        final Tensor u, dr, aLog, b, c, d, z, bias, out, ck, gout;
        final Tensor du, ddr, daLog, db, dc, dd, dz, dbias;

        /** Random case; deltaRaw ~ U(drLo, drHi) for every element. */
        Case(ScanDims dims, long seed, boolean withZ, double drLo, double drHi) {
            this.dims = dims;
            int S = dims.s(), L = dims.l(), E = dims.e(), N = dims.n();
            SplittableRandom rng = new SplittableRandom(seed);
            u = rand(be, rng, -1, 1, S, L, E);
            dr = rand(be, rng, drLo, drHi, S, L, E);
            aLog = rand(be, rng, -0.5, 1.0, E, N);
            b = rand(be, rng, -1, 1, S, L, N);
            c = rand(be, rng, -1, 1, S, L, N);
            d = rand(be, rng, -1, 1, E);
            z = withZ ? rand(be, rng, -2, 2, S, L, E) : null;
            bias = rand(be, rng, -1, 0.5, E);
            gout = rand(be, rng, -1, 1, S, L, E);
            out = be.zeros(S, L, E);
            ck = be.zeros(dims.checkpointShape());
            du = be.zeros(S, L, E); ddr = be.zeros(S, L, E); dz = be.zeros(S, L, E);
            db = be.zeros(S, L, N); dc = be.zeros(S, L, N);
            daLog = be.zeros(E, N); dd = be.zeros(E); dbias = be.zeros(E);
        }

        /** Same inputs and upstream gradient as {@code o}, but another chunk length. */
        Case(Case o, int chunk) {
            dims = new ScanDims(o.dims.s(), o.dims.l(), o.dims.e(), o.dims.n(), chunk);
            u = o.u; dr = o.dr; aLog = o.aLog; b = o.b; c = o.c; d = o.d; z = o.z; bias = o.bias; gout = o.gout;
            out = be.zeros(o.out.shape());
            ck = be.zeros(dims.checkpointShape());
            du = be.zeros(o.du.shape()); ddr = be.zeros(o.ddr.shape()); dz = be.zeros(o.dz.shape());
            db = be.zeros(o.db.shape()); dc = be.zeros(o.dc.shape());
            daLog = be.zeros(o.daLog.shape()); dd = be.zeros(o.dd.shape()); dbias = be.zeros(o.dbias.shape());
        }

        void forward() { be.scanForward(dims, new ScanInputs(u, dr, aLog, b, c, d, z, bias), out, ck); }

        /** Loss = <out, gout>, so its gradient w.r.t. out is gout. */
        double loss() { forward(); return be.dot(out, gout); }

        void backward() {
            forward();
            be.scanBackward(dims, new ScanInputs(u, dr, aLog, b, c, d, z, bias), ck, gout,
                new ScanGrads(du, ddr, daLog, db, dc, dd, dz, dbias));
        }

        Tensor[] outputsAndGrads() { return new Tensor[] {out, du, ddr, daLog, db, dc, dd, dz, dbias}; }
    }

    // ================================================================ hand-computed case

    @Test
    void handComputedForwardAndBackward() {
        // S = E = N = 1, L = 3, no z. deltaRaw = ln(e-1), bias 0 -> delta = softplus = 1.
        // aLog = ln(ln 2) -> A = -ln 2 -> Abar = exp(delta*A) = 1/2 at every step.
        // u = [1, 2, -1], B = [1, 1, 2], C = [1, 2, 0.5], D = 0.5.
        //   h0 = 0.5*0   + 1*1*1    = 1;     y0 = 1*1     + 0.5*1    = 1.5
        //   h1 = 0.5*1   + 1*1*2    = 2.5;   y1 = 2*2.5   + 0.5*2    = 6
        //   h2 = 0.5*2.5 + 1*2*(-1) = -0.75; y2 = 0.5*-0.75 + 0.5*-1 = -0.875
        // chunk = 2: checkpoints = [h_{-1}, h_1] = [0, 2.5].
        double x = Math.log(Math.E - 1);
        ScanDims dims = new ScanDims(1, 3, 1, 1, 2);
        Tensor u = be.fromDoubles(new double[] {1, 2, -1}, 1, 3, 1);
        Tensor dr = be.fromDoubles(new double[] {x, x, x}, 1, 3, 1);
        Tensor aLog = be.fromDoubles(new double[] {Math.log(Math.log(2))}, 1, 1);
        Tensor b = be.fromDoubles(new double[] {1, 1, 2}, 1, 3, 1);
        Tensor c = be.fromDoubles(new double[] {1, 2, 0.5}, 1, 3, 1);
        Tensor d = be.fromDoubles(new double[] {0.5}, 1);
        Tensor bias = be.zeros(1);
        Tensor out = be.zeros(1, 3, 1), ck = be.zeros(1, 2, 1, 1);
        be.scanForward(dims, new ScanInputs(u, dr, aLog, b, c, d, null, bias), out, ck);
        assertArrayEquals(new double[] {1.5, 6, -0.875}, be.toDoubles(out), 1e-14);
        assertArrayEquals(new double[] {0, 2.5}, be.toDoubles(ck), 1e-14);

        // Backward with G = [0, 0, 1] (only y2 matters), g = G (no gate):
        //   lambda2 = g2 C2 = 0.5; lambda1 = 0 + Abar*lambda2 = 0.25; lambda0 = 0.125
        //   dB_t = lambda_t delta u_t          = [0.125, 0.5, -0.5]
        //   dC_t = g_t h_t                     = [0, 0, -0.75]
        //   dD   = sum g u                     = -1
        //   du_t = D g_t + delta lambda_t B_t  = [0.125, 0.25, 0.5 + 1] = [0.125, 0.25, 1.5]
        //   p_t  = Abar h_{t-1}                = [0, 0.5, 1.25]
        //   ddelta_t = u lambda B + lambda A p = [0.125, 0.5 - 0.125 ln2, -1 - 0.625 ln2]
        //   dA = sum lambda delta p = 0.125 + 0.625 = 0.75;  dA_log = dA*A = -0.75 ln2
        //   ddeltaRaw = ddelta * sigmoid(x) with sigmoid(ln(e-1)) = 1 - 1/e; dbias = sum of those.
        Tensor gout = be.fromDoubles(new double[] {0, 0, 1}, 1, 3, 1);
        Tensor du = be.zeros(1, 3, 1), ddr = be.zeros(1, 3, 1), daLog = be.zeros(1, 1), db = be.zeros(1, 3, 1);
        Tensor dc = be.zeros(1, 3, 1), dd = be.zeros(1), dbias = be.zeros(1);
        be.scanBackward(dims, new ScanInputs(u, dr, aLog, b, c, d, null, bias), ck, gout,
            new ScanGrads(du, ddr, daLog, db, dc, dd, null, dbias));
        double ln2 = Math.log(2), sig = 1 - 1 / Math.E;
        assertArrayEquals(new double[] {0.125, 0.5, -0.5}, be.toDoubles(db), 1e-14);
        assertArrayEquals(new double[] {0, 0, -0.75}, be.toDoubles(dc), 1e-14);
        assertEquals(-1, be.toDoubles(dd)[0], 1e-14);
        assertArrayEquals(new double[] {0.125, 0.25, 1.5}, be.toDoubles(du), 1e-14);
        assertArrayEquals(new double[] {0.125 * sig, (0.5 - 0.125 * ln2) * sig, (-1 - 0.625 * ln2) * sig},
            be.toDoubles(ddr), 1e-14);
        assertEquals(-0.75 * ln2, be.toDoubles(daLog)[0], 1e-14);
        assertEquals((-0.375 - 0.75 * ln2) * sig, be.toDoubles(dbias)[0], 1e-14);

        // Gate: out = y * SiLU(z), checked at z = 1.5 against the pre-gate values above.
        Tensor z = be.fromDoubles(new double[] {1.5, 1.5, 1.5}, 1, 3, 1);
        be.scanForward(dims, new ScanInputs(u, dr, aLog, b, c, d, z, bias), out, ck);
        double silu = 1.5 / (1 + Math.exp(-1.5));
        assertArrayEquals(new double[] {1.5 * silu, 6 * silu, -0.875 * silu}, be.toDoubles(out), 1e-14);
    }

    @Test
    void softplusThresholdBranchIsExact() {
        // x = deltaRaw + bias = 30 - 5 = 25 > 20, so delta = 25 exactly (log1p(exp(25)) would
        // add 1.4e-11) and ddeltaRaw = ddelta exactly (sigmoid(25) would differ by 1.4e-11).
        // One step, u = B = C = 1, D = 0: out = 25; G = 1 -> lambda = 1, ddelta = u*lambda*B = 1.
        ScanDims dims = new ScanDims(1, 1, 1, 1, 1);
        Tensor one = be.fromDoubles(new double[] {1}, 1, 1, 1);
        Tensor dr = be.fromDoubles(new double[] {30}, 1, 1, 1), bias = be.fromDoubles(new double[] {-5}, 1);
        Tensor aLog = be.zeros(1, 1), d = be.zeros(1), out = be.zeros(1, 1, 1), ck = be.zeros(1, 1, 1, 1);
        be.scanForward(dims, new ScanInputs(one, dr, aLog, one, one, d, null, bias), out, ck);
        assertEquals(25.0, be.toDoubles(out)[0], 1e-13);
        Tensor du = be.zeros(1, 1, 1), ddr = be.zeros(1, 1, 1), daLog = be.zeros(1, 1), db = be.zeros(1, 1, 1);
        Tensor dc = be.zeros(1, 1, 1), dd = be.zeros(1), dbias = be.zeros(1);
        be.scanBackward(dims, new ScanInputs(one, dr, aLog, one, one, d, null, bias), ck, one,
            new ScanGrads(du, ddr, daLog, db, dc, dd, null, dbias));
        assertEquals(1.0, be.toDoubles(ddr)[0], 1e-14);
        assertEquals(1.0, be.toDoubles(dbias)[0], 1e-14);
        assertEquals(25.0, be.toDoubles(du)[0], 1e-13); // D*g + delta*lambda*B
    }

    // ================================================================ finite differences (MODEL.md §3.4)

    /** Central differences for every input of {@code k}; parameter grads start from non-zero values. */
    private void checkAllGradients(Case k, double tol) {
        // Parameter grads accumulate: start them from known non-zero values and subtract.
        SplittableRandom rng = new SplittableRandom(99);
        double[] daLog0 = ReferenceBackendTest.uniform(rng, k.daLog.size(), -1, 1);
        double[] dd0 = ReferenceBackendTest.uniform(rng, k.dd.size(), -1, 1);
        double[] dbias0 = ReferenceBackendTest.uniform(rng, k.dbias.size(), -1, 1);
        be.upload(daLog0, k.daLog);
        be.upload(dd0, k.dd);
        be.upload(dbias0, k.dbias);
        // Activation grads overwrite: poison them.
        for (Tensor t : new Tensor[] {k.du, k.ddr, k.db, k.dc, k.dz}) be.fill(t, Double.NaN);
        k.backward();

        DoubleSupplier loss = k::loss;
        double h = 1e-5;
        assertGrad("du", be.toDoubles(k.du), numericGrad(k.u, loss, h), tol);
        assertGrad("dDeltaRaw", be.toDoubles(k.ddr), numericGrad(k.dr, loss, h), tol);
        assertGrad("dALog", sub(be.toDoubles(k.daLog), daLog0), numericGrad(k.aLog, loss, h), tol);
        assertGrad("dB", be.toDoubles(k.db), numericGrad(k.b, loss, h), tol);
        assertGrad("dC", be.toDoubles(k.dc), numericGrad(k.c, loss, h), tol);
        assertGrad("dD", sub(be.toDoubles(k.dd), dd0), numericGrad(k.d, loss, h), tol);
        assertGrad("dDeltaBias", sub(be.toDoubles(k.dbias), dbias0), numericGrad(k.bias, loss, h), tol);
        if (k.z != null) assertGrad("dz", be.toDoubles(k.dz), numericGrad(k.z, loss, h), tol);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithGate() {
        // MODEL.md §3.4 sizes: S=2, E=3, N=4, L=6; chunk 4 so the recomputation path crosses a boundary.
        checkAllGradients(new Case(new ScanDims(2, 6, 3, 4, 4), 1, true, -2, 1), 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithoutGate() {
        checkAllGradients(new Case(new ScanDims(2, 6, 3, 4, 6), 2, false, -2, 1), 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferencesAcrossSoftplusThreshold() {
        Case k = new Case(new ScanDims(2, 6, 3, 4, 3), 3, true, -2, 1);
        // Push every other (s, t, e) element to deltaRaw + bias in (20.5, 23.5), well clear of the kink.
        double[] dr = (double[]) k.dr.storage(), bias = be.toDoubles(k.bias);
        int over = 0;
        for (int i = 0; i < dr.length; i += 2) {
            dr[i] = 21.5 - bias[i % 3] + 2 * ((i * 0.37) % 1.0 - 0.5);
            over++;
        }
        for (int i = 0; i < dr.length; i++) {
            double x = dr[i] + bias[i % 3];
            assertTrue(Math.abs(x - 20) > 0.4, "element " + i + " too close to the threshold: " + x);
        }
        assertTrue(over >= 18);
        checkAllGradients(k, 1e-6);
    }

    // ================================================================ chunking

    @Test
    void chunkedEqualsUnchunked() {
        for (boolean withZ : new boolean[] {true, false}) {
            Case ref = new Case(new ScanDims(2, 13, 3, 4, 13), 7, withZ, -2, 1);
            ref.backward();
            for (int chunk : new int[] {1, 4, 5, 20}) {
                Case k = new Case(ref, chunk);
                k.backward();
                Tensor[] a = ref.outputsAndGrads(), b = k.outputsAndGrads();
                String[] names = {"out", "du", "dDeltaRaw", "dALog", "dB", "dC", "dD", "dz", "dDeltaBias"};
                for (int i = 0; i < a.length; i++) {
                    if (!withZ && names[i].equals("dz")) continue;
                    assertArrayEquals(be.toDoubles(a[i]), be.toDoubles(b[i]), 1e-12,
                        names[i] + " chunk=" + chunk + " z=" + withZ);
                }
            }
        }
    }

    @Test
    void checkpointsHoldTheStateEnteringEachChunk() {
        // With chunk = 1 the checkpoints are h_{t-1} for every t; chunk = 4 must pick t = 0, 4, 8, 12.
        Case every = new Case(new ScanDims(2, 13, 3, 4, 1), 8, true, -2, 1);
        every.forward();
        Case four = new Case(every, 4);
        four.forward();
        double[] all = be.toDoubles(every.ck), some = be.toDoubles(four.ck);
        int en = 3 * 4;
        for (int s = 0; s < 2; s++)
            for (int c = 0; c < 4; c++)
                for (int i = 0; i < en; i++)
                    assertEquals(all[(s * 13 + 4 * c) * en + i], some[(s * 4 + c) * en + i], 0.0);
        for (int i = 0; i < en; i++) assertEquals(0.0, some[i], 0.0); // h_{-1} = 0
        assertNotEquals(0.0, some[en]); // h_3 is a real state
    }

    @Test
    void parameterGradsAccumulateActivationGradsOverwrite() {
        Case k = new Case(new ScanDims(1, 5, 2, 3, 2), 4, true, -2, 1);
        k.backward();
        Tensor[] all = k.outputsAndGrads();
        double[][] first = new double[all.length][];
        for (int i = 0; i < all.length; i++) first[i] = be.toDoubles(all[i]);
        k.backward();
        // Indices in outputsAndGrads: 3 dALog, 6 dD, 8 dDeltaBias are parameters.
        for (int i = 0; i < all.length; i++) {
            double[] now = be.toDoubles(all[i]);
            boolean param = i == 3 || i == 6 || i == 8;
            for (int j = 0; j < now.length; j++)
                assertEquals(param ? 2 * first[i][j] : first[i][j], now[j], 1e-13, "tensor " + i + "[" + j + "]");
        }
    }

    @Test
    void shapeMismatchIsReported() {
        ScanDims dims = new ScanDims(1, 4, 2, 3, 2);
        Tensor wrong = be.zeros(1, 4, 3);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            be.scanForward(dims, new ScanInputs(wrong, be.zeros(1, 4, 2), be.zeros(2, 3), be.zeros(1, 4, 3), be.zeros(1, 4, 3),
                be.zeros(2), null, be.zeros(2)), be.zeros(1, 4, 2), be.zeros(dims.checkpointShape())));
        assertTrue(ex.getMessage().contains("u"), ex.getMessage());
    }
}
