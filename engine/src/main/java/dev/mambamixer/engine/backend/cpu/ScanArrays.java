package dev.mambamixer.engine.backend.cpu;

/**
 * The float32 storage of one scan call as the {@link ScanKernel}s see it, with its sizes: u, dr
 * (deltaRaw), z: (S, L, E); b, c: (S, L, N); a: (E, N) holding A = -exp(A_log); d, db
 * (deltaBias): (E). z is null when the scan has no gate.
 */
public record ScanArrays(int l, int e, int n, int chunk,
                         float[] u, float[] dr, float[] a, float[] b, float[] c, float[] d, float[] z, float[] db) {
}
