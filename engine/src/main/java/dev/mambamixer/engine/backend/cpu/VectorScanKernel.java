package dev.mambamixer.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API scan: the n loop (N = 16 in every model here) runs as FloatVector lanes of the
 * preferred species, so the per-step exp(δ·A) is a vector EXP. Lanes past the last full vector
 * fall back to scalar code. Only loaded when jdk.incubator.vector is present (see CpuBackend).
 */
public final class VectorScanKernel extends ScanKernel {

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;

    @Override public String name() { return "vector-" + SP.length() + "x32"; }

    @Override
    public void forward(int s, int L, int E, int N, int chunk,
                        float[] u, float[] dr, float[] a, float[] b, float[] c,
                        float[] d, float[] z, float[] db, float[] out, float[] ck, float[] h) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk, NV = SP.loopBound(N), VL = SP.length();
        Arrays.fill(h, 0, EN, 0f); // h_{-1} = 0
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
                    FloatVector abar = FloatVector.fromArray(SP, a, en + n).mul(delta).lanewise(VectorOperators.EXP);
                    FloatVector hv = FloatVector.fromArray(SP, b, rowN + n)
                        .fma(duV, abar.mul(FloatVector.fromArray(SP, h, en + n)));
                    hv.intoArray(h, en + n);
                    yv = FloatVector.fromArray(SP, c, rowN + n).fma(hv, yv);
                }
                float y = d[e] * ut + yv.reduceLanes(VectorOperators.ADD);
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
        Arrays.fill(gb, s * L * N, (s + 1) * L * N, 0f); // dB, dC sum over e
        Arrays.fill(gc, s * L * N, (s + 1) * L * N, 0f);
        Arrays.fill(carry, 0, EN, 0f); // nothing flows in from t = L
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
                        FloatVector abar = FloatVector.fromArray(SP, a, en + n).mul(delta).lanewise(VectorOperators.EXP);
                        abar.intoArray(abuf, ab + en + n);
                        FloatVector hv = FloatVector.fromArray(SP, b, rowN + n)
                            .fma(duV, abar.mul(FloatVector.fromArray(SP, hbuf, prev + en + n)));
                        hv.intoArray(hbuf, cur + en + n);
                        yv = FloatVector.fromArray(SP, c, rowN + n).fma(hv, yv);
                    }
                    float y = d[e] * ut + yv.reduceLanes(VectorOperators.ADD);
                    for (; n < N; n++) {
                        float abar = (float) Math.exp(delta * a[en + n]);
                        abuf[ab + en + n] = abar;
                        float hn = abar * hbuf[prev + en + n] + du * b[rowN + n];
                        hbuf[cur + en + n] = hn;
                        y += c[rowN + n] * hn;
                    }
                    ybuf[(t - t0) * E + e] = y;
                }
            }
            for (int t = t1 - 1; t >= t0; t--) {
                int rowE = (s * L + t) * E, rowN = (s * L + t) * N;
                int prev = (t - t0) * EN, cur = prev + EN, ab = (t - t0) * EN;
                for (int e = 0; e < E; e++) {
                    int ti = rowE + e, en = e * N;
                    float x = dr[ti] + db[e];
                    float delta = softplus20(x);
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
                    float lamB = lamBv.reduceLanes(VectorOperators.ADD);
                    float ddelta = ddv.reduceLanes(VectorOperators.ADD);
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
}
