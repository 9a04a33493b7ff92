package dev.mambamixer.engine.backend;

/**
 * A dropout seed that is an affine function of the training step's seed: {@code base * mul + add}
 * (wrapping long arithmetic). Layers derive their own seeds with {@link #derive}, so a backend that
 * replays a recorded step (the CUDA graph, docs/CUDA.md) can keep {@code mul} and {@code add} fixed
 * and read the per-step {@code base} from device memory, while every other backend just uses
 * {@link #value()}: the masks are the same either way.
 */
public record StepSeed(long base, long mul, long add) {

    /** A plain seed: {@code value() == seed}. */
    public static StepSeed of(long seed) { return new StepSeed(seed, 1, 0); }

    public long value() { return base * mul + add; }

    /** The seed {@code value() * m + a}, still affine in the same base. */
    public StepSeed derive(long m, long a) { return new StepSeed(base, mul * m, add * m + a); }
}
