package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;

/**
 * A ring of pinned (page-locked) host slots for asynchronous copies on the backend's stream: the
 * host fills slot i while earlier slots are still being copied, and waits only when it comes back
 * to a slot whose copy has not run yet (each slot has an event recorded after its copy). Java
 * arrays cannot be copied asynchronously, so uploads go through here, and downloads that the host
 * reads later (the step results) land here.
 */
final class PinnedRing {
    /** Slot size of the upload staging ring: uploads up to this size are asynchronous. */
    static final long SLOT_BYTES = 4L << 20;

    private final Pointer host = new Pointer();
    private final long slotBytes;
    private final CUevent[] done;
    private final boolean[] used;
    private long next;

    PinnedRing(int slots) { this(slots, SLOT_BYTES); }

    PinnedRing(int slots, long slotBytes) {
        this.slotBytes = slotBytes;
        try {
            cuMemAllocHost(host, slots * slotBytes);
        } catch (CudaException e) {
            throw new CudaBackendException("cuMemAllocHost of " + slots * slotBytes + " bytes: " + e.getMessage(), e);
        }
        done = new CUevent[slots];
        used = new boolean[slots];
        for (int i = 0; i < slots; i++) {
            done[i] = new CUevent();
            cuEventCreate(done[i], 2);   // CU_EVENT_DISABLE_TIMING
        }
    }

    /** The next slot, once its previous copy has finished; returns its index. */
    int acquire() {
        int i = (int) (next++ % done.length);
        if (used[i]) cuEventSynchronize(done[i]);
        used[i] = true;
        return i;
    }

    ByteBuffer buffer(int slot, long bytes) {
        return host.getByteBuffer(slot * slotBytes, bytes).order(ByteOrder.nativeOrder());
    }

    Pointer address(int slot) { return host.withByteOffset(slot * slotBytes); }

    /** Marks the end of the slot's copy (queued on the stream after it). */
    void recorded(int slot, CUstream stream) { cuEventRecord(done[slot], stream); }

    /** Waits until the slot's copy has finished. */
    void await(int slot) { cuEventSynchronize(done[slot]); }

    /** Copies src into a slot and queues the slot's copy to dst. */
    void upload(float[] src, CUdeviceptr dst, CUstream stream) {
        long bytes = 4L * src.length;
        if (bytes > slotBytes) throw new IllegalArgumentException(bytes + " bytes exceed a staging slot of " + slotBytes);
        int i = acquire();
        buffer(i, bytes).asFloatBuffer().put(src);
        try {
            cuMemcpyHtoDAsync(dst, address(i), bytes, stream);
        } catch (CudaException e) {
            throw new CudaBackendException("upload (cuMemcpyHtoDAsync, " + src.length + " floats): " + e.getMessage(), e);
        }
        recorded(i, stream);
    }

    void destroy() {
        for (CUevent e : done) {
            try { cuEventDestroy(e); } catch (Throwable ignored) { /* closing */ }
        }
        try { cuMemFreeHost(host); } catch (Throwable ignored) { /* closing */ }
    }
}
