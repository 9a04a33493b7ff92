package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;

/**
 * The gradients one selective-scan backward writes (MODEL.md §3.3). Activation gradients du,
 * dDeltaRaw, dz: (S, L, E) and dB, dC: (S, L, N) are overwritten; parameter gradients
 * dALog (E, N), dD, dDeltaBias (E) accumulate. dz may be null when the scan has no gate (it is
 * ignored then).
 */
public record ScanGrads(Tensor du, Tensor dDeltaRaw, Tensor dALog, Tensor dB, Tensor dC, Tensor dD, Tensor dz,
                        Tensor dDeltaBias) {
}
