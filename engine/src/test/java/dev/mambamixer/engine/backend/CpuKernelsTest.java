package dev.mambamixer.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.backend.cpu.CpuKernels;
import dev.mambamixer.engine.backend.cpu.VectorScanKernel;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only the CPU kernels promise beyond the {@link Backend} contract (BackendContractTest):
 * bit-reproducible results whatever the JIT tier and thread schedule, the accuracy of the vector
 * exp, and SiLU at the float range's extremes, for both paths of {@link CpuKernels}.
 */
class CpuKernelsTest {

    private final ReferenceBackend ref = new ReferenceBackend();

    private static CpuBackend backend(String kind) {
        if (kind.equals("vector")) {
            Assumptions.assumeTrue(CpuKernels.VECTOR_AVAILABLE, "Vector API unavailable");
            return new CpuBackend(CpuKernels.vector());
        }
        return new CpuBackend(CpuKernels.scalar());
    }

    private static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return v;
    }

    @Test
    void theFlagIsReadOnce() {
        assertEquals(CpuKernels.VECTOR ? CpuKernels.vector() : CpuKernels.scalar(), CpuKernels.defaults());
        assertEquals(CpuKernels.defaults().scan().name(), CpuBackend.scanKernel());
        assertEquals(CpuKernels.defaults().elements().name(), CpuBackend.elementKernels());
    }

    /** SiLU forward/backward where exp over- or underflows: 0 / x, never NaN. */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void siluAtTheExtremes(String kind) {
        CpuBackend be = backend(kind);
        SplittableRandom rng = new SplittableRandom(21);
        int n = 4099;
        float[] av = uniform(rng, n, -12, 12), bv = uniform(rng, n, -2, 2);
        av[0] = -100f; av[1] = 100f; av[2] = -1e30f; av[3] = 1e30f; av[4] = 0f;
        Tensor a = be.fromFloats(av, n), b = be.fromFloats(bv, n), out = be.zeros(n);
        Tensor ar = ref.fromFloats(av, n), br = ref.fromFloats(bv, n), outR = ref.zeros(n);
        be.siluForward(a, out); ref.siluForward(ar, outR);
        assertClose(be.toDoubles(out), ref.toDoubles(outR), kind + " silu");
        be.siluBackward(a, b, out); ref.siluBackward(ar, br, outR);
        assertClose(be.toDoubles(out), ref.toDoubles(outR), kind + " siluBackward");
    }

    private static void assertClose(double[] got, double[] want, String what) {
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Double.isFinite(got[i]), what + "[" + i + "] is not finite: " + got[i]);
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
        }
        assertTrue(maxErr <= 1e-4 * (1 + maxRef), what + ": max abs err " + maxErr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void elementKernelsAreBitReproducible(String kind) {
        // Several runs: the first ones execute in the interpreter/C1, later ones in C2.
        CpuBackend be = backend(kind);
        int s = 64, l = 63, e = 64, k = 4;
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            SplittableRandom rng = new SplittableRandom(5);
            Tensor x = be.fromFloats(uniform(rng, s * l * e, -6, 6), s, l, e);
            Tensor w = be.fromFloats(uniform(rng, e * k, -0.5, 0.5), e, k), bias = be.fromFloats(uniform(rng, e, -0.5, 0.5), e);
            Tensor g = be.fromFloats(uniform(rng, s * l * e, -1, 1), s, l, e);
            Tensor o = be.zeros(s, l, e), u = be.zeros(s, l, e), dx = be.zeros(s, l, e), dw = be.zeros(e, k), db = be.zeros(e);
            be.causalConvForward(x, w, bias, s, l, e, k, o);
            be.siluForward(o, u);
            be.siluBackward(o, g, u);
            be.causalConvBackward(x, w, u, s, l, e, k, dx, dw, db);
            float[][] got = {be.toFloats(o), be.toFloats(u), be.toFloats(dx), be.toFloats(dw), be.toFloats(db)};
            if (first == null) first = got;
            else for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], "output " + i + " differs between runs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void scanIsBitReproducible(String kind) {
        // Several runs, so the first ones execute in the interpreter/C1 and later ones in C2:
        // the bits must not depend on the JIT tier nor on thread scheduling.
        CpuBackend be = backend(kind);
        ScanDims dims = new ScanDims(64, 63, 64, 16, 16);
        int S = dims.s(), L = dims.l(), E = dims.e(), N = dims.n();
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            SplittableRandom rng = new SplittableRandom(99);
            float[] drv = uniform(rng, S * L * E, -4, 1);
            for (int i = 0; i < drv.length; i += 97) drv[i] = 24f;   // softplus identity branch
            float[] al = new float[E * N];
            for (int e = 0; e < E; e++)
                for (int n = 0; n < N; n++) al[e * N + n] = (float) (Math.log(n + 1) + 0.2 * rng.nextDouble());
            ScanInputs in = new ScanInputs(be.fromFloats(uniform(rng, S * L * E, -1, 1), S, L, E), be.fromFloats(drv, S, L, E),
                be.fromFloats(al, E, N), be.fromFloats(uniform(rng, S * L * N, -1, 1), S, L, N),
                be.fromFloats(uniform(rng, S * L * N, -1, 1), S, L, N), be.fromFloats(uniform(rng, E, 0.5, 1.5), E),
                be.fromFloats(uniform(rng, S * L * E, -3, 3), S, L, E), be.fromFloats(uniform(rng, E, -1, 0.5), E));
            Tensor out = be.zeros(S, L, E), ck = be.zeros(dims.checkpointShape());
            Tensor g = be.fromFloats(uniform(rng, S * L * E, -1, 1), S, L, E);
            ScanGrads gr = new ScanGrads(be.zeros(S, L, E), be.zeros(S, L, E), be.zeros(E, N), be.zeros(S, L, N),
                be.zeros(S, L, N), be.zeros(E), be.zeros(S, L, E), be.zeros(E));
            be.scanForward(dims, in, out, ck);
            be.scanBackward(dims, in, ck, g, gr);
            float[][] got = {be.toFloats(out), be.toFloats(gr.du()), be.toFloats(gr.dDeltaRaw()), be.toFloats(gr.dALog()),
                be.toFloats(gr.dB()), be.toFloats(gr.dC()), be.toFloats(gr.dD()), be.toFloats(gr.dz()),
                be.toFloats(gr.dDeltaBias())};
            if (first == null) first = got;
            else for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], "output " + i + " differs between runs");
        }
    }

    @Test
    void vectorExpIsAccurate() {
        Assumptions.assumeTrue(CpuKernels.VECTOR_AVAILABLE, "Vector API unavailable");
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = new float[sp.length()], y = new float[sp.length()];
        double maxRel = 0;
        for (int i = 0; i <= 20000; i++) {
            for (int l = 0; l < x.length; l++) x[l] = -87f + 175f * (i * x.length + l) / (20001f * x.length);
            VectorScanKernel.exp(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
            for (int l = 0; l < x.length; l++) {
                double ex = Math.exp(x[l]);
                maxRel = Math.max(maxRel, Math.abs(y[l] - ex) / ex);
            }
        }
        assertTrue(maxRel < 3e-7, "vector exp max relative error " + maxRel);
        x[0] = -500f; // δ·A far below the float range: ~0
        VectorScanKernel.exp(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
        assertTrue(y[0] >= 0f && y[0] < 2e-38f, "exp(-500) = " + y[0]);
    }

    /** The scan's base-2 exp of non-positive arguments: accurate over [-125, 0], -0.0 gives 1, far below gives ~0. */
    @Test
    void vectorExp2OfNonPositiveArgumentsIsAccurate() {
        Assumptions.assumeTrue(CpuKernels.VECTOR_AVAILABLE, "Vector API unavailable");
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = new float[sp.length()], y = new float[sp.length()];
        double maxRel = 0;
        for (int i = 0; i <= 20000; i++) {
            for (int l = 0; l < x.length; l++) x[l] = -124f * (i * x.length + l) / (20001f * x.length);
            VectorScanKernel.exp2NonPositive(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
            for (int l = 0; l < x.length; l++) {
                double ex = Math.pow(2, x[l]);
                maxRel = Math.max(maxRel, Math.abs(y[l] - ex) / ex);
            }
        }
        assertTrue(maxRel < 2.5e-7, "vector exp2 max relative error " + maxRel);
        java.util.Arrays.fill(x, 0f);
        x[0] = -0.0f;     // δ = 0 times A < 0: Ā = 1
        x[1] = -1e-30f;
        x[2] = -500f;     // δ·A far below the float range: ~0
        x[3] = -Float.MAX_VALUE;
        VectorScanKernel.exp2NonPositive(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
        assertEquals(1f, y[0]);
        assertEquals(1f, y[1]);
        assertTrue(y[2] >= 0f && y[2] < 3e-38f, "2^-500 = " + y[2]);
        assertTrue(y[3] >= 0f && y[3] < 3e-38f, "2^-MAX = " + y[3]);
    }

    /** The parallel dropout mask draws exactly SplittableRandom's sequence, across block boundaries. */
    @Test
    void dropoutMaskIsSplittableRandomsSequence() {
        CpuBackend be = new CpuBackend();
        int n = 300_001;   // several parallel blocks
        Tensor mask = be.zeros(n);
        be.dropoutMask(mask, 0.7, 987654321L);
        float[] got = be.toFloats(mask);
        SplittableRandom rng = new SplittableRandom(987654321L);
        float kept = (float) (1.0 / 0.7);
        for (int i = 0; i < n; i++) assertEquals(rng.nextDouble() < 0.7 ? kept : 0f, got[i], "element " + i);
    }

    /** The one-pass weighted average (forward and backward) against the float64 reference, large enough to run in blocks. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void weightedAverageMatchesTheReference(boolean softmax) {
        CpuBackend be = new CpuBackend();
        SplittableRandom rng = new SplittableRandom(8);
        int n = 150_007, j0 = 4;
        double[] raw = {0.7, 0.0, -0.4, 1.3};   // a zero weight (free weights) is skipped
        Tensor rawC = be.fromDoubles(raw, j0), rawR = ref.fromDoubles(raw, j0);
        Tensor[] srcC = new Tensor[j0], srcR = new Tensor[j0], gC = new Tensor[j0], gR = new Tensor[j0];
        for (int j = 0; j < j0; j++) {
            float[] v = uniform(rng, n, -2, 2), g = uniform(rng, n, -1, 1);
            srcC[j] = be.fromFloats(v, n); srcR[j] = ref.fromFloats(v, n);
            gC[j] = be.fromFloats(g, n); gR[j] = ref.fromFloats(g, n);
        }
        Tensor outC = be.zeros(n), outR = ref.zeros(n);
        be.weightedAverageForward(rawC, softmax, srcC, outC);
        ref.weightedAverageForward(rawR, softmax, srcR, outR);
        assertClose(be.toDoubles(outC), ref.toDoubles(outR), "weighted average forward");
        float[] d = uniform(rng, n, -1, 1);
        Tensor dC = be.fromFloats(d, n), dR = ref.fromFloats(d, n);
        Tensor rgC = be.fromDoubles(new double[] {0.1, 0.2, 0.3, 0.4}, j0), rgR = ref.fromDoubles(new double[] {0.1, 0.2, 0.3, 0.4}, j0);
        be.weightedAverageBackward(rawC, softmax, dC, srcC, gC, rgC);
        ref.weightedAverageBackward(rawR, softmax, dR, srcR, gR, rgR);
        for (int j = 0; j < j0; j++) assertClose(be.toDoubles(gC[j]), ref.toDoubles(gR[j]), "source gradient " + j);
        double[] rc = be.toDoubles(rgC), rr = ref.toDoubles(rgR);
        for (int j = 0; j < j0; j++) assertEquals(rr[j], rc[j], 1e-6 * (1 + Math.abs(rr[j])), "raw weight gradient " + j);
    }
}
