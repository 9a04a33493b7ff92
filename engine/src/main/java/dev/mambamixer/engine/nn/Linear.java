package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * y = x W^T + b over rows (PyTorch nn.Linear; weight (out, in)). Default init U(+-1/sqrt(in))
 * for weight and bias, as PyTorch (MODEL.md §4.1).
 */
public final class Linear implements Module {
    private final Backend be;
    private final int in, out;
    private final Parameter weight, bias;
    private Tensor x;        // saved input (rows, in); not owned
    private Tensor y, dx;    // reused outputs
    private int rows;

    public Linear(Backend be, String name, int in, int out, boolean withBias, Init init) {
        this(be, name, in, out, init.uniform(out * in, 1.0 / Math.sqrt(in)),
             withBias ? init.uniform(out, 1.0 / Math.sqrt(in)) : null);
    }

    /** Weight (out, in) and bias (out, or null for none) from the given initial values. */
    public Linear(Backend be, String name, int in, int out, double[] weightInit, double[] biasInit) {
        this.be = be;
        this.in = in;
        this.out = out;
        this.weight = new Parameter(be, name + ".weight", weightInit, false, out, in);
        this.bias = biasInit != null ? new Parameter(be, name + ".bias", biasInit, true, out) : null;
    }

    /** VMamba's Linear init (MODEL.md §7.1): weight truncated-normal std 0.02, bias zero. */
    public static Linear truncatedNormal(Backend be, String name, int in, int out, boolean withBias, Init init) {
        return new Linear(be, name, in, out, init.truncatedNormal(out * in, 0.02), withBias ? new double[out] : null);
    }

    /** x: (rows, in) -> (rows, out). The returned buffer is reused by the next call. */
    public Tensor forward(Tensor x, int rows) {
        this.x = x;
        this.rows = rows;
        y = Buffers.ensure(be, y, rows, out);
        be.gemm(false, true, rows, out, in, 1, x, 0, weight.value(), 0, 0, y, 0);   // (rows,in)(in,out)
        if (bias != null) be.addRowVector(y, rows, out, bias.value());
        return y;
    }

    /** dy: (rows, out). Accumulates dW, db; returns dx (rows, in), or null if not wanted. */
    public Tensor backward(Tensor dy, boolean wantDx) {
        be.gemm(true, false, out, in, rows, 1, dy, 0, x, 0, 1, weight.grad(), 0);  // (out,rows)(rows,in)
        if (bias != null) be.sumRows(dy, rows, out, bias.grad());
        if (!wantDx) return null;
        dx = Buffers.ensure(be, dx, rows, in);
        be.gemm(false, false, rows, in, out, 1, dy, 0, weight.value(), 0, 0, dx, 0);  // (rows,out)(out,in)
        return dx;
    }

    public Parameter weight() { return weight; }
    public Parameter bias() { return bias; }
    public int inFeatures() { return in; }
    public int outFeatures() { return out; }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(weight);
        if (bias != null) p.add(bias);
        return p;
    }
}
