package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;

/**
 * The CUDA leg of {@code BackendContractTest} (package backend): the shared GPU backend (the test
 * is skipped, not failed, without a GPU), the gpu-check report lines, and the package-private
 * scan switches the contract cases exercise (fast N <= 16 kernels on/off, batched backward).
 */
public final class CudaContract {

    private CudaContract() {}

    /** The shared CUDA backend; skips the calling test when there is no usable GPU. */
    public static Backend requireGpu() { return CudaTestSupport.requireGpu(); }

    /** One tab-separated gpu-check report line (also printed). */
    public static void report(String line) { CudaTestSupport.report(line); }

    public static boolean scanFast() { return CudaBackend.scanFast; }

    public static void scanFast(boolean on) { CudaBackend.scanFast = on; }

    public static long scanScratchLimit() { return CudaBackend.scanScratchLimit; }

    public static void scanScratchLimit(long bytes) { CudaBackend.scanScratchLimit = bytes; }

    /** Threads per block of the N > 32 scan kernels (the batch granularity of the backward). */
    public static int scanBlock() { return CudaBackend.SCAN_BLOCK; }

    /** Which scan kernels the case runs: " fast", " fast fwd", " batched" or "". */
    public static String scanPath(ScanDims d) {
        int S = d.s(), E = d.e(), N = d.n();
        return CudaBackend.scanFastBackward(d) ? " fast" : CudaBackend.scanFastForward(d) ? " fast fwd"
            : (N <= 32 ? CudaBackend.scanRegBatch(d) < S : CudaBackend.scanBackwardBatch(d) < S * E) ? " batched" : "";
    }
}
