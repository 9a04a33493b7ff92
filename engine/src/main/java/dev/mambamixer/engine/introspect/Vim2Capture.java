package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.model.Vim2Config;
import java.util.List;
import java.util.Objects;

/**
 * What ViM2 selected on a probe batch of B images (MODEL.md §7): one {@link Stage} per stage with
 * an {@link Ss2dCapture} per SS2D token mixer (Δ, ‖B‖, ‖C‖, gate and the exact implicit attention
 * of a query token, as maps over the stage's token grid in row-major image coordinates), a
 * {@link Vim2ChannelCapture} per channel mixer (Δ per token and model channel) and the stage's
 * weighted-averaging matrix. Taken by {@link Introspector#capture(dev.mambamixer.engine.model.Vim2, float[], int, long)}.
 *
 * <p>Plain data (no engine tensors), but float64 traces rather than ModelCapture's float32
 * summaries, so maps and attention are exact; not written by {@link CaptureFiles}.
 *
 * @param step   the optimiser step the capture was taken after (-1 when not in training)
 * @param images the probe images (B, H, W, C) as fed to the model
 * @param logits the model's output (B, classes)
 */
public record Vim2Capture(long step, Vim2Config config, int batch, float[] images, float[] logits, List<Stage> stages) {

    /**
     * One stage: its token grid (height × width, {@code Vim2Config.grid(s)}), width D, the SS2D
     * token mixers and channel mixers in stack order (their {@code index()} is their position in
     * the stack and the row of {@code averaging}).
     */
    public record Stage(int index, int height, int width, int dim, List<Ss2dCapture> tokenMixers,
                        List<Vim2ChannelCapture> channelMixers, AveragingMatrix averaging) {
        public Stage {
            tokenMixers = List.copyOf(tokenMixers);
            channelMixers = List.copyOf(channelMixers);
            Objects.requireNonNull(averaging, "averaging");
        }

        /** The token mixer with this parameter prefix, e.g. {@code stages.0.mixers.1}. */
        public Ss2dCapture tokenMixer(String name) {
            for (Ss2dCapture m : tokenMixers) if (m.name().equals(name)) return m;
            throw new IllegalArgumentException("stage " + index + " has no token mixer '" + name + "' (have "
                                               + tokenMixers.stream().map(Ss2dCapture::name).toList() + ")");
        }
    }

    public Vim2Capture {
        Objects.requireNonNull(config, "config");
        stages = List.copyOf(stages);
        if (images.length != batch * config.height() * config.width() * config.channels())
            throw new IllegalArgumentException("images have " + images.length + " values, expected B*H*W*C for B=" + batch);
        if (logits.length != batch * config.classes())
            throw new IllegalArgumentException("logits have " + logits.length + " values, expected B*classes for B=" + batch);
        if (stages.size() != config.stages())
            throw new IllegalArgumentException(stages.size() + " stages captured, the model has " + config.stages());
    }

    /** Stage s (0-based). */
    public Stage stage(int s) { return stages.get(s); }

    @Override public String toString() {
        return "Vim2Capture[step " + step + ", B=" + batch + ", " + stages.size() + " stages]";
    }
}
