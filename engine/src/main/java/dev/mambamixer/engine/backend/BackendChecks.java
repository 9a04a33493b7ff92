package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;

/**
 * The argument checks every backend runs before a kernel, written once so the three backends
 * reject the same calls with the same messages (each naming the argument). The storage check
 * ("is this a tensor of this backend?") differs per backend and is passed in; it runs on every
 * checked tensor before its size is compared.
 */
public final class BackendChecks {

    /** A backend's storage check: throws IllegalArgumentException naming {@code what} when t is not its tensor. */
    @FunctionalInterface
    public interface Storage {
        void check(Tensor t, String what);
    }

    private final Storage storage;

    public BackendChecks(Storage storage) { this.storage = storage; }

    // ---------------------------------------------------------------- one tensor

    /** t is non-null, of this backend, and has exactly n elements. */
    public void size(Tensor t, long n, String what) {
        notNull(t, what);
        storage.check(t, what);
        if (t.size() != n)
            throw new IllegalArgumentException(what + " " + t + " has " + t.size() + " elements, expected " + n);
    }

    public static void notNull(Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException(what + " must not be null");
    }

    /** [off, off + n) lies inside t. */
    public static void range(Tensor t, int off, long n, String what) {
        if (off < 0 || n < 0 || off + n > t.size())
            throw new IllegalArgumentException(what + ": range [" + off + ", " + (off + n) + ") outside " + t);
    }

    public static void sameSize(Tensor a, Tensor b, String what) {
        if (a.size() != b.size()) throw new IllegalArgumentException(what + ": size mismatch " + a + " vs " + b);
    }

    /** out and x do not share storage (kernels that read neighbours of an element). */
    public static void noAlias(Tensor x, Tensor out, String what) {
        if (x.storage() == out.storage()) throw new IllegalArgumentException(what + ": out must not alias x");
    }

    /** An upload of {@code length} values fills dst exactly. */
    public static void uploadLength(int length, Tensor dst) {
        if (length != dst.size()) throw new IllegalArgumentException("upload: " + length + " values into " + dst);
    }

    // ---------------------------------------------------------------- scalars

    public static void gemmSizes(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
    }

    public static void dropoutKeep(double keep) {
        if (!(keep > 0.0 && keep <= 1.0))
            throw new IllegalArgumentException("dropout keep probability must be in (0, 1], got " + keep);
    }

    public static void adamStep(int step) {
        if (step < 1) throw new IllegalArgumentException("adamw step must be >= 1, got " + step);
    }

    // ---------------------------------------------------------------- selective scan

    /**
     * The scan inputs and checkpoints against dims: u, deltaRaw, z (S, L, E); B, C (S, L, N);
     * aLog (E, N); D, deltaBias (E); checkpoints (S, chunks, E, N). z is optional.
     */
    public void scan(ScanDims d, ScanInputs in, Tensor checkpoints) {
        long sle = sle(d), sln = sln(d);
        size(in.u(), sle, "scan u");
        size(in.deltaRaw(), sle, "scan deltaRaw");
        size(in.aLog(), (long) d.e() * d.n(), "scan aLog");
        size(in.b(), sln, "scan B");
        size(in.c(), sln, "scan C");
        size(in.d(), d.e(), "scan D");
        if (in.z() != null) size(in.z(), sle, "scan z");
        size(in.deltaBias(), d.e(), "scan deltaBias");
        size(checkpoints, (long) d.s() * d.chunks() * d.e() * d.n(), "scan checkpoints");
    }

    /** {@link #scan} and the forward output out (S, L, E). */
    public void scanForward(ScanDims d, ScanInputs in, Tensor out, Tensor checkpoints) {
        scan(d, in, checkpoints);
        size(out, sle(d), "scan out");
    }

    /** {@link #scan}, dout (S, L, E) and the gradients (dz only when the scan is gated). */
    public void scanBackward(ScanDims d, ScanInputs in, Tensor checkpoints, Tensor dout, ScanGrads g) {
        scan(d, in, checkpoints);
        long sle = sle(d), sln = sln(d);
        size(dout, sle, "scan dout");
        size(g.du(), sle, "scan du");
        size(g.dDeltaRaw(), sle, "scan dDeltaRaw");
        size(g.dALog(), (long) d.e() * d.n(), "scan dALog");
        size(g.dB(), sln, "scan dB");
        size(g.dC(), sln, "scan dC");
        size(g.dD(), d.e(), "scan dD");
        if (in.z() != null) size(g.dz(), sle, "scan dz");
        size(g.dDeltaBias(), d.e(), "scan dDeltaBias");
    }

    private static long sle(ScanDims d) { return (long) d.s() * d.l() * d.e(); }

    private static long sln(ScanDims d) { return (long) d.s() * d.l() * d.n(); }
}
