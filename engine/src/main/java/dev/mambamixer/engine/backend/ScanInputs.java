package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;

/**
 * The inputs of one selective-scan call (MODEL.md §3.2), token-major: u, deltaRaw, z: (S, L, E);
 * b, c: (S, L, N); aLog: (E, N) with A = -exp(aLog); d, deltaBias: (E). z may be null (no gate).
 * Sizes are checked by the backends, not here.
 */
public record ScanInputs(Tensor u, Tensor deltaRaw, Tensor aLog, Tensor b, Tensor c, Tensor d, Tensor z,
                         Tensor deltaBias) {

    /** Whether the output is gated by SiLU(z). */
    public boolean gated() { return z != null; }

    /** The same inputs with another u (the other tensors shared). */
    public ScanInputs withU(Tensor u2) { return new ScanInputs(u2, deltaRaw, aLog, b, c, d, z, deltaBias); }
}
