package dev.mambamixer.engine.train;

/** Who drives a training step's kernels ({@link Trainer#driver}). */
public enum StepDriver {
    /** The host launches every kernel and reads the loss and gradient norm each step (all backends). */
    HOST,
    /** The step stays on the device (no host sync; results read a step late), launched kernel by kernel. */
    DEVICE,
    /** As DEVICE, recorded once and replayed as one CUDA graph per step. */
    GRAPH;

    public static StepDriver parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown step driver '" + s + "' (expected host, device or graph)");
        }
    }
}
