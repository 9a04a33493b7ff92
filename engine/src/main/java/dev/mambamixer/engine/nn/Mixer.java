package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One selective mixer with pre-norm and inner residual (MODEL.md §5.4 [DECISION]):
 * y = x + T^-1(MambaUnit(Norm2D(T(x)))), where T optionally swaps the two middle axes so that
 * the scan runs along the other axis. A Selective Token Mixer (MODEL.md §5.1) scans along time
 * (unidirectional by default, MODEL.md §9 A1); a Selective Channel Mixer (MODEL.md §5.2) swaps, scans along
 * the channels/variates bidirectionally, and swaps back.
 */
public final class Mixer implements ResidualMixer {

    /**
     * How a mixer sees its input tensor (a, b, c, d) (row-major). With {@code swap} the unit sees
     * (a, c, b, d). The Mamba unit then views it as (S, L, F) and Norm2D as (rows, n).
     */
    public record Geometry(int a, int b, int c, int d, boolean swap, int s, int l, int f) {
        public Geometry {
            if ((long) a * b * c * d != (long) s * l * f)
                throw new IllegalArgumentException("geometry sizes disagree: " + a + "x" + b + "x" + c + "x" + d
                                                   + " vs S,L,F=" + s + "," + l + "," + f);
        }
        int size() { return a * b * c * d; }
    }

    private final Backend be;
    private final String kind;
    private final String name;
    private final LayerNorm norm;
    private final MambaUnit unit;

    private Geometry g;
    private Tensor xs, y, back, dx, dxs;

    /**
     * @param normShape the two axes Norm2D normalises jointly, as the unit sees them (MODEL.md §6.4)
     */
    public Mixer(Backend be, String prefix, String kind, int[] normShape, int f, boolean bidirectional,
                 MambaOptions cfg, Init init) {
        this.be = be;
        this.kind = kind;
        this.name = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.norm = new LayerNorm(be, prefix + "norm", 1e-5, normShape);
        this.unit = new MambaUnit(be, prefix + "mamba.", f, bidirectional, cfg, init);
    }

    /** x: (a, b, c, d) -> y of the same shape (buffer reused next call). */
    @Override public Tensor forward(Tensor x, Geometry g) {
        this.g = g;
        int size = g.size();
        Tensor in = x;
        if (g.swap()) {
            xs = Buffers.ensure(be, xs, g.a(), g.c(), g.b(), g.d());
            be.swapMiddle(x, g.a(), g.b(), g.c(), g.d(), xs);                      // (a,c,b,d)
            in = xs;
        }
        int rows = size / norm.normalizedSize();
        Tensor normed = norm.forward(in.view(rows, norm.normalizedSize()), rows);
        Tensor out = unit.forward(normed.view(g.s(), g.l(), g.f()), g.s(), g.l()); // (S,L,F)
        y = Buffers.ensure(be, y, x.shape());
        if (g.swap()) {
            back = Buffers.ensure(be, back, g.a(), g.b(), g.c(), g.d());
            be.swapMiddle(out, g.a(), g.c(), g.b(), g.d(), back);                  // back to (a,b,c,d)
            be.add(x, back, y);
        } else {
            be.add(x, out.view(x.shape()), y);
        }
        return y;
    }

    /** dy -> dx (buffer reused next call); parameter gradients accumulate. */
    @Override public Tensor backward(Tensor dy) {
        Tensor din = dy;
        if (g.swap()) {
            dxs = Buffers.ensure(be, dxs, g.a(), g.c(), g.b(), g.d());
            be.swapMiddle(dy, g.a(), g.b(), g.c(), g.d(), dxs);
            din = dxs;
        }
        Tensor dNormed = unit.backward(din.view(g.s(), g.l(), g.f()));
        Tensor dIn = norm.backward(dNormed.view(dNormed.size() / norm.normalizedSize(), norm.normalizedSize()));
        dx = Buffers.ensure(be, dx, dy.shape());
        if (g.swap()) {
            be.swapMiddle(dIn, g.a(), g.c(), g.b(), g.d(), dx);
            be.axpy(1, dy, dx);
        } else {
            be.add(dy, dIn.view(dy.shape()), dx);
        }
        return dx;
    }

    @Override public String kind() { return kind; }
    public MambaUnit unit() { return unit; }
    /** Parameter prefix without the trailing dot, e.g. {@code blocks.0.time}. */
    @Override public String name() { return name; }
    /** Output y (shape of the input) of the last forward; reused by the next call. */
    @Override public Tensor lastOutput() { return y; }
    /** Geometry of the last forward (null before the first). */
    public Geometry lastGeometry() { return g; }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>(norm.parameters());
        p.addAll(unit.parameters());
        return p;
    }
}
