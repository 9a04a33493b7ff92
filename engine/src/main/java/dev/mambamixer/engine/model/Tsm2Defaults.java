package dev.mambamixer.engine.model;

/**
 * The default TSM2 settings, model and training, one set for every front end: {@link Tsm2Config}'s
 * builder, {@code TrainConfig.defaults()}, the CLI's option defaults and the workbench's form read
 * these (the CLI and the workbench differed: d_model 32 vs 16, batch 32 vs 16, warm-up 100 vs 50).
 * Compile-time constants, so CLI annotations can use them.
 */
public final class Tsm2Defaults {
    private Tsm2Defaults() {}

    public static final int SEQ_LEN = 96, HORIZON = 24;
    public static final int PATCH_LEN = 16, PATCH_STRIDE = 8;
    public static final int D_MODEL = 32, LAYERS = 2, D_STATE = 16, D_CONV = 4, EXPAND = 2;
    public static final double DROPOUT = 0.1;
    public static final int EPOCHS = 10, BATCH = 32, WARMUP = 100, PATIENCE = 3;
    public static final double LR = 1e-3, WEIGHT_DECAY = 0.01, CLIP = 1.0;
    public static final long SEED = 42;
    /** {@code train --head-start}: HeadStart's name for the random start. */
    public static final String HEAD_START = "random";
}
