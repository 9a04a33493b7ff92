package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;

/**
 * The per-direction part of a Mamba unit, MODEL.md §4.2 steps 2-6 (and its backward, §4.3):
 * causal depth-wise conv -> SiLU -> {@link ScanBranch} (x_proj, dt_proj, S6 scan with D skip and
 * SiLU(z) gate). A bidirectional unit owns two of these (MODEL.md §4.4, separate parameters per
 * direction, A9).
 *
 * <p>Glossary (code -> paper): x = conv input, c = conv output, u = SiLU(c) (x̄); the rest is
 * {@link ScanBranch}'s. All sequence tensors are token-major (S, L, E).
 */
public final class SsmCore implements Module {
    private final Backend be;
    private final int e, k;
    final Parameter convW, convB;
    private final ScanBranch scan;

    private Tensor x;                              // saved input (not owned)
    private Tensor c, u, dc, dx;

    /**
     * @param suffix suffix style: {@code ""} for the forward direction (Mamba names) or
     *              {@code "_b"} for the backward direction of a bidirectional unit (Vim v2 names).
     */
    public SsmCore(Backend be, String prefix, String suffix, int f, MambaOptions cfg, Parameter sharedALog,
                   Init init) {
        this.be = be;
        this.e = cfg.expand() * f;
        this.k = cfg.dConv();
        double convBound = 1.0 / Math.sqrt(k);
        convW = new Parameter(be, prefix + "conv1d" + suffix + ".weight", init.uniform(e * k, convBound), false, e, 1, k);
        convB = new Parameter(be, prefix + "conv1d" + suffix + ".bias", init.uniform(e, convBound), true, e);
        scan = new ScanBranch(be, prefix, suffix, e, f, cfg, sharedALog, init);
    }

    /** x, z: (S, L, E) -> o: (S, L, E). Inputs must stay unchanged until backward. */
    public Tensor forward(Tensor x, Tensor z, int s, int l) {
        this.x = x;
        c = Buffers.ensure(be, c, s, l, e);
        u = Buffers.ensure(be, u, s, l, e);
        be.causalConvForward(x, convW.value(), convB.value(), s, l, e, k, c);    // (S,L,E)
        be.siluForward(c, u);
        return scan.forward(u, z, s, l);
    }

    /** Returns {dx, dz} (both (S, L, E), overwritten each call); parameter grads accumulate. */
    public Tensor[] backward(Tensor dout) {
        ScanDims dims = scan.lastDims();
        int s = dims.s(), l = dims.l();
        Tensor[] g = scan.backward(dout);
        dc = Buffers.ensure(be, dc, s, l, e);
        dx = Buffers.ensure(be, dx, s, l, e);
        be.siluBackward(c, g[0], dc);
        be.causalConvBackward(x, convW.value(), dc, s, l, e, k, dx, convW.grad(), convB.grad());
        return new Tensor[] {dx, g[1]};
    }

    /** The selective part (x_proj, dt_proj, scan) of this direction. */
    public ScanBranch scan() { return scan; }
    /** Post-conv activation u (S, L, E) of the last forward: what the scan selects over. */
    public Tensor lastU() { return u; }
    public Tensor lastDeltaRaw() { return scan.lastDeltaRaw(); }
    public Tensor lastB() { return scan.lastB(); }
    public Tensor lastC() { return scan.lastC(); }
    public int dtRank() { return scan.dtRank(); }
    public Parameter aLog() { return scan.aLog(); }
    /** Gate input z (S, L, E) of the last forward (flipped for a backward core), not owned. */
    public Tensor lastZ() { return scan.lastZ(); }
    /** Gated scan output o (S, L, E) of the last forward (in this core's scan order). */
    public Tensor lastOutput() { return scan.lastOutput(); }
    /** Scan dimensions of the last forward (null before the first). */
    public ScanDims lastDims() { return scan.lastDims(); }
    public Parameter skipD() { return scan.skipD(); }
    public Parameter dtBias() { return scan.dtBias(); }
    public int innerWidth() { return e; }
    public int stateSize() { return scan.stateSize(); }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new java.util.ArrayList<>(List.of(convW, convB));
        p.addAll(scan.parameters());
        return p;
    }
}
