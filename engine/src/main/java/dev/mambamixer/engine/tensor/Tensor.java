package dev.mambamixer.engine.tensor;

import java.util.Arrays;

/**
 * A dense row-major tensor: a shape plus a storage handle owned by one backend (the package
 * below everything else: it knows no backend). The handle is backend-specific ({@code float[]}
 * for the CPU float32 backend, {@code double[]} for the float64 reference backend, a device
 * buffer for CUDA); layers never look inside it, and each backend rejects handles not its own.
 */
public final class Tensor {
    private final int[] shape;
    private final int size;
    private final Object storage;

    public Tensor(Object storage, int... shape) {
        this.storage = storage;
        this.shape = shape.clone();
        this.size = elementCount(shape);
    }

    /** Product of the dimensions; rejects negative dimensions and more than 2^31-1 elements. */
    public static int elementCount(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    public int[] shape() { return shape.clone(); }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public int rank() { return shape.length; }
    /** Number of elements. */
    public int size() { return size; }
    /** Backend-specific storage handle; only the owning backend casts it. */
    public Object storage() { return storage; }

    /** Same storage, another shape of the same size (a free reshape). */
    public Tensor view(int... newShape) {
        Tensor t = new Tensor(storage, newShape);
        if (t.size != size) throw new IllegalArgumentException(
            "cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        return t;
    }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    @Override public String toString() {
        String kind = storage instanceof float[] ? "f32" : storage instanceof double[] ? "f64" : storage.getClass().getSimpleName();
        return "Tensor" + Arrays.toString(shape) + "@" + kind;
    }
}
