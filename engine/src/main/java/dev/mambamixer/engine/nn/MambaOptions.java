package dev.mambamixer.engine.nn;

/**
 * Per-unit Mamba settings (MODEL.md §4.1 defaults: N = 16, K = 4, expand = 2, dt in [0.001, 0.1],
 * dt_scale 1, floor 1e-4). {@code shareDirectionA}: one A_log for both directions of a
 * bidirectional unit (MODEL.md §9 A9; default separate, as Vim v2). {@code scanChunk}: steps between
 * stored scan states (MODEL.md §3.3 "Chunked checkpoints").
 */
public record MambaOptions(int dState, int dConv, int expand, int scanChunk, boolean shareDirectionA,
                           double dtMin, double dtMax, double dtScale, double dtInitFloor) {
    public static MambaOptions defaults() {
        return new MambaOptions(16, 4, 2, 64, false, 0.001, 0.1, 1.0, 1e-4);
    }

    public MambaOptions with(int dState, int dConv, int expand, int scanChunk, boolean shareDirectionA) {
        return new MambaOptions(dState, dConv, expand, scanChunk, shareDirectionA, dtMin, dtMax, dtScale, dtInitFloor);
    }
}
