package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.Mixer;
import java.util.List;
import java.util.Objects;

/**
 * One channel mixer of ViM2 (MODEL.md §7.3) after a forward pass on a probe batch of B images: the
 * float64 traces of its bidirectional unit ({@link ScanDirection#FORWARD} along the model channels
 * 0..D−1, {@link ScanDirection#BACKWARD} from D−1 down), in original channel positions.
 *
 * <p>In the default V-B mode ({@link Vim2Config.ChannelMixer#PER_TOKEN_LIFT}) every token's D
 * channels are one sequence: the traces have S = B·H·W sequences, sequence (image·H + i)·W + j
 * for token (i, j) (row-major), L = D positions (model channels) and E = e_c lifted inner channels.
 * So Δ is known per (token, model channel, inner channel); the maps average over the inner
 * channels. In V-A ({@link Vim2Config.ChannelMixer#TOKENS}) the tokens are the feature axis
 * (S = B, L = D, E = 2·H·W): Δ has no token coordinate, only {@link #deltaProfile} exists.
 */
public final class Vim2ChannelCapture {
    private final String name;
    private final Vim2Config.ChannelMixer mode;
    private final int stage, index, batch, h, w, dim;
    private final List<ScanTrace> directions;

    public Vim2ChannelCapture(String name, Vim2Config.ChannelMixer mode, int stage, int index, int batch, int h, int w,
                              int dim, List<ScanTrace> directions) {
        this.name = Objects.requireNonNull(name, "name");
        this.mode = Objects.requireNonNull(mode, "mode");
        if (mode == Vim2Config.ChannelMixer.NONE) throw new IllegalArgumentException(name + ": mode NONE has no channel mixer");
        this.stage = stage;
        this.index = index;
        this.batch = batch;
        this.h = h;
        this.w = w;
        this.dim = dim;
        this.directions = List.copyOf(directions);
        int s = perToken() ? batch * h * w : batch;
        for (ScanTrace t : this.directions)
            if (t.s() != s || t.l() != dim || t.crossScan() != null)
                throw new IllegalArgumentException(name + ": trace " + t.name() + " has S,L=" + t.s() + "," + t.l()
                                                   + ", expected a 1-D scan with " + s + "," + dim + " (" + mode + ")");
    }

    /** Copies a channel mixer's last forward over a stage grid of h × w tokens to the host. */
    public static Vim2ChannelCapture of(Backend be, Mixer mx, Vim2Config.ChannelMixer mode, int stage, int index,
                                        int h, int w) {
        Mixer.Geometry g = mx.lastGeometry();
        if (g == null) throw new IllegalStateException(mx.name() + ": the mixer has not run a forward pass yet");
        int batch = mode == Vim2Config.ChannelMixer.PER_TOKEN_LIFT ? g.s() / (h * w) : g.s();
        return new Vim2ChannelCapture(mx.name(), mode, stage, index, batch, h, w, g.l(),
                                      Introspector.traces(be, mx.unit(), mx.name()));
    }

    /** The forward or backward scan along the channels. */
    public ScanTrace direction(ScanDirection d) {
        for (ScanTrace t : directions) if (t.direction() == d) return t;
        throw new IllegalArgumentException(name + " has no " + d + " scan");
    }

    private boolean perToken() { return mode == Vim2Config.ChannelMixer.PER_TOKEN_LIFT; }

    private void requirePerToken() {
        if (!perToken())
            throw new UnsupportedOperationException(name + ": in " + mode + " mode the tokens are features, Δ has no token "
                                                    + "coordinate (use deltaProfile)");
    }

    /**
     * V-B: Δ of token (i, j) at model channel d, averaged over the e_c inner channels, as
     * (H·W, D) rows {@code m[i·W + j][d]}.
     */
    public float[][] deltaTokenChannel(ScanDirection dir, int image) {
        requirePerToken();
        checkImage(image);
        ScanTrace t = direction(dir);
        int l = h * w, e = t.e();
        float[][] m = new float[l][dim];
        for (int p = 0; p < l; p++)
            for (int d = 0; d < dim; d++) {
                double sum = 0;
                int base = ((image * l + p) * dim + d) * e;
                for (int ch = 0; ch < e; ch++) sum += t.delta()[base + ch];
                m[p][d] = (float) (sum / e);
            }
        return m;
    }

    /** V-B: Δ per token averaged over the D model channels and the e_c inner channels, (H, W). */
    public float[][] deltaMap(ScanDirection dir, int image) {
        float[][] tc = deltaTokenChannel(dir, image);
        float[][] m = new float[h][w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                double sum = 0;
                for (int d = 0; d < dim; d++) sum += tc[i * w + j][d];
                m[i][j] = (float) (sum / dim);
            }
        return m;
    }

    /**
     * Δ per model channel, (D): V-B the mean over the H·W tokens and the e_c inner channels; V-A the
     * mean over the inner channels (which mix the tokens).
     */
    public float[] deltaProfile(ScanDirection dir, int image) {
        checkImage(image);
        ScanTrace t = direction(dir);
        int e = t.e(), seqs = perToken() ? h * w : 1, first = image * seqs;
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            double sum = 0;
            for (int q = first; q < first + seqs; q++)
                for (int ch = 0; ch < e; ch++) sum += t.delta()[(q * dim + d) * e + ch];
            v[d] = (float) (sum / ((double) seqs * e));
        }
        return v;
    }

    private void checkImage(int image) {
        if (image < 0 || image >= batch) throw new IndexOutOfBoundsException(name + ": image " + image + " outside B=" + batch);
    }

    /** Parameter prefix, e.g. {@code stages.0.mixers.2}. */
    public String name() { return name; }
    public MixerKind kind() { return MixerKind.CHANNEL; }
    /** V-B (per-token lift) or V-A (tokens as features). */
    public Vim2Config.ChannelMixer mode() { return mode; }
    public int stage() { return stage; }
    /** Position in the stage's mixer stack (row of the stage's {@link AveragingMatrix}). */
    public int index() { return index; }
    public int batch() { return batch; }
    public int height() { return h; }
    public int width() { return w; }
    /** Model width D of the stage (the scan length). */
    public int dim() { return dim; }
    /** [forward, backward] traces along the channels. */
    public List<ScanTrace> directions() { return directions; }

    @Override public String toString() {
        return "Vim2ChannelCapture[" + name + " (" + mode + "), B=" + batch + ", " + h + "x" + w + ", D=" + dim + "]";
    }
}
