package dev.mambamixer.engine.backend.cpu;

import java.util.Arrays;

/** Scalar float32 scan: the fallback when the Vector API is disabled or unavailable. */
public final class ScalarScanKernel extends ScanKernel {

    @Override public String name() { return "scalar"; }

    // Per-thread work buffers (blocks run on pool workers).
    private static final Scratch H = new Scratch(), HBUF = new Scratch(), ABUF = new Scratch(),
        YBUF = new Scratch(), CARRY = new Scratch();

    @Override
    public void forwardBlock(int s0, int s1, ScanArrays in, float[] out, float[] ck) {
        final int L = in.l(), E = in.e(), N = in.n(), chunk = in.chunk();
        final float[] u = in.u(), dr = in.dr(), a = in.a(), b = in.b(), c = in.c(), d = in.d(), z = in.z(), db = in.db();
        float[] h = H.get(E * N);
        for (int s = s0; s < s1; s++) forward(s, L, E, N, chunk, u, dr, a, b, c, d, z, db, out, ck, h);
    }

    @Override
    public void backwardBlock(int s0, int s1, ScanArrays in, float[] ck, float[] g, ScanGradArrays grads,
                              float[] pA, float[] pD, float[] pDb) {
        final int L = in.l(), E = in.e(), N = in.n(), chunk = in.chunk();
        final float[] u = in.u(), dr = in.dr(), a = in.a(), b = in.b(), c = in.c(), d = in.d(), z = in.z(), db = in.db();
        final float[] gu = grads.gu(), gdr = grads.gdr(), gb = grads.gb(), gc = grads.gc(), gz = grads.gz();
        int rc = Math.min(chunk, L), EN = E * N; // recompute rows: a chunk never exceeds L steps
        float[] hbuf = HBUF.get((rc + 1) * EN), abuf = ABUF.get(rc * EN);
        float[] ybuf = YBUF.get(2 * rc * E), carry = CARRY.get(EN);
        for (int s = s0; s < s1; s++)
            backward(s, L, E, N, chunk, u, dr, a, b, c, d, z, db, ck, g, gu, gdr, gb, gc, gz, pA, pD, pDb,
                hbuf, abuf, ybuf, carry);
    }

    /** One sequence; {@code h} is an E*N work buffer (the running state, (E, N)). */
    private static void forward(int s, int L, int E, int N, int chunk,
                        float[] u, float[] dr, float[] a, float[] b, float[] c,
                        float[] d, float[] z, float[] db, float[] out, float[] ck, float[] h) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk;
        Arrays.fill(h, 0, EN, 0f); // h_{-1} = 0
        for (int t = 0; t < L; t++) {
            if (t % chunk == 0) System.arraycopy(h, 0, ck, (s * NC + t / chunk) * EN, EN);
            int rowE = (s * L + t) * E, rowN = (s * L + t) * N; // (s, t, 0) in (S,L,E) / (S,L,N)
            for (int e = 0; e < E; e++) {
                float delta = softplus20(dr[rowE + e] + db[e]);
                float ut = u[rowE + e];
                float du = delta * ut;
                float y = d[e] * ut;
                int en = e * N;
                for (int n = 0; n < N; n++) {
                    float hn = (float) Math.exp(delta * a[en + n]) * h[en + n] + du * b[rowN + n];
                    h[en + n] = hn;
                    y += c[rowN + n] * hn;
                }
                if (z == null) out[rowE + e] = y;
                else { float zt = z[rowE + e]; out[rowE + e] = y * zt * sigmoid(zt); }
            }
        }
    }

    /**
     * One sequence. Work buffers: hbuf (chunk+1)*E*N (states h_{t0-1}..h_{t1-1} of the current
     * chunk), abuf chunk*E*N (Ā_t), ybuf 2*chunk*E (pre-gate y_t then δ_t), carry E*N (Ā_{t+1}·λ_{t+1}).
     */
    private static void backward(int s, int L, int E, int N, int chunk,
                         float[] u, float[] dr, float[] a, float[] b, float[] c,
                         float[] d, float[] z, float[] db, float[] ck, float[] g,
                         float[] gu, float[] gdr, float[] gb, float[] gc, float[] gz,
                         float[] pA, float[] pD, float[] pDb,
                         float[] hbuf, float[] abuf, float[] ybuf, float[] carry) {
        final int EN = E * N, NC = (L + chunk - 1) / chunk;
        // dB, dC sum over e: zero this sequence's rows, then accumulate.
        Arrays.fill(gb, s * L * N, (s + 1) * L * N, 0f);
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
                    float y = d[e] * ut;
                    int en = e * N;
                    for (int n = 0; n < N; n++) {
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
                    float dut = d[e] * gt;
                    float du = delta * ut;
                    float ddelta = 0f, lamB = 0f;
                    for (int n = 0; n < N; n++) {
                        float abar = abuf[ab + en + n];
                        float lam = gt * c[rowN + n] + carry[en + n]; // 4. λ_t = g C + Ā_{t+1} λ_{t+1}
                        float p = abar * hbuf[prev + en + n];         // 5. p_t = Ā_t h_{t-1}
                        gc[rowN + n] += gt * hbuf[cur + en + n];     // 3.
                        gb[rowN + n] += lam * du;
                        lamB += lam * b[rowN + n];
                        float lp = lam * p;
                        ddelta += lp * a[en + n];
                        pA[en + n] += lp * delta;
                        carry[en + n] = abar * lam;
                    }
                    gu[ti] = dut + delta * lamB;
                    ddelta += ut * lamB;
                    float ddr = x > SOFTPLUS_THRESHOLD ? ddelta : ddelta * sigmoid(x); // 6.
                    gdr[ti] = ddr;
                    pDb[e] += ddr;
                }
            }
        }
    }
}
