package dev.mambamixer.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API scan (MODEL.md §3.2, §3.3), vectorised over the channel axis e: one FloatVector holds
 * VL channels of one state index n. Every step t then needs no horizontal sums for y, λ·B and
 * dδ (they accumulate over n lane-wise, in n order), the per-channel work (softplus, gate,
 * skip, dδ → dΔraw) is vectorised too, and only the dB/dC sums over e need one lane sum per
 * (t, n). Internally the state, Ā and λ-carry are (N, EP) with EP = E rounded up to VL; the padding
 * lanes hold δ = u = g = 0, so they stay 0 and add nothing to dB/dC. Only loaded when
 * jdk.incubator.vector is present (see CpuKernels).
 *
 * <p>C2 notes (JDK 17): a FloatVector that crosses a call C2 did not inline is boxed (an
 * allocation per call), and big methods hit NodeCountInliningCutoff. So vectors never cross a
 * method boundary except into the small {@link #exp}, and each kernel method holds at most two
 * exp calls.
 *
 * <p>Bit-reproducibility: VectorOperators.EXP and reduceLanes(ADD) may give different bits in
 * the interpreter, C1 and C2 (SVML vs Math.exp, unspecified reduction order), so a result would
 * change as the JIT warms up. Instead exp is a polynomial built from IEEE-exact lane-wise ops
 * ({@link #exp}), every accumulation has a fixed order, and lane sums go through an array.
 */
public final class VectorScanKernel extends ScanKernel {

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();

    @Override public String name() { return "vector-" + VL + "x32"; }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f; // Cody-Waite split of ln 2
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer (round to nearest even). */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    private static final int CLAMP_BITS = 0x42B00000; // 88.0f

    /**
     * exp(x) for float lanes, ~1-2 ulp (Cephes expf polynomial, Cody-Waite reduction). |x| is
     * clamped to 88 first, so exp(x) for x <= -88 is 0 (absolute error < 1.2e-38) and large x
     * saturates at e^88 ≈ 1.65e38. The clamp works on the bit pattern (|x| bits min 88f bits,
     * sign put back; four 1-cycle integer ops): JDK 17 C2 lowers FloatVector max/min to ~5
     * instructions each (NaN and ±0 ordering), which made two float clamps ~40% of this
     * function, and a mask blend is no cheaper. NaN becomes ±88 here; every caller combines the
     * result with x itself, so NaN still propagates. Uses only IEEE-exact lane-wise ops (add,
     * mul, fma, integer ops), so every JIT tier gives the same bits.
     */
    public static FloatVector exp(FloatVector x) {
        IntVector bits = (IntVector) x.reinterpretAsInts();
        x = bits.and(0x7FFFFFFF).min(CLAMP_BITS).or(bits.and(0x80000000)).reinterpretAsFloats();
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
        // 2^k: the integer k sits in the low mantissa bits of t; k + 127 (in [0, 254] for
        // |x| <= 88; 0 gives +0.0) goes into the exponent field.
        IntVector kb = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127);
        return y.mul(kb.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** Bits of -125f: the lower clamp of {@link #exp2NonPositive} (2^-125 is still a normal float). */
    private static final int NEG125_BITS = 0xC2FA0000;

    /**
     * 2^x for lanes with x ≤ -0.0 (the scan's δ·A·log₂e: δ ≥ 0, A < 0, so even δ = 0 gives -0.0),
     * ~2 ulp; the state update's exp in 13 lane ops instead of {@link #exp}'s 20. Working in base 2
     * drops the Cody-Waite reduction (k = round(x), f = x - k is exact), and the clamp to -125 is
     * one integer min: for floats with the sign bit set, the bit pattern as a signed int grows as
     * the value falls. Below -125 the result is 2^-125·p(f) instead of ~0 (absolute error < 3e-38).
     * The polynomial is a degree-6 Chebyshev fit of 2^f on [-1/2, 1/2] (relative error 1e-7 in
     * float Horner, made by scripts/exp2-coefficients.py). A positive NaN lane gives ~0 here; NaN
     * still reaches the state through δ·u.
     */
    public static FloatVector exp2NonPositive(FloatVector x) {
        x = ((IntVector) x.reinterpretAsInts()).min(NEG125_BITS).reinterpretAsFloats();
        FloatVector t = x.add(MAGIC);
        FloatVector f = x.sub(t.sub(MAGIC)); // in [-1/2, 1/2]
        FloatVector p = FloatVector.broadcast(SP, 1.5469732170458883e-4f);
        p = p.fma(f, FloatVector.broadcast(SP, 1.3400432653725147e-3f));
        p = p.fma(f, FloatVector.broadcast(SP, 9.61802527308464e-3f));
        p = p.fma(f, FloatVector.broadcast(SP, 5.550327152013779e-2f));
        p = p.fma(f, FloatVector.broadcast(SP, 0.24022650718688965f));
        p = p.fma(f, FloatVector.broadcast(SP, 0.6931471824645996f));
        p = p.fma(f, FloatVector.broadcast(SP, 1f));
        IntVector kb = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127);
        return p.mul(kb.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** σ(x) = 1 / (1 + e^-x) lane-wise (exactly 1 for x > 17, < 1e-38 for x < -87). */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(SP, 1f);
        return one.div(exp(x.mul(-1f)).add(one));
    }

    /**
     * softplus₂₀ lane-wise: max(x, 0) + log1p(e^-|x|), with log1p(y) = 2 atanh(s), s = y/(2+y)
     * ≤ 1/3, as the odd series to s¹⁵ (truncation < 3e-9 relative), so ~2 ulp. Above 17 the log1p
     * term is below half an ulp of x, so this is exactly x there, as the threshold-20 rule asks.
     */
    public static FloatVector softplus(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector y = exp(ax.mul(-1f)); // e^-|x| in (0, 1]
        FloatVector s = y.div(y.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = FloatVector.broadcast(SP, 1f / 15f);
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 13f));
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 11f));
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 9f));
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 7f));
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 5f));
        p = p.fma(s2, FloatVector.broadcast(SP, 1f / 3f));
        FloatVector log1p = p.mul(s2).fma(s, s).mul(2f); // 2(s + s³ p(s²))
        return x.add(ax).mul(0.5f).add(log1p); // max(x, 0) = (x + |x|)/2 exactly, cheaper than max
    }

    private static int padded(int e) { return (e + VL - 1) / VL * VL; }

    // Per-thread work buffers (blocks run on pool workers).
    private static final Scratch AT = new Scratch(), AT2 = new Scratch(), STATE = new Scratch(), ROWS = new Scratch(),
        HBUF = new Scratch(), ABUF = new Scratch(), CARRY = new Scratch(), PART = new Scratch(), ACC = new Scratch();

    /** A (E, N) -> (N, EP) with zero padding lanes. */
    private static float[] transposeA(float[] a, int E, int N, int EP) {
        return transposeA(AT, a, 1f, E, N, EP);
    }

    /** A·log₂e (E, N) -> (N, EP): the exponent of Ā = 2^(δ·A·log₂e) ({@link #exp2NonPositive}). */
    private static float[] transposeA2(float[] a, int E, int N, int EP) {
        return transposeA(AT2, a, LOG2E, E, N, EP);
    }

    private static float[] transposeA(Scratch slot, float[] a, float scale, int E, int N, int EP) {
        float[] at = slot.get(N * EP);
        Arrays.fill(at, 0, N * EP, 0f);
        for (int e = 0; e < E; e++)
            for (int n = 0; n < N; n++) at[n * EP + e] = a[e * N + n] * scale;
        return at;
    }

    // ================================================================ forward

    // Each kernel runs per chunk in phases: the per-channel rows of the whole chunk (δ, gate,
    // output, input gradients) in their own small loops, the per-state recurrences in theirs. C2
    // compiles each phase as a small unit; inlined into one big per-step loop, the row phases' exp
    // fell out of the Vector API intrinsics into their slow Java fallbacks (seen in JFR profiles).

    @Override
    public void forwardBlock(int s0, int s1, ScanArrays in, float[] out, float[] ck) {
        final int L = in.l(), E = in.e(), N = in.n(), chunk = in.chunk();
        final float[] u = in.u(), dr = in.dr(), a = in.a(), b = in.b(), c = in.c(), d = in.d(), z = in.z(), db = in.db();
        final int EP = padded(E), NEP = N * EP, NC = (L + chunk - 1) / chunk, rc = Math.min(chunk, L);
        float[] at2 = transposeA2(a, E, N, EP);
        float[] h = STATE.get(NEP);               // (N, EP)
        final int D0 = 0, DU0 = rc * EP, Y0 = 2 * rc * EP;
        float[] rows = ROWS.get(3 * rc * EP);     // per step of the chunk: δ_t, δ_t·u_t, Σ_n C h_t (each EP)
        for (int s = s0; s < s1; s++) {
            Arrays.fill(h, 0, NEP, 0f); // h_{-1} = 0
            for (int ch = 0; ch < NC; ch++) {
                int t0 = ch * chunk, t1 = Math.min(L, t0 + chunk), rowE0 = (s * L + t0) * E;
                storeState(h, ck, (s * NC + ch) * E * N, E, N, EP, ch == 0);
                deltaRows(u, dr, db, rowE0, t1 - t0, E, EP, rows, D0, DU0);
                for (int t = t0; t < t1; t++) {
                    int k = t - t0;
                    stepForward(h, at2, rows, D0 + k * EP, DU0 + k * EP, Y0 + k * EP, b, c, (s * L + t) * N, N, EP);
                }
                outputRows(u, d, z, rows, Y0, rowE0, t1 - t0, E, EP, out);
            }
        }
    }

    /** h (N, EP) -> ck[off..] as (E, N). */
    private static void storeState(float[] h, float[] ck, int off, int E, int N, int EP, boolean first) {
        if (first) { Arrays.fill(ck, off, off + E * N, 0f); return; } // h_{-1} = 0: no transpose needed
        for (int e = 0; e < E; e++)
            for (int n = 0; n < N; n++) ck[off + e * N + n] = h[n * EP + e];
    }

    /** ck[off..] (E, N) -> h (N, EP), padding lanes 0; the first chunk starts from h_{-1} = 0. */
    private static void loadState(float[] ck, int off, float[] h, int E, int N, int EP, boolean first) {
        Arrays.fill(h, 0, N * EP, 0f);
        if (first) return;
        for (int e = 0; e < E; e++)
            for (int n = 0; n < N; n++) h[n * EP + e] = ck[off + e * N + n];
    }

    /** For {@code count} steps from row rowE0: δ = softplus₂₀(Δraw + bias) into rows[dOff + k·EP..], δ·u into rows[duOff + k·EP..]; padding lanes 0. */
    private static void deltaRows(float[] u, float[] dr, float[] db, int rowE0, int count, int E, int EP,
                                  float[] rows, int dOff, int duOff) {
        int ev = SP.loopBound(E);
        for (int k = 0; k < count; k++) {
            int rowE = rowE0 + k * E, ro = dOff + k * EP, ru = duOff + k * EP, e = 0;
            for (; e < ev; e += VL) {
                FloatVector delta = softplus(FloatVector.fromArray(SP, dr, rowE + e).add(FloatVector.fromArray(SP, db, e)));
                delta.intoArray(rows, ro + e);
                delta.mul(FloatVector.fromArray(SP, u, rowE + e)).intoArray(rows, ru + e);
            }
            for (; e < E; e++) {
                float delta = softplus20(dr[rowE + e] + db[e]);
                rows[ro + e] = delta;
                rows[ru + e] = delta * u[rowE + e];
            }
            for (; e < EP; e++) { rows[ro + e] = 0f; rows[ru + e] = 0f; }
        }
    }

    /** h_t = Ā h_{t-1} + δu B (in place), Σ_n C h_t into rows[yOff..]; Ā = exp(δ A) = 2^(δ·at2), at2 = A·log₂e. */
    private static void stepForward(float[] h, float[] at2, float[] rows, int dOff, int duOff, int yOff, float[] b, float[] c,
                                    int rowN, int N, int EP) {
        for (int e = 0; e < EP; e += VL) {
            FloatVector delta = FloatVector.fromArray(SP, rows, dOff + e), du = FloatVector.fromArray(SP, rows, duOff + e);
            FloatVector y = FloatVector.zero(SP);
            for (int n = 0, i = e; n < N; n++, i += EP) {
                FloatVector abar = exp2NonPositive(FloatVector.fromArray(SP, at2, i).mul(delta));
                FloatVector hv = du.fma(FloatVector.broadcast(SP, b[rowN + n]), abar.mul(FloatVector.fromArray(SP, h, i)));
                hv.intoArray(h, i);
                y = hv.fma(FloatVector.broadcast(SP, c[rowN + n]), y);
            }
            y.intoArray(rows, yOff + e);
        }
    }

    /** For {@code count} steps from row rowE0: out = (Σ_n C h + D u) [· SiLU(z)], Σ_n C h in rows[yOff + k·EP..]. */
    private static void outputRows(float[] u, float[] d, float[] z, float[] rows, int yOff, int rowE0, int count, int E, int EP,
                                   float[] out) {
        int ev = SP.loopBound(E);
        for (int k = 0; k < count; k++) {
            int rowE = rowE0 + k * E, ry = yOff + k * EP, e = 0;
            for (; e < ev; e += VL) {
                FloatVector y = FloatVector.fromArray(SP, d, e).fma(FloatVector.fromArray(SP, u, rowE + e),
                    FloatVector.fromArray(SP, rows, ry + e));
                if (z != null) {
                    FloatVector zt = FloatVector.fromArray(SP, z, rowE + e);
                    y = y.mul(zt).mul(sigmoid(zt));
                }
                y.intoArray(out, rowE + e);
            }
            for (; e < E; e++) {
                float y = d[e] * u[rowE + e] + rows[ry + e];
                if (z != null) { float zt = z[rowE + e]; y = y * zt * sigmoid(zt); }
                out[rowE + e] = y;
            }
        }
    }

    // ================================================================ backward

    @Override
    public void backwardBlock(int s0, int s1, ScanArrays in, float[] ck, float[] g, ScanGradArrays grads,
                              float[] pA, float[] pD, float[] pDb) {
        final int L = in.l(), E = in.e(), N = in.n(), chunk = in.chunk();
        final float[] u = in.u(), dr = in.dr(), a = in.a(), b = in.b(), c = in.c(), d = in.d(), z = in.z(), db = in.db();
        final float[] gu = grads.gu(), gdr = grads.gdr(), gb = grads.gb(), gc = grads.gc(), gz = grads.gz();
        final int EP = padded(E), NEP = N * EP, NC = (L + chunk - 1) / chunk, rc = Math.min(chunk, L);
        float[] at = transposeA(a, E, N, EP), at2 = transposeA2(a, E, N, EP);
        float[] hbuf = HBUF.get((rc + 1) * NEP);  // h_{t0-1} .. h_{t1-1}, each (N, EP)
        float[] abuf = ABUF.get(rc * NEP);        // Ā_t, (N, EP)
        float[] carry = CARRY.get(NEP);           // Ā_{t+1} λ_{t+1}, (N, EP)
        // Per-step rows of the chunk (each rc × EP): δ_t, δ_t·u_t, Σ_n C h_t, gt, Σ_n λ B, dδ.
        final int D0 = 0, DU0 = rc * EP, Y0 = 2 * rc * EP, GT0 = 3 * rc * EP, LB0 = 4 * rc * EP, DD0 = 5 * rc * EP;
        float[] rows = ROWS.get(6 * rc * EP);
        float[] part = PART.get(NEP + 2 * EP);    // block partials: dA (N, EP), dD (EP), dΔbias (EP)
        Arrays.fill(part, 0, NEP + 2 * EP, 0f);
        float[] acc = ACC.get(2 * N * VL);        // per-n lane partials of dC then dB for one step
        for (int s = s0; s < s1; s++) {
            Arrays.fill(carry, 0, NEP, 0f); // nothing flows in from t = L
            for (int ch = NC - 1; ch >= 0; ch--) {
                int t0 = ch * chunk, t1 = Math.min(L, t0 + chunk), count = t1 - t0, rowE0 = (s * L + t0) * E;
                // Recompute h_t, Ā_t, δ_t and Σ_n C h_t inside the chunk from its checkpoint.
                loadState(ck, (s * NC + ch) * E * N, hbuf, E, N, EP, ch == 0);
                deltaRows(u, dr, db, rowE0, count, E, EP, rows, D0, DU0);
                for (int t = t0; t < t1; t++) {
                    int k = t - t0;
                    stepRecompute(hbuf, k * NEP, abuf, k * NEP, at2, rows, D0 + k * EP, DU0 + k * EP, Y0 + k * EP,
                        b, c, (s * L + t) * N, N, EP);
                }
                gateRows(u, d, z, g, gz, rows, Y0, GT0, rowE0, count, E, EP, part, NEP);
                for (int t = t1 - 1; t >= t0; t--) {
                    int k = t - t0;
                    stepReverse(hbuf, k * NEP, abuf, k * NEP, carry, at, part, rows, GT0 + k * EP, D0 + k * EP, DU0 + k * EP,
                        LB0 + k * EP, DD0 + k * EP, b, c, (s * L + t) * N, N, EP, acc, gb, gc);
                }
                inputRows(u, dr, db, d, rows, GT0, D0, LB0, DD0, rowE0, count, E, EP, gu, gdr, part, NEP + EP);
            }
        }
        // Block partials in the caller's layouts: dA (E, N), dD (E), dΔbias (E).
        for (int e = 0; e < E; e++) {
            for (int n = 0; n < N; n++) pA[e * N + n] += part[n * EP + e];
            pD[e] += part[NEP + e];
            pDb[e] += part[NEP + EP + e];
        }
    }

    /** As {@link #stepForward}, keeping Ā_t in abuf and h_t in hbuf after h_{t-1}. */
    private static void stepRecompute(float[] hbuf, int prev, float[] abuf, int ab, float[] at2, float[] rows,
                                      int dOff, int duOff, int yOff, float[] b, float[] c, int rowN, int N, int EP) {
        final int cur = prev + N * EP;
        for (int e = 0; e < EP; e += VL) {
            FloatVector delta = FloatVector.fromArray(SP, rows, dOff + e), du = FloatVector.fromArray(SP, rows, duOff + e);
            FloatVector y = FloatVector.zero(SP);
            for (int n = 0, i = e; n < N; n++, i += EP) {
                FloatVector abar = exp2NonPositive(FloatVector.fromArray(SP, at2, i).mul(delta));
                abar.intoArray(abuf, ab + i);
                FloatVector hv = du.fma(FloatVector.broadcast(SP, b[rowN + n]), abar.mul(FloatVector.fromArray(SP, hbuf, prev + i)));
                hv.intoArray(hbuf, cur + i);
                y = hv.fma(FloatVector.broadcast(SP, c[rowN + n]), y);
            }
            y.intoArray(rows, yOff + e);
        }
    }

    /**
     * MODEL.md §3.3 steps 1-2 for {@code count} steps from row rowE0: gt = g·SiLU(z) into
     * rows[gtOff + k·EP..] (gz written), dD partial += gt·u. Padding lanes of gt are 0.
     */
    private static void gateRows(float[] u, float[] d, float[] z, float[] g, float[] gz,
                                 float[] rows, int yOff, int gtOff, int rowE0, int count, int E, int EP,
                                 float[] part, int pdOff) {
        int ev = SP.loopBound(E);
        for (int k = 0; k < count; k++) {
            int rowE = rowE0 + k * E, ry = yOff + k * EP, rg = gtOff + k * EP, e = 0;
            for (; e < ev; e += VL) {
                FloatVector gt = FloatVector.fromArray(SP, g, rowE + e), ut = FloatVector.fromArray(SP, u, rowE + e);
                if (z != null) { // y is pre-gate, includes D·u
                    FloatVector zt = FloatVector.fromArray(SP, z, rowE + e), sg = sigmoid(zt);
                    FloatVector y = FloatVector.fromArray(SP, d, e).fma(ut, FloatVector.fromArray(SP, rows, ry + e));
                    // gz = g y σ (1 + z (1 - σ))
                    FloatVector one = FloatVector.broadcast(SP, 1f);
                    gt.mul(y).mul(sg).mul(zt.mul(one.sub(sg)).add(one)).intoArray(gz, rowE + e);
                    gt = gt.mul(zt).mul(sg);
                }
                gt.intoArray(rows, rg + e);
                gt.fma(ut, FloatVector.fromArray(SP, part, pdOff + e)).intoArray(part, pdOff + e);
            }
            for (; e < E; e++) {
                float gt = g[rowE + e], ut = u[rowE + e];
                if (z != null) {
                    float zt = z[rowE + e], sg = sigmoid(zt), y = d[e] * ut + rows[ry + e];
                    gz[rowE + e] = gt * y * sg * (zt * (1f - sg) + 1f);
                    gt = gt * zt * sg;
                }
                rows[rg + e] = gt;
                part[pdOff + e] += gt * ut;
            }
            for (; e < EP; e++) rows[rg + e] = 0f;
        }
    }

    /**
     * MODEL.md §3.3 steps 3-5 for one step, all channels: λ_t = gt C + Ā_{t+1} λ_{t+1}; dC_t = Σ_e gt h_t,
     * dB_t = Σ_e λ δu (one fixed-order lane sum per n); Σ_n λ B and dδ = Σ_n λ Ā h_{t-1} A into
     * rows[lbOff..], rows[ddOff..]; dA partial += λ Ā h_{t-1} δ; carry = Ā_t λ_t.
     *
     * <p>Channels go in blocks of four vectors ({@link #reverseBlock4}): the per-n dC/dB partials of a
     * block then stay in registers and reach acc once per block, where one vector at a time loaded,
     * added and stored them for every (n, vector) — that traffic had been a third of this method's time.
     */
    private static void stepReverse(float[] hbuf, int prev, float[] abuf, int ab, float[] carry, float[] at,
                                    float[] pa, float[] rows, int gtOff, int dOff, int duOff, int lbOff, int ddOff,
                                    float[] b, float[] c, int rowN, int N, int EP, float[] acc, float[] gb, float[] gc) {
        final int accB = N * VL, e4 = EP / (4 * VL) * (4 * VL);
        if (e4 == 0) Arrays.fill(acc, 0, 2 * N * VL, 0f);
        for (int e = 0; e < e4; e += 4 * VL)
            reverseBlock4(hbuf, prev, abuf, ab, carry, at, pa, rows, gtOff + e, dOff + e, duOff + e, lbOff + e, ddOff + e,
                          b, c, rowN, N, EP, e, acc, e == 0);
        for (int e = e4; e < EP; e += VL)
            reverseVector(hbuf, prev, abuf, ab, carry, at, pa, rows, gtOff + e, dOff + e, duOff + e, lbOff + e, ddOff + e,
                          b, c, rowN, N, EP, e, acc);
        for (int n = 0; n < N; n++) { // lane sums in lane order
            float sc = 0f, sb = 0f;
            for (int j = 0; j < VL; j++) { sc += acc[n * VL + j]; sb += acc[accB + n * VL + j]; }
            gc[rowN + n] = sc;
            gb[rowN + n] = sb;
        }
    }

    /**
     * {@link #stepReverse} for the four channel vectors from e; rows offsets already include e. With
     * {@code first} the block's dC/dB partials are stored into acc, else added to it.
     */
    private static void reverseBlock4(float[] hbuf, int prev, float[] abuf, int ab, float[] carry, float[] at,
                                      float[] pa, float[] rows, int gt, int dl, int du, int lb, int dd,
                                      float[] b, float[] c, int rowN, int N, int EP, int e, float[] acc, boolean first) {
        final int cur = prev + N * EP, accB = N * VL;
        FloatVector gt0 = FloatVector.fromArray(SP, rows, gt), gt1 = FloatVector.fromArray(SP, rows, gt + VL),
            gt2 = FloatVector.fromArray(SP, rows, gt + 2 * VL), gt3 = FloatVector.fromArray(SP, rows, gt + 3 * VL);
        FloatVector du0 = FloatVector.fromArray(SP, rows, du), du1 = FloatVector.fromArray(SP, rows, du + VL),
            du2 = FloatVector.fromArray(SP, rows, du + 2 * VL), du3 = FloatVector.fromArray(SP, rows, du + 3 * VL);
        FloatVector lb0 = FloatVector.zero(SP), lb1 = lb0, lb2 = lb0, lb3 = lb0, dd0 = lb0, dd1 = lb0, dd2 = lb0, dd3 = lb0;
        for (int n = 0, i = e; n < N; n++, i += EP) {
            FloatVector cn = FloatVector.broadcast(SP, c[rowN + n]), bn = FloatVector.broadcast(SP, b[rowN + n]);
            // vector 0
            FloatVector abar = FloatVector.fromArray(SP, abuf, ab + i);
            FloatVector lam = gt0.fma(cn, FloatVector.fromArray(SP, carry, i));
            FloatVector sumC = gt0.mul(FloatVector.fromArray(SP, hbuf, cur + i)), sumB = lam.mul(du0);
            lb0 = lam.fma(bn, lb0);
            FloatVector lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + i)));
            dd0 = lp.fma(FloatVector.fromArray(SP, at, i), dd0);
            lp.fma(FloatVector.fromArray(SP, rows, dl), FloatVector.fromArray(SP, pa, i)).intoArray(pa, i);
            abar.mul(lam).intoArray(carry, i);
            // vector 1
            int i1 = i + VL;
            abar = FloatVector.fromArray(SP, abuf, ab + i1);
            lam = gt1.fma(cn, FloatVector.fromArray(SP, carry, i1));
            sumC = gt1.fma(FloatVector.fromArray(SP, hbuf, cur + i1), sumC);
            sumB = lam.fma(du1, sumB);
            lb1 = lam.fma(bn, lb1);
            lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + i1)));
            dd1 = lp.fma(FloatVector.fromArray(SP, at, i1), dd1);
            lp.fma(FloatVector.fromArray(SP, rows, dl + VL), FloatVector.fromArray(SP, pa, i1)).intoArray(pa, i1);
            abar.mul(lam).intoArray(carry, i1);
            // vector 2
            int i2 = i + 2 * VL;
            abar = FloatVector.fromArray(SP, abuf, ab + i2);
            lam = gt2.fma(cn, FloatVector.fromArray(SP, carry, i2));
            sumC = gt2.fma(FloatVector.fromArray(SP, hbuf, cur + i2), sumC);
            sumB = lam.fma(du2, sumB);
            lb2 = lam.fma(bn, lb2);
            lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + i2)));
            dd2 = lp.fma(FloatVector.fromArray(SP, at, i2), dd2);
            lp.fma(FloatVector.fromArray(SP, rows, dl + 2 * VL), FloatVector.fromArray(SP, pa, i2)).intoArray(pa, i2);
            abar.mul(lam).intoArray(carry, i2);
            // vector 3
            int i3 = i + 3 * VL;
            abar = FloatVector.fromArray(SP, abuf, ab + i3);
            lam = gt3.fma(cn, FloatVector.fromArray(SP, carry, i3));
            sumC = gt3.fma(FloatVector.fromArray(SP, hbuf, cur + i3), sumC);
            sumB = lam.fma(du3, sumB);
            lb3 = lam.fma(bn, lb3);
            lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + i3)));
            dd3 = lp.fma(FloatVector.fromArray(SP, at, i3), dd3);
            lp.fma(FloatVector.fromArray(SP, rows, dl + 3 * VL), FloatVector.fromArray(SP, pa, i3)).intoArray(pa, i3);
            abar.mul(lam).intoArray(carry, i3);
            if (!first) {
                sumC = sumC.add(FloatVector.fromArray(SP, acc, n * VL));
                sumB = sumB.add(FloatVector.fromArray(SP, acc, accB + n * VL));
            }
            sumC.intoArray(acc, n * VL);
            sumB.intoArray(acc, accB + n * VL);
        }
        lb0.intoArray(rows, lb); lb1.intoArray(rows, lb + VL); lb2.intoArray(rows, lb + 2 * VL); lb3.intoArray(rows, lb + 3 * VL);
        dd0.intoArray(rows, dd); dd1.intoArray(rows, dd + VL); dd2.intoArray(rows, dd + 2 * VL); dd3.intoArray(rows, dd + 3 * VL);
    }

    /** {@link #stepReverse} for the one channel vector from e; rows offsets already include e; dC/dB partials added to acc. */
    private static void reverseVector(float[] hbuf, int prev, float[] abuf, int ab, float[] carry, float[] at,
                                      float[] pa, float[] rows, int gtOff, int dOff, int duOff, int lbOff, int ddOff,
                                      float[] b, float[] c, int rowN, int N, int EP, int e, float[] acc) {
        final int cur = prev + N * EP, accB = N * VL;
        FloatVector gt = FloatVector.fromArray(SP, rows, gtOff);
        FloatVector delta = FloatVector.fromArray(SP, rows, dOff), du = FloatVector.fromArray(SP, rows, duOff);
        FloatVector lamB = FloatVector.zero(SP), dd = FloatVector.zero(SP);
        for (int n = 0, i = e; n < N; n++, i += EP) {
            FloatVector abar = FloatVector.fromArray(SP, abuf, ab + i);
            FloatVector lam = gt.fma(FloatVector.broadcast(SP, c[rowN + n]), FloatVector.fromArray(SP, carry, i));
            gt.fma(FloatVector.fromArray(SP, hbuf, cur + i), FloatVector.fromArray(SP, acc, n * VL)).intoArray(acc, n * VL);
            lam.fma(du, FloatVector.fromArray(SP, acc, accB + n * VL)).intoArray(acc, accB + n * VL);
            lamB = lam.fma(FloatVector.broadcast(SP, b[rowN + n]), lamB);
            FloatVector lp = lam.mul(abar.mul(FloatVector.fromArray(SP, hbuf, prev + i)));
            dd = lp.fma(FloatVector.fromArray(SP, at, i), dd);
            lp.fma(delta, FloatVector.fromArray(SP, pa, i)).intoArray(pa, i);
            abar.mul(lam).intoArray(carry, i);
        }
        lamB.intoArray(rows, lbOff);
        dd.intoArray(rows, ddOff);
    }

    /**
     * Step 6 for {@code count} steps from row rowE0: du = D gt + δ ΣλB; dΔraw = (dδ + u Σλ B) σ(x),
     * x = Δraw + bias; dΔbias partial += dΔraw.
     */
    private static void inputRows(float[] u, float[] dr, float[] db, float[] d, float[] rows, int gtOff, int dOff, int lbOff,
                                  int ddOff, int rowE0, int count, int E, int EP, float[] gu, float[] gdr, float[] part, int pbOff) {
        int ev = SP.loopBound(E);
        for (int k = 0; k < count; k++) {
            int rowE = rowE0 + k * E, rk = k * EP, e = 0;
            for (; e < ev; e += VL) {
                FloatVector lamB = FloatVector.fromArray(SP, rows, lbOff + rk + e);
                FloatVector.fromArray(SP, d, e).mul(FloatVector.fromArray(SP, rows, gtOff + rk + e))
                    .add(FloatVector.fromArray(SP, rows, dOff + rk + e).mul(lamB)).intoArray(gu, rowE + e);
                // σ(x) is exactly 1 above the softplus threshold, where softplus₂₀' = 1.
                FloatVector ddr = FloatVector.fromArray(SP, u, rowE + e).fma(lamB, FloatVector.fromArray(SP, rows, ddOff + rk + e))
                    .mul(sigmoid(FloatVector.fromArray(SP, dr, rowE + e).add(FloatVector.fromArray(SP, db, e))));
                ddr.intoArray(gdr, rowE + e);
                ddr.add(FloatVector.fromArray(SP, part, pbOff + e)).intoArray(part, pbOff + e);
            }
            for (; e < E; e++) {
                float lamB = rows[lbOff + rk + e];
                gu[rowE + e] = d[e] * rows[gtOff + rk + e] + rows[dOff + rk + e] * lamB;
                float ddr = (u[rowE + e] * lamB + rows[ddOff + rk + e]) * sigmoid(dr[rowE + e] + db[e]);
                gdr[rowE + e] = ddr;
                part[pbOff + e] += ddr;
            }
        }
    }
}
