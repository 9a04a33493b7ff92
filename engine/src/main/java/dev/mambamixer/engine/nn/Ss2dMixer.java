package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * ViM2's Selective Token Mixer, VMamba's SS2D (MODEL.md §7.2), with pre-norm and inner residual
 * (MODEL.md §5.4): y = x + W_out(LN_out(merge(scan_k(cross_k(SiLU(dwconv(x')))))) ⊙ SiLU(z)),
 * where [x'; z] = W_in LN(x). One depth-wise 3×3 conv (not causal) feeds four scan directions
 * (MODEL.md §9 A12: row-major, column-major and their reverses), each a {@link ScanBranch} with
 * its own x_proj/dt_proj/A/D and no gate; the cross-merge sums them back in row-major order.
 *
 * <p>Shapes: x (B, H, W, D) channels-last; E = expand·D; the directions see (B, H·W, E) sequences.
 * The geometry's (a, b, c, d) are (B, H, W, D). Glossary: xin = x' (conv input), c = conv output,
 * u = SiLU(c), seq[k] = direction k's input, ysum = merged scan output, yn = LN_out(ysum),
 * sz = SiLU(z), g = yn ⊙ sz (what W_out sees).
 */
public final class Ss2dMixer implements ResidualMixer {
    /** Scan directions in VMamba's cross-scan order; see {@link #directionName(int)}. */
    public static final int DIRECTIONS = 4;

    private final Backend be;
    private final String name;
    private final int dm, e, k;
    private final LayerNorm norm, outNorm;
    private final Parameter inProj, convW, convB, outProj;
    private final ScanBranch[] scans = new ScanBranch[DIRECTIONS];

    private Mixer.Geometry g;
    private Tensor x;                                    // saved input (B,H,W,D), not owned
    private Tensor xin, z, c, u, colMajor, ysum, tmp, sz, gated, out, y;
    private final Tensor[] seq = new Tensor[DIRECTIONS];
    private Tensor dg, dyn, dsz, dz, dcol, du, dc, dxin, dxn, dx;
    private final Tensor[] dSeq = new Tensor[DIRECTIONS];

    /**
     * @param d     model width D of this stage
     * @param cfg   N, expand, dt init (dConv is not used: the 2-D conv is {@code conv}×{@code conv})
     * @param conv  the depth-wise kernel size (odd; 3 in the paper)
     */
    public Ss2dMixer(Backend be, String prefix, int d, int conv, MambaOptions cfg, Init init) {
        if (conv < 1 || conv % 2 == 0) throw new IllegalArgumentException("depth-wise kernel size must be odd, got " + conv);
        this.be = be;
        this.name = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.dm = d;
        this.e = cfg.expand() * d;
        this.k = conv;
        norm = new LayerNorm(be, prefix + "norm", 1e-5, d);
        String p = prefix + "ss2d.";
        // VMamba: every nn.Linear truncated-normal std 0.02, no bias; conv PyTorch default U(±1/√fan_in)
        inProj = new Parameter(be, p + "in_proj.weight", init.truncatedNormal(2 * e * d, 0.02), false, 2 * e, d);
        double bound = 1.0 / Math.sqrt(conv * conv);
        convW = new Parameter(be, p + "conv2d.weight", init.uniform(e * conv * conv, bound), false, e, 1, conv, conv);
        convB = new Parameter(be, p + "conv2d.bias", init.uniform(e, bound), true, e);
        for (int dir = 0; dir < DIRECTIONS; dir++) scans[dir] = new ScanBranch(be, p, "_" + dir, e, d, cfg, null, init);
        outNorm = new LayerNorm(be, p + "out_norm", 1e-5, e);
        outProj = new Parameter(be, p + "out_proj.weight", init.truncatedNormal(d * e, 0.02), false, d, e);
    }

    /** "row-major", "column-major", "row-major reversed", "column-major reversed". */
    public static String directionName(int dir) {
        return switch (dir) {
            case 0 -> "row-major";
            case 1 -> "column-major";
            case 2 -> "row-major reversed";
            case 3 -> "column-major reversed";
            default -> throw new IllegalArgumentException("direction " + dir + " outside 0..3");
        };
    }

    /** x: (B, H, W, D) with g = (B, H, W, D) -> y of the same shape. */
    @Override public Tensor forward(Tensor x, Mixer.Geometry g) {
        if (g.d() != dm || g.swap()) throw new IllegalArgumentException("SS2D mixer " + name + " expects (B, H, W, " + dm
                                                                        + ") unswapped, got " + g);
        this.g = g;
        this.x = x;
        int b = g.a(), h = g.b(), w = g.c(), l = h * w, rows = b * l;
        xin = Buffers.ensure(be, xin, b, h, w, e);
        z = Buffers.ensure(be, z, b, h, w, e);
        c = Buffers.ensure(be, c, b, h, w, e);
        u = Buffers.ensure(be, u, b, h, w, e);
        Tensor xn = norm.forward(x.view(rows, dm), rows);                                // (BHW,D)
        be.gemm(false, true, rows, e, dm, 1, xn, 0, inProj.value(), 0, 0, xin, 0);        // x' = xn W_in[0:E]^T
        be.gemm(false, true, rows, e, dm, 1, xn, 0, inProj.value(), e * dm, 0, z, 0);     // z  = xn W_in[E:2E]^T
        be.depthwiseConv2dForward(xin, convW.value(), convB.value(), b, h, w, e, k, c);   // (B,H,W,E)
        be.siluForward(c, u);
        // cross-scan: (B,H,W,E) read as (B,HW,E) row-major; swapped (B,W,H,E) column-major; and reversed
        seq[0] = u.view(b, l, e);
        colMajor = Buffers.ensure(be, colMajor, b, w, h, e);
        be.swapMiddle(u, b, h, w, e, colMajor);
        seq[1] = colMajor.view(b, l, e);
        seq[2] = Buffers.ensure(be, seq[2], b, l, e);
        be.flipSequence(seq[0], b, l, e, seq[2]);
        seq[3] = Buffers.ensure(be, seq[3], b, l, e);
        be.flipSequence(seq[1], b, l, e, seq[3]);
        Tensor[] o = new Tensor[DIRECTIONS];
        for (int dir = 0; dir < DIRECTIONS; dir++) o[dir] = scans[dir].forward(seq[dir], null, b, l);
        // cross-merge: ysum = o0 + flip(o2) + colmajor->rowmajor(o1 + flip(o3))
        tmp = Buffers.ensure(be, tmp, b, l, e);
        ysum = Buffers.ensure(be, ysum, b, h, w, e);
        be.flipSequence(o[3], b, l, e, tmp);
        be.axpy(1, o[1], tmp);                                                            // (B,W,H,E) order
        be.swapMiddle(tmp, b, w, h, e, ysum);                                             // -> (B,H,W,E)
        be.flipSequence(o[2], b, l, e, tmp);
        be.axpy(1, tmp, ysum);
        be.axpy(1, o[0], ysum);
        Tensor yn = outNorm.forward(ysum.view(rows, e), rows);                            // (BHW,E)
        sz = Buffers.ensure(be, sz, rows, e);
        gated = Buffers.ensure(be, gated, rows, e);
        be.siluForward(z.view(rows, e), sz);
        be.mul(yn, sz, gated);
        out = Buffers.ensure(be, out, rows, dm);
        be.gemm(false, true, rows, dm, e, 1, gated, 0, outProj.value(), 0, 0, out, 0);   // (BHW,D)
        y = Buffers.ensure(be, y, x.shape());
        be.add(x, out.view(x.shape()), y);
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        int b = g.a(), h = g.b(), w = g.c(), l = h * w, rows = b * l;
        dg = Buffers.ensure(be, dg, rows, e);
        be.gemm(true, false, dm, e, rows, 1, dy, 0, gated, 0, 1, outProj.grad(), 0);      // (D,E)
        be.gemm(false, false, rows, e, dm, 1, dy, 0, outProj.value(), 0, 0, dg, 0);       // (BHW,E)
        Tensor yn = outNorm.lastOutput();
        dyn = Buffers.ensure(be, dyn, rows, e);
        dsz = Buffers.ensure(be, dsz, rows, e);
        dz = Buffers.ensure(be, dz, b, h, w, e);
        be.mul(dg, sz, dyn);
        be.mul(dg, yn, dsz);
        be.siluBackward(z, dsz.view(b, h, w, e), dz);
        Tensor dysum = outNorm.backward(dyn).view(b, h, w, e);
        // adjoint of the cross-merge: each direction's output gradient in its own scan order
        dSeq[0] = dysum.view(b, l, e);
        dcol = Buffers.ensure(be, dcol, b, w, h, e);
        be.swapMiddle(dysum, b, h, w, e, dcol);
        dSeq[1] = dcol.view(b, l, e);
        dSeq[2] = Buffers.ensure(be, dSeq[2], b, l, e);
        be.flipSequence(dSeq[0], b, l, e, dSeq[2]);
        dSeq[3] = Buffers.ensure(be, dSeq[3], b, l, e);
        be.flipSequence(dSeq[1], b, l, e, dSeq[3]);
        // adjoint of the cross-scan: du = du0 + flip(du2) + colmajor->rowmajor(du1 + flip(du3))
        du = Buffers.ensure(be, du, b, h, w, e);
        Tensor du3 = scans[3].backward(dSeq[3])[0];
        be.flipSequence(du3, b, l, e, tmp);
        Tensor du1 = scans[1].backward(dSeq[1])[0];
        be.axpy(1, du1, tmp);
        be.swapMiddle(tmp, b, w, h, e, du);
        Tensor du2 = scans[2].backward(dSeq[2])[0];
        be.flipSequence(du2, b, l, e, tmp);
        be.axpy(1, tmp, du);
        Tensor du0 = scans[0].backward(dSeq[0])[0];
        be.axpy(1, du0, du);
        dc = Buffers.ensure(be, dc, b, h, w, e);
        dxin = Buffers.ensure(be, dxin, b, h, w, e);
        be.siluBackward(c, du, dc);
        be.depthwiseConv2dBackward(xin, convW.value(), dc, b, h, w, e, k, dxin, convW.grad(), convB.grad());
        Tensor xn = norm.lastOutput();
        Tensor gw = inProj.grad(), wIn = inProj.value();
        be.gemm(true, false, e, dm, rows, 1, dxin, 0, xn, 0, 1, gw, 0);
        be.gemm(true, false, e, dm, rows, 1, dz, 0, xn, 0, 1, gw, e * dm);
        dxn = Buffers.ensure(be, dxn, rows, dm);
        be.gemm(false, false, rows, dm, e, 1, dxin, 0, wIn, 0, 0, dxn, 0);
        be.gemm(false, false, rows, dm, e, 1, dz, 0, wIn, e * dm, 1, dxn, 0);
        Tensor dIn = norm.backward(dxn);
        dx = Buffers.ensure(be, dx, dy.shape());
        be.add(dy, dIn.view(dy.shape()), dx);
        return dx;
    }

    @Override public String kind() { return "ss2d"; }
    @Override public String name() { return name; }
    @Override public Tensor lastOutput() { return y; }
    /** Geometry (B, H, W, D) of the last forward (null before the first). */
    public Mixer.Geometry lastGeometry() { return g; }
    /** Direction {@code dir}'s selective scan (0 row-major, 1 column-major, 2 and 3 their reverses). */
    public ScanBranch scan(int dir) { return scans[dir]; }
    /**
     * The cross-merged scan output ysum (B, H, W, E) of the last forward, row-major over tokens:
     * o₀ + flip(o₂) + colmajor→rowmajor(o₁ + flip(o₃)), i.e. before the out-norm and the gate
     * (MODEL.md §7.2 step 5). Not owned; the next forward overwrites it.
     */
    public Tensor lastMergedScanOutput() { return ysum; }
    /** Gate input z (B, H, W, E) of the last forward. */
    public Tensor lastGateInput() { return z; }
    public int innerWidth() { return e; }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>(norm.parameters());
        p.add(inProj);
        p.add(convW);
        p.add(convB);
        for (ScanBranch s : scans) p.addAll(s.parameters());
        p.addAll(outNorm.parameters());
        p.add(outProj);
        return p;
    }
}
