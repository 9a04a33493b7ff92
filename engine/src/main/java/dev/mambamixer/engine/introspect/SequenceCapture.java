package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.model.SequenceModelConfig;
import java.util.List;

/**
 * A capture of the teaching model ({@code model.SequenceModel}) on a few examples: the predicted
 * token at every position (argmax of the logits, (B·L)), every mixer's scans (token mixers {@code blocks.i.token}: sequences = examples, positions = tokens, F =
 * d_model; channel mixers {@code blocks.i.channel}: positions = model channels, F = L) and the
 * averaging matrix. The examples carry their marks (positions to remember, triggers), so a plot
 * can mark them: {@code examples().get(b).positions("data")}.
 */
public record SequenceCapture(long step, SequenceModelConfig config, List<SequenceExample> examples,
                              List<MixerCapture> mixers, AveragingMatrix averaging, int[] predicted) {
    public SequenceCapture {
        examples = List.copyOf(examples);
        mixers = List.copyOf(mixers);
        if (predicted.length != examples.size() * config.length())
            throw new IllegalArgumentException(predicted.length + " predictions for " + examples.size() + " examples of length "
                                               + config.length());
        predicted = predicted.clone();
    }

    /** The model's most likely next token at every position of example {@code i} (L ids). */
    public int[] predicted(int i) {
        int l = config.length();
        return java.util.Arrays.copyOfRange(predicted, i * l, (i + 1) * l);
    }

    @Override public int[] predicted() { return predicted.clone(); }

    /** Number of examples (the sequences of a token mixer). */
    public int batch() { return examples.size(); }

    public MixerCapture mixer(String name) {
        for (MixerCapture m : mixers) if (m.name().equals(name)) return m;
        throw new IllegalArgumentException("no mixer " + name + " in this capture; mixers: "
                                           + mixers.stream().map(MixerCapture::name).toList());
    }

    /** The token mixer of block i. */
    public MixerCapture tokenMixer(int block) {
        for (MixerCapture m : mixers) if (m.tokenMixer() && m.block() == block) return m;
        throw new IllegalArgumentException("no token mixer in block " + block + "; mixers: "
                                           + mixers.stream().map(MixerCapture::name).toList());
    }
}
