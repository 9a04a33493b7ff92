package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;

/**
 * The per-direction part of a Mamba unit, MODEL.md §4.2 steps 2-6 (and its backward, §4.3):
 * causal depth-wise conv -> SiLU -> x_proj (dt, B, C from the post-conv u, MODEL.md §9 A7) ->
 * dt_proj -> S6 scan with D skip and SiLU(z) gate. A bidirectional unit owns two of these
 * (MODEL.md §4.4, separate parameters per direction, A9).
 *
 * <p>Glossary (code -> paper): x = conv input, c = conv output, u = SiLU(c) (x̄),
 * r = low-rank dt input, deltaRaw = W_dt r (Δ before bias/softplus), bmat = B, cmat = C,
 * aLog = log(-A), d = D, z = gate input (x̄_MLP before SiLU), o = gated scan output.
 * All sequence tensors are token-major (S, L, E).
 */
public final class SsmCore implements Module {
    private final Backend be;
    private final int e, n, r, k, chunk;
    final Parameter convW, convB, xProj, dtProjW, dtProjB, aLog, d;

    private ScanDims dims;
    private Tensor x, z;                           // saved inputs (not owned)
    private Tensor c, u, rr, bm, cm, deltaRaw, o, ckpt;
    private Tensor du, dDelta, dr, dB, dC, dz, dc, dx;

    /**
     * @param suffix suffix style: {@code ""} for the forward direction (Mamba names) or
     *              {@code "_b"} for the backward direction of a bidirectional unit (Vim v2 names).
     */
    public SsmCore(Backend be, String prefix, String suffix, int f, MambaOptions cfg, Parameter sharedALog,
                   Init init) {
        this.be = be;
        this.e = cfg.expand() * f;
        this.n = cfg.dState();
        this.r = (int) Math.ceil(f / 16.0);
        this.k = cfg.dConv();
        this.chunk = cfg.scanChunk();
        double convBound = 1.0 / Math.sqrt(k);
        convW = new Parameter(be, prefix + "conv1d" + suffix + ".weight", init.uniform(e * k, convBound), false, e, 1, k);
        convB = new Parameter(be, prefix + "conv1d" + suffix + ".bias", init.uniform(e, convBound), true, e);
        xProj = new Parameter(be, prefix + "x_proj" + suffix + ".weight",
                              init.uniform((r + 2 * n) * e, 1.0 / Math.sqrt(e)), false, r + 2 * n, e);
        dtProjW = new Parameter(be, prefix + "dt_proj" + suffix + ".weight",
                                init.uniform(e * r, cfg.dtScale() / Math.sqrt(r)), false, e, r);
        dtProjB = new Parameter(be, prefix + "dt_proj" + suffix + ".bias",
                                init.dtBias(e, cfg.dtMin(), cfg.dtMax(), cfg.dtInitFloor()), true, e);
        String aName = suffix.isEmpty() ? "A_log" : "A" + suffix + "_log";
        aLog = sharedALog != null ? sharedALog : new Parameter(be, prefix + aName, Init.s4dRealALog(e, n), true, e, n);
        d = new Parameter(be, prefix + "D" + suffix, init.constant(e, 1), true, e);
    }

    /** x, z: (S, L, E) -> o: (S, L, E). Inputs must stay unchanged until backward. */
    public Tensor forward(Tensor x, Tensor z, int s, int l) {
        this.x = x;
        this.z = z;
        dims = new ScanDims(s, l, e, n, chunk);
        int rows = s * l;
        c = Buffers.ensure(be, c, s, l, e);
        u = Buffers.ensure(be, u, s, l, e);
        rr = Buffers.ensure(be, rr, rows, r);
        bm = Buffers.ensure(be, bm, s, l, n);
        cm = Buffers.ensure(be, cm, s, l, n);
        deltaRaw = Buffers.ensure(be, deltaRaw, s, l, e);
        o = Buffers.ensure(be, o, s, l, e);
        ckpt = Buffers.ensure(be, ckpt, dims.checkpointShape());

        be.causalConvForward(x, convW.value(), convB.value(), s, l, e, k, c);    // (S,L,E)
        be.siluForward(c, u);
        Tensor w = xProj.value();                                                 // (R+2N, E)
        be.gemm(false, true, rows, r, e, 1, u, 0, w, 0, 0, rr, 0);                // (SL,R)
        be.gemm(false, true, rows, n, e, 1, u, 0, w, r * e, 0, bm, 0);            // (SL,N)
        be.gemm(false, true, rows, n, e, 1, u, 0, w, (r + n) * e, 0, cm, 0);      // (SL,N)
        be.gemm(false, true, rows, e, r, 1, rr, 0, dtProjW.value(), 0, 0, deltaRaw, 0); // (SL,E)
        be.scanForward(dims, scanInputs(), o, ckpt);
        return o;
    }

    /** Returns {dx, dz} (both (S, L, E), overwritten each call); parameter grads accumulate. */
    /** The scan's inputs as of the last forward (the parameters' current values). */
    private ScanInputs scanInputs() {
        return new ScanInputs(u, deltaRaw, aLog.value(), bm, cm, d.value(), z, dtProjB.value());
    }

    public Tensor[] backward(Tensor dout) {
        int s = dims.s(), l = dims.l(), rows = s * l;
        du = Buffers.ensure(be, du, s, l, e);
        dDelta = Buffers.ensure(be, dDelta, s, l, e);
        dB = Buffers.ensure(be, dB, s, l, n);
        dC = Buffers.ensure(be, dC, s, l, n);
        dz = z == null ? null : Buffers.ensure(be, dz, s, l, e);
        dr = Buffers.ensure(be, dr, rows, r);
        dc = Buffers.ensure(be, dc, s, l, e);
        dx = Buffers.ensure(be, dx, s, l, e);

        be.scanBackward(dims, scanInputs(), ckpt, dout,
                        new ScanGrads(du, dDelta, aLog.grad(), dB, dC, d.grad(), dz, dtProjB.grad()));
        // dt_proj: deltaRaw = rr W_dt^T
        be.gemm(true, false, e, r, rows, 1, dDelta, 0, rr, 0, 1, dtProjW.grad(), 0);     // (E,R)
        be.gemm(false, false, rows, r, e, 1, dDelta, 0, dtProjW.value(), 0, 0, dr, 0);   // (SL,R)
        // x_proj: [rr; B; C] = u W_x^T, weight rows [0,R) [R,R+N) [R+N,R+2N)
        Tensor w = xProj.value(), gw = xProj.grad();
        be.gemm(true, false, r, e, rows, 1, dr, 0, u, 0, 1, gw, 0);
        be.gemm(true, false, n, e, rows, 1, dB, 0, u, 0, 1, gw, r * e);
        be.gemm(true, false, n, e, rows, 1, dC, 0, u, 0, 1, gw, (r + n) * e);
        be.gemm(false, false, rows, e, r, 1, dr, 0, w, 0, 1, du, 0);
        be.gemm(false, false, rows, e, n, 1, dB, 0, w, r * e, 1, du, 0);
        be.gemm(false, false, rows, e, n, 1, dC, 0, w, (r + n) * e, 1, du, 0);
        be.siluBackward(c, du, dc);
        be.causalConvBackward(x, convW.value(), dc, s, l, e, k, dx, convW.grad(), convB.grad());
        return new Tensor[] {dx, dz};
    }

    /** Post-conv activation u (S, L, E) of the last forward: what the scan selects over. */
    public Tensor lastU() { return u; }
    public Tensor lastDeltaRaw() { return deltaRaw; }
    public Tensor lastB() { return bm; }
    public Tensor lastC() { return cm; }
    public int dtRank() { return r; }
    public Parameter aLog() { return aLog; }
    /** Gate input z (S, L, E) of the last forward (flipped for a backward core), not owned. */
    public Tensor lastZ() { return z; }
    /** Gated scan output o (S, L, E) of the last forward (in this core's scan order). */
    public Tensor lastOutput() { return o; }
    /** Scan dimensions of the last forward (null before the first). */
    public ScanDims lastDims() { return dims; }
    public Parameter skipD() { return d; }
    public Parameter dtBias() { return dtProjB; }
    public int innerWidth() { return e; }
    public int stateSize() { return n; }

    @Override public List<Parameter> parameters() { return List.of(convW, convB, xProj, dtProjW, dtProjB, aLog, d); }
}
