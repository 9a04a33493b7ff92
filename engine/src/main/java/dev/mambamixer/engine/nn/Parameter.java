package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;

/**
 * A named trainable tensor with its gradient accumulator. Names follow the PyTorch/Mamba
 * convention ({@code blocks.0.token.mamba.in_proj.weight}) so checkpoints read elsewhere.
 * {@code noDecay} marks A_log, D, weighted-average weights, norms and biases (MODEL.md §4.1, §5.3).
 */
public final class Parameter {
    private final Backend backend;
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private final boolean noDecay;

    public Parameter(Backend backend, String name, double[] init, boolean noDecay, int... shape) {
        this.backend = backend;
        this.name = name;
        this.value = backend.fromDoubles(init, shape);
        this.grad = backend.zeros(shape);
        this.noDecay = noDecay;
    }

    public String name() { return name; }
    public Tensor value() { return value; }
    public Tensor grad() { return grad; }
    public boolean noDecay() { return noDecay; }
    public int[] shape() { return value.shape(); }
    public int size() { return value.size(); }

    public void zeroGrad() { backend.fill(grad, 0); }

    @Override public String toString() { return name + java.util.Arrays.toString(shape()); }
}
