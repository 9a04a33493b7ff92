package dev.mambamixer.engine.run;

import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.train.TrainResult;

/**
 * How a {@link Tsm2Run} ended. Every outcome leaves a loadable run folder (when the run has one):
 * the best weights are restored in the model and saved as {@code checkpoints/best}.
 */
public sealed interface RunOutcome {

    /** The trainer's result (null when an exception ended the run before it returned). */
    TrainResult training();

    /** One line for logs and status bars. */
    String summary();

    /** Ran all epochs or stopped early on validation; {@code test} is null when not asked for. */
    record Finished(TrainResult training, Metrics test) implements RunOutcome {
        @Override public String summary() { return training.reason() + testPart(test); }
    }

    /** Stopped on request (best weights restored); {@code test} as for {@link Finished}. */
    record Stopped(TrainResult training, Metrics test) implements RunOutcome {
        @Override public String summary() { return training.reason() + testPart(test); }
    }

    /**
     * A non-finite loss, gradient or validation MSE stopped training at {@code step} (the weights
     * are the last good ones), or an exception did ({@code error} non-null).
     */
    record Failed(TrainResult training, int step, String cause, Throwable error) implements RunOutcome {
        @Override public String summary() { return cause; }
    }

    private static String testPart(Metrics test) {
        return test == null ? "" : String.format(java.util.Locale.ROOT, "; test MSE %.4f, MAE %.4f", test.mse(), test.mae());
    }
}
