package dev.mambamixer.engine.backend.cuda;

import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Device storage of one tensor: a {@code cuMemAlloc} block of a {@link CudaDevice}. It is freed
 * when the backend closes or, earlier, once no tensor (or view) references it any more.
 */
public final class DeviceBuffer {
    final CudaDevice owner;
    final CUdeviceptr ptr;   // null for zero-size buffers
    final int elements;
    Cleaner.Cleanable cleanable;   // set right after allocation; null for zero-size buffers
    /** Referenced by a recorded graph: never freed early (the graph keeps it reachable). */
    volatile boolean inGraph;

    DeviceBuffer(CudaDevice owner, CUdeviceptr ptr, int elements) {
        this.owner = owner;
        this.ptr = ptr;
        this.elements = elements;
    }

    public int elements() { return elements; }
}
