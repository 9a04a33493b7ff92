package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.StepSeed;
import dev.mambamixer.engine.tensor.Tensor;

/** Inverted dropout: a fresh seeded mask per training forward, identity in evaluation. */
public final class Dropout {
    private final Backend be;
    private final double p;
    private Tensor mask, out, dx;
    private boolean active;

    public Dropout(Backend be, double p) {
        this.be = be;
        this.p = p;
    }

    public Tensor forward(Tensor x, boolean training, long seed) { return forward(x, training, StepSeed.of(seed)); }

    public Tensor forward(Tensor x, boolean training, StepSeed seed) {
        active = training && p > 0;
        if (!active) return x;
        mask = Buffers.ensure(be, mask, x.shape());
        out = Buffers.ensure(be, out, x.shape());
        be.dropoutMask(mask, 1 - p, seed);
        be.mul(x, mask, out);
        return out;
    }

    public Tensor backward(Tensor dout) {
        if (!active) return dout;
        dx = Buffers.ensure(be, dx, dout.shape());
        be.mul(dout, mask, dx);
        return dx;
    }
}
