package dev.mambamixer.engine.backend.cpu;

/**
 * Per-thread growable float work buffers, so hot kernels do not allocate per call. A slot is
 * only valid until the same thread asks for the same slot again; contents are not cleared.
 */
public final class Scratch {
    private final ThreadLocal<float[]> slot = new ThreadLocal<>();

    /** A buffer of at least {@code n} floats owned by the current thread. */
    public float[] get(int n) {
        float[] buf = slot.get();
        if (buf == null || buf.length < n) {
            buf = new float[Math.max(n, buf == null ? 0 : buf.length + buf.length / 2)];
            slot.set(buf);
        }
        return buf;
    }
}
