package dev.mambamixer.engine.model;

import dev.mambamixer.engine.nn.WeightedAverage;
import java.util.List;
import java.util.Locale;

/**
 * ViM2, the vision MambaMixer (MODEL.md §7): image size and classes, the patch stem, per-stage
 * widths and token-mixer counts, and every ViM2 ambiguity of MODEL.md §9 as a field.
 *
 * <p>Stage layout (A10): each stage repeats ({@code tokensPerChannelMixer} token mixers, then
 * one channel mixer); weighted averaging of earlier features runs inside each stage. With 2 this
 * reproduces Table 8's 2:1 counts. {@code channelMixer} (A11) picks the channel mixer's reading;
 * {@code channelLift} is V-B's lifted width e_c and {@code channelState} the channel mixer's
 * state size N (the token mixers' is {@code dState}). Scan directions (A12) are VMamba's, the out-norm
 * (A13) is always on, the stem output is H/patch (A14).
 */
public record Vim2Config(
        int height, int width, int channels, int classes, int patch,
        List<Integer> dims, List<Integer> tokenMixers, int tokensPerChannelMixer,
        ChannelMixer channelMixer, int channelLift, int channelState, int channelConv,
        int dState, int expand, int dwConv, int scanChunk,
        WeightedAverage.Mode averaging, long seed) {

    /** A11: what the ViM2 channel mixer scans (MODEL.md §7.3). */
    public enum ChannelMixer {
        /** V-B (default): each token's D channels as a length-D sequence, lifted 1 -> e_c, bidirectional S6. */
        PER_TOKEN_LIFT,
        /** V-A: the literal generic channel mixer, features = the H·W tokens (parameters grow like 6·(HW)²). */
        TOKENS,
        /** No channel mixers: a VMamba-like stack of SS2D token mixers with weighted averaging. */
        NONE;

        @Override public String toString() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        public static ChannelMixer parse(String s) {
            for (ChannelMixer m : values()) if (m.toString().equalsIgnoreCase(s == null ? "" : s.trim())) return m;
            throw new IllegalArgumentException("unknown channel mixer '" + s + "' (expected per-token-lift, tokens or none)");
        }
    }

    public Vim2Config {
        dims = List.copyOf(dims);
        tokenMixers = List.copyOf(tokenMixers);
    }

    /**
     * The small MNIST preset: 28×28×1, patch 4 (7×7 tokens), two stages of widths 48 and 96 with
     * two token mixers and one V-B channel mixer each (stage 2 at 4×4 tokens). The channel mixer is
     * kept light for a CPU (e_c 8, N 4): per token it scans D channels, so at e_c = N = 16 it would
     * cost several times a token mixer.
     */
    public static Vim2Config mnist() {
        return new Vim2Config(28, 28, 1, 10, 4, List.of(48, 96), List.of(2, 2), 2, ChannelMixer.PER_TOKEN_LIFT, 8, 4, 4,
                              16, 2, 3, 64, WeightedAverage.Mode.IDENTITY, 1);
    }

    /** ViM2-T (MODEL.md §7.4, the paper's Table 8): 224² RGB, 1000 classes, widths 96..768, token mixers 2, 2, 6, 2. */
    public static Vim2Config tiny() { return paper(List.of(96, 192, 384, 768), List.of(2, 2, 6, 2)); }

    /** ViM2-S: as T with 18 token mixers in stage 3. */
    public static Vim2Config small() { return paper(List.of(96, 192, 384, 768), List.of(2, 2, 18, 2)); }

    /** ViM2-B: widths 128..1024, token mixers 2, 2, 18, 2. */
    public static Vim2Config base() { return paper(List.of(128, 256, 512, 1024), List.of(2, 2, 18, 2)); }

    private static Vim2Config paper(List<Integer> dims, List<Integer> tms) {
        return new Vim2Config(224, 224, 3, 1000, 4, dims, tms, 2, ChannelMixer.PER_TOKEN_LIFT, 16, 16, 4, 16, 2, 3, 64,
                              WeightedAverage.Mode.IDENTITY, 1);
    }

    /** Checks every field; returns this. */
    public Vim2Config validate() {
        positive("height", height); positive("width", width); positive("channels", channels);
        positive("patch", patch); positive("tokensPerChannelMixer", tokensPerChannelMixer);
        positive("channelLift", channelLift); positive("channelState", channelState); positive("channelConv", channelConv); positive("dState", dState);
        positive("expand", expand); positive("scanChunk", scanChunk);
        if (classes < 2) throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        if (height % patch != 0 || width % patch != 0)
            throw new IllegalArgumentException("image " + height + "x" + width + " is not divisible by the patch size " + patch);
        if (dwConv < 1 || dwConv % 2 == 0) throw new IllegalArgumentException("dwConv must be odd and positive, got " + dwConv);
        if (dims.isEmpty() || dims.size() != tokenMixers.size())
            throw new IllegalArgumentException("dims " + dims + " and tokenMixers " + tokenMixers + " must name the same stages");
        for (int s = 0; s < dims.size(); s++) {
            positive("dims[" + s + "]", dims.get(s));
            positive("tokenMixers[" + s + "]", tokenMixers.get(s));
        }
        long work = (long) height * width * channels;
        if (work > 1 << 24) throw new IllegalArgumentException("image " + height + "x" + width + "x" + channels + " is too large");
        return this;
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
    }

    /** Token grid (height, width) of stage {@code s}: H/patch, then halved (rounded up) per stage. */
    public int[] grid(int s) {
        int h = height / patch, w = width / patch;
        for (int i = 0; i < s; i++) { h = (h + 1) / 2; w = (w + 1) / 2; }
        return new int[] {h, w};
    }

    public int stages() { return dims.size(); }

    public Vim2Config withSeed(long s) {
        return new Vim2Config(height, width, channels, classes, patch, dims, tokenMixers, tokensPerChannelMixer,
                              channelMixer, channelLift, channelState, channelConv, dState, expand, dwConv, scanChunk, averaging, s);
    }

    public Vim2Config withImage(int h, int w, int c, int classCount, int patchSize) {
        return new Vim2Config(h, w, c, classCount, patchSize, dims, tokenMixers, tokensPerChannelMixer,
                              channelMixer, channelLift, channelState, channelConv, dState, expand, dwConv, scanChunk, averaging, seed);
    }

    public Vim2Config withStages(List<Integer> stageDims, List<Integer> stageTokenMixers) {
        return new Vim2Config(height, width, channels, classes, patch, stageDims, stageTokenMixers, tokensPerChannelMixer,
                              channelMixer, channelLift, channelState, channelConv, dState, expand, dwConv, scanChunk, averaging, seed);
    }

    public Vim2Config withChannelMixer(ChannelMixer mode, int lift) {
        return withChannelMixer(mode, lift, channelState);
    }

    /** The channel mixer's reading, V-B's lifted width e_c and the channel mixer's state size N. */
    public Vim2Config withChannelMixer(ChannelMixer mode, int lift, int state) {
        return new Vim2Config(height, width, channels, classes, patch, dims, tokenMixers, tokensPerChannelMixer,
                              mode, lift, state, channelConv, dState, expand, dwConv, scanChunk, averaging, seed);
    }

    public Vim2Config withAveraging(WeightedAverage.Mode mode) {
        return new Vim2Config(height, width, channels, classes, patch, dims, tokenMixers, tokensPerChannelMixer,
                              channelMixer, channelLift, channelState, channelConv, dState, expand, dwConv, scanChunk, mode, seed);
    }

    public Vim2Config withState(int n, int expandFactor) {
        return new Vim2Config(height, width, channels, classes, patch, dims, tokenMixers, tokensPerChannelMixer,
                              channelMixer, channelLift, channelState, channelConv, n, expandFactor, dwConv, scanChunk, averaging, seed);
    }
}
