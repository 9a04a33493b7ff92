package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;

/**
 * A training step that stays on the device (implemented by the CUDA backend; docs/CUDA.md
 * "Training step as a CUDA graph"): the values that change from step to step (seed, learning rate,
 * bias corrections) are written to device memory before the step, the loss and gradient norm are
 * reduced into device memory and copied back asynchronously, and the optimiser reads the clipping
 * scale from there. With no host synchronisation inside, the step can be recorded once and replayed
 * as one graph launch.
 *
 * <p>Result slots: {@link #LOSS}, {@link #GRAD_SQUARES} (sum of squared gradients), {@link #BAD}
 * (1 once a loss or gradient was not finite; from then on every update is skipped, so the weights
 * stay the last good ones until the host, reading the results a step late, stops training).
 */
public interface DeviceStep {
    int LOSS = 0, GRAD_SQUARES = 1, BAD = 2;

    /** Queues the per-step inputs (in stream order, before the next step's work). */
    void setStepInputs(long seedBase, double lr, double biasCorrection1, double biasCorrection2, double clipNorm);

    /** Clears the results, the sticky flag included (start of training, or after a restore). */
    void resetResults();

    /** results[LOSS] = (sum of diff^2) / divisor (double accumulation, as {@link Backend#dot}). */
    void lossInto(Tensor diff, double divisor);

    /** results[GRAD_SQUARES] = sum of squares over the tensors (as {@link Backend#sumOfSquares}). */
    void sumOfSquaresInto(List<Tensor> grads);

    /** Sets the sticky flag when the loss or the gradient squares are not finite. */
    void guard();

    /**
     * {@link Backend#adamwAll} with lr and bias corrections from the step inputs and the clipping
     * scale {@code clip / ||g||} (when the norm exceeds a positive clip) from the results; does
     * nothing once the flag is set.
     */
    void adamwAllFromDevice(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v,
                            double beta1, double beta2, double eps, double[] weightDecay);

    /** Queues an asynchronous copy of the results; {@link #awaitResults} returns them. */
    long fetchResults();

    /** The results fetched by {@code ticket} (waits for that copy only). */
    double[] awaitResults(long ticket);

    /** Whether recording/replay is possible here (else the same calls run eagerly). */
    boolean graphsEnabled();

    /**
     * Starts recording: until {@link #endCapture}, work is recorded, not run. Allocation and host
     * synchronisation are errors while recording (a {@link IllegalStateException}).
     */
    void beginCapture();

    /** Ends recording; the graph keeps every buffer it touched alive. */
    Graph endCapture();

    /** Abandons a failed recording (no graph). */
    void abortCapture();

    /** A recorded step. */
    interface Graph extends AutoCloseable {
        /** Queues one replay (asynchronous). */
        void launch();

        /** Kernel and copy nodes in the graph. */
        int nodes();

        @Override void close();
    }
}
