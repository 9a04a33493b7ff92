package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.WeightedSums;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Locale;

/**
 * Weighted averaging of earlier features (MODEL.md §5.3, "How the code stores them"): the input of the
 * i-th mixer of a stack (1-based) is a learned scalar combination of i+1 sources
 * [x as y_T^(0), x as y_C^(0), out(m_1), ..., out(m_{i-1})], so a stack of 𝓛 (token, channel)
 * blocks has exactly 𝓛(2𝓛+3) scalars. For TSM2 target 2ℓ-1 (token mixer ℓ) holds α_{ℓ,·} and
 * β_{ℓ,·}, target 2ℓ (channel mixer ℓ) holds θ_{ℓ,·} and γ_{ℓ,·}, interleaved by source order.
 * Weights are never weight-decayed.
 */
public final class WeightedAverage {

    /** [DECISION] MODEL.md §5.3 / §9 A6. */
    public enum Mode {
        /** DenseFormer identity init: weight 1 on the most recent source, free scalars (default). */
        IDENTITY,
        /** All weights 1/(i+1), free scalars (alternative 2). */
        UNIFORM,
        /** Softmax over each target's logits, initialised uniform (alternative 1, as S3). */
        SOFTMAX;

        /** The token used in configs and on the command line ("identity", "uniform", "softmax"). */
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); }

        public static Mode parse(String s) {
            for (Mode m : values()) if (m.toString().equalsIgnoreCase(s == null ? "" : s.trim())) return m;
            throw new IllegalArgumentException("unknown weighted-average mode '" + s
                                               + "' (expected identity, uniform or softmax)");
        }
    }

    private final Backend be;
    private final Mode mode;
    private final Parameter weight;   // (i+1) raw weights or logits
    private final int sources;
    private Tensor out;

    /** @param target 1-based position of the mixer this average feeds. */
    public WeightedAverage(Backend be, String name, int target, Mode mode) {
        this.be = be;
        this.mode = mode;
        this.sources = target + 1;
        double[] init = new double[sources];
        switch (mode) {
            case IDENTITY -> init[target == 1 ? 1 : target] = 1;  // β_{1,0} = 1, else the previous mixer
            case UNIFORM -> java.util.Arrays.fill(init, 1.0 / sources);
            case SOFTMAX -> { /* zero logits = uniform */ }
        }
        this.weight = new Parameter(be, name, init, true, sources);
    }

    /** Effective weights from the parameter (downloads a few scalars). */
    public double[] effectiveWeights() {
        return WeightedSums.effective(be.toDoubles(weight.value()), mode == Mode.SOFTMAX);
    }

    /** src[j]: the sources in the order documented above (src[0] and src[1] are both x). */
    public Tensor forward(Tensor[] src) {
        out = Buffers.ensure(be, out, src[0].shape());
        be.weightedAverageForward(weight.value(), mode == Mode.SOFTMAX, src, out);
        return out;
    }

    /**
     * dOut: gradient of this average's output. Adds w_j dOut into grads[j] and accumulates the
     * weight gradients <dOut, src_j> (chained through the softmax in SOFTMAX mode). The weights are
     * unchanged since the forward, so the backend derives the same w from the parameter.
     */
    public void backward(Tensor dOut, Tensor[] src, Tensor[] grads) {
        be.weightedAverageBackward(weight.value(), mode == Mode.SOFTMAX, dOut, src, grads, weight.grad());
    }

    public Parameter weight() { return weight; }
    public int sources() { return sources; }
    public Mode mode() { return mode; }
}
