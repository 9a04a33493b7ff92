package dev.mambamixer.engine.backend.cpu;

/**
 * The activation gradients a {@link ScanKernel} backward block writes: gu, gdr, gz: (S, L, E)
 * (gz only when the scan has a gate, else null); gb, gc: (S, L, N).
 */
public record ScanGradArrays(float[] gu, float[] gdr, float[] gb, float[] gc, float[] gz) {
}
