package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.BackendChecks;
import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.backend.StepSeed;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jcuda.driver.CUdeviceptr;

/**
 * float32 {@link Backend} on an NVIDIA GPU through the JCuda driver API (no cuBLAS: every
 * kernel, GEMM included, is ours, in {@code engine/src/main/cuda/kernels.cu}, loaded from the
 * committed PTX resource). Storage is a {@link DeviceBuffer}; see docs/CUDA.md.
 *
 * <p>Three layers: {@link CudaDevice} (context, stream, memory, host copies, profiling marks,
 * recording guards), {@link CudaLauncher} (kernel functions and launches) and this class, the
 * kernels' math: which kernels each {@link Backend} method launches, with which shapes.
 *
 * <p>All work goes to one blocking stream ({@link CudaDevice#stream}), so kernels run in call order and every
 * download ({@link #toFloats}, {@link #dot}...), issued on the legacy default stream, waits for the
 * work before it. Small uploads are staged through pinned host memory and copied asynchronously.
 * The same stream can be recorded into a CUDA graph ({@link CudaDeviceStep}). Launch errors
 * surface as {@link CudaBackendException} naming the kernel; asynchronous faults surface at the
 * next synchronising call unless {@code -Dmambamixer.cuda.sync=true} makes every launch
 * synchronous (the parity tests do this so a fault names its kernel).
 *
 * <p>Reductions over many rows (sumRows, parameter gradients, dB/dC of the scan) use float
 * atomics, so results are accurate but not bit-reproducible run to run.
 *
 * <p>Not thread-safe for concurrent calls on one instance (scratch buffers are shared), like
 * the other backends; the context is made current on whichever thread calls.
 */
public final class CudaBackend implements Backend {

    /** System property: {@code false} runs the device-resident training step eagerly (no CUDA graph), for debugging. */
    public static final String GRAPHS_PROPERTY = "mambamixer.cuda.graphs";

    /** System property: synchronise after every launch so a device fault names its kernel. */
    public static final String SYNC_PROPERTY = "mambamixer.cuda.sync";
    /**
     * System property: time every launch and host sync with cuEvent pairs, aggregated per kernel
     * ({@link #profileReport()}, {@link CudaProfiling}).
     */
    public static final String PROFILE_PROPERTY = "mambamixer.cuda.profile";
    /** System property: device ordinal to use (default 0). */
    public static final String DEVICE_PROPERTY = "mambamixer.cuda.device";
    /** Classpath location of the PTX built from kernels.cu by scripts/build-ptx.sh. */
    public static final String PTX_RESOURCE = "/dev/mambamixer/engine/backend/cuda/kernels.ptx";

    /** Scan-backward recompute scratch is bounded by this many bytes (pairs are batched). */
    static final long SCAN_SCRATCH_LIMIT = 256L << 20;
    /** The limit in force; tests lower it to exercise several batches on small problems. */
    static volatile long scanScratchLimit = SCAN_SCRATCH_LIMIT;
    static final int BLOCK = CudaLauncher.BLOCK;
    static final int GEMM_TILE = 64;          // GBM in kernels.cu
    static final int GEMM_THREADS = 16;       // block 16 x 16
    static final int GEMM_MIN_SLICE = 128;
    static final long GEMM_SCRATCH_LIMIT = 8L << 20;   // floats of split-k partials
    static final int SCAN_BLOCK = 128;
    static final int SCAN_REG_BLOCK = 128;    // SCANR_BLOCK in kernels.cu: most channels per block
    /**
     * System property: {@code true} uses the fast N <= 16 scan kernels (scan_fwd_f16 /
     * scan_bwd_f16) instead of the previous ones (scan_fwd_n16 / scan_bwd_n16). Default false until
     * a GPU check has passed with them (docs/GPU.md); scripts/gpu-check.sh turns it on.
     */
    public static final String SCAN_FAST_PROPERTY = "mambamixer.cuda.scanFast";
    /** Whether N <= 16 scans use scan_fwd_f16 / scan_bwd_f16; tests flip it to compare both. */
    static volatile boolean scanFast = Boolean.parseBoolean(System.getProperty(SCAN_FAST_PROPERTY, "false"));
    static final int SCAN_FAST_FWD_BLOCK = 64;   // SF_BLK in kernels.cu: channels per forward block
    static final int SCAN_FAST_BWD_BLOCK = 32;   // one warp per backward block
    static final int SCAN_FAST_MAX_CHUNK = 64;   // SB_SUB * SB_T in kernels.cu
    static final int MAX_CONV_K = 16;   // MAXK in kernels.cu
    static final int MAX_DWCONV_K = 255; // dwconv2d_bwd_params_f32: grid y = k·k + 1 <= 65535
    private static final int MAX_GRID_Y = 65535;

    // Probe result, computed once per JVM: null = not probed yet.
    private static Boolean available;
    private static String unavailableReason = "not probed";

    /** Context, stream, memory, host copies, profiling marks, recording guards. */
    private final CudaDevice dev;
    /** Kernel functions and launches on dev's stream. */
    private final CudaLauncher ln;
    /** Argument checks shared with the other backends; the storage check is {@link CudaDevice#buf}. */
    private final BackendChecks check;
    private CudaDeviceStep deviceStep;

    // Cached scratch (grown on demand, freed on close): no allocation per call in hot paths.
    private DeviceBuffer reduceScratch;     // 1 double
    private DeviceBuffer copyScratch;       // overlapping same-tensor copies
    private DeviceBuffer scanScratch;       // recomputed chunk states of scanBackward
    private DeviceBuffer gemmScratch;       // split-k partial tiles

    // ================================================================ creation

    /**
     * The backend on the first CUDA device, or empty when there is no usable GPU (no driver,
     * no device, JCuda natives missing, PTX rejected...). The probe runs once per JVM;
     * {@link #unavailableReason()} says why it failed.
     */
    public static synchronized Optional<CudaBackend> tryCreate() {
        if (Boolean.FALSE.equals(available)) return Optional.empty();
        try {
            CudaBackend b = new CudaBackend(Integer.getInteger(DEVICE_PROPERTY, 0));
            available = true;
            return Optional.of(b);
        } catch (Throwable t) {   // UnsatisfiedLinkError, CudaException, NoClassDefFoundError...
            available = false;
            // JCuda's UnsatisfiedLinkError message carries nested stack traces: keep line one.
            String msg = String.valueOf(t.getMessage()).lines().findFirst().orElse("").trim();
            unavailableReason = t.getClass().getSimpleName() + ": " + msg;
            return Optional.empty();
        }
    }

    /** Why {@link #tryCreate()} returned empty (or "not probed" / "available"). */
    public static synchronized String unavailableReason() {
        return Boolean.TRUE.equals(available) ? "available" : unavailableReason;
    }

    private CudaBackend(int ordinal) {
        dev = new CudaDevice(ordinal);
        boolean ok = false;
        try {
            ln = new CudaLauncher(dev);
            check = new BackendChecks(dev::buf);
            reduceScratch = dev.allocRaw(8);
            if (Boolean.getBoolean(PROFILE_PROPERTY)) dev.startProfiler();
            ok = true;
        } finally {
            if (!ok) dev.releaseContext();
        }
    }

    /** One line about the device, for logs and the gpu-check report. */
    public String describe() { return dev.describe(); }

    @Override public String name() { return "cuda-f32"; }

    @Override public int elementBytes() { return 4; }

    /** Whether launches are being timed ({@value #PROFILE_PROPERTY}). */
    public boolean profiling() { return dev.profiling(); }

    /**
     * The per-kernel GPU time table since the last {@link #profileReset()} (empty string when
     * profiling is off): per kernel symbol, then the top calls by shape, sorted by GPU time.
     */
    public synchronized String profileReport() { return dev.profileReport(); }

    /** Forgets the timings recorded so far. */
    public synchronized void profileReset() { dev.profileReset(); }

    /** Waits for all queued work (for timing). */
    public void synchronize() { dev.synchronize(); }

    // ================================================================ storage

    @Override public Tensor zeros(int... shape) {
        return new Tensor(dev.zeros(Tensor.elementCount(shape)), shape);
    }



    @Override public void upload(double[] src, Tensor dst) {
        float[] f = new float[src.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) src[i];
        upload(f, dst);
    }

    @Override public void upload(float[] src, Tensor dst) {
        DeviceBuffer b = dev.buf(dst, "upload dst");
        BackendChecks.uploadLength(src.length, dst);
        if (src.length == 0) return;
        dev.upload(src, b);
    }

    @Override public double[] toDoubles(Tensor t) {
        float[] f = toFloats(t);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override public float[] toFloats(Tensor t) {
        DeviceBuffer b = dev.buf(t, "download");
        if (t.size() == 0) return new float[0];
        return dev.download(b, t.size());
    }

    @Override public synchronized void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n) {
        DeviceBuffer s = dev.buf(src, "copy src"), d = dev.buf(dst, "copy dst");
        BackendChecks.range(src, srcOff, n, "copy src");
        BackendChecks.range(dst, dstOff, n, "copy dst");
        if (n == 0 || (s == d && srcOff == dstOff)) return;
        if (s == d && Math.abs(srcOff - dstOff) < n) {
            // Overlapping ranges of one buffer: bounce through scratch.
            copyScratch = dev.ensure(copyScratch, n);
            ln.launch1d(Kernel.COPY, n, (long) n, at(s, srcOff), copyScratch.ptr);
            ln.launch1d(Kernel.COPY, n, (long) n, copyScratch.ptr, at(d, dstOff));
        } else if (srcOff == 0 && dstOff == 0) {
            dev.copyAsync(s, d, n);
        } else {
            // Offsets go through kernel parameters, where JCuda applies the pointer's byte offset.
            ln.launch1d(Kernel.COPY, n, (long) n, at(s, srcOff), at(d, dstOff));
        }
    }

    @Override public void fill(Tensor t, double value) {
        DeviceBuffer b = dev.buf(t, "fill");
        if (t.size() > 0) dev.memset(b.ptr, Float.floatToRawIntBits((float) value), t.size(), "fill");
    }

    // ================================================================ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, int aOff,
                     Tensor b, int bOff, double beta, Tensor c, int cOff) {
        BackendChecks.gemmSizes(m, n, k);
        DeviceBuffer A = dev.buf(a, "gemm A"), B = dev.buf(b, "gemm B"), C = dev.buf(c, "gemm C");
        BackendChecks.range(a, aOff, (long) m * k, "gemm A");
        BackendChecks.range(b, bOff, (long) k * n, "gemm B");
        BackendChecks.range(c, cOff, (long) m * n, "gemm C");
        if (m == 0 || n == 0) return;
        int gx = ceilDiv(m, GEMM_TILE), gy = ceilDiv(n, GEMM_TILE);
        if (gy > MAX_GRID_Y) throw new CudaBackendException("gemm: n=" + n + " exceeds the kernel's grid limit");
        int slice = gemmSlice(m, n, k, dev.smCount);
        int splits = k == 0 ? 1 : ceilDiv(k, slice);
        if (dev.profiling()) ln.label(Kernel.GEMM.symbol + " " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x"
            + n + "x" + k + (splits > 1 ? " split" + splits : ""));
        CUdeviceptr w = null;
        if (splits > 1) {
            gemmScratch = dev.ensure(gemmScratch, (long) splits * m * n);
            w = gemmScratch.ptr;
        }
        ln.launch3d(Kernel.GEMM, gx, gy, splits, GEMM_THREADS, GEMM_THREADS, transA ? 1 : 0, transB ? 1 : 0, m, n, k,
            (float) alpha, at(A, aOff), at(B, bOff), (float) beta, at(C, cOff), Math.max(1, slice), w);
        if (splits > 1)
            ln.launch1d(Kernel.GEMM_SPLITK_REDUCE, (long) m * n, (long) m * n, splits, (float) alpha, w, (float) beta, at(C, cOff));
    }

    // ================================================================ element-wise

    @Override public void add(Tensor a, Tensor b, Tensor out) { binary(0, a, b, out, "add"); }

    @Override public void sub(Tensor a, Tensor b, Tensor out) { binary(1, a, b, out, "sub"); }

    @Override public void mul(Tensor a, Tensor b, Tensor out) { binary(2, a, b, out, "mul"); }

    private void binary(int op, Tensor a, Tensor b, Tensor out, String what) {
        BackendChecks.sameSize(a, b, what);
        BackendChecks.sameSize(a, out, what);
        long n = a.size();
        if (n == 0) return;
        ln.launch1d(Kernel.BINARY, n, op, n, dev.ptr(a, what + " a"), dev.ptr(b, what + " b"), dev.ptr(out, what + " out"));
    }

    @Override public void axpy(double alpha, Tensor x, int xOff, Tensor y, int yOff, int n) {
        DeviceBuffer xb = dev.buf(x, "axpy x"), yb = dev.buf(y, "axpy y");
        BackendChecks.range(x, xOff, n, "axpy x");
        BackendChecks.range(y, yOff, n, "axpy y");
        if (xb == yb && xOff != yOff && Math.abs(xOff - yOff) < n)
            throw new IllegalArgumentException("axpy: overlapping ranges of one tensor are not supported");
        if (n == 0) return;
        ln.launch1d(Kernel.AXPY, n, (long) n, (float) alpha, at(xb, xOff), at(yb, yOff));
    }

    @Override public void scale(Tensor x, double alpha) {
        if (x.size() == 0) return;
        ln.launch1d(Kernel.SCALE, x.size(), (long) x.size(), (float) alpha, dev.ptr(x, "scale x"));
    }

    @Override public void siluForward(Tensor x, Tensor out) {
        BackendChecks.sameSize(x, out, "siluForward");
        if (x.size() == 0) return;
        ln.launch1d(Kernel.SILU_FWD, x.size(), (long) x.size(), dev.ptr(x, "silu x"), dev.ptr(out, "silu out"));
    }

    @Override public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        BackendChecks.sameSize(x, dout, "siluBackward");
        BackendChecks.sameSize(x, dx, "siluBackward");
        if (x.size() == 0) return;
        ln.launch1d(Kernel.SILU_BWD, x.size(), (long) x.size(), dev.ptr(x, "silu x"), dev.ptr(dout, "silu dout"), dev.ptr(dx, "silu dx"));
    }

    @Override public double dot(Tensor a, Tensor b) {
        BackendChecks.sameSize(a, b, "dot");
        return reduce(0, a, b, "dot");
    }

    @Override public double sumAbs(Tensor x) { return reduce(1, x, x, "sumAbs"); }

    private synchronized double reduce(int mode, Tensor a, Tensor b, String what) {
        dev.noRecording(what);
        long n = a.size();
        CUdeviceptr pa = dev.ptr(a, what), pb = dev.ptr(b, what);
        if (n == 0) return 0.0;
        dev.memset(reduceScratch.ptr, 0, 2, what);
        ln.launch1d(Kernel.REDUCE, n, mode, n, pa, pb, reduceScratch.ptr);
        return readReduceResult(what);
    }

    /** Downloads the double in reduceScratch (a host sync). */
    private double readReduceResult(String what) { return dev.downloadDouble(reduceScratch.ptr, what); }

    @Override public void addRowVector(Tensor x, int rows, int cols, Tensor v) {
        check.size(x, (long) rows * cols, "addRowVector x");
        check.size(v, cols, "addRowVector v");
        long n = (long) rows * cols;
        if (n == 0) return;
        ln.launch1d(Kernel.ADD_ROW_VECTOR, n, n, cols, dev.ptr(x, "addRowVector x"), dev.ptr(v, "addRowVector v"));
    }

    @Override public void sumRows(Tensor x, int rows, int cols, Tensor out) {
        check.size(x, (long) rows * cols, "sumRows x");
        check.size(out, cols, "sumRows out");
        if (rows == 0 || cols == 0) return;
        ln.launch(Kernel.SUM_ROWS, ceilDiv(cols, 32), rowGroups(rows), 32, 8, rows, cols, dev.ptr(x, "sumRows x"), dev.ptr(out, "sumRows out"));
    }

    /**
     * Same draws as the reference backend (one SplittableRandom(seed), one nextDouble per
     * element in storage order), generated on the device (SplittableRandom's element i is a pure
     * function of seed and i), so masks match exactly and no host round trip stalls the queue.
     */
    @Override public void dropoutMask(Tensor mask, double keep, long seed) {
        BackendChecks.dropoutKeep(keep);
        DeviceBuffer b = dev.buf(mask, "dropoutMask");
        long n = mask.size();
        if (n == 0) return;
        ln.launch1d(Kernel.DROPOUT_MASK, n, n, seed, Double.doubleToRawLongBits(keep), (float) (1.0 / keep), b.ptr);
    }

    // ================================================================ layout

    @Override public void swapMiddle(Tensor x, int a, int b, int c, int d, Tensor out) {
        long n = (long) a * b * c * d;
        check.size(x, n, "swapMiddle x");
        check.size(out, n, "swapMiddle out");
        BackendChecks.noAlias(x, out, "swapMiddle");
        if (n == 0) return;
        ln.launch1d(Kernel.SWAP_MIDDLE, n, a, b, c, d, dev.ptr(x, "swapMiddle x"), dev.ptr(out, "swapMiddle out"));
    }

    @Override public void flipSequence(Tensor x, int s, int l, int e, Tensor out) {
        long n = (long) s * l * e;
        check.size(x, n, "flipSequence x");
        check.size(out, n, "flipSequence out");
        BackendChecks.noAlias(x, out, "flipSequence");
        if (n == 0) return;
        ln.launch1d(Kernel.FLIP_SEQUENCE, n, s, l, e, dev.ptr(x, "flipSequence x"), dev.ptr(out, "flipSequence out"));
    }

    // ================================================================ causal conv

    @Override
    public void causalConvForward(Tensor x, Tensor w, Tensor bias, int s, int l, int e, int k, Tensor out) {
        long n = (long) s * l * e;
        check.size(x, n, "conv x");
        check.size(w, (long) e * k, "conv w");
        check.size(bias, e, "conv bias");
        check.size(out, n, "conv out");
        BackendChecks.noAlias(x, out, "causalConvForward");
        if (n == 0) return;
        ln.launch1d(Kernel.CONV_FWD, n, s, l, e, k, dev.ptr(x, "conv x"), dev.ptr(w, "conv w"), dev.ptr(bias, "conv bias"), dev.ptr(out, "conv out"));
    }

    @Override
    public void causalConvBackward(Tensor x, Tensor w, Tensor dout, int s, int l, int e, int k,
                                   Tensor dx, Tensor dw, Tensor dbias) {
        long n = (long) s * l * e;
        check.size(x, n, "conv x");
        check.size(w, (long) e * k, "conv w");
        check.size(dout, n, "conv dout");
        check.size(dx, n, "conv dx");
        check.size(dw, (long) e * k, "conv dw");
        check.size(dbias, e, "conv dbias");
        if (k > MAX_CONV_K) throw new CudaBackendException("causalConvBackward: kernel width K=" + k + " exceeds " + MAX_CONV_K);
        if (n == 0) return;
        ln.launch1d(Kernel.CONV_BWD_DX, n, s, l, e, k, dev.ptr(w, "conv w"), dev.ptr(dout, "conv dout"), dev.ptr(dx, "conv dx"));
        ln.launch(Kernel.CONV_BWD_PARAMS, ceilDiv(e, 32), rowGroups((long) s * l), 32, 8, s, l, e, k,
            dev.ptr(x, "conv x"), dev.ptr(dout, "conv dout"), dev.ptr(dw, "conv dw"), dev.ptr(dbias, "conv dbias"));
    }

    // ================================================================ images (ViM2, MODEL.md §7)

    @Override
    public void depthwiseConv2dForward(Tensor x, Tensor w, Tensor bias, int b, int h, int wd, int e, int k, Tensor out) {
        long n = (long) b * h * wd * e;
        check.size(x, n, "dwconv x");
        check.size(w, (long) e * k * k, "dwconv w");
        check.size(bias, e, "dwconv bias");
        check.size(out, n, "dwconv out");
        BackendChecks.noAlias(x, out, "depthwiseConv2dForward");
        if (n == 0) return;
        ln.launch1d(Kernel.DWCONV2D_FWD, n, b, h, wd, e, k, dev.ptr(x, "dwconv x"), dev.ptr(w, "dwconv w"),
            dev.ptr(bias, "dwconv bias"), dev.ptr(out, "dwconv out"));
    }

    @Override
    public void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor dout, int b, int h, int wd, int e, int k,
                                        Tensor dx, Tensor dw, Tensor dbias) {
        long n = (long) b * h * wd * e;
        check.size(x, n, "dwconv x");
        check.size(w, (long) e * k * k, "dwconv w");
        check.size(dout, n, "dwconv dout");
        check.size(dx, n, "dwconv dx");
        check.size(dw, (long) e * k * k, "dwconv dw");
        check.size(dbias, e, "dwconv dbias");
        BackendChecks.noAlias(dout, dx, "depthwiseConv2dBackward");
        BackendChecks.noAlias(x, dx, "depthwiseConv2dBackward");
        if (k < 1 || k > MAX_DWCONV_K)
            throw new CudaBackendException("depthwiseConv2dBackward: kernel size k=" + k + " outside 1.." + MAX_DWCONV_K);
        if (n == 0) return;
        ln.launch1d(Kernel.DWCONV2D_BWD_DX, n, b, h, wd, e, k, dev.ptr(w, "dwconv w"), dev.ptr(dout, "dwconv dout"),
            dev.ptr(dx, "dwconv dx"));
        // One block per (32 channels, tap) and one for the bias: each dw/dbias element gets one add (deterministic).
        ln.launch(Kernel.DWCONV2D_BWD_PARAMS, ceilDiv(e, 32), k * k + 1, 32, 8, b, h, wd, e, k,
            dev.ptr(x, "dwconv x"), dev.ptr(dout, "dwconv dout"), dev.ptr(dw, "dwconv dw"), dev.ptr(dbias, "dwconv dbias"));
    }

    @Override public void mergePatches2x2(Tensor x, int b, int h, int w, int c, Tensor out) {
        long per = (long) ((h + 1) / 2) * ((w + 1) / 2) * 4 * c;
        check.size(x, (long) b * h * w * c, "merge x");
        check.size(out, b * per, "merge out");
        BackendChecks.noAlias(x, out, "mergePatches2x2");
        if (b * per == 0) return;
        ln.launch1d(Kernel.MERGE2X2_FWD, b * per, b, h, w, c, dev.ptr(x, "merge x"), dev.ptr(out, "merge out"));
    }

    @Override public void mergePatches2x2Backward(Tensor dout, int b, int h, int w, int c, Tensor dx) {
        long per = (long) ((h + 1) / 2) * ((w + 1) / 2) * 4 * c, n = (long) b * h * w * c;
        check.size(dout, b * per, "merge dout");
        check.size(dx, n, "merge dx");
        BackendChecks.noAlias(dout, dx, "mergePatches2x2Backward");
        if (n == 0) return;
        ln.launch1d(Kernel.MERGE2X2_BWD, n, b, h, w, c, dev.ptr(dout, "merge dout"), dev.ptr(dx, "merge dx"));
    }

    // ================================================================ LayerNorm

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, int rows, int n, double eps,
                                 Tensor out, Tensor mean, Tensor rstd) {
        check.size(x, (long) rows * n, "layerNorm x");
        check.size(gamma, n, "layerNorm gamma");
        check.size(beta, n, "layerNorm beta");
        check.size(out, (long) rows * n, "layerNorm out");
        check.size(mean, rows, "layerNorm mean");
        check.size(rstd, rows, "layerNorm rstd");
        if (rows == 0 || n == 0) return;
        ln.launch(Kernel.LAYERNORM_FWD, rows, 1, BLOCK, 1, rows, n, (float) eps, dev.ptr(x, "x"), dev.ptr(gamma, "gamma"),
            dev.ptr(beta, "beta"), dev.ptr(out, "out"), dev.ptr(mean, "mean"), dev.ptr(rstd, "rstd"));
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dout,
                                  int rows, int n, Tensor dx, Tensor dgamma, Tensor dbeta) {
        check.size(x, (long) rows * n, "layerNorm x");
        check.size(gamma, n, "layerNorm gamma");
        check.size(mean, rows, "layerNorm mean");
        check.size(rstd, rows, "layerNorm rstd");
        check.size(dout, (long) rows * n, "layerNorm dout");
        check.size(dx, (long) rows * n, "layerNorm dx");
        check.size(dgamma, n, "layerNorm dgamma");
        check.size(dbeta, n, "layerNorm dbeta");
        if (rows == 0 || n == 0) return;
        ln.launch(Kernel.LAYERNORM_BWD_DX, rows, 1, BLOCK, 1, rows, n, dev.ptr(x, "x"), dev.ptr(gamma, "gamma"),
            dev.ptr(mean, "mean"), dev.ptr(rstd, "rstd"), dev.ptr(dout, "dout"), dev.ptr(dx, "dx"));
        ln.launch(Kernel.LAYERNORM_BWD_PARAMS, ceilDiv(n, 32), rowGroups(rows), 32, 8, rows, n, dev.ptr(x, "x"),
            dev.ptr(mean, "mean"), dev.ptr(rstd, "rstd"), dev.ptr(dout, "dout"), dev.ptr(dgamma, "dgamma"), dev.ptr(dbeta, "dbeta"));
    }

    // ================================================================ selective scan (MODEL.md §3)

    @Override
    public void scanForward(ScanDims dims, ScanInputs in, Tensor out, Tensor checkpoints) {
        check.scanForward(dims, in, out, checkpoints);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        if (scanFastForward(dims)) {
            if (dev.profiling()) ln.label(Kernel.SCAN_FWD_F16.symbol + " " + dims);
            int bd = scanFastFwdBlock(dims, dev.smCount);
            ln.launch(Kernel.SCAN_FWD_F16, dims.s(), ceilDiv(dims.e(), bd), bd, 1,
                dims.s(), dims.l(), dims.e(), dims.n(), dims.chunk(), dims.chunks(), dev.ptr(u, "u"), dev.ptr(deltaRaw, "deltaRaw"),
                dev.ptr(aLog, "aLog"), dev.ptr(bmat, "B"), dev.ptr(cmat, "C"), dev.ptr(d, "D"), z == null ? null : dev.ptr(z, "z"),
                dev.ptr(deltaBias, "deltaBias"), dev.ptr(out, "out"), dev.ptr(checkpoints, "checkpoints"));
            return;
        }
        Kernel k = Kernel.scanForward(dims.n());
        long pairs = (long) dims.s() * dims.e();
        if (dev.profiling()) ln.label(k.symbol + " " + dims);
        boolean reg = Kernel.scanRegister(dims.n());
        // kernels: SCAN_FWD_N16, SCAN_FWD_N32, SCAN_FWD_N64
        ln.launch(k, reg ? dims.s() : ceilDiv(pairs, SCAN_BLOCK), reg ? scanRegGridY(dims) : 1,
            reg ? scanRegBlock(dims) : SCAN_BLOCK, 1, dims.s(), dims.l(), dims.e(), dims.n(),
            dims.chunk(), dims.chunks(), dev.ptr(u, "u"), dev.ptr(deltaRaw, "deltaRaw"), dev.ptr(aLog, "aLog"), dev.ptr(bmat, "B"),
            dev.ptr(cmat, "C"), dev.ptr(d, "D"), z == null ? null : dev.ptr(z, "z"), dev.ptr(deltaBias, "deltaBias"), dev.ptr(out, "out"),
            dev.ptr(checkpoints, "checkpoints"));
    }

    /**
     * k elements per split-k slice of a GEMM (k itself = no split; a multiple of 16 otherwise).
     * Splits only when the output tiles cannot fill the GPU (fewer than 4 blocks per SM), with
     * at least {@link #GEMM_MIN_SLICE} of k per slice and the partials within
     * {@link #GEMM_SCRATCH_LIMIT} floats.
     */
    static int gemmSlice(int m, int n, int k, int sms) {
        long tiles = (long) ceilDiv(m, GEMM_TILE) * ceilDiv(n, GEMM_TILE);
        long target = 4L * Math.max(1, sms);
        if (tiles >= target || k < 2 * GEMM_MIN_SLICE) return Math.max(k, 1);
        long splits = Math.min(Math.min((target + tiles - 1) / tiles, k / GEMM_MIN_SLICE),
                               GEMM_SCRATCH_LIMIT / Math.max(1L, (long) m * n));
        if (splits <= 1) return Math.max(k, 1);
        int slice = ceilDiv(k, (int) splits);
        return ceilDiv(slice, 16) * 16;
    }

    /** Whether scanForward uses scan_fwd_f16 (N <= 16, any chunk). */
    static boolean scanFastForward(ScanDims d) { return scanFast && d.n() <= 16; }

    /**
     * Channels per scan_fwd_f16 block: 64, or 32 when 64-channel blocks would give fewer than 4
     * per SM (small problems such as the TSM2 time mixer: more, smaller blocks spread the SMs).
     */
    static int scanFastFwdBlock(ScanDims d, int sms) {
        long blocks64 = (long) d.s() * ceilDiv(d.e(), SCAN_FAST_FWD_BLOCK);
        return d.e() <= 32 || blocks64 < 4L * Math.max(1, sms) ? 32 : SCAN_FAST_FWD_BLOCK;
    }

    /** Whether scanBackward uses scan_bwd_f16 (N <= 16 and checkpoint chunks of at most 64 steps). */
    static boolean scanFastBackward(ScanDims d) {
        return scanFast && d.n() <= 16 && Math.min(d.chunk(), d.l()) <= SCAN_FAST_MAX_CHUNK;
    }

    /** Threads per block of the N <= 32 scan kernels: the channels of one sequence, a multiple of 32, at most 128. */
    static int scanRegBlock(ScanDims d) { return Math.min(SCAN_REG_BLOCK, ceilDiv(d.e(), 32) * 32); }

    /** Channel blocks per sequence (grid y) of the N <= 32 scan kernels. */
    static int scanRegGridY(ScanDims d) { return ceilDiv(d.e(), scanRegBlock(d)); }

    /** Recompute-scratch rows per block of the N <= 32 backward: the states of one chunk plus its checkpoint. */
    static int scanRegRows(ScanDims d) { return Math.min(d.chunk(), d.l()) + 1; }

    /** Sequences per N <= 32 scan-backward launch so that the recompute scratch stays bounded. */
    static int scanRegBatch(ScanDims d) {
        long perSeq = 4L * scanRegGridY(d) * scanRegBlock(d) * scanRegRows(d) * d.n();
        return (int) Math.max(1, Math.min(d.s(), scanScratchLimit / perSeq));
    }

    /** Pairs (s, e) per scan-backward launch so that the recompute scratch stays bounded. */
    static int scanBackwardBatch(ScanDims dims) {
        long perPair = 4L * (dims.chunk() + 1) * dims.n();
        long fit = scanScratchLimit / perPair / SCAN_BLOCK * SCAN_BLOCK;
        long pairs = (long) dims.s() * dims.e();
        return (int) Math.max(SCAN_BLOCK, Math.min(fit, pairs));
    }

    @Override
    public synchronized void scanBackward(ScanDims dims, ScanInputs in, Tensor checkpoints, Tensor dout, ScanGrads grads) {
        check.scanBackward(dims, in, checkpoints, dout, grads);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        Tensor du = grads.du(), dDeltaRaw = grads.dDeltaRaw(), dALog = grads.dALog(), dB = grads.dB(), dC = grads.dC();
        Tensor dD = grads.dD(), dz = grads.dz(), dDeltaBias = grads.dDeltaBias();
        long sln = (long) dims.s() * dims.l() * dims.n();
        Kernel k = Kernel.scanBackward(dims.n());

        CUdeviceptr zp0 = z == null ? null : dev.ptr(z, "z"), dzp0 = z == null ? null : dev.ptr(dz, "dz");
        if (scanFastBackward(dims)) {
            // No scratch: each warp recomputes its chunk states in shared memory. dB/dC are stored
            // when one block holds all E channels, otherwise added onto zeros with atomics.
            int gy = ceilDiv(dims.e(), SCAN_FAST_BWD_BLOCK);
            if (gy > 1) {
                dev.memset(dev.ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
                dev.memset(dev.ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
            }
            if (dev.profiling()) ln.label(Kernel.SCAN_BWD_F16.symbol + " " + dims);
            ln.launch(Kernel.SCAN_BWD_F16, dims.s(), gy, SCAN_FAST_BWD_BLOCK, 1, 0, dims.s(), dims.s(), dims.l(), dims.e(),
                dims.n(), dims.chunk(), dims.chunks(), dev.ptr(u, "u"), dev.ptr(deltaRaw, "deltaRaw"), dev.ptr(aLog, "aLog"),
                dev.ptr(bmat, "B"), dev.ptr(cmat, "C"), dev.ptr(d, "D"), zp0, dev.ptr(deltaBias, "deltaBias"),
                dev.ptr(checkpoints, "checkpoints"), dev.ptr(dout, "dout"), dev.ptr(du, "du"), dev.ptr(dDeltaRaw, "dDeltaRaw"),
                dev.ptr(dALog, "dALog"), dev.ptr(dB, "dB"), dev.ptr(dC, "dC"), dev.ptr(dD, "dD"), dzp0, dev.ptr(dDeltaBias, "dDeltaBias"),
                null);
            return;
        }
        if (Kernel.scanRegister(dims.n())) {
            // N <= 32: when one block holds all E channels of a sequence the kernel stores dB/dC;
            // otherwise blocks add their channels' sums with atomics onto zeros.
            int gy = scanRegGridY(dims), bd = scanRegBlock(dims), batch = scanRegBatch(dims);
            if (gy > 1) {
                dev.memset(dev.ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
                dev.memset(dev.ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
            }
            scanScratch = dev.ensure(scanScratch, (long) batch * gy * bd * scanRegRows(dims) * dims.n());
            for (int s0 = 0; s0 < dims.s(); s0 += batch) {
                int count = Math.min(batch, dims.s() - s0);
                if (dev.profiling()) ln.label(k.symbol + " " + dims);
                // kernels: SCAN_BWD_N16, SCAN_BWD_N32
                ln.launch(k, count, gy, bd, 1, s0, count, dims.s(), dims.l(), dims.e(), dims.n(), dims.chunk(),
                    dims.chunks(), dev.ptr(u, "u"), dev.ptr(deltaRaw, "deltaRaw"), dev.ptr(aLog, "aLog"), dev.ptr(bmat, "B"),
                    dev.ptr(cmat, "C"), dev.ptr(d, "D"), zp0, dev.ptr(deltaBias, "deltaBias"), dev.ptr(checkpoints, "checkpoints"),
                    dev.ptr(dout, "dout"), dev.ptr(du, "du"), dev.ptr(dDeltaRaw, "dDeltaRaw"), dev.ptr(dALog, "dALog"), dev.ptr(dB, "dB"),
                    dev.ptr(dC, "dC"), dev.ptr(dD, "dD"), dzp0, dev.ptr(dDeltaBias, "dDeltaBias"), scanScratch.ptr);
            }
            return;
        }
        // dB, dC sum over e with atomics: zero them here (they overwrite for the caller).
        dev.memset(dev.ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
        dev.memset(dev.ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
        int batch = scanBackwardBatch(dims);
        long pairs = (long) dims.s() * dims.e();
        scanScratch = dev.ensure(scanScratch, (long) (dims.chunk() + 1) * dims.n() * batch);
        CUdeviceptr zp = z == null ? null : dev.ptr(z, "z"), dzp = z == null ? null : dev.ptr(dz, "dz");
        for (long p0 = 0; p0 < pairs; p0 += batch) {
            int count = (int) Math.min(batch, pairs - p0);
            if (dev.profiling()) ln.label(k.symbol + " " + dims);
            // kernels: SCAN_BWD_N64
            ln.launch(k, ceilDiv(count, SCAN_BLOCK), 1, SCAN_BLOCK, 1, (int) p0, count, dims.s(), dims.l(), dims.e(),
                dims.n(), dims.chunk(), dims.chunks(), dev.ptr(u, "u"), dev.ptr(deltaRaw, "deltaRaw"), dev.ptr(aLog, "aLog"),
                dev.ptr(bmat, "B"), dev.ptr(cmat, "C"), dev.ptr(d, "D"), zp, dev.ptr(deltaBias, "deltaBias"),
                dev.ptr(checkpoints, "checkpoints"), dev.ptr(dout, "dout"), dev.ptr(du, "du"), dev.ptr(dDeltaRaw, "dDeltaRaw"),
                dev.ptr(dALog, "dALog"), dev.ptr(dB, "dB"), dev.ptr(dC, "dC"), dev.ptr(dD, "dD"), dzp, dev.ptr(dDeltaBias, "dDeltaBias"),
                scanScratch.ptr);
        }
    }

    // ================================================================ RevIN / patching (MODEL.md §6.3)

    @Override
    public void revinNormalize(Tensor x, Tensor gamma, Tensor beta, int b, int t, int m, double eps,
                               Tensor out, Tensor mean, Tensor std) {
        check.size(x, (long) b * t * m, "revin x");
        check.size(gamma, m, "revin gamma");
        check.size(beta, m, "revin beta");
        check.size(out, (long) b * t * m, "revin out");
        check.size(mean, (long) b * m, "revin mean");
        check.size(std, (long) b * m, "revin std");
        if ((long) b * m == 0) return;
        ln.launch1d(Kernel.REVIN_NORM, (long) b * m, b, t, m, (float) eps, dev.ptr(x, "x"), dev.ptr(gamma, "gamma"),
            dev.ptr(beta, "beta"), dev.ptr(out, "out"), dev.ptr(mean, "mean"), dev.ptr(std, "std"));
    }

    @Override
    public void revinNormalizeBackward(Tensor x, Tensor mean, Tensor std, Tensor dout, int b, int t, int m,
                                       Tensor dgamma, Tensor dbeta) {
        check.size(x, (long) b * t * m, "revin x");
        check.size(mean, (long) b * m, "revin mean");
        check.size(std, (long) b * m, "revin std");
        check.size(dout, (long) b * t * m, "revin dout");
        check.size(dgamma, m, "revin dgamma");
        check.size(dbeta, m, "revin dbeta");
        if ((long) b * m == 0) return;
        ln.launch1d(Kernel.REVIN_NORM_BWD, (long) b * m, b, t, m, dev.ptr(x, "x"), dev.ptr(mean, "mean"), dev.ptr(std, "std"),
            dev.ptr(dout, "dout"), dev.ptr(dgamma, "dgamma"), dev.ptr(dbeta, "dbeta"));
    }

    @Override
    public void revinDenormalize(Tensor y, Tensor gamma, Tensor beta, Tensor mean, Tensor std,
                                 int b, int h, int m, double eps, Tensor out) {
        long n = (long) b * h * m;
        check.size(y, n, "revin y");
        check.size(gamma, m, "revin gamma");
        check.size(beta, m, "revin beta");
        check.size(mean, (long) b * m, "revin mean");
        check.size(std, (long) b * m, "revin std");
        check.size(out, n, "revin out");
        if (n == 0) return;
        ln.launch1d(Kernel.REVIN_DENORM, n, b, h, m, (float) (eps * eps), dev.ptr(y, "y"), dev.ptr(gamma, "gamma"),
            dev.ptr(beta, "beta"), dev.ptr(mean, "mean"), dev.ptr(std, "std"), dev.ptr(out, "out"));
    }

    @Override
    public void revinDenormalizeBackward(Tensor y, Tensor gamma, Tensor beta, Tensor std, Tensor dout,
                                         int b, int h, int m, double eps, Tensor dy, Tensor dgamma, Tensor dbeta) {
        long n = (long) b * h * m;
        check.size(y, n, "revin y");
        check.size(gamma, m, "revin gamma");
        check.size(beta, m, "revin beta");
        check.size(std, (long) b * m, "revin std");
        check.size(dout, n, "revin dout");
        check.size(dy, n, "revin dy");
        check.size(dgamma, m, "revin dgamma");
        check.size(dbeta, m, "revin dbeta");
        if ((long) b * m == 0) return;
        ln.launch1d(Kernel.REVIN_DENORM_BWD, (long) b * m, b, h, m, (float) (eps * eps), dev.ptr(y, "y"), dev.ptr(gamma, "gamma"),
            dev.ptr(beta, "beta"), dev.ptr(std, "std"), dev.ptr(dout, "dout"), dev.ptr(dy, "dy"), dev.ptr(dgamma, "dgamma"), dev.ptr(dbeta, "dbeta"));
    }

    @Override public void patchify(Tensor x, int b, int t, int m, int p, int s, int np, Tensor out) {
        check.size(x, (long) b * t * m, "patchify x");
        check.size(out, (long) b * m * np * p, "patchify out");
        if ((long) b * m * np * p == 0) return;
        ln.launch1d(Kernel.PATCHIFY, (long) b * m * np * p, b, t, m, p, s, np, dev.ptr(x, "x"), dev.ptr(out, "out"));
    }

    @Override public void patchifyBackward(Tensor dout, int b, int t, int m, int p, int s, int np, Tensor dx) {
        check.size(dout, (long) b * m * np * p, "patchify dout");
        check.size(dx, (long) b * t * m, "patchify dx");
        if ((long) b * t * m == 0) return;
        ln.launch1d(Kernel.PATCHIFY_BWD, (long) b * t * m, b, t, m, p, s, np, dev.ptr(dout, "dout"), dev.ptr(dx, "dx"));
    }

    // ================================================================ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                      double eps, double weightDecay, int step, double gradScale) {
        BackendChecks.adamStep(step);
        long n = param.size();
        check.size(grad, n, "adamw grad");
        check.size(m, n, "adamw m");
        check.size(v, n, "adamw v");
        if (n == 0) return;
        double c1 = 1.0 - Math.pow(beta1, step), c2 = 1.0 - Math.pow(beta2, step);
        ln.launch1d(Kernel.ADAMW, n, n, dev.ptr(param, "param"), dev.ptr(grad, "grad"), dev.ptr(m, "m"), dev.ptr(v, "v"), (float) lr,
            (float) beta1, (float) beta2, (float) (1.0 - beta1), (float) (1.0 - beta2), (float) eps, (float) weightDecay,
            (float) c1, (float) c2, (float) gradScale);
    }

    // ================================================================ multi-tensor (one launch per list)

    /**
     * A tensor list's device table (see kernels.cu "multi-tensor"): K pointer columns of T
     * entries, T element counts, optionally T weight decays (double bits). Built once per list and
     * reused while the caller passes the same tensors (compared by identity, O(T) host work).
     */
    static final class MultiTable {
        final Tensor[][] cols;
        final double[] wd;
        final DeviceBuffer dev;
        final long maxSize;

        MultiTable(Tensor[][] cols, double[] wd, DeviceBuffer dev, long maxSize) {
            this.cols = cols;
            this.wd = wd;
            this.dev = dev;
            this.maxSize = maxSize;
        }

        boolean matches(List<List<Tensor>> lists, double[] w) {
            if (lists.size() != cols.length) return false;
            for (int c = 0; c < cols.length; c++) {
                List<Tensor> l = lists.get(c);
                if (l.size() != cols[c].length) return false;
                for (int i = 0; i < cols[c].length; i++) if (l.get(i) != cols[c][i]) return false;
            }
            return Arrays.equals(wd, w);
        }
    }

    MultiTable adamTable, sumsqTable, zeroTable;

    /** The cached table for these lists, or a new one (the old one is freed). */
    MultiTable multiTable(MultiTable cached, List<List<Tensor>> lists, double[] wd, String what) {
        if (cached != null && cached.matches(lists, wd)) return cached;
        dev.noRecording(what + " (building its tensor table)");
        int cols = lists.size(), t = lists.get(0).size();
        Tensor[][] ts = new Tensor[cols][t];
        long maxSize = 0;
        for (int c = 0; c < cols; c++) {
            if (lists.get(c).size() != t)
                throw new IllegalArgumentException(what + ": list sizes differ (" + t + " vs " + lists.get(c).size() + ")");
            for (int i = 0; i < t; i++) {
                Tensor x = lists.get(c).get(i);
                dev.buf(x, what + " tensor " + i);
                if (x.size() != lists.get(0).get(i).size())
                    throw new IllegalArgumentException(what + ": tensor " + i + " sizes differ: " + x + " vs " + lists.get(0).get(i));
                ts[c][i] = x;
                maxSize = Math.max(maxSize, x.size());
            }
        }
        if (cached != null) dev.freeNow(cached.dev);
        int words = cols * t + t + (wd == null ? 0 : t);
        DeviceBuffer table = dev.allocRaw(8L * words);
        // Whole table from offset 0 (pointer slots 0 for now): byte offsets only go through kernel parameters.
        long[] host = new long[words];
        for (int i = 0; i < t; i++) {
            host[cols * t + i] = ts[0][i].size();
            if (wd != null) host[cols * t + t + i] = Double.doubleToRawLongBits(wd[i]);
        }
        dev.uploadWords(host, table.ptr, what);
        // The addresses: a CUdeviceptr's value is not readable from Java, so a kernel stores each.
        for (int c = 0; c < cols; c++)
            for (int i = 0; i < t; i++)
                ln.launch(Kernel.STORE_PTR, 1, 1, 1, 1, dev.buf(ts[c][i], what).ptr, table.ptr.withByteOffset(8L * (c * t + i)));
        return new MultiTable(ts, wd == null ? null : wd.clone(), table, maxSize);
    }

    int multiBlocks(MultiTable tb) { return (int) Math.max(1, Math.min(CudaLauncher.MAX_BLOCKS, ceilDiv(tb.maxSize, BLOCK))); }

    @Override
    public synchronized void adamwAll(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v,
                                      double lr, double beta1, double beta2, double eps, double[] weightDecay,
                                      int step, double gradScale) {
        BackendChecks.adamStep(step);
        if (weightDecay.length != params.size())
            throw new IllegalArgumentException("adamwAll: " + weightDecay.length + " weight decays for " + params.size() + " tensors");
        if (params.isEmpty()) return;
        adamTable = multiTable(adamTable, List.of(params, grads, m, v), weightDecay, "adamwAll");
        double c1 = 1.0 - Math.pow(beta1, step), c2 = 1.0 - Math.pow(beta2, step);
        ln.launch(Kernel.ADAMW_MULTI, multiBlocks(adamTable), 1, BLOCK, 1, params.size(), adamTable.dev.ptr, (float) lr,
            (float) beta1, (float) beta2, (float) (1.0 - beta1), (float) (1.0 - beta2), (float) eps, (float) c1,
            (float) c2, (float) gradScale);
    }

    @Override
    public synchronized double sumOfSquares(List<Tensor> ts) {
        dev.noRecording("sumOfSquares");
        if (ts.isEmpty()) return 0.0;
        sumsqTable = multiTable(sumsqTable, List.of(ts), null, "sumOfSquares");
        if (sumsqTable.maxSize == 0) return 0.0;
        dev.memset(reduceScratch.ptr, 0, 2, "sumOfSquares");
        ln.launch(Kernel.SUMSQ_MULTI, multiBlocks(sumsqTable), 1, BLOCK, 1, ts.size(), sumsqTable.dev.ptr, reduceScratch.ptr);
        return readReduceResult("sumOfSquares");
    }

    @Override
    public synchronized void zeroAll(List<Tensor> ts) {
        if (ts.isEmpty()) return;
        zeroTable = multiTable(zeroTable, List.of(ts), null, "zeroAll");
        if (zeroTable.maxSize == 0) return;
        ln.launch(Kernel.ZERO_MULTI, multiBlocks(zeroTable), 1, BLOCK, 1, ts.size(), zeroTable.dev.ptr);
    }

    // ================================================================ device-resident step, graphs

    @Override public synchronized Optional<DeviceStep> deviceStep() {
        dev.checkOpen();
        if (deviceStep == null) deviceStep = new CudaDeviceStep(this, dev, ln);
        return Optional.of(deviceStep);
    }

    /** The scratch buffers and tensor tables kernels use besides their arguments. */
    synchronized List<DeviceBuffer> scratchBuffers() {
        List<DeviceBuffer> l = new java.util.ArrayList<>();
        for (DeviceBuffer b : new DeviceBuffer[] {reduceScratch, copyScratch, scanScratch, gemmScratch, wavgScratch})
            if (b != null) l.add(b);
        for (MultiTable t : new MultiTable[] {adamTable, sumsqTable, zeroTable}) if (t != null) l.add(t.dev);
        return l;
    }

    /**
     * While recording, the seed's base comes from the step inputs on the device (the graph is
     * replayed with a new base each step); otherwise the plain seed value.
     */
    @Override public void dropoutMask(Tensor mask, double keep, StepSeed seed) {
        if (!dev.recording() || deviceStep == null) {
            dropoutMask(mask, keep, seed.value());
            return;
        }
        BackendChecks.dropoutKeep(keep);
        DeviceBuffer b = dev.buf(mask, "dropoutMask");
        long n = mask.size();
        if (n == 0) return;
        ln.launch1d(Kernel.DROPOUT_MASK_STEP, n, n, deviceStep.inputs.ptr, seed.mul(), seed.add(),
            Double.doubleToRawLongBits(keep), (float) (1.0 / keep), b.ptr);
    }

    // ================================================================ weighted averaging (MODEL.md §5.3)

    /** Most sources of one weighted average (2L + 1 for L blocks). */
    static final int MAX_AVERAGE_SOURCES = 256;
    private DeviceBuffer wavgScratch;   // <dOut, src_j> per source, double

    private void checkAverage(Tensor raw, Tensor[] src, String what) {
        if (src.length != raw.size())
            throw new IllegalArgumentException(what + ": " + src.length + " sources for " + raw.size() + " weights");
        if (src.length > MAX_AVERAGE_SOURCES)
            throw new CudaBackendException(what + ": " + src.length + " sources exceed " + MAX_AVERAGE_SOURCES);
    }

    /** Same arithmetic as the host default (weights in double, one axpy per source), weights never leave the device. */
    @Override
    public void weightedAverageForward(Tensor raw, boolean softmax, Tensor[] src, Tensor out) {
        checkAverage(raw, src, "weightedAverageForward");
        long n = out.size();
        for (Tensor s : src) BackendChecks.sameSize(s, out, "weightedAverageForward");
        if (n == 0) return;
        dev.memset(dev.ptr(out, "average out"), 0, n, "weightedAverageForward");
        for (int j = 0; j < src.length; j++)
            ln.launch1d(Kernel.WAVG_AXPY, n, n, src.length, j, softmax ? 1 : 0, dev.ptr(raw, "average weights"),
                dev.ptr(src[j], "average source"), dev.ptr(out, "average out"));
    }

    @Override
    public synchronized void weightedAverageBackward(Tensor raw, boolean softmax, Tensor dOut, Tensor[] src,
                                                     Tensor[] grads, Tensor rawGrad) {
        checkAverage(raw, src, "weightedAverageBackward");
        if (grads.length != src.length)
            throw new IllegalArgumentException("weightedAverageBackward: " + grads.length + " gradients for " + src.length + " sources");
        check.size(rawGrad, src.length, "average weight gradient");
        long n = dOut.size();
        for (int j = 0; j < src.length; j++) {
            BackendChecks.sameSize(src[j], dOut, "weightedAverageBackward source");
            BackendChecks.sameSize(grads[j], dOut, "weightedAverageBackward gradient");
        }
        if (wavgScratch == null) wavgScratch = dev.allocRaw(8L * MAX_AVERAGE_SOURCES);
        dev.memset(wavgScratch.ptr, 0, 2L * src.length, "weightedAverageBackward");
        for (int j = 0; j < src.length; j++) {
            CUdeviceptr gw = wavgScratch.ptr.withByteOffset(8L * j);
            if (n > 0) {
                ln.launch1d(Kernel.REDUCE, n, 0, n, dev.ptr(dOut, "average dOut"), dev.ptr(src[j], "average source"), gw);
                ln.launch1d(Kernel.WAVG_AXPY, n, n, src.length, j, softmax ? 1 : 0, dev.ptr(raw, "average weights"),
                    dev.ptr(dOut, "average dOut"), dev.ptr(grads[j], "average source gradient"));
            }
        }
        ln.launch(Kernel.WAVG_GRAD, 1, 1, 1, 1, src.length, softmax ? 1 : 0, dev.ptr(raw, "average weights"), wavgScratch.ptr,
            dev.ptr(rawGrad, "average weight gradient"));
    }

    // ================================================================ close

    @Override public void close() {
        dev.close(() -> { if (deviceStep != null) deviceStep.destroy(); });
    }

    // ================================================================ helpers

    /** b's pointer at element offset off (offsets go through kernel parameters, where JCuda applies them). */
    private static CUdeviceptr at(DeviceBuffer b, int off) { return off == 0 ? b.ptr : b.ptr.withByteOffset(4L * off); }

    private static int ceilDiv(long a, int b) { return CudaLauncher.ceilDiv(a, b); }

    /** Row-group count (grid y) for the (32, 8) column-reduction kernels. */
    private static int rowGroups(long rows) { return (int) Math.max(1, Math.min(1024, ceilDiv(rows, 8))); }

    /** For tests: the kernel symbols and signatures this backend launches. */
    static Map<String, String> kernelSignatures() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Kernel k : Kernel.values()) m.put(k.symbol, k.signature);
        return m;
    }

    @Override public String toString() { return name() + " on device " + dev.ordinal + " " + dev.deviceName; }
}
