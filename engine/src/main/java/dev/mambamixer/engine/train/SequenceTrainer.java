package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link SequenceModel} on a {@link TeachingTask}: fresh seeded batches every step,
 * masked softmax cross-entropy (host), hand-written backward, global-norm gradient clipping,
 * AdamW with linear warm-up and cosine decay. Deterministic for a given backend and seed.
 */
public final class SequenceTrainer {

    /** Held-out metrics: token accuracy over target positions, and whole-example exact match. */
    public record Evaluation(double loss, double accuracy, double sequenceAccuracy, int targets, int examples) {}

    public record Result(int steps, double seconds, double samplesPerSecond, Evaluation heldOut, boolean stoppedEarly) {}

    private final SequenceModel model;
    private final TeachingTask task;
    private final TeachConfig cfg;
    private final TrainingListener listener;
    private final List<SequenceExample> heldOut;
    private final TrainControl control;
    private final AdamW opt;
    private int startStep;   // optimiser steps already done (a resumed run)

    public SequenceTrainer(SequenceModel model, TeachingTask task, TeachConfig cfg, TrainingListener listener) {
        this(model, task, cfg, listener, null);
    }

    /** With a live {@link TrainControl} (pause, step once, stop, hot learning rate); null = none. */
    public SequenceTrainer(SequenceModel model, TeachingTask task, TeachConfig cfg, TrainingListener listener,
                           TrainControl control) {
        this.control = control == null ? new TrainControl() : control;
        this.model = model;
        this.task = task;
        this.cfg = cfg.validate();
        this.listener = listener == null ? new TrainingListener() {} : listener;
        if (task.length() != model.config().length() || task.vocab() != model.config().vocab())
            throw new IllegalArgumentException("task " + task.name() + " has L=" + task.length() + ", V=" + task.vocab()
                                               + " but the model was built for L=" + model.config().length() + ", V="
                                               + model.config().vocab());
        this.heldOut = task.examples(cfg.heldOutSeed(), cfg.evalExamples());
        this.opt = AdamW.defaults(model.backend(), model.parameters(), cfg.weightDecay());
    }

    public List<SequenceExample> heldOut() { return heldOut; }

    /** The optimiser (its moments go into checkpoints). */
    public AdamW optimizer() { return opt; }

    /**
     * Continue a run after {@code steps} optimiser steps (weights and AdamW moments already
     * loaded): the batch stream is replayed to that point and the schedule continues, so the
     * resumed run takes exactly the steps the uninterrupted one would have.
     */
    public void resumeAfter(int steps) {
        if (steps < 0 || steps > cfg.steps()) throw new IllegalArgumentException("resume step " + steps + " outside 0.." + cfg.steps());
        startStep = steps;
        step = steps;
        opt.setStepCount(steps);
    }

    /** Optimiser steps done so far (after {@link #run} returned: all of them). */
    public int step() { return step; }

    private int step;

    public Result run() {
        Backend be = model.backend();
        int b = cfg.batch(), l = task.length(), v = task.vocab();
        LrSchedule sched = cfg.schedule();
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        int[] tokens = new int[b * l], targets = new int[b * l];
        for (long i = 0; i < (long) startStep * b; i++) task.sample(rng);   // replay the stream of a resumed run
        float[] grad = new float[b * l * v];
        Tensor dLogits = be.zeros(b * l, v);
        long t0 = System.nanoTime();
        step = startStep;
        boolean early = false;
        Evaluation last = null;
        int lastEvalStep = -1;   // the step of last
        UpdateRatios ratios = new UpdateRatios(be, model.parameters());
        boolean stopped = false;
        while (step < cfg.steps()) {
            if (!control.awaitPermit(step)) {
                stopped = true;
                break;
            }
            for (int i = 0; i < b; i++) task.sample(rng).copyInto(tokens, targets, i);
            opt.zeroGrad();
            Tensor logits = model.forward(tokens, b);
            MaskedCrossEntropy.Result ce = MaskedCrossEntropy.compute(be.toFloats(logits), targets, v, grad);
            if (!Double.isFinite(ce.loss()))
                throw new IllegalStateException("training loss became " + ce.loss() + " at step " + (step + 1)
                                                + "; lower the learning rate");
            be.upload(grad, dLogits);
            model.backward(dLogits);
            double norm = opt.gradNorm();
            double scale = cfg.gradClip() > 0 && norm > cfg.gradClip() ? cfg.gradClip() / norm : 1;
            double lr = control.scale(sched.at(step), cfg.lr());
            boolean ratiosNow = ratios.beforeIfDue(control.updateRatioEvery(), step + 1);
            opt.step(lr, scale);
            step++;
            listener.onStep(new TrainingListener.StepEvent(1, step, step, cfg.steps(), ce.loss(), lr, norm, (long) step * b,
                                                           (System.nanoTime() - t0) * 1e-9, ce.accuracy()));
            if (ratiosNow) listener.onUpdateRatios(ratios.after(step));
            if (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0 && step < cfg.steps()) {
                last = evaluate(model, heldOut, b);
                lastEvalStep = step;
                listener.onHeldOut(heldOutEvent(step, last, t0));
                if (last.accuracy() >= cfg.stopAccuracy()) {
                    early = true;
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;   // includes the periodic evaluations
        if (!early && lastEvalStep != step) {   // a stop right after an evaluation reuses it: no second held_out event
            last = evaluate(model, heldOut, b);
            listener.onHeldOut(heldOutEvent(step, last, t0));
        }
        return new Result(step, seconds, (double) (step - startStep) * b / seconds, last, early || stopped);  // stopped: on request
    }

    private static TrainingListener.HeldOutEvent heldOutEvent(int step, Evaluation e, long t0) {
        return new TrainingListener.HeldOutEvent(step, e.loss(), e.accuracy(), e.sequenceAccuracy(), e.targets(),
                                                 e.examples(), (System.nanoTime() - t0) * 1e-9);
    }

    /** Evaluates {@code examples} in batches of at most {@code batch}. */
    public static Evaluation evaluate(SequenceModel model, List<SequenceExample> examples, int batch) {
        Backend be = model.backend();
        int l = model.config().length(), v = model.config().vocab();
        double lossSum = 0;
        int targets = 0, correct = 0, exact = 0;
        for (int start = 0; start < examples.size(); start += batch) {
            int b = Math.min(batch, examples.size() - start);
            int[] tok = new int[b * l], tgt = new int[b * l];
            for (int i = 0; i < b; i++) examples.get(start + i).copyInto(tok, tgt, i);
            float[] logits = be.toFloats(model.forward(tok, b));
            MaskedCrossEntropy.Result ce = MaskedCrossEntropy.compute(logits, tgt, v, null);
            lossSum += ce.loss() * ce.count();
            targets += ce.count();
            correct += ce.correct();
            for (int i = 0; i < b; i++) {
                boolean all = true;
                for (int t = 0; t < l && all; t++) {
                    int y = tgt[i * l + t];
                    if (y != SequenceExample.IGNORE && argmax(logits, (i * l + t) * v, v) != y) all = false;
                }
                if (all) exact++;
            }
        }
        return new Evaluation(targets == 0 ? 0 : lossSum / targets, targets == 0 ? Double.NaN : (double) correct / targets,
                              (double) exact / examples.size(), targets, examples.size());
    }

    static int argmax(float[] x, int off, int n) {
        int arg = 0;
        for (int j = 1; j < n; j++) if (x[off + j] > x[off + arg]) arg = j;
        return arg;
    }
}
