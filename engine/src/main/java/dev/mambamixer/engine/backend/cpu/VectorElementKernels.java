package dev.mambamixer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ElementKernels} on the Vector API: SiLU with the deterministic polynomial exp of
 * {@link VectorScanKernel#exp} (no SVML, so every JIT tier gives the same bits), and the causal
 * conv vectorised over channels with taps accumulated in tap order. Tails past the last full
 * vector use the scalar formulas. Only loaded when jdk.incubator.vector is present.
 */
public final class VectorElementKernels extends ElementKernels {

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();

    @Override public String name() { return "vector-" + VL + "x32"; }

    @Override public void silu(float[] x, float[] o, int from, int to) {
        int i = from, bound = from + SP.loopBound(to - from);
        for (; i < bound; i += VL) {
            FloatVector v = FloatVector.fromArray(SP, x, i);
            // x σ(x) = x / (1 + e^-x): one division instead of a reciprocal and a multiply
            v.div(VectorScanKernel.exp(v.mul(-1f)).add(1f)).intoArray(o, i);
        }
        for (; i < to; i++) { float v = x[i]; o[i] = v * sigmoid(v); }
    }

    @Override public void siluBackward(float[] x, float[] g, float[] d, int from, int to) {
        int i = from, bound = from + SP.loopBound(to - from);
        for (; i < bound; i += VL) {
            FloatVector v = FloatVector.fromArray(SP, x, i);
            FloatVector s = VectorScanKernel.sigmoid(v);
            FloatVector one = FloatVector.broadcast(SP, 1f);
            FloatVector.fromArray(SP, g, i).mul(s.mul(v.mul(one.sub(s)).add(one))).intoArray(d, i);
        }
        for (; i < to; i++) {
            float v = x[i], s = sigmoid(v);
            d[i] = g[i] * (s * (1f + v * (1f - s)));
        }
    }

    @Override public void convForward(float[] x, float[] wt, float[] bias, float[] o, int s0, int s1, int l, int e, int k) {
        final int ev = SP.loopBound(e);
        for (int si = s0; si < s1; si++)
            for (int t = 0; t < l; t++) {
                int row = (si * l + t) * e, k0 = Math.max(0, k - 1 - t); // taps before the sequence start read zeros
                for (int ei = 0; ei < ev; ei += VL) {
                    FloatVector acc = FloatVector.fromArray(SP, bias, ei);
                    for (int kk = k0; kk < k; kk++)
                        acc = FloatVector.fromArray(SP, wt, kk * e + ei)
                            .fma(FloatVector.fromArray(SP, x, (si * l + t - k + 1 + kk) * e + ei), acc);
                    acc.intoArray(o, row + ei);
                }
                for (int ei = ev; ei < e; ei++) {
                    float acc = bias[ei];
                    for (int kk = k0; kk < k; kk++) acc = Math.fma(wt[kk * e + ei], x[(si * l + t - k + 1 + kk) * e + ei], acc);
                    o[row + ei] = acc;
                }
            }
    }

    @Override public void convBackward(float[] x, float[] wt, float[] g, float[] dx, float[] part, int pw, int pb,
                                       int s0, int s1, int l, int e, int k) {
        final int ev = SP.loopBound(e);
        for (int si = s0; si < s1; si++)
            for (int j = 0; j < l; j++) {
                int row = (si * l + j) * e;
                int kd = Math.max(0, j + k - l);          // dx taps with j + K-1-kk < L
                int k0 = Math.max(0, k - 1 - j);          // dw taps with j-K+1+kk >= 0
                for (int ei = 0; ei < ev; ei += VL) {
                    // dx[j] = Σ_kk g[j + K-1-kk] · w[kk] (gather form: each dx row written once)
                    FloatVector acc = FloatVector.zero(SP);
                    for (int kk = kd; kk < k; kk++)
                        acc = FloatVector.fromArray(SP, g, (si * l + j + k - 1 - kk) * e + ei)
                            .fma(FloatVector.fromArray(SP, wt, kk * e + ei), acc);
                    acc.intoArray(dx, row + ei);
                    // dw[kk] += g[j] · x[j-K+1+kk]; db += g[j]
                    FloatVector gj = FloatVector.fromArray(SP, g, row + ei);
                    gj.add(FloatVector.fromArray(SP, part, pb + ei)).intoArray(part, pb + ei);
                    for (int kk = k0; kk < k; kk++) {
                        int p = pw + kk * e + ei;
                        gj.fma(FloatVector.fromArray(SP, x, (si * l + j - k + 1 + kk) * e + ei), FloatVector.fromArray(SP, part, p))
                            .intoArray(part, p);
                    }
                }
                for (int ei = ev; ei < e; ei++) {
                    float acc = 0f;
                    for (int kk = kd; kk < k; kk++) acc = Math.fma(g[(si * l + j + k - 1 - kk) * e + ei], wt[kk * e + ei], acc);
                    dx[row + ei] = acc;
                    float gj = g[row + ei];
                    part[pb + ei] += gj;
                    for (int kk = k0; kk < k; kk++) {
                        int p = pw + kk * e + ei;
                        part[p] = Math.fma(gj, x[(si * l + j - k + 1 + kk) * e + ei], part[p]);
                    }
                }
            }
    }
}
