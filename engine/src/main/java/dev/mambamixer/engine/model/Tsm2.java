package dev.mambamixer.engine.model;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.StepSeed;
import dev.mambamixer.engine.nn.Buffers;
import dev.mambamixer.engine.nn.Dropout;
import dev.mambamixer.engine.nn.Init;
import dev.mambamixer.engine.nn.LayerNorm;
import dev.mambamixer.engine.nn.Linear;
import dev.mambamixer.engine.nn.MambaOptions;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.MixerStack;
import dev.mambamixer.engine.nn.Module;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.nn.Profile;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * TSM2, the MambaMixer forecaster (MODEL.md §6). Default design I1 (MODEL.md §6.3):
 * RevIN -> per-variate patching -> Linear patch encoder + learned positional embedding -> dropout
 * -> 𝓛 blocks of (time mixer along patches, variate mixer along variates) with weighted averaging
 * -> final Norm2D -> flatten -> dropout -> Linear (temporal projection) -> RevIN denormalise.
 * Design I2 (MODEL.md §6.3 "Design I2", §9 A2): no patching or embedding; the token mixer is
 * Mamba(F = M) along raw time and the channel mixer BiMamba(F = T) along the variates.
 *
 * <p>Shapes for ETTh1, I1 (MODEL.md §6.6): x (B,512,7) -> patches (B,7,63,16) -> tokens (B,7,63,32)
 * -> head (B·7, 63·32) -> (B,7,96) -> (B,96,7).
 */
public final class Tsm2 implements Module {
    private final Backend be;
    private final Tsm2Config cfg;
    private final int t, h, m, p, np, d;
    private final Parameter revinGamma, revinBeta;
    private final Linear patchProj;     // I1 only
    private final Parameter posEmbed;   // I1 only
    private final Dropout embedDropout, headDropout;
    private final MixerStack<Mixer> stack;
    private final LayerNorm finalNorm;
    private final Linear head;
    private final List<Parameter> params = new ArrayList<>();

    private int batch;
    private Profile profile;
    private long t0;
    private Tensor x, xn, mean, std, patches, tokens, predN, pred, headIn;
    private Tensor dPredN, dHead, dHeadIn, dTokens, dxn;

    public Tsm2(Backend be, Tsm2Config cfg) {
        this.be = be;
        this.cfg = cfg.validate();
        this.t = cfg.seqLen();
        this.h = cfg.horizon();
        this.m = cfg.variates();
        this.p = cfg.patchLen();
        this.np = cfg.numPatches();
        boolean i1 = cfg.patchTokens();
        this.d = i1 ? cfg.dModel() : m;
        Init init = new Init(cfg.seed());
        MambaOptions mo = MambaOptions.defaults().with(cfg.dState(), cfg.dConv(), cfg.expand(), cfg.scanChunk(),
                                                        cfg.shareDirectionA());
        if (cfg.revin()) {
            revinGamma = new Parameter(be, "revin.affine_weight", init.constant(m, 1), true, m);
            revinBeta = new Parameter(be, "revin.affine_bias", init.constant(m, 0), true, m);
            params.add(revinGamma);
            params.add(revinBeta);
        } else {
            revinGamma = revinBeta = null;
        }
        if (i1) {
            patchProj = new Linear(be, "patch_embed.proj", p, d, true, init);
            posEmbed = new Parameter(be, "patch_embed.pos_embed", init.uniform(np * d, 0.02), true, np, d);
            params.addAll(patchProj.parameters());
            params.add(posEmbed);
        } else {
            patchProj = null;
            posEmbed = null;
        }
        embedDropout = new Dropout(be, cfg.dropout());
        headDropout = new Dropout(be, cfg.dropout());
        List<Mixer> mixers = new ArrayList<>();
        List<String> avgNames = new ArrayList<>();
        for (int l = 0; l < cfg.layers(); l++) {
            String pre = "blocks." + l + ".";
            if (i1) {
                // time mixer: (B·M sequences of Nₚ tokens, width D), Norm2D over (Nₚ, D) (MODEL.md §6.4)
                mixers.add(new Mixer(be, pre + "time.", "time", new int[] {np, d}, d,
                                     cfg.timeMixerBidirectional(), mo, init));
                // variate mixer: (B·Nₚ sequences of M tokens, width D), Norm2D over (M, D)
                mixers.add(new Mixer(be, pre + "variate.", "variate", new int[] {m, d}, d, true, mo, init));
            } else {
                // I2: token mixer along T with F = M; channel mixer along M with F = T (MODEL.md §5.2)
                mixers.add(new Mixer(be, pre + "time.", "time", new int[] {t, m}, m,
                                     cfg.timeMixerBidirectional(), mo, init));
                mixers.add(new Mixer(be, pre + "variate.", "variate", new int[] {m, t}, t, true, mo, init));
            }
            avgNames.add(pre + "time.avg_weight");
            avgNames.add(pre + "variate.avg_weight");
        }
        stack = new MixerStack<>(be, mixers, avgNames, cfg.averaging());
        params.addAll(stack.parameters());
        finalNorm = i1 ? new LayerNorm(be, "final_norm", 1e-5, np, d) : new LayerNorm(be, "final_norm", 1e-5, t, m);
        params.addAll(finalNorm.parameters());
        int headIn = i1 ? np * d : t;
        head = new Linear(be, "head.proj", headIn, h, true, init);
        params.addAll(head.parameters());
    }

    /** Per-section wall-clock timing (bench --profile); null turns it off. */
    public void setProfile(Profile p) {
        this.profile = p;
        stack.setProfile(p);
    }

    private void mark() { if (profile != null) t0 = System.nanoTime(); }

    private void took(String section) { if (profile != null) profile.add(section, System.nanoTime() - t0); }

    private Mixer.Geometry[] geometry(int b) {
        Mixer.Geometry[] g = new Mixer.Geometry[2 * cfg.layers()];
        for (int l = 0; l < cfg.layers(); l++) {
            if (cfg.patchTokens()) {
                g[2 * l] = new Mixer.Geometry(b, m, np, d, false, b * m, np, d);          // (B,M,Nₚ,D)
                g[2 * l + 1] = new Mixer.Geometry(b, m, np, d, true, b * np, m, d);       // -> (B,Nₚ,M,D)
            } else {
                g[2 * l] = new Mixer.Geometry(b, 1, t, m, false, b, t, m);                // (B,T,M)
                g[2 * l + 1] = new Mixer.Geometry(b, t, m, 1, true, b, m, t);             // -> (B,M,T)
            }
        }
        return g;
    }

    /**
     * x: (B, T, M) look-back windows -> forecast (B, H, M). {@code training} enables dropout;
     * {@code seed} fixes its masks (the trainer passes a per-step seed for determinism).
     */
    public Tensor forward(Tensor x, int b, boolean training, long seed) {
        return forward(x, b, training, StepSeed.of(seed));
    }

    /** As {@link #forward(Tensor, int, boolean, long)}; the dropout seeds are derived from {@code seed}. */
    public Tensor forward(Tensor x, int b, boolean training, StepSeed seed) {
        Tensor flat = headInput(x, b, training, seed);   // its last mark() starts the "final norm + head fwd" section
        Tensor hd = headDropout.forward(flat, training, seed.derive(31, 2));
        Tensor out = head.forward(hd, b * m);                                              // (B·M, H)
        predN = Buffers.ensure(be, predN, b, h, m);
        be.swapMiddle(out, b, m, h, 1, predN);                                              // (B,H,M)
        if (!cfg.revin()) {
            took("final norm + head fwd");
            return predN;
        }
        pred = Buffers.ensure(be, pred, b, h, m);
        be.revinDenormalize(predN, revinGamma.value(), revinBeta.value(), mean, std, b, h, m, 1e-5, pred);
        took("final norm + head fwd");
        return pred;
    }

    /**
     * What the head sees, without dropout, for fitting it in closed form (train/LeastSquaresHead): the
     * features (B·M, F) and, with RevIN, the per-window mean and std (B, M) the input was normalised by
     * (null without RevIN). Views into the model's buffers, valid until its next forward.
     */
    public HeadInputs headInputs(Tensor x, int b) {
        Tensor f = headInput(x, b, false, StepSeed.of(0));
        return new HeadInputs(f, cfg.revin() ? mean : null, cfg.revin() ? std : null);
    }

    /** See {@link #headInputs}. */
    public record HeadInputs(Tensor features, Tensor mean, Tensor std) {}

    /** RevIN -> patch embedding -> mixers -> final norm -> flatten: the head's input (B·M, F), before dropout. */
    private Tensor headInput(Tensor x, int b, boolean training, StepSeed seed) {
        this.x = x;
        this.batch = b;
        mark();
        Tensor in = x;
        if (cfg.revin()) {
            xn = Buffers.ensure(be, xn, b, t, m);
            mean = Buffers.ensure(be, mean, b, m);
            std = Buffers.ensure(be, std, b, m);
            be.revinNormalize(x, revinGamma.value(), revinBeta.value(), b, t, m, 1e-5, xn, mean, std);
            in = xn;
        }
        Tensor stackIn;
        if (cfg.patchTokens()) {
            patches = Buffers.ensure(be, patches, b, m, np, p);
            be.patchify(in, b, t, m, p, cfg.patchStride(), np, patches);                 // (B,M,Nₚ,P)
            Tensor emb = patchProj.forward(patches.view(b * m * np, p), b * m * np);       // (B·M·Nₚ, D)
            be.addRowVector(emb.view(b * m, np * d), b * m, np * d, posEmbed.value());
            tokens = embedDropout.forward(emb, training, seed.derive(31, 1)).view(b, m, np, d); // (B,M,Nₚ,D)
            stackIn = tokens;
        } else {
            stackIn = in.view(b, 1, t, m);
        }
        took("revin + patch embedding fwd");
        Tensor y = stack.forward(stackIn, geometry(b));
        mark();
        Tensor yn = finalNorm.forward(y.view(b * finalNormRowsPerSample(), finalNorm.normalizedSize()),
                                      b * finalNormRowsPerSample());
        if (cfg.patchTokens()) return yn.view(b * m, np * d);                              // (B·M, Nₚ·D)
        headIn = Buffers.ensure(be, headIn, b, m, t);
        be.swapMiddle(yn, b, t, m, 1, headIn);                                              // (B,M,T)
        return headIn.view(b * m, t);
    }

    /** RevIN's affine weight γ and bias β (M), or null without RevIN. */
    public Parameter revinGamma() { return revinGamma; }
    public Parameter revinBeta() { return revinBeta; }

    /** The temporal projection (Linear F -> H, F = Nₚ·D for I1, T for I2). */
    public Linear head() { return head; }

    /**
     * Sets every mixer's out_proj to zero: each mixer then adds nothing to its residual and the
     * weighted averages (identity-initialised) pass the embedding through, so the model is RevIN ->
     * patch embedding -> final norm -> head until training moves out_proj (the least-squares head
     * start, MODEL.md §6.5).
     */
    public void silenceMixers() {
        for (Parameter q : stack.parameters())
            if (q.name().endsWith(".out_proj.weight")) be.fill(q.value(), 0);
    }

    private int finalNormRowsPerSample() { return cfg.patchTokens() ? m : 1; }

    /** dPred: (B, H, M) gradient of the loss w.r.t. the forecast. Accumulates parameter grads. */
    public void backward(Tensor dPred) {
        int b = batch;
        mark();
        Tensor g = dPred;
        if (cfg.revin()) {
            dPredN = Buffers.ensure(be, dPredN, b, h, m);
            be.revinDenormalizeBackward(predN, revinGamma.value(), revinBeta.value(), std, dPred, b, h, m, 1e-5,
                                        dPredN, revinGamma.grad(), revinBeta.grad());
            g = dPredN;
        }
        dHead = Buffers.ensure(be, dHead, b, m, h);
        be.swapMiddle(g, b, h, m, 1, dHead);                                                // (B,M,H)
        Tensor dFlat = headDropout.backward(head.backward(dHead.view(b * m, h), true));
        Tensor dyn;
        if (cfg.patchTokens()) {
            dyn = dFlat;
        } else {
            dHeadIn = Buffers.ensure(be, dHeadIn, b, t, m);
            be.swapMiddle(dFlat, b, m, t, 1, dHeadIn);                                      // (B,T,M)
            dyn = dHeadIn;
        }
        Tensor dy = finalNorm.backward(dyn.view(b * finalNormRowsPerSample(), finalNorm.normalizedSize()));
        took("final norm + head bwd");
        Tensor dStackIn = stack.backward(dy.view(stackShape(b)));
        mark();
        Tensor dIn;
        if (cfg.patchTokens()) {
            dTokens = embedDropout.backward(dStackIn);
            be.sumRows(dTokens.view(b * m, np * d), b * m, np * d, posEmbed.grad());
            Tensor dPatches = patchProj.backward(dTokens.view(b * m * np, d), cfg.revin());
            if (!cfg.revin()) {
                took("revin + patch embedding bwd");
                return;
            }
            dxn = Buffers.ensure(be, dxn, b, t, m);
            be.patchifyBackward(dPatches, b, t, m, p, cfg.patchStride(), np, dxn);
            dIn = dxn;
        } else {
            dIn = dStackIn;
        }
        if (cfg.revin())
            be.revinNormalizeBackward(x, mean, std, dIn.view(b, t, m), b, t, m, revinGamma.grad(), revinBeta.grad());
        took("revin + patch embedding bwd");
    }

    private int[] stackShape(int b) {
        return cfg.patchTokens() ? new int[] {b, m, np, d} : new int[] {b, 1, t, m};
    }

    public Tsm2Config config() { return cfg; }
    public Backend backend() { return be; }
    public MixerStack<Mixer> stack() { return stack; }

    @Override public List<Parameter> parameters() { return params; }

    public long parameterCount() {
        long n = 0;
        for (Parameter q : params) n += q.size();
        return n;
    }
}
