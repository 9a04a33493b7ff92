package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.model.Tsm2Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything captured from one evaluation-mode forward pass of a TSM2 model on a probe batch:
 * the probe input and forecast, one {@link MixerCapture} per mixer in stack order
 * (T₁, C₁, T₂, C₂, ...) and the weighted-averaging matrix. Plain data: no engine tensors, so a
 * UI or notebook can hold it after the model is gone; {@link CaptureFiles} saves and loads it.
 *
 * @param step     the optimiser step the capture was taken after (-1 when not in training)
 * @param config   the model configuration (shapes are derived from it)
 * @param batch    probe batch size B
 * @param input    probe windows (B, T, M), as fed to the model (standardised)
 * @param forecast the model's output (B, H, M)
 */
public record ModelCapture(long step, Tsm2Config config, int batch, float[] input, float[] forecast,
                           List<MixerCapture> mixers, AveragingMatrix averaging) {

    public ModelCapture {
        Objects.requireNonNull(config, "config");
        mixers = List.copyOf(mixers);
        Objects.requireNonNull(averaging, "averaging");
        if (input.length != batch * config.seqLen() * config.variates())
            throw new IllegalArgumentException("input has " + input.length + " values, expected B*T*M = " + batch + "*"
                                               + config.seqLen() + "*" + config.variates());
        if (forecast.length != batch * config.horizon() * config.variates())
            throw new IllegalArgumentException("forecast has " + forecast.length + " values, expected B*H*M = " + batch
                                               + "*" + config.horizon() + "*" + config.variates());
    }

    /** Summary statistics of one scan direction (MODEL.md §3.2 quantities; percentiles p5/p50/p95). */
    public record LayerStats(String mixer, MixerKind kind, ScanDirection direction, Stats delta, Stats b, Stats c, Stats gate,
                             Stats retention, Stats stateNorm) {}

    /** The mixer with this name, e.g. {@code blocks.0.variate}. */
    public MixerCapture mixer(String name) {
        for (MixerCapture m : mixers) if (m.name().equals(name)) return m;
        throw new IllegalArgumentException("no mixer '" + name + "' (have "
                                           + mixers.stream().map(MixerCapture::name).toList() + ")");
    }

    /** One row per (mixer, direction), in stack order. */
    public List<LayerStats> layerStats() {
        List<LayerStats> out = new ArrayList<>();
        for (MixerCapture m : mixers)
            for (ScanCapture d : m.directions())
                out.add(new LayerStats(m.name(), m.kind(), d.direction(), d.deltaStats(), d.bStats(), d.cStats(),
                                       d.gateStats(), Stats.of(d.retention()), Stats.of(d.stateNorm())));
        return out;
    }

    @Override public boolean equals(Object o) {
        return o instanceof ModelCapture x && step == x.step && config.equals(x.config) && batch == x.batch
               && Arrays.equals(input, x.input) && Arrays.equals(forecast, x.forecast) && mixers.equals(x.mixers)
               && averaging.equals(x.averaging);
    }

    @Override public int hashCode() { return Objects.hash(step, config, batch, mixers, averaging); }

    @Override public String toString() {
        return "ModelCapture[step " + step + ", B=" + batch + ", " + mixers.size() + " mixers]";
    }
}
