package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.BackendChecks;
import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.backend.StepSeed;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * float32 {@link Backend} on an NVIDIA GPU through the JCuda driver API (no cuBLAS: every
 * kernel, GEMM included, is ours, in {@code engine/src/main/cuda/kernels.cu}, loaded from the
 * committed PTX resource). Storage is a {@link DeviceBuffer}; see docs/CUDA.md.
 *
 * <p>All work goes to one blocking stream ({@link #stream}), so kernels run in call order and every
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
    static final int BLOCK = 256;
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
    private static final int MAX_BLOCKS = 65535 * 16;
    private static final int MAX_GRID_Y = 65535;
    private static final Cleaner CLEANER = Cleaner.create();

    // Probe result, computed once per JVM: null = not probed yet.
    private static Boolean available;
    private static String unavailableReason = "not probed";

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private final LaunchSlots[] slots = new LaunchSlots[Kernel.values().length];
    private final boolean syncEachLaunch;
    private CudaProfiler profiler;      // null unless -Dmambamixer.cuda.profile=true
    private String label;               // profiling label of the next launch (null = kernel symbol)
    private final String deviceName;
    private final int ccMajor, ccMinor, driverVersion, smCount;
    /**
     * Live allocations, freed on close or when their buffer is collected. Identity-keyed:
     * CUdeviceptr compares by address, and a freed address is reused by later allocations.
     */
    private final Set<Allocation> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** The stream of all kernels, memsets and device copies (blocking: syncs with the legacy stream). */
    final CUstream stream = new CUstream();
    /** Buffers touched while a graph is being recorded (null when not recording). */
    private Set<DeviceBuffer> recording;
    private PinnedRing uploadStaging;       // pinned slots for asynchronous small uploads
    private CudaDeviceStep deviceStep;

    // Cached scratch (grown on demand, freed on close): no allocation per call in hot paths.
    private DeviceBuffer reduceScratch;     // 1 double
    private DeviceBuffer copyScratch;       // overlapping same-tensor copies
    private DeviceBuffer scanScratch;       // recomputed chunk states of scanBackward
    private DeviceBuffer gemmScratch;       // split-k partial tiles
    private final double[] reduceResult = new double[1];

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
        this.ordinal = ordinal;
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = {0};
        cuDeviceGetCount(count);
        if (count[0] <= ordinal)
            throw new CudaBackendException("no CUDA device " + ordinal + " (" + count[0] + " found)");
        cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.US_ASCII);
        int[] v = {0};
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        ccMajor = v[0];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        ccMinor = v[0];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        smCount = v[0];
        cuDriverGetVersion(v);
        driverVersion = v[0];
        if (ccMajor < 8)
            throw new CudaBackendException("device " + deviceName + " has compute capability " + ccMajor + "."
                + ccMinor + "; the PTX targets sm_80 and newer");
        syncEachLaunch = Boolean.getBoolean(SYNC_PROPERTY);

        cuDevicePrimaryCtxRetain(context, device);
        boolean ok = false;
        try {
            cuCtxSetCurrent(context);
            byte[] ptx = loadPtx();
            try {
                cuModuleLoadData(module, ptx);
            } catch (CudaException e) {
                throw new CudaBackendException("loading kernels.ptx (" + ptxHeader(ptx) + ") failed on " + deviceName
                    + " with driver " + formatVersion(driverVersion) + ": " + e.getMessage(), e);
            }
            for (Kernel k : Kernel.values()) {
                CUfunction f = new CUfunction();
                try {
                    cuModuleGetFunction(f, module, k.symbol);
                } catch (CudaException e) {
                    throw new CudaBackendException("kernel " + k.symbol + " missing from kernels.ptx: " + e.getMessage(), e);
                }
                functions.put(k, f);
                slots[k.ordinal()] = new LaunchSlots(k, f);
            }
            cuStreamCreate(stream, 0);   // CU_STREAM_DEFAULT: ordered with the legacy stream's copies
            reduceScratch = allocRaw(8);
            if (Boolean.getBoolean(PROFILE_PROPERTY)) profiler = new CudaProfiler(stream);
            ok = true;
        } finally {
            if (!ok) {
                try { cuDevicePrimaryCtxRelease(device); } catch (Throwable ignored) { /* already failing */ }
            }
        }
    }

    static byte[] loadPtx() {
        try (InputStream in = CudaBackend.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) throw new CudaBackendException("PTX resource " + PTX_RESOURCE + " not on the classpath");
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1); // cuModuleLoadData wants a NUL-terminated image
        } catch (IOException e) {
            throw new CudaBackendException("reading " + PTX_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static String ptxHeader(byte[] ptx) {
        String s = new String(ptx, 0, Math.min(ptx.length, 2000), StandardCharsets.US_ASCII);
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n"))
            if (line.startsWith(".version") || line.startsWith(".target")) sb.append(sb.length() > 0 ? ", " : "").append(line.trim());
        return sb.toString();
    }

    private static String formatVersion(int v) { return (v / 1000) + "." + (v % 1000) / 10; }

    /** One line about the device, for logs and the gpu-check report. */
    public String describe() {
        long[] total = {0};
        current();
        cuDeviceTotalMem(total, device);
        return deviceName + " (sm_" + ccMajor + ccMinor + ", " + (total[0] >> 20) + " MiB, driver CUDA "
            + formatVersion(driverVersion) + ")";
    }

    @Override public String name() { return "cuda-f32"; }

    @Override public int elementBytes() { return 4; }

    /** Whether launches are being timed ({@value #PROFILE_PROPERTY}). */
    public boolean profiling() { return profiler != null; }

    /**
     * The per-kernel GPU time table since the last {@link #profileReset()} (empty string when
     * profiling is off): per kernel symbol, then the top calls by shape, sorted by GPU time.
     */
    public synchronized String profileReport() {
        if (profiler == null) return "";
        current();
        return profiler.report(30);
    }

    /** Forgets the timings recorded so far. */
    public synchronized void profileReset() {
        if (profiler == null) return;
        current();
        profiler.reset();
    }

    /** No profiler events while recording (they would become graph nodes). */
    CudaProfiler.Mark mark(String what) { return profiler == null || recording != null ? null : profiler.begin(what); }

    void endMark(CudaProfiler.Mark m) { if (m != null) profiler.end(m); }

    /** Waits for all queued work (for timing). */
    public void synchronize() {
        noRecording("synchronize");
        current();
        try { cuCtxSynchronize(); } catch (CudaException e) { throw new CudaBackendException("synchronize: " + e.getMessage(), e); }
    }

    // ================================================================ storage

    /**
     * Device storage of one tensor: a {@code cuMemAlloc} block. It is freed when the backend
     * closes or, earlier, once no tensor (or view) references it any more.
     */
    public static final class DeviceBuffer {
        final CudaBackend owner;
        final CUdeviceptr ptr;   // null for zero-size buffers
        final int elements;
        Cleaner.Cleanable cleanable;   // set right after allocation; null for zero-size buffers
        /** Referenced by a recorded graph: never freed early (the graph keeps it reachable). */
        volatile boolean inGraph;

        DeviceBuffer(CudaBackend owner, CUdeviceptr ptr, int elements) {
            this.owner = owner;
            this.ptr = ptr;
            this.elements = elements;
        }

        public int elements() { return elements; }
    }

    /** One cuMemAlloc block; identity equality on purpose (see {@link #live}). */
    private static final class Allocation {
        final CUdeviceptr ptr;

        Allocation(CUdeviceptr ptr) { this.ptr = ptr; }
    }

    /** Frees one allocation (Cleaner thread or {@link #freeNow}), unless close() already did. */
    private static final class Freer implements Runnable {
        private final CudaBackend backend;
        private final Allocation alloc;

        Freer(CudaBackend backend, Allocation alloc) { this.backend = backend; this.alloc = alloc; }

        @Override public void run() {
            synchronized (backend.live) {
                if (backend.closed || !backend.live.remove(alloc)) return;
                try {
                    cuCtxSetCurrent(backend.context);
                    cuMemFree(alloc.ptr);
                } catch (Throwable ignored) {
                    // Freeing is best effort from the cleaner thread; close() frees the rest.
                }
            }
        }
    }

    DeviceBuffer allocRaw(long bytes) {
        checkOpen();
        if (recording != null)
            throw new IllegalStateException("device allocation of " + bytes + " bytes while recording a CUDA graph "
                + "(every buffer of a recorded step must exist before recording)");
        current();
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            throw new CudaBackendException("cuMemAlloc of " + bytes + " bytes failed: " + e.getMessage(), e);
        }
        Allocation a = new Allocation(p);
        live.add(a);
        // The buffer object is the tensor's storage: once no tensor or view references it,
        // the Cleaner frees the device memory.
        DeviceBuffer b = new DeviceBuffer(this, p, (int) Math.min(Integer.MAX_VALUE, bytes / 4));
        b.cleanable = CLEANER.register(b, new Freer(this, a));
        return b;
    }

    @Override public Tensor zeros(int... shape) {
        long n = Tensor.elementCount(shape);
        DeviceBuffer b = n == 0 ? new DeviceBuffer(this, null, 0) : allocRaw(n * 4);
        if (n > 0) memset(b.ptr, 0, n, "zeros");
        return new Tensor(this, b, shape);
    }



    @Override public void upload(double[] src, Tensor dst) {
        float[] f = new float[src.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) src[i];
        upload(f, dst);
    }

    @Override public void upload(float[] src, Tensor dst) {
        DeviceBuffer b = buf(dst, "upload dst");
        BackendChecks.uploadLength(src.length, dst);
        if (src.length == 0) return;
        noRecording("upload");
        current();
        if (4L * src.length <= PinnedRing.SLOT_BYTES) {
            // Staged: the caller may reuse src at once, and the host does not wait for the GPU.
            if (uploadStaging == null) uploadStaging = new PinnedRing(4);
            CudaProfiler.Mark mk = mark("upload (staged, async)");
            uploadStaging.upload(src, b.ptr, stream);
            endMark(mk);
            return;
        }
        CudaProfiler.Mark mk = mark("[sync] upload");
        try {
            cuMemcpyHtoD(b.ptr, Pointer.to(src), 4L * src.length);
        } catch (CudaException e) {
            throw new CudaBackendException("upload (cuMemcpyHtoD, " + src.length + " floats): " + e.getMessage(), e);
        }
        endMark(mk);
    }

    @Override public double[] toDoubles(Tensor t) {
        float[] f = toFloats(t);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override public float[] toFloats(Tensor t) {
        DeviceBuffer b = buf(t, "download");
        float[] f = new float[t.size()];
        if (f.length == 0) return f;
        noRecording("download");
        current();
        CudaProfiler.Mark mk = mark("[sync] download");
        try {
            cuMemcpyDtoH(Pointer.to(f), b.ptr, 4L * f.length);
        } catch (CudaException e) {
            throw new CudaBackendException("download (cuMemcpyDtoH, " + f.length
                + " floats; may report an earlier asynchronous kernel fault): " + e.getMessage(), e);
        }
        endMark(mk);
        return f;
    }

    @Override public synchronized void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n) {
        DeviceBuffer s = buf(src, "copy src"), d = buf(dst, "copy dst");
        BackendChecks.range(src, srcOff, n, "copy src");
        BackendChecks.range(dst, dstOff, n, "copy dst");
        if (n == 0 || (s == d && srcOff == dstOff)) return;
        if (s == d && Math.abs(srcOff - dstOff) < n) {
            // Overlapping ranges of one buffer: bounce through scratch.
            copyScratch = ensure(copyScratch, n);
            launch1d(Kernel.COPY, n, (long) n, at(s, srcOff), copyScratch.ptr);
            launch1d(Kernel.COPY, n, (long) n, copyScratch.ptr, at(d, dstOff));
        } else if (srcOff == 0 && dstOff == 0) {
            current();
            CudaProfiler.Mark mk = mark("cuMemcpyDtoD");
            try {
                cuMemcpyDtoDAsync(d.ptr, s.ptr, 4L * n, stream);
            } catch (CudaException e) {
                throw new CudaBackendException("copy (cuMemcpyDtoD, " + n + " floats): " + e.getMessage(), e);
            }
            endMark(mk);
        } else {
            // Offsets go through kernel parameters, where JCuda applies the pointer's byte offset.
            launch1d(Kernel.COPY, n, (long) n, at(s, srcOff), at(d, dstOff));
        }
    }

    @Override public void fill(Tensor t, double value) {
        DeviceBuffer b = buf(t, "fill");
        if (t.size() > 0) memset(b.ptr, Float.floatToRawIntBits((float) value), t.size(), "fill");
    }

    // ================================================================ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, int aOff,
                     Tensor b, int bOff, double beta, Tensor c, int cOff) {
        BackendChecks.gemmSizes(m, n, k);
        DeviceBuffer A = buf(a, "gemm A"), B = buf(b, "gemm B"), C = buf(c, "gemm C");
        BackendChecks.range(a, aOff, (long) m * k, "gemm A");
        BackendChecks.range(b, bOff, (long) k * n, "gemm B");
        BackendChecks.range(c, cOff, (long) m * n, "gemm C");
        if (m == 0 || n == 0) return;
        int gx = ceilDiv(m, GEMM_TILE), gy = ceilDiv(n, GEMM_TILE);
        if (gy > MAX_GRID_Y) throw new CudaBackendException("gemm: n=" + n + " exceeds the kernel's grid limit");
        int slice = gemmSlice(m, n, k, smCount);
        int splits = k == 0 ? 1 : ceilDiv(k, slice);
        if (profiler != null) label = Kernel.GEMM.symbol + " " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x"
            + n + "x" + k + (splits > 1 ? " split" + splits : "");
        CUdeviceptr w = null;
        if (splits > 1) {
            gemmScratch = ensure(gemmScratch, (long) splits * m * n);
            w = gemmScratch.ptr;
        }
        launch3d(Kernel.GEMM, gx, gy, splits, GEMM_THREADS, GEMM_THREADS, transA ? 1 : 0, transB ? 1 : 0, m, n, k,
            (float) alpha, at(A, aOff), at(B, bOff), (float) beta, at(C, cOff), Math.max(1, slice), w);
        if (splits > 1)
            launch1d(Kernel.GEMM_SPLITK_REDUCE, (long) m * n, (long) m * n, splits, (float) alpha, w, (float) beta, at(C, cOff));
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
        launch1d(Kernel.BINARY, n, op, n, ptr(a, what + " a"), ptr(b, what + " b"), ptr(out, what + " out"));
    }

    @Override public void axpy(double alpha, Tensor x, int xOff, Tensor y, int yOff, int n) {
        DeviceBuffer xb = buf(x, "axpy x"), yb = buf(y, "axpy y");
        BackendChecks.range(x, xOff, n, "axpy x");
        BackendChecks.range(y, yOff, n, "axpy y");
        if (xb == yb && xOff != yOff && Math.abs(xOff - yOff) < n)
            throw new IllegalArgumentException("axpy: overlapping ranges of one tensor are not supported");
        if (n == 0) return;
        launch1d(Kernel.AXPY, n, (long) n, (float) alpha, at(xb, xOff), at(yb, yOff));
    }

    @Override public void scale(Tensor x, double alpha) {
        if (x.size() == 0) return;
        launch1d(Kernel.SCALE, x.size(), (long) x.size(), (float) alpha, ptr(x, "scale x"));
    }

    @Override public void siluForward(Tensor x, Tensor out) {
        BackendChecks.sameSize(x, out, "siluForward");
        if (x.size() == 0) return;
        launch1d(Kernel.SILU_FWD, x.size(), (long) x.size(), ptr(x, "silu x"), ptr(out, "silu out"));
    }

    @Override public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        BackendChecks.sameSize(x, dout, "siluBackward");
        BackendChecks.sameSize(x, dx, "siluBackward");
        if (x.size() == 0) return;
        launch1d(Kernel.SILU_BWD, x.size(), (long) x.size(), ptr(x, "silu x"), ptr(dout, "silu dout"), ptr(dx, "silu dx"));
    }

    @Override public double dot(Tensor a, Tensor b) {
        BackendChecks.sameSize(a, b, "dot");
        return reduce(0, a, b, "dot");
    }

    @Override public double sumAbs(Tensor x) { return reduce(1, x, x, "sumAbs"); }

    private synchronized double reduce(int mode, Tensor a, Tensor b, String what) {
        noRecording(what);
        long n = a.size();
        CUdeviceptr pa = ptr(a, what), pb = ptr(b, what);
        if (n == 0) return 0.0;
        memset(reduceScratch.ptr, 0, 2, what);
        launch1d(Kernel.REDUCE, n, mode, n, pa, pb, reduceScratch.ptr);
        return readReduceResult(what);
    }

    /** Downloads the double in reduceScratch (a host sync). */
    private double readReduceResult(String what) {
        CudaProfiler.Mark mk = mark("[sync] " + what + " result");
        try {
            cuMemcpyDtoH(Pointer.to(reduceResult), reduceScratch.ptr, 8);
        } catch (CudaException e) {
            throw new CudaBackendException(what + " (reading the result): " + e.getMessage(), e);
        }
        endMark(mk);
        return reduceResult[0];
    }

    @Override public void addRowVector(Tensor x, int rows, int cols, Tensor v) {
        check.size(x, (long) rows * cols, "addRowVector x");
        check.size(v, cols, "addRowVector v");
        long n = (long) rows * cols;
        if (n == 0) return;
        launch1d(Kernel.ADD_ROW_VECTOR, n, n, cols, ptr(x, "addRowVector x"), ptr(v, "addRowVector v"));
    }

    @Override public void sumRows(Tensor x, int rows, int cols, Tensor out) {
        check.size(x, (long) rows * cols, "sumRows x");
        check.size(out, cols, "sumRows out");
        if (rows == 0 || cols == 0) return;
        launch(Kernel.SUM_ROWS, ceilDiv(cols, 32), rowGroups(rows), 32, 8, rows, cols, ptr(x, "sumRows x"), ptr(out, "sumRows out"));
    }

    /**
     * Same draws as the reference backend (one SplittableRandom(seed), one nextDouble per
     * element in storage order), generated on the device (SplittableRandom's element i is a pure
     * function of seed and i), so masks match exactly and no host round trip stalls the queue.
     */
    @Override public void dropoutMask(Tensor mask, double keep, long seed) {
        BackendChecks.dropoutKeep(keep);
        DeviceBuffer b = buf(mask, "dropoutMask");
        long n = mask.size();
        if (n == 0) return;
        launch1d(Kernel.DROPOUT_MASK, n, n, seed, Double.doubleToRawLongBits(keep), (float) (1.0 / keep), b.ptr);
    }

    // ================================================================ layout

    @Override public void swapMiddle(Tensor x, int a, int b, int c, int d, Tensor out) {
        long n = (long) a * b * c * d;
        check.size(x, n, "swapMiddle x");
        check.size(out, n, "swapMiddle out");
        BackendChecks.noAlias(x, out, "swapMiddle");
        if (n == 0) return;
        launch1d(Kernel.SWAP_MIDDLE, n, a, b, c, d, ptr(x, "swapMiddle x"), ptr(out, "swapMiddle out"));
    }

    @Override public void flipSequence(Tensor x, int s, int l, int e, Tensor out) {
        long n = (long) s * l * e;
        check.size(x, n, "flipSequence x");
        check.size(out, n, "flipSequence out");
        BackendChecks.noAlias(x, out, "flipSequence");
        if (n == 0) return;
        launch1d(Kernel.FLIP_SEQUENCE, n, s, l, e, ptr(x, "flipSequence x"), ptr(out, "flipSequence out"));
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
        launch1d(Kernel.CONV_FWD, n, s, l, e, k, ptr(x, "conv x"), ptr(w, "conv w"), ptr(bias, "conv bias"), ptr(out, "conv out"));
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
        launch1d(Kernel.CONV_BWD_DX, n, s, l, e, k, ptr(w, "conv w"), ptr(dout, "conv dout"), ptr(dx, "conv dx"));
        launch(Kernel.CONV_BWD_PARAMS, ceilDiv(e, 32), rowGroups((long) s * l), 32, 8, s, l, e, k,
            ptr(x, "conv x"), ptr(dout, "conv dout"), ptr(dw, "conv dw"), ptr(dbias, "conv dbias"));
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
        launch(Kernel.LAYERNORM_FWD, rows, 1, BLOCK, 1, rows, n, (float) eps, ptr(x, "x"), ptr(gamma, "gamma"),
            ptr(beta, "beta"), ptr(out, "out"), ptr(mean, "mean"), ptr(rstd, "rstd"));
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
        launch(Kernel.LAYERNORM_BWD_DX, rows, 1, BLOCK, 1, rows, n, ptr(x, "x"), ptr(gamma, "gamma"),
            ptr(mean, "mean"), ptr(rstd, "rstd"), ptr(dout, "dout"), ptr(dx, "dx"));
        launch(Kernel.LAYERNORM_BWD_PARAMS, ceilDiv(n, 32), rowGroups(rows), 32, 8, rows, n, ptr(x, "x"),
            ptr(mean, "mean"), ptr(rstd, "rstd"), ptr(dout, "dout"), ptr(dgamma, "dgamma"), ptr(dbeta, "dbeta"));
    }

    // ================================================================ selective scan (spec §3)

    @Override
    public void scanForward(ScanDims dims, ScanInputs in, Tensor out, Tensor checkpoints) {
        check.scanForward(dims, in, out, checkpoints);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        if (scanFastForward(dims)) {
            if (profiler != null) label = Kernel.SCAN_FWD_F16.symbol + " " + dims;
            int bd = scanFastFwdBlock(dims, smCount);
            launch(Kernel.SCAN_FWD_F16, dims.s(), ceilDiv(dims.e(), bd), bd, 1,
                dims.s(), dims.l(), dims.e(), dims.n(), dims.chunk(), dims.chunks(), ptr(u, "u"), ptr(deltaRaw, "deltaRaw"),
                ptr(aLog, "aLog"), ptr(bmat, "B"), ptr(cmat, "C"), ptr(d, "D"), z == null ? null : ptr(z, "z"),
                ptr(deltaBias, "deltaBias"), ptr(out, "out"), ptr(checkpoints, "checkpoints"));
            return;
        }
        Kernel k = Kernel.scanForward(dims.n());
        long pairs = (long) dims.s() * dims.e();
        if (profiler != null) label = k.symbol + " " + dims;
        boolean reg = Kernel.scanRegister(dims.n());
        // kernels: SCAN_FWD_N16, SCAN_FWD_N32, SCAN_FWD_N64
        launch(k, reg ? dims.s() : ceilDiv(pairs, SCAN_BLOCK), reg ? scanRegGridY(dims) : 1,
            reg ? scanRegBlock(dims) : SCAN_BLOCK, 1, dims.s(), dims.l(), dims.e(), dims.n(),
            dims.chunk(), dims.chunks(), ptr(u, "u"), ptr(deltaRaw, "deltaRaw"), ptr(aLog, "aLog"), ptr(bmat, "B"),
            ptr(cmat, "C"), ptr(d, "D"), z == null ? null : ptr(z, "z"), ptr(deltaBias, "deltaBias"), ptr(out, "out"),
            ptr(checkpoints, "checkpoints"));
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

        CUdeviceptr zp0 = z == null ? null : ptr(z, "z"), dzp0 = z == null ? null : ptr(dz, "dz");
        if (scanFastBackward(dims)) {
            // No scratch: each warp recomputes its chunk states in shared memory. dB/dC are stored
            // when one block holds all E channels, otherwise added onto zeros with atomics.
            int gy = ceilDiv(dims.e(), SCAN_FAST_BWD_BLOCK);
            if (gy > 1) {
                memset(ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
                memset(ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
            }
            if (profiler != null) label = Kernel.SCAN_BWD_F16.symbol + " " + dims;
            launch(Kernel.SCAN_BWD_F16, dims.s(), gy, SCAN_FAST_BWD_BLOCK, 1, 0, dims.s(), dims.s(), dims.l(), dims.e(),
                dims.n(), dims.chunk(), dims.chunks(), ptr(u, "u"), ptr(deltaRaw, "deltaRaw"), ptr(aLog, "aLog"),
                ptr(bmat, "B"), ptr(cmat, "C"), ptr(d, "D"), zp0, ptr(deltaBias, "deltaBias"),
                ptr(checkpoints, "checkpoints"), ptr(dout, "dout"), ptr(du, "du"), ptr(dDeltaRaw, "dDeltaRaw"),
                ptr(dALog, "dALog"), ptr(dB, "dB"), ptr(dC, "dC"), ptr(dD, "dD"), dzp0, ptr(dDeltaBias, "dDeltaBias"),
                null);
            return;
        }
        if (Kernel.scanRegister(dims.n())) {
            // N <= 32: when one block holds all E channels of a sequence the kernel stores dB/dC;
            // otherwise blocks add their channels' sums with atomics onto zeros.
            int gy = scanRegGridY(dims), bd = scanRegBlock(dims), batch = scanRegBatch(dims);
            if (gy > 1) {
                memset(ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
                memset(ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
            }
            scanScratch = ensure(scanScratch, (long) batch * gy * bd * scanRegRows(dims) * dims.n());
            for (int s0 = 0; s0 < dims.s(); s0 += batch) {
                int count = Math.min(batch, dims.s() - s0);
                if (profiler != null) label = k.symbol + " " + dims;
                // kernels: SCAN_BWD_N16, SCAN_BWD_N32
                launch(k, count, gy, bd, 1, s0, count, dims.s(), dims.l(), dims.e(), dims.n(), dims.chunk(),
                    dims.chunks(), ptr(u, "u"), ptr(deltaRaw, "deltaRaw"), ptr(aLog, "aLog"), ptr(bmat, "B"),
                    ptr(cmat, "C"), ptr(d, "D"), zp0, ptr(deltaBias, "deltaBias"), ptr(checkpoints, "checkpoints"),
                    ptr(dout, "dout"), ptr(du, "du"), ptr(dDeltaRaw, "dDeltaRaw"), ptr(dALog, "dALog"), ptr(dB, "dB"),
                    ptr(dC, "dC"), ptr(dD, "dD"), dzp0, ptr(dDeltaBias, "dDeltaBias"), scanScratch.ptr);
            }
            return;
        }
        // dB, dC sum over e with atomics: zero them here (they overwrite for the caller).
        memset(ptr(dB, "dB"), 0, sln, "scanBackward zero dB");
        memset(ptr(dC, "dC"), 0, sln, "scanBackward zero dC");
        int batch = scanBackwardBatch(dims);
        long pairs = (long) dims.s() * dims.e();
        scanScratch = ensure(scanScratch, (long) (dims.chunk() + 1) * dims.n() * batch);
        CUdeviceptr zp = z == null ? null : ptr(z, "z"), dzp = z == null ? null : ptr(dz, "dz");
        for (long p0 = 0; p0 < pairs; p0 += batch) {
            int count = (int) Math.min(batch, pairs - p0);
            if (profiler != null) label = k.symbol + " " + dims;
            // kernels: SCAN_BWD_N64
            launch(k, ceilDiv(count, SCAN_BLOCK), 1, SCAN_BLOCK, 1, (int) p0, count, dims.s(), dims.l(), dims.e(),
                dims.n(), dims.chunk(), dims.chunks(), ptr(u, "u"), ptr(deltaRaw, "deltaRaw"), ptr(aLog, "aLog"),
                ptr(bmat, "B"), ptr(cmat, "C"), ptr(d, "D"), zp, ptr(deltaBias, "deltaBias"),
                ptr(checkpoints, "checkpoints"), ptr(dout, "dout"), ptr(du, "du"), ptr(dDeltaRaw, "dDeltaRaw"),
                ptr(dALog, "dALog"), ptr(dB, "dB"), ptr(dC, "dC"), ptr(dD, "dD"), dzp, ptr(dDeltaBias, "dDeltaBias"),
                scanScratch.ptr);
        }
    }

    // ================================================================ RevIN / patching (spec §6.3)

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
        launch1d(Kernel.REVIN_NORM, (long) b * m, b, t, m, (float) eps, ptr(x, "x"), ptr(gamma, "gamma"),
            ptr(beta, "beta"), ptr(out, "out"), ptr(mean, "mean"), ptr(std, "std"));
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
        launch1d(Kernel.REVIN_NORM_BWD, (long) b * m, b, t, m, ptr(x, "x"), ptr(mean, "mean"), ptr(std, "std"),
            ptr(dout, "dout"), ptr(dgamma, "dgamma"), ptr(dbeta, "dbeta"));
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
        launch1d(Kernel.REVIN_DENORM, n, b, h, m, (float) (eps * eps), ptr(y, "y"), ptr(gamma, "gamma"),
            ptr(beta, "beta"), ptr(mean, "mean"), ptr(std, "std"), ptr(out, "out"));
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
        launch1d(Kernel.REVIN_DENORM_BWD, (long) b * m, b, h, m, (float) (eps * eps), ptr(y, "y"), ptr(gamma, "gamma"),
            ptr(beta, "beta"), ptr(std, "std"), ptr(dout, "dout"), ptr(dy, "dy"), ptr(dgamma, "dgamma"), ptr(dbeta, "dbeta"));
    }

    @Override public void patchify(Tensor x, int b, int t, int m, int p, int s, int np, Tensor out) {
        check.size(x, (long) b * t * m, "patchify x");
        check.size(out, (long) b * m * np * p, "patchify out");
        if ((long) b * m * np * p == 0) return;
        launch1d(Kernel.PATCHIFY, (long) b * m * np * p, b, t, m, p, s, np, ptr(x, "x"), ptr(out, "out"));
    }

    @Override public void patchifyBackward(Tensor dout, int b, int t, int m, int p, int s, int np, Tensor dx) {
        check.size(dout, (long) b * m * np * p, "patchify dout");
        check.size(dx, (long) b * t * m, "patchify dx");
        if ((long) b * t * m == 0) return;
        launch1d(Kernel.PATCHIFY_BWD, (long) b * t * m, b, t, m, p, s, np, ptr(dout, "dout"), ptr(dx, "dx"));
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
        launch1d(Kernel.ADAMW, n, n, ptr(param, "param"), ptr(grad, "grad"), ptr(m, "m"), ptr(v, "v"), (float) lr,
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
        noRecording(what + " (building its tensor table)");
        int cols = lists.size(), t = lists.get(0).size();
        Tensor[][] ts = new Tensor[cols][t];
        long maxSize = 0;
        for (int c = 0; c < cols; c++) {
            if (lists.get(c).size() != t)
                throw new IllegalArgumentException(what + ": list sizes differ (" + t + " vs " + lists.get(c).size() + ")");
            for (int i = 0; i < t; i++) {
                Tensor x = lists.get(c).get(i);
                buf(x, what + " tensor " + i);
                if (x.size() != lists.get(0).get(i).size())
                    throw new IllegalArgumentException(what + ": tensor " + i + " sizes differ: " + x + " vs " + lists.get(0).get(i));
                ts[c][i] = x;
                maxSize = Math.max(maxSize, x.size());
            }
        }
        if (cached != null) freeNow(cached.dev);
        int words = cols * t + t + (wd == null ? 0 : t);
        DeviceBuffer dev = allocRaw(8L * words);
        // Whole table from offset 0 (pointer slots 0 for now): byte offsets only go through kernel parameters.
        long[] host = new long[words];
        for (int i = 0; i < t; i++) {
            host[cols * t + i] = ts[0][i].size();
            if (wd != null) host[cols * t + t + i] = Double.doubleToRawLongBits(wd[i]);
        }
        current();
        try {
            cuMemcpyHtoD(dev.ptr, Pointer.to(host), 8L * words);
        } catch (CudaException e) {
            throw new CudaBackendException(what + " (uploading the tensor table): " + e.getMessage(), e);
        }
        // The addresses: a CUdeviceptr's value is not readable from Java, so a kernel stores each.
        for (int c = 0; c < cols; c++)
            for (int i = 0; i < t; i++)
                launch(Kernel.STORE_PTR, 1, 1, 1, 1, buf(ts[c][i], what).ptr, dev.ptr.withByteOffset(8L * (c * t + i)));
        return new MultiTable(ts, wd == null ? null : wd.clone(), dev, maxSize);
    }

    int multiBlocks(MultiTable tb) { return (int) Math.max(1, Math.min(MAX_BLOCKS, ceilDiv(tb.maxSize, BLOCK))); }

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
        launch(Kernel.ADAMW_MULTI, multiBlocks(adamTable), 1, BLOCK, 1, params.size(), adamTable.dev.ptr, (float) lr,
            (float) beta1, (float) beta2, (float) (1.0 - beta1), (float) (1.0 - beta2), (float) eps, (float) c1,
            (float) c2, (float) gradScale);
    }

    @Override
    public synchronized double sumOfSquares(List<Tensor> ts) {
        noRecording("sumOfSquares");
        if (ts.isEmpty()) return 0.0;
        sumsqTable = multiTable(sumsqTable, List.of(ts), null, "sumOfSquares");
        if (sumsqTable.maxSize == 0) return 0.0;
        memset(reduceScratch.ptr, 0, 2, "sumOfSquares");
        launch(Kernel.SUMSQ_MULTI, multiBlocks(sumsqTable), 1, BLOCK, 1, ts.size(), sumsqTable.dev.ptr, reduceScratch.ptr);
        return readReduceResult("sumOfSquares");
    }

    @Override
    public synchronized void zeroAll(List<Tensor> ts) {
        if (ts.isEmpty()) return;
        zeroTable = multiTable(zeroTable, List.of(ts), null, "zeroAll");
        if (zeroTable.maxSize == 0) return;
        launch(Kernel.ZERO_MULTI, multiBlocks(zeroTable), 1, BLOCK, 1, ts.size(), zeroTable.dev.ptr);
    }

    // ================================================================ device-resident step, graphs

    @Override public synchronized Optional<DeviceStep> deviceStep() {
        checkOpen();
        if (deviceStep == null) deviceStep = new CudaDeviceStep(this);
        return Optional.of(deviceStep);
    }

    /** From now on every buffer a call touches is noted, and allocation or host sync is an error. */
    synchronized void startRecording() {
        recording = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    synchronized Set<DeviceBuffer> stopRecording() {
        Set<DeviceBuffer> r = recording;
        recording = null;
        return r == null ? Set.of() : r;
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
        if (recording == null || deviceStep == null) {
            dropoutMask(mask, keep, seed.value());
            return;
        }
        BackendChecks.dropoutKeep(keep);
        DeviceBuffer b = buf(mask, "dropoutMask");
        long n = mask.size();
        if (n == 0) return;
        launch1d(Kernel.DROPOUT_MASK_STEP, n, n, deviceStep.inputs.ptr, seed.mul(), seed.add(),
            Double.doubleToRawLongBits(keep), (float) (1.0 / keep), b.ptr);
    }

    // ================================================================ weighted averaging (spec §5.3)

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
        memset(ptr(out, "average out"), 0, n, "weightedAverageForward");
        for (int j = 0; j < src.length; j++)
            launch1d(Kernel.WAVG_AXPY, n, n, src.length, j, softmax ? 1 : 0, ptr(raw, "average weights"),
                ptr(src[j], "average source"), ptr(out, "average out"));
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
        if (wavgScratch == null) wavgScratch = allocRaw(8L * MAX_AVERAGE_SOURCES);
        memset(wavgScratch.ptr, 0, 2L * src.length, "weightedAverageBackward");
        for (int j = 0; j < src.length; j++) {
            CUdeviceptr gw = wavgScratch.ptr.withByteOffset(8L * j);
            if (n > 0) {
                launch1d(Kernel.REDUCE, n, 0, n, ptr(dOut, "average dOut"), ptr(src[j], "average source"), gw);
                launch1d(Kernel.WAVG_AXPY, n, n, src.length, j, softmax ? 1 : 0, ptr(raw, "average weights"),
                    ptr(dOut, "average dOut"), ptr(grads[j], "average source gradient"));
            }
        }
        launch(Kernel.WAVG_GRAD, 1, 1, 1, 1, src.length, softmax ? 1 : 0, ptr(raw, "average weights"), wavgScratch.ptr,
            ptr(rawGrad, "average weight gradient"));
    }

    // ================================================================ close

    @Override public void close() {
        synchronized (live) {
            if (closed) return;
            closed = true;
            try {
                cuCtxSetCurrent(context);
                if (profiler != null) profiler.destroy();
                if (deviceStep != null) deviceStep.destroy();
                if (uploadStaging != null) uploadStaging.destroy();
                try { cuStreamDestroy(stream); } catch (Throwable ignored) { /* keep closing */ }
                for (Allocation a : live) {
                    try { cuMemFree(a.ptr); } catch (Throwable ignored) { /* keep freeing the rest */ }
                }
                live.clear();
                cuModuleUnload(module);
            } catch (Throwable ignored) {
                // The context goes away with the primary-context release below anyway.
            } finally {
                try { cuDevicePrimaryCtxRelease(device); } catch (Throwable ignored) { /* nothing left to do */ }
            }
        }
    }

    // ================================================================ helpers

    /** Host synchronisation cannot be recorded into a graph. */
    void noRecording(String what) {
        if (recording != null)
            throw new IllegalStateException(what + " needs the host to wait for the GPU, which a recorded CUDA graph cannot do");
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("CudaBackend is closed");
    }

    /** Makes this backend's context current on the calling thread (cheap when it already is). */
    void current() {
        try {
            cuCtxSetCurrent(context);
        } catch (CudaException e) {
            throw new CudaBackendException("cuCtxSetCurrent: " + e.getMessage(), e);
        }
    }

    /** Argument checks shared with the other backends; the storage check is {@link #buf}. */
    private final BackendChecks check = new BackendChecks(this::buf);

    private DeviceBuffer buf(Tensor t, String what) {
        BackendChecks.notNull(t, what);
        if (!(t.storage() instanceof DeviceBuffer b) || b.owner != this)
            throw new IllegalArgumentException(what + " " + t + " is not a tensor of this CUDA backend");
        checkOpen();
        if (recording != null) recording.add(b);
        return b;
    }

    CUdeviceptr ptr(Tensor t, String what) { return buf(t, what).ptr; }

    private static CUdeviceptr at(DeviceBuffer b, int off) { return off == 0 ? b.ptr : b.ptr.withByteOffset(4L * off); }

    DeviceBuffer ensure(DeviceBuffer b, long floats) {
        if (b != null && b.elements >= floats) return b;
        if (b != null) freeNow(b);
        return allocRaw(4L * Math.max(1, floats));
    }

    /**
     * Frees a scratch buffer now (runs its Freer once; the Cleaner will not run it again), unless
     * a recorded graph uses it: then it stays until the graph and the buffer are unreachable.
     */
    void freeNow(DeviceBuffer b) {
        if (b.cleanable != null && !b.inGraph) b.cleanable.clean();
    }

    void memset(CUdeviceptr p, int bits, long words, String what) {
        current();
        CudaProfiler.Mark mk = mark("cuMemsetD32");
        try {
            cuMemsetD32Async(p, bits, words, stream);
        } catch (CudaException e) {
            throw new CudaBackendException(what + " (cuMemsetD32): " + e.getMessage(), e);
        }
        endMark(mk);
    }





    private static int ceilDiv(long a, int b) { return (int) ((a + b - 1) / b); }

    /** Row-group count (grid y) for the (32, 8) column-reduction kernels. */
    private static int rowGroups(long rows) { return (int) Math.max(1, Math.min(1024, ceilDiv(rows, 8))); }

    /** 1-D grid-stride launch over n elements. */
    void launch1d(Kernel k, long n, Object... args) {
        int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, ceilDiv(n, BLOCK)));
        launch(k, blocks, 1, BLOCK, 1, args);
    }

    /**
     * Launches {@code k} on the default stream. Arguments must match {@link Kernel#signature}:
     * Integer for i, Long for l, Float for f, CUdeviceptr (or null = nullptr) for p.
     */
    void launch(Kernel k, int gx, int gy, int bx, int by, Object... args) {
        launch3d(k, gx, gy, 1, bx, by, args);
    }

    private void launch3d(Kernel k, int gx, int gy, int gz, int bx, int by, Object... args) {
        checkOpen();
        String sig = k.signature;
        if (args.length != sig.length())
            throw new CudaBackendException("kernel " + k.symbol + ": " + args.length + " arguments for signature " + sig);
        LaunchSlots sl = slots[k.ordinal()];
        synchronized (sl) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                char c = sig.charAt(i);
                // Scalars go into the cached holder arrays the parameter Pointers wrap (read at call time).
                if (c == 'i' && a instanceof Integer v) sl.ints[i][0] = v;
                else if (c == 'l' && a instanceof Long v) sl.longs[i][0] = v;
                else if (c == 'f' && a instanceof Float v) sl.floats[i][0] = v;
                else if (c == 'p' && a == null) sl.params[i] = NULL_PARAM;
                else if (c == 'p' && a instanceof CUdeviceptr v) sl.params[i] = Pointer.to(v);
                else throw new CudaBackendException("kernel " + k.symbol + ": argument " + i + " is "
                    + (a == null ? "null" : a.getClass().getSimpleName()) + ", signature wants '" + c + "'");
            }
            current();
            CudaProfiler.Mark mk = null;
            if (profiler != null) {
                mk = mark(label != null ? label : k.symbol);
                label = null;
            }
            try {
                cuLaunchKernel(sl.function, gx, gy, gz, bx, by, 1, 0, stream, sl.kernelParams, null);
                endMark(mk);
                if (syncEachLaunch && recording == null) cuCtxSynchronize();
            } catch (CudaException e) {
                throw new CudaBackendException("kernel " + k.symbol + " (grid " + gx + "x" + gy + "x" + gz + ", block " + bx + "x" + by
                    + "): " + e.getMessage(), e);
            }
        }
    }

    /** A null device pointer argument. */
    private static final Pointer NULL_PARAM = Pointer.to(new CUdeviceptr());

    /**
     * Per-kernel launch parameters built once: one holder array + Pointer per scalar parameter
     * (the launch only writes the value), and the parameter array JCuda reads at call time.
     * Saves the per-launch allocation of 10-20 arrays and Pointer objects.
     */
    private static final class LaunchSlots {
        final CUfunction function;
        final NativePointerObject[] params;
        final Pointer kernelParams;
        final int[][] ints;
        final long[][] longs;
        final float[][] floats;

        LaunchSlots(Kernel k, CUfunction function) {
            this.function = function;
            int n = k.signature.length();
            params = new NativePointerObject[n];
            ints = new int[n][];
            longs = new long[n][];
            floats = new float[n][];
            for (int i = 0; i < n; i++) {
                switch (k.signature.charAt(i)) {
                    case 'i' -> { ints[i] = new int[1]; params[i] = Pointer.to(ints[i]); }
                    case 'l' -> { longs[i] = new long[1]; params[i] = Pointer.to(longs[i]); }
                    case 'f' -> { floats[i] = new float[1]; params[i] = Pointer.to(floats[i]); }
                    case 'p' -> params[i] = NULL_PARAM;
                    default -> throw new IllegalStateException("bad signature letter in " + k);
                }
            }
            kernelParams = Pointer.to(params);
        }
    }

    /** For tests: the kernel symbols and signatures this backend launches. */
    static Map<String, String> kernelSignatures() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Kernel k : Kernel.values()) m.put(k.symbol, k.signature);
        return m;
    }

    @Override public String toString() { return name() + " on device " + ordinal + " " + deviceName; }
}
