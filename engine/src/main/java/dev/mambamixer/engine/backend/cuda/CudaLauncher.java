package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * Kernel launches of {@link CudaBackend} on its {@link CudaDevice}'s stream: the kernel functions
 * of the loaded module, their cached parameter slots, the launch shapes (1-D grid-stride, 2-D,
 * 3-D), the per-launch profiling label, and the synchronous-launch debugging mode.
 */
final class CudaLauncher {

    static final int BLOCK = 256;
    static final int MAX_BLOCKS = 65535 * 16;

    private final CudaDevice dev;
    private final LaunchSlots[] slots = new LaunchSlots[Kernel.values().length];
    private final boolean syncEachLaunch;
    private String label;               // profiling label of the next launch (null = kernel symbol)

    /** Looks up every {@link Kernel} in the device's module. */
    CudaLauncher(CudaDevice dev) {
        this.dev = dev;
        this.syncEachLaunch = Boolean.getBoolean(CudaBackend.SYNC_PROPERTY);
        for (Kernel k : Kernel.values()) {
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, dev.module, k.symbol);
            } catch (CudaException e) {
                throw new CudaBackendException("kernel " + k.symbol + " missing from kernels.ptx: " + e.getMessage(), e);
            }
            slots[k.ordinal()] = new LaunchSlots(k, f);
        }
    }

    /** Names the next launch in the profile (call only when profiling: building the label costs). */
    void label(String what) { label = what; }

    static int ceilDiv(long a, int b) { return (int) ((a + b - 1) / b); }

    /** 1-D grid-stride launch over n elements. */
    void launch1d(Kernel k, long n, Object... args) {
        int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, ceilDiv(n, BLOCK)));
        launch(k, blocks, 1, BLOCK, 1, args);
    }

    /**
     * Launches {@code k} on the device's stream. Arguments must match {@link Kernel#signature}:
     * Integer for i, Long for l, Float for f, CUdeviceptr (or null = nullptr) for p.
     */
    void launch(Kernel k, int gx, int gy, int bx, int by, Object... args) {
        launch3d(k, gx, gy, 1, bx, by, args);
    }

    void launch3d(Kernel k, int gx, int gy, int gz, int bx, int by, Object... args) {
        dev.checkOpen();
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
            dev.current();
            CudaProfiler.Mark mk = null;
            if (dev.profiling()) {
                mk = dev.mark(label != null ? label : k.symbol);
                label = null;
            }
            try {
                cuLaunchKernel(sl.function, gx, gy, gz, bx, by, 1, 0, dev.stream, sl.kernelParams, null);
                dev.endMark(mk);
                if (syncEachLaunch && !dev.recording()) cuCtxSynchronize();
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
}
