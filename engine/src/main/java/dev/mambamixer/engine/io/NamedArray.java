package dev.mambamixer.engine.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A plain float32 array with a row-major shape: the exchange type between model parameters
 * and the files in this package (safetensors, checkpoints). Deliberately free of any engine
 * type so it plugs into whatever tensor/parameter classes exist.
 *
 * <p>The arrays are not copied (checkpoints of tens of MB should not be duplicated); callers
 * must not mutate them while a writer is using them. A scalar has shape {@code []} and one
 * element; a shape containing 0 has no elements.
 */
public record NamedArray(int[] shape, float[] data) {

    public NamedArray {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements but data has " + data.length);
        }
    }

    /** Product of the dimensions (1 for a scalar); rejects negative dimensions and int overflow. */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " exceeds " + Integer.MAX_VALUE + " elements");
            }
        }
        return n;
    }

    public int size() { return data.length; }

    public int rank() { return shape.length; }

    /** Shape formatted as {@code [2, 3, 4]}, used in error messages. */
    public String shapeString() { return Arrays.toString(shape); }

    @Override
    public boolean equals(Object o) {
        // Value equality (records compare arrays by reference); floats compared bitwise, so NaN == NaN.
        return o instanceof NamedArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "NamedArray" + Arrays.toString(shape) + "(" + data.length + " floats)"; }
}
