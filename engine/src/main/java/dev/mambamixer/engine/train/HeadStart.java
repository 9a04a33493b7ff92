package dev.mambamixer.engine.train;

import java.util.Locale;

/** How training starts TSM2's head (MODEL.md §6.5). */
public enum HeadStart {
    /** As initialised (PyTorch's Linear default), like every other parameter. */
    RANDOM,
    /**
     * Mixers silenced (out_proj = 0) and the head fitted in closed form to the training windows
     * ({@link LeastSquaresHead}) before the first step, which is validated as step 0: the run starts
     * from the best linear forecaster the model's features allow, and early stopping keeps it unless
     * training beats it on validation.
     */
    LEAST_SQUARES;

    @Override public String toString() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
}
