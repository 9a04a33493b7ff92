package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;

/**
 * The selective part of one scan direction, MODEL.md §4.2 steps 4-6: x_proj (Δ, B, C from the
 * scan input u, MODEL.md §9 A7) -> dt_proj -> S6 scan with D skip and, when a gate input z is
 * given, the SiLU(z) gate. {@link SsmCore} puts a causal conv in front of it (TSM2, the teaching
 * model); ViM2's SS2D runs four of these without z after one shared 2-D conv (MODEL.md §7.2).
 *
 * <p>Glossary (code -> paper): u = scan input (x̄), r = low-rank dt input, deltaRaw = W_dt r (Δ
 * before bias/softplus), bm = B, cm = C, aLog = log(-A), d = D, z = gate input, o = scan output.
 * Sequence tensors are token-major (S, L, E).
 */
public final class ScanBranch implements Module {
    private final Backend be;
    private final int e, n, r, chunk;
    final Parameter xProj, dtProjW, dtProjB, aLog, d;

    private ScanDims dims;
    private Tensor u, z;                           // saved inputs (not owned)
    private Tensor rr, bm, cm, deltaRaw, o, ckpt;
    private Tensor du, dDelta, dr, dB, dC, dz;

    /**
     * Parameter names: {@code prefix + "x_proj" + suffix + ".weight"}, {@code dt_proj}, and
     * {@code A_log} / {@code D} (with a suffix: {@code "A" + suffix + "_log"}, {@code "D" + suffix}),
     * the Mamba and Vim v2 names. Random draws in this order: x_proj, dt_proj weight, dt bias.
     *
     * @param f          model width the dt rank derives from (R = ⌈f/16⌉)
     * @param sharedALog an A_log to share (MODEL.md §9 A9), or null for an own one
     */
    public ScanBranch(Backend be, String prefix, String suffix, int e, int f, MambaOptions cfg, Parameter sharedALog,
                      Init init) {
        this.be = be;
        this.e = e;
        this.n = cfg.dState();
        this.r = (int) Math.ceil(f / 16.0);
        this.chunk = cfg.scanChunk();
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

    /** u: (S, L, E), z: (S, L, E) or null (no gate) -> o: (S, L, E). Inputs must stay unchanged until backward. */
    public Tensor forward(Tensor u, Tensor z, int s, int l) {
        this.u = u;
        this.z = z;
        dims = new ScanDims(s, l, e, n, chunk);
        int rows = s * l;
        rr = Buffers.ensure(be, rr, rows, r);
        bm = Buffers.ensure(be, bm, s, l, n);
        cm = Buffers.ensure(be, cm, s, l, n);
        deltaRaw = Buffers.ensure(be, deltaRaw, s, l, e);
        o = Buffers.ensure(be, o, s, l, e);
        ckpt = Buffers.ensure(be, ckpt, dims.checkpointShape());
        Tensor w = xProj.value();                                                 // (R+2N, E)
        be.gemm(false, true, rows, r, e, 1, u, 0, w, 0, 0, rr, 0);                // (SL,R)
        be.gemm(false, true, rows, n, e, 1, u, 0, w, r * e, 0, bm, 0);            // (SL,N)
        be.gemm(false, true, rows, n, e, 1, u, 0, w, (r + n) * e, 0, cm, 0);      // (SL,N)
        be.gemm(false, true, rows, e, r, 1, rr, 0, dtProjW.value(), 0, 0, deltaRaw, 0); // (SL,E)
        be.scanForward(dims, scanInputs(), o, ckpt);
        return o;
    }

    /** The scan's inputs as of the last forward (the parameters' current values). */
    private ScanInputs scanInputs() {
        return new ScanInputs(u, deltaRaw, aLog.value(), bm, cm, d.value(), z, dtProjB.value());
    }

    /**
     * dout: (S, L, E) -> {du, dz} (du (S, L, E) through the scan and x_proj; dz null without a
     * gate), overwritten each call; parameter gradients accumulate.
     */
    public Tensor[] backward(Tensor dout) {
        int s = dims.s(), l = dims.l(), rows = s * l;
        du = Buffers.ensure(be, du, s, l, e);
        dDelta = Buffers.ensure(be, dDelta, s, l, e);
        dB = Buffers.ensure(be, dB, s, l, n);
        dC = Buffers.ensure(be, dC, s, l, n);
        dz = z == null ? null : Buffers.ensure(be, dz, s, l, e);
        dr = Buffers.ensure(be, dr, rows, r);
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
        return new Tensor[] {du, dz};
    }

    /** Scan input u (S, L, E) of the last forward, not owned. */
    public Tensor lastU() { return u; }
    public Tensor lastDeltaRaw() { return deltaRaw; }
    public Tensor lastB() { return bm; }
    public Tensor lastC() { return cm; }
    /** Gate input z (S, L, E) of the last forward, or null without a gate; not owned. */
    public Tensor lastZ() { return z; }
    /** Scan output o (S, L, E) of the last forward (in this branch's scan order). */
    public Tensor lastOutput() { return o; }
    /** Scan dimensions of the last forward (null before the first). */
    public ScanDims lastDims() { return dims; }
    public int dtRank() { return r; }
    public Parameter aLog() { return aLog; }
    public Parameter skipD() { return d; }
    public Parameter dtBias() { return dtProjB; }
    public int innerWidth() { return e; }
    public int stateSize() { return n; }

    @Override public List<Parameter> parameters() { return List.of(xProj, dtProjW, dtProjB, aLog, d); }
}
