package dev.mambamixer.engine.backend;

/**
 * Sizes of one selective-scan call (MODEL.md §2 notation): S sequences of length L, E channels,
 * N state size; chunk = steps between stored states (MODEL.md §3.3 "Chunked checkpoints").
 */
public record ScanDims(int s, int l, int e, int n, int chunk) {
    public ScanDims {
        if (s <= 0 || l <= 0 || e <= 0 || n <= 0 || chunk <= 0)
            throw new IllegalArgumentException("scan sizes must be positive: " + this);
    }

    public int chunks() { return (l + chunk - 1) / chunk; }

    /** Shape of the checkpoint tensor: (S, chunks, E, N). */
    public int[] checkpointShape() { return new int[] {s, chunks(), e, n}; }
}
