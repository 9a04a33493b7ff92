package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The Mamba unit of every mixer: in_proj -> [x; z] -> {@link SsmCore} -> out_proj.
 * Unidirectional (MODEL.md §4.2, causal) or bidirectional "bimamba v2" (MODEL.md §4.4): shared in_proj and
 * out_proj, a second core with its own conv/x_proj/dt_proj/A_log/D that runs on the flipped
 * sequence (x and z flipped together, so every position keeps its own gate), flipped back and
 * summed with the forward branch without halving ([DECISION] MODEL.md §4.4). Backward: flip is its own
 * adjoint; shared-weight gradients accumulate from both branches.
 */
public final class MambaUnit implements Module {
    private final Backend be;
    private final int f, e;
    private final boolean bidirectional;
    private final Parameter inProj, outProj;
    private final SsmCore fwd, bwd;

    private int s, l;
    private Tensor h;                       // saved input (S,L,F), not owned
    private Tensor x, z, xr, zr, o, out;
    private Tensor dO, dOr, dx, dz, dh;

    public MambaUnit(Backend be, String prefix, int f, boolean bidirectional, MambaOptions cfg, Init init) {
        this.be = be;
        this.f = f;
        this.e = cfg.expand() * f;
        this.bidirectional = bidirectional;
        inProj = new Parameter(be, prefix + "in_proj.weight", init.uniform(2 * e * f, 1.0 / Math.sqrt(f)), false, 2 * e, f);
        fwd = new SsmCore(be, prefix, "", f, cfg, null, init);
        bwd = bidirectional ? new SsmCore(be, prefix, "_b", f, cfg, cfg.shareDirectionA() ? fwd.aLog() : null, init)
                            : null;
        outProj = new Parameter(be, prefix + "out_proj.weight", init.uniform(f * e, 1.0 / Math.sqrt(e)), false, f, e);
    }

    /** h: (S, L, F) -> (S, L, F). */
    public Tensor forward(Tensor h, int s, int l) {
        this.h = h;
        this.s = s;
        this.l = l;
        int rows = s * l;
        x = Buffers.ensure(be, x, s, l, e);
        z = Buffers.ensure(be, z, s, l, e);
        out = Buffers.ensure(be, out, s, l, f);
        be.gemm(false, true, rows, e, f, 1, h, 0, inProj.value(), 0, 0, x, 0);        // x = h W_in[0:E]^T
        be.gemm(false, true, rows, e, f, 1, h, 0, inProj.value(), e * f, 0, z, 0);    // z = h W_in[E:2E]^T
        Tensor of = fwd.forward(x, z, s, l);                                           // (S,L,E)
        if (bidirectional) {
            xr = Buffers.ensure(be, xr, s, l, e);
            zr = Buffers.ensure(be, zr, s, l, e);
            o = Buffers.ensure(be, o, s, l, e);
            be.flipSequence(x, s, l, e, xr);
            be.flipSequence(z, s, l, e, zr);
            Tensor obr = bwd.forward(xr, zr, s, l);
            be.addFlipped(of, obr, s, l, e, o);                                        // o = o_f + flip(o_b)
        } else {
            o = of;
        }
        be.gemm(false, true, rows, f, e, 1, o, 0, outProj.value(), 0, 0, out, 0);      // (SL,F)
        return out;
    }

    /** dout: (S, L, F) -> dh (S, L, F), overwritten each call. */
    public Tensor backward(Tensor dout) {
        int rows = s * l;
        dO = Buffers.ensure(be, dO, s, l, e);
        dh = Buffers.ensure(be, dh, s, l, f);
        be.gemm(true, false, f, e, rows, 1, dout, 0, o, 0, 1, outProj.grad(), 0);       // (F,E)
        be.gemm(false, false, rows, e, f, 1, dout, 0, outProj.value(), 0, 0, dO, 0);     // (SL,E)
        Tensor[] gf = fwd.backward(dO);
        Tensor gx = gf[0], gz = gf[1];
        if (bidirectional) {
            dOr = Buffers.ensure(be, dOr, s, l, e);
            dx = Buffers.ensure(be, dx, s, l, e);
            dz = Buffers.ensure(be, dz, s, l, e);
            be.flipSequence(dO, s, l, e, dOr);
            Tensor[] gb = bwd.backward(dOr);
            be.addFlipped(gx, gb[0], s, l, e, dx);
            be.addFlipped(gz, gb[1], s, l, e, dz);
            gx = dx;
            gz = dz;
        }
        Tensor gw = inProj.grad(), w = inProj.value();
        be.gemm(true, false, e, f, rows, 1, gx, 0, h, 0, 1, gw, 0);
        be.gemm(true, false, e, f, rows, 1, gz, 0, h, 0, 1, gw, e * f);
        be.gemm(false, false, rows, f, e, 1, gx, 0, w, 0, 0, dh, 0);
        be.gemm(false, false, rows, f, e, 1, gz, 0, w, e * f, 1, dh, 0);
        return dh;
    }

    public boolean bidirectional() { return bidirectional; }
    public SsmCore forwardCore() { return fwd; }
    public SsmCore backwardCore() { return bwd; }
    public int innerWidth() { return e; }
    /** Summed scan output o_f + o_b (S, L, E) of the last forward, before out_proj. */
    public Tensor lastScanOutput() { return o; }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(inProj);
        p.addAll(fwd.parameters());
        if (bwd != null) for (Parameter q : bwd.parameters()) if (!p.contains(q)) p.add(q);  // shared A_log once
        p.add(outProj);
        return p;
    }
}
