package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.model.Tsm2Defaults;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.io.ConfigJson;
import dev.mambamixer.engine.nn.WeightedAverage;
import picocli.CommandLine.Option;

/** TSM2 architecture options (MODEL.md §6.3, §9); defaults are the decisions listed in MODEL.md §9. */
final class ModelOptions {
    @Option(names = "--design", defaultValue = "I1", description = "I1 (patch tokens) or I2 (raw time), docs/MODEL.md §6.3 / §9 A2 (default: ${DEFAULT-VALUE})")
    String design;
    @Option(names = "--d-model", defaultValue = "" + Tsm2Defaults.D_MODEL, description = "embedding width Dₘ (default: ${DEFAULT-VALUE})")
    int dModel;
    @Option(names = "--layers", defaultValue = "" + Tsm2Defaults.LAYERS, description = "MambaMixer blocks 𝓛 (default: ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--d-state", defaultValue = "" + Tsm2Defaults.D_STATE, description = "SSM state size N (default: ${DEFAULT-VALUE})")
    int dState;
    @Option(names = "--d-conv", defaultValue = "" + Tsm2Defaults.D_CONV, description = "causal conv width K (default: ${DEFAULT-VALUE})")
    int dConv;
    @Option(names = "--expand", defaultValue = "" + Tsm2Defaults.EXPAND, description = "inner width factor E/F (default: ${DEFAULT-VALUE})")
    int expand;
    @Option(names = "--patch-len", defaultValue = "" + Tsm2Defaults.PATCH_LEN, description = "patch length P, A3 (default: ${DEFAULT-VALUE})")
    int patchLen;
    @Option(names = "--patch-stride", defaultValue = "" + Tsm2Defaults.PATCH_STRIDE, description = "patch stride S, A3 (default: ${DEFAULT-VALUE})")
    int patchStride;
    @Option(names = "--pad-end", description = "PatchTST end padding: one more patch (A3)")
    boolean padEnd;
    @Option(names = "--no-revin", description = "disable RevIN (A4)")
    boolean noRevin;
    @Option(names = "--dropout", defaultValue = "" + Tsm2Defaults.DROPOUT, description = "dropout after the patch encoder and before the head (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--time-bidirectional", description = "bidirectional time mixer (A1; default unidirectional)")
    boolean timeBidirectional;
    @Option(names = "--averaging", defaultValue = "identity", description = "weighted averaging: identity, uniform or softmax (A6; default: ${DEFAULT-VALUE})")
    String averaging;
    @Option(names = "--norm", defaultValue = "LN", description = "Norm2D kind (A5; only LN implemented; default: ${DEFAULT-VALUE})")
    String norm;
    @Option(names = "--selection-source", defaultValue = "post-conv", description = "where Δ, B, C come from (A7; default: ${DEFAULT-VALUE})")
    String selectionSource;
    @Option(names = "--discretization", defaultValue = "euler-b", description = "B̄ discretisation (A8; default: ${DEFAULT-VALUE})")
    String discretization;
    @Option(names = "--share-direction-a", description = "one A for both directions of bidirectional units (A9)")
    boolean shareA;
    @Option(names = "--scan-chunk", defaultValue = "64", description = "steps between stored scan states (default: ${DEFAULT-VALUE})")
    int scanChunk;

    Tsm2Config toConfig(int seqLen, int horizon, int variates, long seed) {
        Ranges.positive("--d-model", dModel);
        Ranges.positive("--layers", layers);
        Ranges.positive("--d-state", dState);
        Ranges.positive("--d-conv", dConv);
        Ranges.positive("--expand", expand);
        Ranges.positive("--patch-len", patchLen);
        Ranges.positive("--patch-stride", patchStride);
        Ranges.fraction("--dropout", dropout, 0, 1);
        Ranges.positive("--scan-chunk", scanChunk);
        return Tsm2Config.builder(seqLen, horizon, variates)
            .design(ConfigJson.parse(Tsm2Config.Design.class, design, "--design"))
            .patches(patchLen, patchStride, padEnd).model(dModel, layers).dState(dState).dConv(dConv).expand(expand)
            .scanChunk(scanChunk).revin(!noRevin).dropout(dropout).timeMixerBidirectional(timeBidirectional)
            .averaging(ConfigJson.parse(WeightedAverage.Mode.class, averaging, "--averaging"))
            .norm(ConfigJson.parse(Tsm2Config.Norm2D.class, norm, "--norm"))
            .selectionSource(ConfigJson.parse(Tsm2Config.SelectionSource.class, selectionSource, "--selection-source"))
            .discretization(ConfigJson.parse(Tsm2Config.Discretization.class, discretization, "--discretization"))
            .shareDirectionA(shareA).seed(seed).build().validate();
    }
}
