package dev.mambamixer.bench;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The TSM2 shapes of a training step at batch 32, T 512, patches 16/8 (63 tokens), M 7, N 16,
 * expand 2 (docs/BENCHMARKS.md): a time mixer scans S = 32·7 sequences of L = 63 tokens, a variate
 * mixer S = 32·63 sequences of L = 7 variates; E = 2·d_model channels; 14,112 token rows either way.
 */
final class Shapes {
    private Shapes() {}

    static final int ROWS = 32 * 63 * 7;

    /** "time" or "variate" -> {S, L}. */
    static int[] sequences(String mixer) {
        return switch (mixer) {
            case "time" -> new int[] {32 * 7, 63};
            case "variate" -> new int[] {32 * 63, 7};
            default -> throw new IllegalArgumentException("mixer: time or variate, not " + mixer);
        };
    }

    /** A tensor of uniform values in [lo, hi), fixed seed. */
    static Tensor uniform(Backend be, long seed, double lo, double hi, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return be.fromFloats(v, shape);
    }
}
