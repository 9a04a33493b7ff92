package dev.mambamixer.engine.model;

import dev.mambamixer.engine.nn.WeightedAverage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TSM2 configuration (MODEL.md §6). Every [DECISION] of MODEL.md §9 that concerns TSM2 is a field here:
 * A1 {@code timeMixerBidirectional}, A2 {@code design} (I1 patch tokens / I2 raw time),
 * A3 {@code patchLen}/{@code patchStride}/{@code padEnd}, A4 {@code revin}, A5 {@code norm},
 * A6 {@code averaging}, A7 {@code selectionSource}, A8 {@code discretization},
 * A9 {@code shareDirectionA}. Values the engine does not implement are rejected by
 * {@link #validate()} with a message that says so.
 */
public record Tsm2Config(
        int seqLen, int horizon, int variates,
        Design design, int patchLen, int patchStride, boolean padEnd,
        int dModel, int layers, int dState, int dConv, int expand, int scanChunk,
        boolean revin, double dropout, boolean timeMixerBidirectional,
        WeightedAverage.Mode averaging, Norm2D norm, SelectionSource selectionSource, Discretization discretization,
        boolean shareDirectionA, long seed) {

    /** A2: what the mixers' token axis is (MODEL.md §6.3). */
    public enum Design {
        /** patch tokens (the default) */ I1,
        /** raw time steps */ I2
    }

    /** A5: the kind of Norm2D (MODEL.md §6.4); only LN is implemented. */
    public enum Norm2D { LN, BN }

    /** A7: where Δ, B, C are computed from (MODEL.md §9); only post-conv is implemented. */
    public enum SelectionSource {
        POST_CONV, PRE_CONV;

        @Override public String toString() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    /** A8: the discretisation of B (MODEL.md §3.2); only euler-b (B̄ = ΔB) is implemented. */
    public enum Discretization {
        EULER_B, ZOH;

        @Override public String toString() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    /** The defaults, in one place: see {@link Builder}. */
    public static Tsm2Config defaults(int seqLen, int horizon, int variates) {
        return builder(seqLen, horizon, variates).build();
    }

    public static Builder builder(int seqLen, int horizon, int variates) { return new Builder(seqLen, horizon, variates); }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder(seqLen, horizon, variates);
        b.design = design; b.patchLen = patchLen; b.patchStride = patchStride; b.padEnd = padEnd; b.dModel = dModel;
        b.layers = layers; b.dState = dState; b.dConv = dConv; b.expand = expand; b.scanChunk = scanChunk;
        b.revin = revin; b.dropout = dropout; b.timeMixerBidirectional = timeMixerBidirectional;
        b.averaging = averaging; b.norm = norm; b.selectionSource = selectionSource; b.discretization = discretization;
        b.shareDirectionA = shareDirectionA; b.seed = seed;
        return b;
    }

    public boolean patchTokens() { return design == Design.I1; }

    /** Number of patches Nₚ (MODEL.md §6.3 step 2); for I2 the token axis is raw time. */
    public int numPatches() {
        if (!patchTokens()) return seqLen;
        return (seqLen - patchLen) / patchStride + 1 + (padEnd ? 1 : 0);
    }

    /** Throws IllegalArgumentException listing every problem, each naming the field. */
    public Tsm2Config validate() {
        List<String> errs = new ArrayList<>();
        positive(errs, "seqLen", seqLen);
        positive(errs, "horizon", horizon);
        positive(errs, "variates", variates);
        positive(errs, "dModel", dModel);
        positive(errs, "layers", layers);
        positive(errs, "dState", dState);
        positive(errs, "dConv", dConv);
        positive(errs, "expand", expand);
        positive(errs, "scanChunk", scanChunk);
        if (design == null) errs.add("design: missing (expected I1 or I2, docs/MODEL.md §6.3)");
        if (design == Design.I1) {
            positive(errs, "patchLen", patchLen);
            positive(errs, "patchStride", patchStride);
            if (patchLen > 0 && seqLen > 0 && patchLen > seqLen)
                errs.add("patchLen: " + patchLen + " is longer than the look-back seqLen " + seqLen);
        }
        if (!(dropout >= 0 && dropout < 1)) errs.add("dropout: " + dropout + " must be in [0, 1)");
        if (averaging == null) errs.add("averaging: missing (expected identity, uniform or softmax)");
        if (norm != Norm2D.LN)
            errs.add("norm: '" + norm + "' is not implemented (only LN, the Norm2D default of docs/MODEL.md §6.4)");
        if (selectionSource != SelectionSource.POST_CONV)
            errs.add("selectionSource: '" + selectionSource
                     + "' is not implemented (only post-conv, Mamba's choice, docs/MODEL.md §9 A7)");
        if (discretization != Discretization.EULER_B)
            errs.add("discretization: '" + discretization
                     + "' is not implemented (only euler-b, B̄ = ΔB as the reference code, docs/MODEL.md §3.2, §9 A8)");
        if (!errs.isEmpty()) throw new IllegalArgumentException("invalid TSM2 config: " + String.join("; ", errs));
        return this;
    }

    private static void positive(List<String> errs, String field, int v) {
        if (v <= 0) errs.add(field + ": must be positive, got " + v);
    }

    public Tsm2Config withModel(int dModel, int layers) { return toBuilder().model(dModel, layers).build(); }

    public Tsm2Config withDropout(double p) { return toBuilder().dropout(p).build(); }

    public Tsm2Config withVariates(int m) { return toBuilder().variates(m).build(); }

    /**
     * Every field with its default (MODEL.md §6.3 and §9): I1 with patches of 16, stride 8, no end
     * padding; d_model 32, 2 blocks, N 16, conv 4, expand 2, scan checkpoints every 64 steps; RevIN;
     * dropout 0.1; unidirectional time mixer; identity averaging; LN; post-conv selection; euler-b;
     * separate A per direction; seed 42.
     */
    public static final class Builder {
        private int seqLen, horizon, variates;
        private Design design = Design.I1;
        private int patchLen = Tsm2Defaults.PATCH_LEN, patchStride = Tsm2Defaults.PATCH_STRIDE;
        private boolean padEnd;
        private int dModel = Tsm2Defaults.D_MODEL, layers = Tsm2Defaults.LAYERS, dState = Tsm2Defaults.D_STATE,
                dConv = Tsm2Defaults.D_CONV, expand = Tsm2Defaults.EXPAND, scanChunk = 64;
        private boolean revin = true;
        private double dropout = Tsm2Defaults.DROPOUT;
        private boolean timeMixerBidirectional;
        private WeightedAverage.Mode averaging = WeightedAverage.Mode.IDENTITY;
        private Norm2D norm = Norm2D.LN;
        private SelectionSource selectionSource = SelectionSource.POST_CONV;
        private Discretization discretization = Discretization.EULER_B;
        private boolean shareDirectionA;
        private long seed = Tsm2Defaults.SEED;

        private Builder(int seqLen, int horizon, int variates) {
            this.seqLen = seqLen;
            this.horizon = horizon;
            this.variates = variates;
        }

        public Builder variates(int m) { variates = m; return this; }
        public Builder design(Design d) { design = d; return this; }
        public Builder patches(int len, int stride, boolean padEnd) { patchLen = len; patchStride = stride; this.padEnd = padEnd; return this; }
        public Builder model(int dModel, int layers) { this.dModel = dModel; this.layers = layers; return this; }
        public Builder dState(int n) { dState = n; return this; }
        public Builder dConv(int k) { dConv = k; return this; }
        public Builder expand(int e) { expand = e; return this; }
        public Builder scanChunk(int c) { scanChunk = c; return this; }
        public Builder revin(boolean on) { revin = on; return this; }
        public Builder dropout(double p) { dropout = p; return this; }
        public Builder timeMixerBidirectional(boolean on) { timeMixerBidirectional = on; return this; }
        public Builder averaging(WeightedAverage.Mode m) { averaging = m; return this; }
        public Builder norm(Norm2D n) { norm = n; return this; }
        public Builder selectionSource(SelectionSource s) { selectionSource = s; return this; }
        public Builder discretization(Discretization d) { discretization = d; return this; }
        public Builder shareDirectionA(boolean on) { shareDirectionA = on; return this; }
        public Builder seed(long s) { seed = s; return this; }

        public Tsm2Config build() {
            return new Tsm2Config(seqLen, horizon, variates, design, patchLen, patchStride, padEnd, dModel, layers, dState,
                                  dConv, expand, scanChunk, revin, dropout, timeMixerBidirectional, averaging, norm,
                                  selectionSource, discretization, shareDirectionA, seed);
        }
    }
}
