package dev.mambamixer.engine.model;

import dev.mambamixer.engine.nn.WeightedAverage;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the token-sequence {@link SequenceModel}. {@code channelMixer}: whether each
 * block has the generic Selective Channel Mixer (MODEL.md §5.2) after its token mixer; without it the
 * model is a plain stack of Mamba token mixers (an ablation).
 */
public record SequenceModelConfig(int vocab, int length, int dModel, int layers, int dState, int dConv, int expand,
                                  int scanChunk, boolean channelMixer, WeightedAverage.Mode averaging, long seed) {

    public static SequenceModelConfig defaults(int vocab, int length) {
        return new SequenceModelConfig(vocab, length, 32, 2, 16, 4, 2, 64, true, WeightedAverage.Mode.IDENTITY, 42L);
    }

    /** Throws IllegalArgumentException listing every problem, each naming the field. */
    public SequenceModelConfig validate() {
        List<String> errs = new ArrayList<>();
        positive(errs, "vocab", vocab);
        positive(errs, "length", length);
        positive(errs, "dModel", dModel);
        positive(errs, "layers", layers);
        positive(errs, "dState", dState);
        positive(errs, "dConv", dConv);
        positive(errs, "expand", expand);
        positive(errs, "scanChunk", scanChunk);
        if (averaging == null) errs.add("averaging: missing (expected identity, uniform or softmax)");
        if (!errs.isEmpty())
            throw new IllegalArgumentException("invalid sequence-model config: " + String.join("; ", errs));
        return this;
    }

    private static void positive(List<String> errs, String field, int v) {
        if (v <= 0) errs.add(field + ": must be positive, got " + v);
    }

    public SequenceModelConfig withModel(int dModel, int layers, int dState) {
        return new SequenceModelConfig(vocab, length, dModel, layers, dState, dConv, expand, scanChunk, channelMixer,
                                       averaging, seed);
    }

    public SequenceModelConfig withChannelMixer(boolean on) {
        return new SequenceModelConfig(vocab, length, dModel, layers, dState, dConv, expand, scanChunk, on, averaging,
                                       seed);
    }

    public SequenceModelConfig withConv(int k) {
        return new SequenceModelConfig(vocab, length, dModel, layers, dState, k, expand, scanChunk, channelMixer, averaging,
                                       seed);
    }

    public SequenceModelConfig withSeed(long s) {
        return new SequenceModelConfig(vocab, length, dModel, layers, dState, dConv, expand, scanChunk, channelMixer,
                                       averaging, s);
    }
}
