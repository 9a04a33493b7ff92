package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.vision.ImageBatches;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.nn.Buffers;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains {@link Vim2} on labelled images: epochs of shuffled, augmented mini-batches, softmax
 * cross-entropy with label smoothing (host, from downloaded logits), hand-written backward,
 * global-norm clipping, AdamW with warm-up and cosine decay; the held-out set is evaluated after
 * every epoch and the best weights (held-out accuracy) are kept. A non-finite loss or gradient
 * stops training before the optimiser touches the weights and restores the best weights.
 * Deterministic for a given backend and seed (batch order and shifts depend on (seed, epoch)).
 */
public final class VisionTrainer {

    /** How a fit ended. {@code heldOut} is the evaluation of the weights it kept. */
    public record Result(int epochs, int steps, double seconds, double imagesPerSecond, VisionEvaluation heldOut,
                         int bestEpoch, boolean failed, String reason) {}

    private final Vim2 model;
    private final Backend be;
    private final VisionTrainConfig cfg;
    private final TrainingListener listener;
    private final TrainControl control;
    private final AdamW opt;
    private int step, epoch;
    private double bestAccuracy = -1;
    private int bestEpoch;
    private List<float[]> best;
    private VisionEvaluation lastHeldOut;
    private Tensor images, dLogits;

    public VisionTrainer(Vim2 model, VisionTrainConfig cfg, TrainingListener listener, TrainControl control) {
        this.model = model;
        this.be = model.backend();
        this.cfg = cfg.validate();
        this.listener = listener == null ? new TrainingListener() {} : listener;
        this.control = control == null ? new TrainControl() : control;
        this.opt = AdamW.defaults(be, model.parameters(), cfg.weightDecay());
    }

    public AdamW optimizer() { return opt; }
    /** Optimiser steps done. */
    public int step() { return step; }
    /** Epochs done (the next fit starts at this epoch). */
    public int epoch() { return epoch; }
    /** Best held-out accuracy so far (-1 before the first evaluation) and the epoch it was reached in. */
    public double bestAccuracy() { return bestAccuracy; }
    public int bestEpoch() { return bestEpoch; }
    /** Host copy of the best weights so far. */
    public List<float[]> bestWeights() { return best; }
    /** The held-out evaluation of the epoch just finished (null before the first): listeners reuse it. */
    public VisionEvaluation lastHeldOut() { return lastHeldOut; }

    /**
     * Continue after {@code epochs} whole epochs ({@code steps} optimiser steps; weights and AdamW
     * moments already loaded): batch order and shifts depend only on (seed, epoch), so the resumed
     * run takes exactly the steps of the uninterrupted one.
     */
    public void resume(int epochs, int steps, double bestAcc, int bestAt, List<float[]> bestWeights) {
        if (epochs < 0 || epochs > cfg.epochs()) throw new IllegalArgumentException("resume epoch " + epochs + " outside 0.." + cfg.epochs());
        epoch = epochs;
        step = steps;
        bestAccuracy = bestAcc;
        bestEpoch = bestAt;
        best = bestWeights;
        opt.setStepCount(steps);
    }

    public Result fit(ImageSet train, ImageSet heldOut) {
        checkShape(train);
        checkShape(heldOut);
        int classes = model.config().classes();
        int h = train.height(), w = train.width(), c = train.channels();
        ImageBatches batches = new ImageBatches(train, cfg.batch(), true, cfg.seed(), cfg.maxShift());
        int perEpoch = batches.batchesPerEpoch();
        int total = cfg.epochs() * perEpoch;
        LrSchedule sched = new LrSchedule("cosine", cfg.lr(), warmupSteps(cfg, total), total, cfg.minLrRatio());
        float[] x = new float[cfg.batch() * h * w * c];
        int[] y = new int[cfg.batch()];
        float[] grad = new float[cfg.batch() * classes];
        long t0 = System.nanoTime(), seen = 0;
        if (best == null) best = snapshot();
        VisionEvaluation last = null;
        String reason = "completed " + cfg.epochs() + " epochs";
        boolean stopped = false;
        while (epoch < cfg.epochs()) {
            batches.startEpoch(epoch);
            int inEpoch = 0;
            while (batches.hasNext()) {
                if (!control.awaitPermit(step)) { stopped = true; break; }
                int n = batches.next(x, y);
                double lr = control.scale(sched.at(step), cfg.lr());
                opt.zeroGrad();
                images = Buffers.ensure(be, images, n, h, w, c);
                be.upload(n == cfg.batch() ? x : java.util.Arrays.copyOf(x, n * h * w * c), images);
                Tensor logits = model.forward(images, n);
                float[] g = n == y.length ? grad : new float[n * classes];   // a new array only for a partial batch
                MaskedCrossEntropy.Result ce = MaskedCrossEntropy.compute(be.toFloats(logits), n == y.length ? y
                        : java.util.Arrays.copyOf(y, n), classes, cfg.labelSmoothing(), g);
                if (!Double.isFinite(ce.loss())) return abort("loss became " + ce.loss() + " at step " + (step + 1), t0, seen);
                dLogits = Buffers.ensure(be, dLogits, n, classes);
                be.upload(g, dLogits);
                model.backward(dLogits);
                double norm = opt.gradNorm();
                if (!Double.isFinite(norm)) return abort("gradient norm became " + norm + " at step " + (step + 1), t0, seen);
                double scale = cfg.gradClip() > 0 && norm > cfg.gradClip() ? cfg.gradClip() / norm : 1;
                opt.step(lr, scale);
                step++;
                inEpoch++;
                seen += n;
                listener.onStep(new TrainingListener.StepEvent(epoch + 1, step, inEpoch, perEpoch, ce.loss(), lr, norm, seen,
                                                               seconds(t0), ce.accuracy()));
            }
            if (stopped) break;
            epoch++;      // done: a checkpoint written by a listener below resumes after this epoch
            last = VisionEvaluation.of(model, heldOut, cfg.evalBatch());
            lastHeldOut = last;
            if (!Double.isFinite(last.loss())) return abort("held-out loss became " + last.loss() + " after epoch " + epoch, t0, seen);
            if (last.accuracy() > bestAccuracy) {
                bestAccuracy = last.accuracy();
                bestEpoch = epoch;
                best = snapshot();
            }
            listener.onHeldOut(new TrainingListener.HeldOutEvent(step, last.loss(), last.accuracy(), Double.NaN,
                                                                 last.count(), last.count(), seconds(t0)));
        }
        if (stopped) reason = "stopped on request";
        boolean otherWeights = last == null || bestEpoch != epoch;   // `last` did not evaluate the kept weights
        restore();
        if (otherWeights) last = VisionEvaluation.of(model, heldOut, cfg.evalBatch());
        listener.onFinish(reason, false);
        double secs = seconds(t0);
        return new Result(epoch, step, secs, seen / secs, last, bestEpoch, false, reason);
    }

    /** The configured warm-up, but at most a tenth of the run, so short runs reach the peak rate. */
    static int warmupSteps(VisionTrainConfig cfg, int totalSteps) { return Math.min(cfg.warmup(), totalSteps / 10); }

    private Result abort(String why, long t0, long seen) {
        restore();
        String reason = why + "; training stopped, weights restored to "
                        + (bestEpoch == 0 ? "the initial weights" : "epoch " + bestEpoch);
        listener.onFinish(reason, true);
        double secs = seconds(t0);
        return new Result(epoch, step, secs, seen / Math.max(secs, 1e-9), null, bestEpoch, true, reason);
    }

    private void checkShape(ImageSet s) {
        var m = model.config();
        if (s.height() != m.height() || s.width() != m.width() || s.channels() != m.channels())
            throw new IllegalArgumentException(s.source() + ": images are " + s.height() + "x" + s.width() + "x" + s.channels()
                                               + " but the model takes " + m.height() + "x" + m.width() + "x" + m.channels());
        if (s.classes() > m.classes())
            throw new IllegalArgumentException(s.source() + ": " + s.classes() + " classes but the model has " + m.classes());
    }

    private List<float[]> snapshot() {
        List<float[]> s = new ArrayList<>();
        for (Parameter p : model.parameters()) s.add(be.toFloats(p.value()));
        return s;
    }

    private void restore() {
        List<Parameter> ps = model.parameters();
        for (int i = 0; i < ps.size(); i++) be.upload(best.get(i), ps.get(i).value());
    }

    private static double seconds(long t0) { return (System.nanoTime() - t0) * 1e-9; }
}
