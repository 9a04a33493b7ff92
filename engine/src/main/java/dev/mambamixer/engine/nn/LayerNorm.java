package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;

/**
 * LayerNorm over the trailing {@code normShape} of each row. With two trailing axes this is the
 * LN variant of TSM2's Norm2D (MODEL.md §6.4): statistics jointly over (time, feature) per sample,
 * affine parameters of shape (a, b). eps = 1e-5 by default.
 */
public final class LayerNorm implements Module {
    private final Backend be;
    private final int n;
    private final double eps;
    private final Parameter gamma, beta;
    private Tensor x, out, mean, rstd, dx;
    private int rows;

    public LayerNorm(Backend be, String name, double eps, int... normShape) {
        this.be = be;
        int size = 1;
        for (int d : normShape) size *= d;
        this.n = size;
        this.eps = eps;
        this.gamma = new Parameter(be, name + ".weight", constant(size, 1), true, normShape);
        this.beta = new Parameter(be, name + ".bias", constant(size, 0), true, normShape);
    }

    private static double[] constant(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** x: (rows, n) -> (rows, n). */
    public Tensor forward(Tensor x, int rows) {
        this.x = x;
        this.rows = rows;
        out = Buffers.ensure(be, out, rows, n);
        mean = Buffers.ensure(be, mean, rows);
        rstd = Buffers.ensure(be, rstd, rows);
        be.layerNormForward(x, gamma.value(), beta.value(), rows, n, eps, out, mean, rstd);
        return out;
    }

    public Tensor backward(Tensor dout) {
        dx = Buffers.ensure(be, dx, rows, n);
        be.layerNormBackward(x, gamma.value(), mean, rstd, dout, rows, n, dx, gamma.grad(), beta.grad());
        return dx;
    }

    public int normalizedSize() { return n; }

    /** Output (rows, n) of the last forward; reused by the next call. */
    public Tensor lastOutput() { return out; }

    @Override public List<Parameter> parameters() { return List.of(gamma, beta); }
}
