package dev.mambamixer.engine.io;

import java.nio.file.Path;
import java.util.Map;

/**
 * Loaded weights and optimizer moments must be finite: a checkpoint whose CRCs match can still hold
 * NaN or Inf (saved after a divergence, or written by another tool), and would otherwise evaluate
 * to "MSE NaN" or diverge some steps after a resume with a misleading message. AdamW's second
 * moments must also be >= 0 (their square root is taken): {@link #requireNonNegative}, called where
 * the tensors are known to be moments.
 */
public final class FiniteTensors {
    private FiniteTensors() {}

    /** Throws {@link CheckpointException} naming the file, the tensor and the first bad index and value. */
    public static void require(Path file, Map<String, NamedArray> tensors) throws CheckpointException {
        for (Map.Entry<String, NamedArray> e : tensors.entrySet()) {
            float[] v = e.getValue().data();
            for (int i = 0; i < v.length; i++) {
                float x = v[i];
                if (!Float.isFinite(x))
                    throw new CheckpointException(file + ": tensor " + e.getKey() + " holds " + x + " at flat index " + i
                                                  + " (weights and optimizer moments must be finite)");
            }
        }
    }

    /** Throws IllegalArgumentException naming the file, the tensor and the first negative index and value. */
    public static void requireNonNegative(String file, String name, float[] v) {
        for (int i = 0; i < v.length; i++)
            if (!(v[i] >= 0))
                throw new IllegalArgumentException(file + ": tensor " + name + " holds " + v[i] + " at flat index " + i
                                                   + " (an AdamW second moment must be >= 0)");
    }
}
