package dev.mambamixer.engine.model;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.nn.Buffers;
import dev.mambamixer.engine.nn.Init;
import dev.mambamixer.engine.nn.LayerNorm;
import dev.mambamixer.engine.nn.Linear;
import dev.mambamixer.engine.nn.MambaOptions;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.MixerStack;
import dev.mambamixer.engine.nn.Module;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.nn.ResidualMixer;
import dev.mambamixer.engine.nn.Ss2dMixer;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * ViM2, the vision MambaMixer (MODEL.md §7): patch stem (a k×k stride-k conv as one GEMM over
 * non-overlapping patches, then LayerNorm) -> stages of (SS2D token mixers, channel mixer) units
 * with weighted averaging of earlier features inside each stage (MODEL.md §7.1, A10), PatchMerging2D
 * (gather 2×2 -> LayerNorm(4C) -> Linear(4C -> C')) in front of every stage but the first (§7.1)
 * -> head LayerNorm -> global average pool -> Linear -> class logits.
 *
 * <p>Shapes (channels-last throughout): images (B, H, W, C) -> patches (B, h, w, p·p·C) ->
 * stage s (B, h_s, w_s, D_s) -> pooled (B, D_last) -> logits (B, classes). The stem weight is
 * stored (D, p·p·C) in (row, column, channel) patch order, i.e. PyTorch's (D, C, p, p) with the
 * channel axis last; for grey images the two agree.
 */
public final class Vim2 implements Module {
    private final Backend be;
    private final Vim2Config cfg;
    private final Linear stem;
    private final LayerNorm stemNorm;
    private final List<LayerNorm> mergeNorms = new ArrayList<>();
    private final List<Linear> mergeProjs = new ArrayList<>();
    private final List<MixerStack<ResidualMixer>> stages = new ArrayList<>();
    private final LayerNorm headNorm;
    private final Linear head;
    private final List<Parameter> params = new ArrayList<>();
    private final Tensor ones;     // (max tokens) for the average pool as a GEMM

    private int batch;
    private Tensor patches, stageIn0;
    private final List<Tensor> merged = new ArrayList<>(), mergedDx = new ArrayList<>();
    private Tensor pooled, dPooled, dHeadIn;

    public Vim2(Backend be, Vim2Config cfg) {
        this.be = be;
        this.cfg = cfg.validate();
        Init init = new Init(cfg.seed());
        int p = cfg.patch(), c = cfg.channels();
        stem = new Linear(be, "patch_embed.proj", p * p * c, cfg.dims().get(0), true, init);   // PyTorch Conv2d default init
        stemNorm = new LayerNorm(be, "patch_embed.norm", 1e-5, cfg.dims().get(0));
        params.addAll(stem.parameters());
        params.addAll(stemNorm.parameters());
        MambaOptions tokenOpts = MambaOptions.defaults().with(cfg.dState(), 4, cfg.expand(), cfg.scanChunk(), false);
        for (int s = 0; s < cfg.stages(); s++) {
            int d = cfg.dims().get(s);
            if (s > 0) {
                int prev = cfg.dims().get(s - 1);
                LayerNorm mn = new LayerNorm(be, "stages." + s + ".downsample.norm", 1e-5, 4 * prev);
                Linear mp = Linear.truncatedNormal(be, "stages." + s + ".downsample.reduction", 4 * prev, d, false, init);
                mergeNorms.add(mn);
                mergeProjs.add(mp);
                params.addAll(mn.parameters());
                params.addAll(mp.parameters());
            }
            List<ResidualMixer> mixers = new ArrayList<>();
            List<String> avg = new ArrayList<>();
            int[] grid = cfg.grid(s);
            int tokens = grid[0] * grid[1];
            for (int t = 0; t < cfg.tokenMixers().get(s); t++) {
                String pre = "stages." + s + ".mixers." + mixers.size() + ".";
                mixers.add(new Ss2dMixer(be, pre, d, cfg.dwConv(), tokenOpts, init));
                avg.add(pre + "avg_weight");
                if ((t + 1) % cfg.tokensPerChannelMixer() == 0 && cfg.channelMixer() != Vim2Config.ChannelMixer.NONE) {
                    pre = "stages." + s + ".mixers." + mixers.size() + ".";
                    mixers.add(channelMixer(pre, d, tokens, init));
                    avg.add(pre + "avg_weight");
                }
            }
            MixerStack<ResidualMixer> stack = new MixerStack<>(be, mixers, avg, cfg.averaging());
            stages.add(stack);
            params.addAll(stack.parameters());
        }
        int last = cfg.dims().get(cfg.stages() - 1);
        headNorm = new LayerNorm(be, "head.norm", 1e-5, last);
        head = Linear.truncatedNormal(be, "head.fc", last, cfg.classes(), true, init);
        params.addAll(headNorm.parameters());
        params.addAll(head.parameters());
        int[] g0 = cfg.grid(0);
        double[] one = new double[g0[0] * g0[1]];
        java.util.Arrays.fill(one, 1);
        ones = be.fromDoubles(one, one.length);
    }

    /** The channel mixer of a stage of width d with the given token count (MODEL.md §7.3). */
    private Mixer channelMixer(String prefix, int d, int tokens, Init init) {
        if (cfg.channelMixer() == Vim2Config.ChannelMixer.PER_TOKEN_LIFT) {
            // V-B: every token's D channels are a length-D sequence of scalars (F = 1), lifted to e_c
            MambaOptions o = MambaOptions.defaults().with(cfg.channelState(), cfg.channelConv(), cfg.channelLift(), cfg.scanChunk(), false);
            return new Mixer(be, prefix, "channel", new int[] {d}, 1, true, o, init);
        }
        // V-A: transpose so the H·W tokens are the features and the scan runs over the D channels
        MambaOptions o = MambaOptions.defaults().with(cfg.channelState(), cfg.channelConv(), 2, cfg.scanChunk(), false);
        return new Mixer(be, prefix, "channel", new int[] {d, tokens}, tokens, true, o, init);
    }

    /** How each mixer of stage s sees its (B, h, w, D) input. */
    private Mixer.Geometry[] geometry(int s, int b) {
        List<ResidualMixer> mixers = stages.get(s).mixers();
        int[] grid = cfg.grid(s);
        int h = grid[0], w = grid[1], d = cfg.dims().get(s), l = h * w;
        Mixer.Geometry[] g = new Mixer.Geometry[mixers.size()];
        for (int i = 0; i < g.length; i++) {
            if (mixers.get(i) instanceof Ss2dMixer) g[i] = new Mixer.Geometry(b, h, w, d, false, b, l, d);
            else if (cfg.channelMixer() == Vim2Config.ChannelMixer.PER_TOKEN_LIFT)
                g[i] = new Mixer.Geometry(b * l, 1, d, 1, false, b * l, d, 1);          // (BHW, D, 1)
            else g[i] = new Mixer.Geometry(b, l, d, 1, true, b, d, l);                  // (B, D, HW)
        }
        return g;
    }

    /** images: (B, H, W, C) -> logits (B, classes) (buffer reused by the next call). */
    public Tensor forward(Tensor images, int b) {
        int h = cfg.height(), w = cfg.width(), c = cfg.channels(), p = cfg.patch();
        if (images.size() != b * h * w * c)
            throw new IllegalArgumentException("images " + images + " do not hold B*H*W*C = " + b + "*" + h + "*" + w + "*" + c);
        this.batch = b;
        int gh = h / p, gw = w / p, rows = b * gh * gw;
        // (B·gh, p, gw, p·C) -> (B·gh, gw, p, p·C): each patch contiguous in (row, column, channel) order
        patches = Buffers.ensure(be, patches, rows, p * p * c);
        be.swapMiddle(images, b * gh, p, gw, p * c, patches);
        Tensor x = stemNorm.forward(stem.forward(patches, rows), rows).view(b, gh, gw, cfg.dims().get(0));
        for (int s = 0; s < cfg.stages(); s++) {
            if (s > 0) x = mergeForward(s, x, b);
            x = stages.get(s).forward(x, geometry(s, b));
        }
        int[] grid = cfg.grid(cfg.stages() - 1);
        int l = grid[0] * grid[1], d = cfg.dims().get(cfg.stages() - 1);
        Tensor xn = headNorm.forward(x.view(b * l, d), b * l);
        pooled = Buffers.ensure(be, pooled, b, d);
        for (int i = 0; i < b; i++)                                                     // (1,L)(L,D) mean over tokens
            be.gemm(false, false, 1, d, l, 1.0 / l, ones, 0, xn, i * l * d, 0, pooled, i * d);
        return head.forward(pooled, b);
    }

    /** PatchMerging2D in front of stage s: (B, h, w, C) -> (B, ⌈h/2⌉, ⌈w/2⌉, D_s). */
    private Tensor mergeForward(int s, Tensor x, int b) {
        int[] g = cfg.grid(s - 1), gn = cfg.grid(s);
        int prev = cfg.dims().get(s - 1), rows = b * gn[0] * gn[1];
        while (merged.size() < s) { merged.add(null); mergedDx.add(null); }
        Tensor m = Buffers.ensure(be, merged.get(s - 1), rows, 4 * prev);
        merged.set(s - 1, m);
        be.mergePatches2x2(x, b, g[0], g[1], prev, m);
        Tensor mn = mergeNorms.get(s - 1).forward(m, rows);
        return mergeProjs.get(s - 1).forward(mn, rows).view(b, gn[0], gn[1], cfg.dims().get(s));
    }

    /** dLogits: (B, classes) gradient of the loss. Accumulates every parameter gradient. */
    public void backward(Tensor dLogits) {
        int b = batch, last = cfg.stages() - 1;
        int[] grid = cfg.grid(last);
        int l = grid[0] * grid[1], d = cfg.dims().get(last);
        Tensor dp = head.backward(dLogits, true);                                       // (B, D)
        dHeadIn = Buffers.ensure(be, dHeadIn, b * l, d);
        for (int i = 0; i < b; i++)                                                     // (L,1)(1,D) / L
            be.gemm(false, false, l, d, 1, 1.0 / l, ones, 0, dp, i * d, 0, dHeadIn, i * l * d);
        Tensor dx = headNorm.backward(dHeadIn).view(b, grid[0], grid[1], d);
        for (int s = last; s >= 0; s--) {
            dx = stages.get(s).backward(dx);
            if (s > 0) {
                int[] g = cfg.grid(s - 1), gn = cfg.grid(s);
                int prev = cfg.dims().get(s - 1), rows = b * gn[0] * gn[1];
                Tensor dmn = mergeProjs.get(s - 1).backward(dx.view(rows, cfg.dims().get(s)), true);
                Tensor dm = mergeNorms.get(s - 1).backward(dmn);
                Tensor dprev = Buffers.ensure(be, mergedDx.get(s - 1), b, g[0], g[1], prev);
                mergedDx.set(s - 1, dprev);
                be.mergePatches2x2Backward(dm, b, g[0], g[1], prev, dprev);
                dx = dprev;
            }
        }
        int[] g0 = cfg.grid(0);
        Tensor dStem = stemNorm.backward(dx.view(b * g0[0] * g0[1], cfg.dims().get(0)));
        stem.backward(dStem, false);
    }

    public Vim2Config config() { return cfg; }
    public Backend backend() { return be; }
    /** Stage s's mixer stack (SS2D token mixers and channel mixers, with their averages). */
    public MixerStack<ResidualMixer> stage(int s) { return stages.get(s); }

    @Override public List<Parameter> parameters() { return params; }

    public long parameterCount() {
        long n = 0;
        for (Parameter q : params) n += q.size();
        return n;
    }
}
