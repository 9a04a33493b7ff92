package dev.mambamixer.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API scan: the n loop (N = 16 in every model here) runs as FloatVector lanes of the
 * preferred species. Lanes past the last full vector fall back to scalar code. Only loaded when
 * jdk.incubator.vector is present (see CpuBackend).
 *
 * <p>Bit-reproducibility: VectorOperators.EXP and reduceLanes(ADD) may give different bits in
 * the interpreter, C1 and C2 (SVML vs Math.exp, unspecified reduction order), so a result would
 * change as the JIT warms up. Instead exp is a polynomial built from strict lane-wise ops
 * ({@link #exp}) and lane sums go through an array in fixed order ({@link #sum}).
 */
public final class VectorScanKernel extends ScanKernel {

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;

    @Override public String name() { return "vector-" + SP.length() + "x32"; }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f; // Cody-Waite split of ln 2
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer (round to nearest even). */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;

    /**
     * exp(x) for float lanes, ~1-2 ulp (Cephes expf polynomial, Cody-Waite reduction), valid for
     * x in [-87.3, 88]: inputs are clamped there (exp(-87.3) ≈ 1.2e-38, so the tiny results of
     * very negative δ·A differ from exp by < 2e-38 absolute). Uses only IEEE-exact lane-wise
     * ops (add, mul, fma, bit shifts), so every JIT tier gives the same bits.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(-87.3f).min(88f);
        FloatVector t = x.fma(FloatVector.broadcast(SP, LOG2E), FloatVector.broadcast(SP, MAGIC));
        FloatVector k = t.sub(MAGIC); // round(x·log2 e) as a float
        FloatVector r = k.fma(FloatVector.broadcast(SP, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(SP, -LN2_LO), r); // r = x - k ln2, |r| <= ln2/2
        FloatVector p = FloatVector.broadcast(SP, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(SP, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(SP, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(SP, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(SP, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(SP, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f); // 1 + r + r² p(r)
        // 2^k: the integer k sits in the low mantissa bits of t; move k + 127 into the exponent.
        IntVector ki = (IntVector) t.reinterpretAsInts();
        FloatVector pow2 = ((IntVector) ki.sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
        return y.mul(pow2);
    }

    /** Σ lanes in lane order (deterministic in every JIT tier); {@code lanes} is a VL-float scratch. */
    private static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int i = 1; i < lanes.length; i++) s += lanes[i];
        return s;
    }

    @Override
    public void forward(int s, int L, int E, int N, int chunk,
                        float[] u, float[] dr, float[] a, float[] b, float[] c,
                        float[] d, float[] z, float[] db, float[] out, float[] ck, float[] h) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk, NV = SP.loopBound(N), VL = SP.length();
        final float[] lanes = new float[VL]; // reduction scratch (one tiny array per sequence)
        Arrays.fill(h, 0, EN, 0f); // h_{-1} = 0
        if (N == 2 * VL) { forward2(s, L, E, N, chunk, u, dr, a, b, c, d, z, db, out, ck, h, lanes); return; }
        for (int t = 0; t < L; t++) {
            if (t % chunk == 0) System.arraycopy(h, 0, ck, (s * NC + t / chunk) * EN, EN);
            int rowE = (s * L + t) * E, rowN = (s * L + t) * N; // (s, t, 0) in (S,L,E) / (S,L,N)
            for (int e = 0; e < E; e++) {
                float delta = softplus20(dr[rowE + e] + db[e]);
                float ut = u[rowE + e];
                float du = delta * ut;
                FloatVector duV = FloatVector.broadcast(SP, du);
                int en = e * N;
                FloatVector yv = FloatVector.zero(SP);
                int n = 0;
                for (; n < NV; n += VL) {
                    FloatVector abar = exp(FloatVector.fromArray(SP, a, en + n).mul(delta));
                    FloatVector hv = FloatVector.fromArray(SP, b, rowN + n)
                        .fma(duV, abar.mul(FloatVector.fromArray(SP, h, en + n)));
                    hv.intoArray(h, en + n);
                    yv = FloatVector.fromArray(SP, c, rowN + n).fma(hv, yv);
                }
                float y = d[e] * ut + sum(yv, lanes);
                for (; n < N; n++) {
                    float hn = (float) Math.exp(delta * a[en + n]) * h[en + n] + du * b[rowN + n];
                    h[en + n] = hn;
                    y += c[rowN + n] * hn;
                }
                if (z == null) out[rowE + e] = y;
                else { float zt = z[rowE + e]; out[rowE + e] = y * zt * sigmoid(zt); }
            }
        }
    }

    @Override
    public void backward(int s, int L, int E, int N, int chunk,
                         float[] u, float[] dr, float[] a, float[] b, float[] c,
                         float[] d, float[] z, float[] db, float[] ck, float[] g,
                         float[] gu, float[] gdr, float[] gb, float[] gc, float[] gz,
                         float[] pA, float[] pD, float[] pDb,
                         float[] hbuf, float[] abuf, float[] ybuf, float[] carry) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk, NV = SP.loopBound(N), VL = SP.length();
        final float[] lanes = new float[VL]; // reduction scratch (one tiny array per sequence)
        Arrays.fill(gb, s * L * N, (s + 1) * L * N, 0f); // dB, dC sum over e
        Arrays.fill(gc, s * L * N, (s + 1) * L * N, 0f);
        Arrays.fill(carry, 0, EN, 0f); // nothing flows in from t = L
        final int DOFF = Math.min(chunk, L) * E; // δ_t rows follow the y_t rows in ybuf
        for (int ch = NC - 1; ch >= 0; ch--) {
            int t0 = ch * chunk, t1 = Math.min(L, t0 + chunk);
            // Recompute h_t, Ā_t and the pre-gate y_t inside the chunk from its checkpoint.
            System.arraycopy(ck, (s * NC + ch) * EN, hbuf, 0, EN);
            for (int t = t0; t < t1; t++) {
                int rowE = (s * L + t) * E, rowN = (s * L + t) * N;
                int prev = (t - t0) * EN, cur = prev + EN, ab = (t - t0) * EN;
                for (int e = 0; e < E; e++) {
                    float delta = softplus20(dr[rowE + e] + db[e]);
                    float ut = u[rowE + e];
                    float du = delta * ut;
                    FloatVector duV = FloatVector.broadcast(SP, du);
                    int en = e * N;
                    FloatVector yv = FloatVector.zero(SP);
                    int n = 0;
                    for (; n < NV; n += VL) {
                        FloatVector abar = exp(FloatVector.fromArray(SP, a, en + n).mul(delta));
                        abar.intoArray(abuf, ab + en + n);
                        FloatVector hv = FloatVector.fromArray(SP, b, rowN + n)
                            .fma(duV, abar.mul(FloatVector.fromArray(SP, hbuf, prev + en + n)));
                        hv.intoArray(hbuf, cur + en + n);
                        yv = FloatVector.fromArray(SP, c, rowN + n).fma(hv, yv);
                    }
                    float y = d[e] * ut + sum(yv, lanes);
                    for (; n < N; n++) {
                        float abar = (float) Math.exp(delta * a[en + n]);
                        abuf[ab + en + n] = abar;
                        float hn = abar * hbuf[prev + en + n] + du * b[rowN + n];
                        hbuf[cur + en + n] = hn;
                        y += c[rowN + n] * hn;
                    }
                    ybuf[(t - t0) * E + e] = y;
                    ybuf[DOFF + (t - t0) * E + e] = delta;
                }
            }
            if (N == 2 * VL) {
                reverse2(s, L, E, N, t0, t1, u, dr, a, b, c, d, z, db, g, gu, gdr, gb, gc, gz, pA, pD, pDb,
                    hbuf, abuf, ybuf, carry, DOFF, lanes);
                continue;
            }
            for (int t = t1 - 1; t >= t0; t--) {
                int rowE = (s * L + t) * E, rowN = (s * L + t) * N;
                int prev = (t - t0) * EN, cur = prev + EN, ab = (t - t0) * EN;
                for (int e = 0; e < E; e++) {
                    int ti = rowE + e, en = e * N;
                    float x = dr[ti] + db[e];
                    float delta = ybuf[DOFF + (t - t0) * E + e]; // softplus20(x), from the recompute
                    float ut = u[ti];
                    float gt = g[ti];
                    if (z != null) { // 1. gate (y is pre-gate, includes D·u)
                        float zt = z[ti], sg = sigmoid(zt);
                        gz[ti] = gt * ybuf[(t - t0) * E + e] * sg * (1f + zt * (1f - sg));
                        gt = gt * zt * sg;
                    }
                    pD[e] += gt * ut; // 2. skip
                    float du = delta * ut;
                    FloatVector gtV = FloatVector.broadcast(SP, gt), duV = FloatVector.broadcast(SP, du);
                    FloatVector deltaV = FloatVector.broadcast(SP, delta);
                    FloatVector lamBv = FloatVector.zero(SP), ddv = FloatVector.zero(SP);
                    int n = 0;
                    for (; n < NV; n += VL) {
                        FloatVector abar = FloatVector.fromArray(SP, abuf, ab + en + n);
                        FloatVector bv = FloatVector.fromArray(SP, b, rowN + n);
                        // 4. λ_t = g C + Ā_{t+1} λ_{t+1}
                        FloatVector lam = FloatVector.fromArray(SP, c, rowN + n).fma(gtV, FloatVector.fromArray(SP, carry, en + n));
                        // 5. λ·p with p_t = Ā_t h_{t-1}
                        FloatVector lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + en + n)));
                        // 3. dC += g h_t
                        FloatVector.fromArray(SP, hbuf, cur + en + n).fma(gtV, FloatVector.fromArray(SP, gc, rowN + n))
                            .intoArray(gc, rowN + n);
                        lam.fma(duV, FloatVector.fromArray(SP, gb, rowN + n)).intoArray(gb, rowN + n);
                        lamBv = lam.fma(bv, lamBv);
                        ddv = lp.fma(FloatVector.fromArray(SP, a, en + n), ddv);
                        lp.fma(deltaV, FloatVector.fromArray(SP, pA, en + n)).intoArray(pA, en + n);
                        abar.mul(lam).intoArray(carry, en + n);
                    }
                    float lamB = sum(lamBv, lanes);
                    float ddelta = sum(ddv, lanes);
                    for (; n < N; n++) {
                        float abar = abuf[ab + en + n];
                        float lam = gt * c[rowN + n] + carry[en + n];
                        float p = abar * hbuf[prev + en + n];
                        gc[rowN + n] += gt * hbuf[cur + en + n];
                        gb[rowN + n] += lam * du;
                        lamB += lam * b[rowN + n];
                        float lp = lam * p;
                        ddelta += lp * a[en + n];
                        pA[en + n] += lp * delta;
                        carry[en + n] = abar * lam;
                    }
                    gu[ti] = d[e] * gt + delta * lamB;
                    ddelta += ut * lamB;
                    float ddr = x > SOFTPLUS_THRESHOLD ? ddelta : ddelta * sigmoid(x); // 6.
                    gdr[ti] = ddr;
                    pDb[e] += ddr;
                }
            }
        }
    }

    /** {@link #forward} for N == 2·VL (N = 16 with AVX2): B, C rows and the n loop live in registers. */
    private static void forward2(int s, int L, int E, int N, int chunk,
                                 float[] u, float[] dr, float[] a, float[] b, float[] c,
                                 float[] d, float[] z, float[] db, float[] out, float[] ck, float[] h, float[] lanes) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk, VL = SP.length();
        for (int t = 0; t < L; t++) {
            if (t % chunk == 0) System.arraycopy(h, 0, ck, (s * NC + t / chunk) * EN, EN);
            int rowE = (s * L + t) * E, rowN = (s * L + t) * N;
            FloatVector b0 = FloatVector.fromArray(SP, b, rowN), b1 = FloatVector.fromArray(SP, b, rowN + VL);
            FloatVector c0 = FloatVector.fromArray(SP, c, rowN), c1 = FloatVector.fromArray(SP, c, rowN + VL);
            for (int e = 0; e < E; e++) {
                float delta = softplus20(dr[rowE + e] + db[e]);
                float ut = u[rowE + e];
                FloatVector duV = FloatVector.broadcast(SP, delta * ut);
                int en = e * N;
                FloatVector h0 = b0.fma(duV, exp(FloatVector.fromArray(SP, a, en).mul(delta)).mul(FloatVector.fromArray(SP, h, en)));
                FloatVector h1 = b1.fma(duV, exp(FloatVector.fromArray(SP, a, en + VL).mul(delta)).mul(FloatVector.fromArray(SP, h, en + VL)));
                h0.intoArray(h, en);
                h1.intoArray(h, en + VL);
                float y = d[e] * ut + sum(c1.fma(h1, c0.mul(h0)), lanes);
                if (z == null) out[rowE + e] = y;
                else { float zt = z[rowE + e]; out[rowE + e] = y * zt * sigmoid(zt); }
            }
        }
    }

    /**
     * The reverse walk over steps [t0, t1) of one chunk for N == 2·VL (spec §3.3 steps 1-6): as the
     * generic loop in {@link #backward}, with this step's B, C rows and its dB, dC sums over e
     * held in registers (each dB/dC row belongs to one step, so it is stored once).
     */
    private static void reverse2(int s, int L, int E, int N, int t0, int t1,
                                 float[] u, float[] dr, float[] a, float[] b, float[] c,
                                 float[] d, float[] z, float[] db, float[] g,
                                 float[] gu, float[] gdr, float[] gb, float[] gc, float[] gz,
                                 float[] pA, float[] pD, float[] pDb,
                                 float[] hbuf, float[] abuf, float[] ybuf, float[] carry, int doff, float[] lanes) {
        final int EN = E * N, VL = SP.length();
        for (int t = t1 - 1; t >= t0; t--) {
            int rowE = (s * L + t) * E, rowN = (s * L + t) * N;
            int prev = (t - t0) * EN, cur = prev + EN, ab = (t - t0) * EN;
            FloatVector b0 = FloatVector.fromArray(SP, b, rowN), b1 = FloatVector.fromArray(SP, b, rowN + VL);
            FloatVector c0 = FloatVector.fromArray(SP, c, rowN), c1 = FloatVector.fromArray(SP, c, rowN + VL);
            FloatVector gb0 = FloatVector.zero(SP), gb1 = gb0, gc0 = gb0, gc1 = gb0;
            for (int e = 0; e < E; e++) {
                int ti = rowE + e, en = e * N;
                float x = dr[ti] + db[e];
                float delta = ybuf[doff + (t - t0) * E + e];
                float ut = u[ti];
                float gt = g[ti];
                if (z != null) { // 1. gate (y is pre-gate, includes D·u)
                    float zt = z[ti], sg = sigmoid(zt);
                    gz[ti] = gt * ybuf[(t - t0) * E + e] * sg * (1f + zt * (1f - sg));
                    gt = gt * zt * sg;
                }
                pD[e] += gt * ut; // 2. skip
                FloatVector gtV = FloatVector.broadcast(SP, gt), duV = FloatVector.broadcast(SP, delta * ut);
                FloatVector deltaV = FloatVector.broadcast(SP, delta);
                FloatVector ab0 = FloatVector.fromArray(SP, abuf, ab + en), ab1 = FloatVector.fromArray(SP, abuf, ab + en + VL);
                // 4. λ_t = g C + Ā_{t+1} λ_{t+1}
                FloatVector lam0 = c0.fma(gtV, FloatVector.fromArray(SP, carry, en));
                FloatVector lam1 = c1.fma(gtV, FloatVector.fromArray(SP, carry, en + VL));
                // 5. λ·p with p_t = Ā_t h_{t-1}
                FloatVector lp0 = lam0.mul(ab0.mul(FloatVector.fromArray(SP, hbuf, prev + en)));
                FloatVector lp1 = lam1.mul(ab1.mul(FloatVector.fromArray(SP, hbuf, prev + en + VL)));
                gc0 = FloatVector.fromArray(SP, hbuf, cur + en).fma(gtV, gc0); // 3.
                gc1 = FloatVector.fromArray(SP, hbuf, cur + en + VL).fma(gtV, gc1);
                gb0 = lam0.fma(duV, gb0);
                gb1 = lam1.fma(duV, gb1);
                float lamB = sum(lam1.fma(b1, lam0.mul(b0)), lanes);
                FloatVector a0 = FloatVector.fromArray(SP, a, en), a1 = FloatVector.fromArray(SP, a, en + VL);
                float ddelta = sum(lp1.fma(a1, lp0.mul(a0)), lanes);
                lp0.fma(deltaV, FloatVector.fromArray(SP, pA, en)).intoArray(pA, en);
                lp1.fma(deltaV, FloatVector.fromArray(SP, pA, en + VL)).intoArray(pA, en + VL);
                ab0.mul(lam0).intoArray(carry, en);
                ab1.mul(lam1).intoArray(carry, en + VL);
                gu[ti] = d[e] * gt + delta * lamB;
                ddelta += ut * lamB;
                float ddr = x > SOFTPLUS_THRESHOLD ? ddelta : ddelta * sigmoid(x); // 6.
                gdr[ti] = ddr;
                pDb[e] += ddr;
            }
            gb0.intoArray(gb, rowN); // rows were zeroed and belong to step t only
            gb1.intoArray(gb, rowN + VL);
            gc0.intoArray(gc, rowN);
            gc1.intoArray(gc, rowN + VL);
        }
    }
}
