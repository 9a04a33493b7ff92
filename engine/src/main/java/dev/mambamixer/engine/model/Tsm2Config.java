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
        String design, int patchLen, int patchStride, boolean padEnd,
        int dModel, int layers, int dState, int dConv, int expand, int scanChunk,
        boolean revin, double dropout, boolean timeMixerBidirectional,
        String averaging, String norm, String selectionSource, String discretization,
        boolean shareDirectionA, long seed) {

    public static Tsm2Config defaults(int seqLen, int horizon, int variates) {
        return new Tsm2Config(seqLen, horizon, variates, "I1", 16, 8, false,
                              32, 2, 16, 4, 2, 64, true, 0.1, false,
                              "identity", "LN", "post-conv", "euler-b", false, 42L);
    }

    public boolean patchTokens() { return design.equalsIgnoreCase("I1"); }

    /** Number of patches Nₚ (MODEL.md §6.3 step 2); for I2 the token axis is raw time. */
    public int numPatches() {
        if (!patchTokens()) return seqLen;
        return (seqLen - patchLen) / patchStride + 1 + (padEnd ? 1 : 0);
    }

    public WeightedAverage.Mode averagingMode() { return WeightedAverage.Mode.parse(averaging); }

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
        String d = design == null ? "" : design.toUpperCase(Locale.ROOT);
        if (!d.equals("I1") && !d.equals("I2"))
            errs.add("design: unknown value '" + design + "' (expected I1 or I2, docs/MODEL.md §6.3)");
        if (d.equals("I1")) {
            positive(errs, "patchLen", patchLen);
            positive(errs, "patchStride", patchStride);
            if (patchLen > 0 && seqLen > 0 && patchLen > seqLen)
                errs.add("patchLen: " + patchLen + " is longer than the look-back seqLen " + seqLen);
        }
        if (!(dropout >= 0 && dropout < 1)) errs.add("dropout: " + dropout + " must be in [0, 1)");
        try {
            WeightedAverage.Mode.parse(averaging == null ? "" : averaging);
        } catch (IllegalArgumentException e) {
            errs.add("averaging: " + e.getMessage());
        }
        if (norm == null || !norm.equalsIgnoreCase("LN"))
            errs.add("norm: '" + norm + "' is not implemented (only LN, the Norm2D default of docs/MODEL.md §6.4)");
        if (selectionSource == null || !selectionSource.equalsIgnoreCase("post-conv"))
            errs.add("selectionSource: '" + selectionSource
                     + "' is not implemented (only post-conv, Mamba's choice, docs/MODEL.md §9 A7)");
        if (discretization == null || !discretization.equalsIgnoreCase("euler-b"))
            errs.add("discretization: '" + discretization
                     + "' is not implemented (only euler-b, B̄ = ΔB as the reference code, docs/MODEL.md §3.2, §9 A8)");
        if (!errs.isEmpty()) throw new IllegalArgumentException("invalid TSM2 config: " + String.join("; ", errs));
        return this;
    }

    private static void positive(List<String> errs, String field, int v) {
        if (v <= 0) errs.add(field + ": must be positive, got " + v);
    }

    public Tsm2Config withModel(int dModel, int layers) {
        return new Tsm2Config(seqLen, horizon, variates, design, patchLen, patchStride, padEnd, dModel, layers,
                              dState, dConv, expand, scanChunk, revin, dropout, timeMixerBidirectional, averaging,
                              norm, selectionSource, discretization, shareDirectionA, seed);
    }

    public Tsm2Config withDropout(double p) {
        return new Tsm2Config(seqLen, horizon, variates, design, patchLen, patchStride, padEnd, dModel, layers,
                              dState, dConv, expand, scanChunk, revin, p, timeMixerBidirectional, averaging,
                              norm, selectionSource, discretization, shareDirectionA, seed);
    }
}
