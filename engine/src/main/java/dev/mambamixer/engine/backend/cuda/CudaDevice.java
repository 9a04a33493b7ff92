package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.mambamixer.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The device side of {@link CudaBackend}: the primary context, the loaded PTX module, the one
 * stream, device memory ({@link DeviceBuffer}, allocation and freeing), the pinned staging of
 * uploads, host copies, the profiler's marks and the graph-recording guards. No kernel math.
 */
final class CudaDevice {

    private static final Cleaner CLEANER = Cleaner.create();

    final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    /** The module loaded from kernels.ptx (its functions are looked up by {@link CudaLauncher}). */
    final CUmodule module = new CUmodule();
    final String deviceName;
    final int ccMajor, ccMinor, driverVersion, smCount;
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
    private CudaProfiler profiler;          // null unless -Dmambamixer.cuda.profile=true
    private final double[] doubleResult = new double[1];

    /**
     * Retains the primary context of device {@code ordinal}, loads the PTX and creates the stream;
     * on failure the context is released again.
     */
    CudaDevice(int ordinal) {
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
            cuStreamCreate(stream, 0);   // CU_STREAM_DEFAULT: ordered with the legacy stream's copies
            ok = true;
        } finally {
            if (!ok) releaseContext();
        }
    }

    /** Starts timing launches and host syncs ({@link CudaBackend#PROFILE_PROPERTY}). */
    void startProfiler() { profiler = new CudaProfiler(stream); }

    /** Releases the primary context after a failed start (nothing else is freed). */
    void releaseContext() {
        try { cuDevicePrimaryCtxRelease(device); } catch (Throwable ignored) { /* already failing */ }
    }

    static byte[] loadPtx() {
        try (InputStream in = CudaDevice.class.getResourceAsStream(CudaBackend.PTX_RESOURCE)) {
            if (in == null) throw new CudaBackendException("PTX resource " + CudaBackend.PTX_RESOURCE + " not on the classpath");
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1); // cuModuleLoadData wants a NUL-terminated image
        } catch (IOException e) {
            throw new CudaBackendException("reading " + CudaBackend.PTX_RESOURCE + ": " + e.getMessage(), e);
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
    String describe() {
        long[] total = {0};
        current();
        cuDeviceTotalMem(total, device);
        return deviceName + " (sm_" + ccMajor + ccMinor + ", " + (total[0] >> 20) + " MiB, driver CUDA "
            + formatVersion(driverVersion) + ")";
    }

    // ================================================================ profiling

    boolean profiling() { return profiler != null; }

    /** The per-kernel table (30 rows per section), or "" when profiling is off. */
    String profileReport() {
        if (profiler == null) return "";
        current();
        return profiler.report(30);
    }

    void profileReset() {
        if (profiler == null) return;
        current();
        profiler.reset();
    }

    /** No profiler events while recording (they would become graph nodes). */
    CudaProfiler.Mark mark(String what) { return profiler == null || recording != null ? null : profiler.begin(what); }

    void endMark(CudaProfiler.Mark m) { if (m != null) profiler.end(m); }

    // ================================================================ context, recording guards

    void checkOpen() {
        if (closed) throw new IllegalStateException("CudaBackend is closed");
    }

    /** Makes this device's context current on the calling thread (cheap when it already is). */
    void current() {
        try {
            cuCtxSetCurrent(context);
        } catch (CudaException e) {
            throw new CudaBackendException("cuCtxSetCurrent: " + e.getMessage(), e);
        }
    }

    /** Host synchronisation cannot be recorded into a graph. */
    void noRecording(String what) {
        if (recording != null)
            throw new IllegalStateException(what + " needs the host to wait for the GPU, which a recorded CUDA graph cannot do");
    }

    boolean recording() { return recording != null; }

    /** From now on every buffer a call touches is noted, and allocation or host sync is an error. */
    synchronized void startRecording() {
        recording = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    synchronized Set<DeviceBuffer> stopRecording() {
        Set<DeviceBuffer> r = recording;
        recording = null;
        return r == null ? Set.of() : r;
    }

    /** Waits for all queued work (for timing). */
    void synchronize() {
        noRecording("synchronize");
        current();
        try { cuCtxSynchronize(); } catch (CudaException e) { throw new CudaBackendException("synchronize: " + e.getMessage(), e); }
    }

    // ================================================================ memory

    /** One cuMemAlloc block; identity equality on purpose (see {@link #live}). */
    private static final class Allocation {
        final CUdeviceptr ptr;

        Allocation(CUdeviceptr ptr) { this.ptr = ptr; }
    }

    /** Frees one allocation (Cleaner thread or {@link #freeNow}), unless close() already did. */
    private static final class Freer implements Runnable {
        private final CudaDevice dev;
        private final Allocation alloc;

        Freer(CudaDevice dev, Allocation alloc) { this.dev = dev; this.alloc = alloc; }

        @Override public void run() {
            synchronized (dev.live) {
                if (dev.closed || !dev.live.remove(alloc)) return;
                try {
                    cuCtxSetCurrent(dev.context);
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

    /** A zero-filled buffer of n floats (no allocation for n == 0). */
    DeviceBuffer zeros(long n) {
        DeviceBuffer b = n == 0 ? new DeviceBuffer(this, null, 0) : allocRaw(n * 4);
        if (n > 0) memset(b.ptr, 0, n, "zeros");
        return b;
    }

    /** b when it holds at least {@code floats} floats, else a new buffer (b is freed now). */
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

    /** t's buffer, checked to belong to this device; noted when a graph is being recorded. */
    DeviceBuffer buf(Tensor t, String what) {
        dev.mambamixer.engine.backend.BackendChecks.notNull(t, what);
        if (!(t.storage() instanceof DeviceBuffer b) || b.owner != this)
            throw new IllegalArgumentException(what + " " + t + " is not a tensor of this CUDA backend");
        checkOpen();
        if (recording != null) recording.add(b);
        return b;
    }

    CUdeviceptr ptr(Tensor t, String what) { return buf(t, what).ptr; }

    // ================================================================ copies on the stream / to and from the host

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

    /** n floats device to device, both from offset 0, on the stream. */
    void copyAsync(DeviceBuffer src, DeviceBuffer dst, int n) {
        current();
        CudaProfiler.Mark mk = mark("cuMemcpyDtoD");
        try {
            cuMemcpyDtoDAsync(dst.ptr, src.ptr, 4L * n, stream);
        } catch (CudaException e) {
            throw new CudaBackendException("copy (cuMemcpyDtoD, " + n + " floats): " + e.getMessage(), e);
        }
        endMark(mk);
    }

    /**
     * src (non-empty) into b: small arrays are staged through pinned memory and copied
     * asynchronously, larger ones synchronously.
     */
    void upload(float[] src, DeviceBuffer b) {
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

    /** The first n (> 0) floats of b (a host sync). */
    float[] download(DeviceBuffer b, int n) {
        float[] f = new float[n];
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

    /** The double at p (a host sync). */
    double downloadDouble(CUdeviceptr p, String what) {
        CudaProfiler.Mark mk = mark("[sync] " + what + " result");
        try {
            cuMemcpyDtoH(Pointer.to(doubleResult), p, 8);
        } catch (CudaException e) {
            throw new CudaBackendException(what + " (reading the result): " + e.getMessage(), e);
        }
        endMark(mk);
        return doubleResult[0];
    }

    /** Synchronous upload of 64-bit words (tensor tables). */
    void uploadWords(long[] host, CUdeviceptr p, String what) {
        current();
        try {
            cuMemcpyHtoD(p, Pointer.to(host), 8L * host.length);
        } catch (CudaException e) {
            throw new CudaBackendException(what + " (uploading the tensor table): " + e.getMessage(), e);
        }
    }

    // ================================================================ close

    /**
     * Frees everything: profiler events, then {@code owned} (the backend's own device objects,
     * such as the device step's graph), the staging ring, the stream, every live allocation and
     * the module, and releases the context. Idempotent.
     */
    void close(Runnable owned) {
        synchronized (live) {
            if (closed) return;
            closed = true;
            try {
                cuCtxSetCurrent(context);
                if (profiler != null) profiler.destroy();
                owned.run();
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
}
