package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;

/** Reuse of activation buffers between steps: a new tensor only when the shape changes. */
public final class Buffers {
    private Buffers() {}

    public static Tensor ensure(Backend backend, Tensor current, int... shape) {
        if (current != null && Arrays.equals(current.shape(), shape)) return current;
        return backend.zeros(shape);
    }
}
