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
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A token-sequence MambaMixer for the teaching tasks (selective copying, induction heads):
 * embedding (V, D) -> 𝓛 blocks of (Selective Token Mixer along L, MODEL.md §5.1, unidirectional;
 * Selective Channel Mixer along D, MODEL.md §5.2, bidirectional with F = L) with weighted averaging
 * of earlier features (MODEL.md §5.3) -> final LayerNorm over D -> Linear(D -> V) per position.
 *
 * <p>Norms (MODEL.md §5.4): the token mixer uses a per-token LayerNorm over D (the "generic block"
 * choice; it is causal). The channel mixer, which sees the transposed (B, D, L) layout, uses the
 * Norm2D variant over (D, L): its statistics mix all positions, but the channel mixer itself is a
 * dense map over the L positions anyway, so the whole model is not causal. That is fine for these
 * tasks, whose targets (the output positions, the final query) are predicted from the whole
 * sequence; it does mean the model is not an autoregressive language model.
 *
 * <p>The embedding is a GEMM of one-hot rows (B·L, V) with the table (V, D) (the backend has no
 * gather; for the small vocabularies here the one-hot product is cheap and gives the backward for
 * free as onehotᵀ·dE). Shapes: tokens (B, L) -> x (B, 1, L, D) -> logits (B·L, V).
 */
public final class SequenceModel implements Module {
    private final Backend be;
    private final SequenceModelConfig cfg;
    private final int v, l, d;
    private final Parameter embedding;
    private final MixerStack<Mixer> stack;
    private final LayerNorm finalNorm;
    private final Linear head;
    private final List<Parameter> params = new ArrayList<>();

    private int batch;
    private float[] oneHotHost;
    private Tensor oneHot, emb;

    public SequenceModel(Backend be, SequenceModelConfig cfg) {
        this.be = be;
        this.cfg = cfg.validate();
        this.v = cfg.vocab();
        this.l = cfg.length();
        this.d = cfg.dModel();
        Init init = new Init(cfg.seed());
        MambaOptions mo = MambaOptions.defaults().with(cfg.dState(), cfg.dConv(), cfg.expand(), cfg.scanChunk(), false);
        // unit-variance entries, as PyTorch's nn.Embedding N(0, 1): U(-√3, √3)
        embedding = new Parameter(be, "embedding.weight", init.uniform(v * d, Math.sqrt(3)), false, v, d);
        params.add(embedding);
        List<Mixer> mixers = new ArrayList<>();
        List<String> avgNames = new ArrayList<>();
        for (int i = 0; i < cfg.layers(); i++) {
            String pre = "blocks." + i + ".";
            mixers.add(new Mixer(be, pre + "token.", "token", new int[] {d}, d, false, mo, init));
            avgNames.add(pre + "token.avg_weight");
            if (cfg.channelMixer()) {
                mixers.add(new Mixer(be, pre + "channel.", "channel", new int[] {d, l}, l, true, mo, init));
                avgNames.add(pre + "channel.avg_weight");
            }
        }
        stack = new MixerStack<>(be, mixers, avgNames, cfg.averaging());
        params.addAll(stack.parameters());
        finalNorm = new LayerNorm(be, "final_norm", 1e-5, d);
        params.addAll(finalNorm.parameters());
        head = new Linear(be, "head", d, v, true, init);
        params.addAll(head.parameters());
    }

    private Mixer.Geometry[] geometry(int b) {
        int per = cfg.channelMixer() ? 2 : 1;
        Mixer.Geometry[] g = new Mixer.Geometry[per * cfg.layers()];
        for (int i = 0; i < cfg.layers(); i++) {
            g[per * i] = new Mixer.Geometry(b, 1, l, d, false, b, l, d);                   // (B,L,D): scan along L
            if (per == 2) g[per * i + 1] = new Mixer.Geometry(b, l, d, 1, true, b, d, l);  // -> (B,D,L): along D
        }
        return g;
    }

    /**
     * tokens: (B, L) row-major ids in [0, V) -> logits (B·L, V) (buffer reused by the next call).
     * There is no dropout, so training and evaluation forwards are the same.
     */
    public Tensor forward(int[] tokens, int b) {
        if (b <= 0 || tokens.length != b * l)
            throw new IllegalArgumentException("tokens has " + tokens.length + " ids, expected B*L = " + b + "*" + l);
        this.batch = b;
        int rows = b * l;
        if (oneHotHost == null || oneHotHost.length != rows * v) oneHotHost = new float[rows * v];
        else Arrays.fill(oneHotHost, 0f);
        for (int r = 0; r < rows; r++) {
            int tok = tokens[r];
            if (tok < 0 || tok >= v)
                throw new IllegalArgumentException("token " + tok + " at position " + r + " outside the vocabulary [0, "
                                                   + v + ")");
            oneHotHost[r * v + tok] = 1f;
        }
        oneHot = Buffers.ensure(be, oneHot, rows, v);
        be.upload(oneHotHost, oneHot);
        emb = Buffers.ensure(be, emb, b, 1, l, d);
        be.gemm(false, false, rows, d, v, 1, oneHot, 0, embedding.value(), 0, 0, emb, 0);  // (BL,V)(V,D)
        Tensor y = stack.forward(emb, geometry(b));                                        // (B,1,L,D)
        Tensor yn = finalNorm.forward(y.view(rows, d), rows);
        return head.forward(yn, rows);                                                      // (BL,V)
    }

    /** dLogits: (B·L, V) gradient of the loss. Accumulates every parameter gradient. */
    public void backward(Tensor dLogits) {
        int rows = batch * l;
        Tensor dyn = head.backward(dLogits, true);
        Tensor dy = finalNorm.backward(dyn);
        Tensor dx = stack.backward(dy.view(batch, 1, l, d));
        be.gemm(true, false, v, d, rows, 1, oneHot, 0, dx, 0, 1, embedding.grad(), 0);    // (V,BL)(BL,D)
    }

    public SequenceModelConfig config() { return cfg; }
    public Backend backend() { return be; }
    public MixerStack<Mixer> stack() { return stack; }

    /** The token mixer of block {@code i} (0-based). */
    public Mixer tokenMixer(int i) { return stack.mixers().get(cfg.channelMixer() ? 2 * i : i); }

    @Override public List<Parameter> parameters() { return params; }

    public long parameterCount() {
        long n = 0;
        for (Parameter q : params) n += q.size();
        return n;
    }
}
