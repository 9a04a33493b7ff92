package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.tensor.Tensor;

/**
 * One mixer of a {@link MixerStack}: pre-norm, a selective unit and the inner residual
 * (MODEL.md §5.4), y = x + Mixer(Norm(x)) with y shaped like x. TSM2 and the teaching model use
 * {@link Mixer}; ViM2 adds its SS2D token mixer ({@link Ss2dMixer}).
 */
public interface ResidualMixer extends Module {
    /** x -> y of the same shape (buffer reused next call); {@code g} says how the mixer sees x. */
    Tensor forward(Tensor x, Mixer.Geometry g);

    /** dy -> dx (buffer reused next call); parameter gradients accumulate. */
    Tensor backward(Tensor dy);

    /** What the mixer mixes ("token", "channel", "time", "variate", "ss2d"...). */
    String kind();

    /** Parameter prefix without the trailing dot, e.g. {@code blocks.0.time}. */
    String name();

    /** Output y of the last forward; reused by the next call. */
    Tensor lastOutput();
}
