package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.BatchIterator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Mini-batch training of TSM2 with MSE loss (MODEL.md §6.5): AdamW with no-decay groups, global-norm
 * clipping, warm-up + constant/cosine schedule, early stopping on validation MSE with
 * restore-best, and seeded determinism (shuffle order depends on (seed, epoch), dropout masks on
 * (seed, step), kernels reduce in a fixed order), so the same seed gives the same loss curve and
 * a resumed run continues it exactly. A non-finite loss or gradient stops training before the
 * optimiser touches the weights, and the best weights so far are restored.
 */
public final class Trainer {

    private final Tsm2 model;
    private final Backend be;
    private final TrainConfig cfg;
    private final AdamW opt;
    private final TrainingListener listener;
    private final TrainControl control;
    private final UpdateRatios ratios;   // measured only on the steps asked for

    private int epoch;            // next epoch to run
    private int step;             // optimiser steps done
    private double bestVal = Double.POSITIVE_INFINITY;
    private double lastBadVal = Double.NaN;   // the validation MSE that stopped training, for the message
    private int bestEpoch = -1;
    private int badEpochs;       // validations without improvement
    private int bestStep = -1;
    private List<float[]> best;   // host copy of the best weights
    private volatile boolean stopRequested;

    private Tensor x, y, diff, dPred;
    /** Default {@link StepDriver#HOST} until a GPU check has passed with the device step (docs/GPU.md). */
    private StepDriver driver = StepDriver.HOST;
    private String stepMode = "host-driven";
    private long fitStart;      // System.nanoTime() when the current fit began
    private double lossSum;     // this epoch's training losses, for the validation event
    private long samples;       // windows trained on in the current fit
    private float[] xh, yh;

    public Trainer(Tsm2 model, TrainConfig cfg, TrainingListener listener) {
        this(model, cfg, listener, null);
    }

    /** With a live {@link TrainControl} (pause, step once, stop, hot learning rate); null = none. */
    public Trainer(Tsm2 model, TrainConfig cfg, TrainingListener listener, TrainControl control) {
        this.control = control == null ? new TrainControl() : control;
        this.model = model;
        this.be = model.backend();
        this.cfg = cfg.validate();
        this.opt = AdamW.defaults(be, model.parameters(), cfg.weightDecay());
        this.ratios = new UpdateRatios(be, model.parameters());
        this.listener = listener == null ? new TrainingListener() {} : listener;
    }

    /** Ask a running {@link #fit} to stop after the current step (thread-safe). */
    public void requestStop() { stopRequested = true; control.requestStop(); }

    public TrainControl control() { return control; }

    public TrainResult fit(WindowDataset train, WindowDataset val) {
        long t0 = System.nanoTime();
        fitStart = t0;
        int bsz = cfg.batchSize();
        BatchIterator it = new BatchIterator(train, bsz, true, cfg.seed(), true);
        int stepsPerEpoch = it.batchesPerEpoch();
        if (train.size() < bsz) stepsPerEpoch = 0;
        if (cfg.maxStepsPerEpoch() > 0) stepsPerEpoch = Math.min(stepsPerEpoch, cfg.maxStepsPerEpoch());
        if (stepsPerEpoch == 0)
            throw new IllegalArgumentException("training split of " + train.source() + " has " + train.size()
                                               + " windows, fewer than one batch of " + bsz);
        LrSchedule sched = new LrSchedule(cfg.schedule(), cfg.lr(), cfg.warmupSteps(),
                                          cfg.epochs() * stepsPerEpoch, cfg.minLrRatio());
        int t = train.lookback(), h = train.horizon(), m = train.variates();
        xh = ensure(xh, bsz * t * m);
        yh = ensure(yh, bsz * h * m);
        if (cfg.headStart() == HeadStart.LEAST_SQUARES && step == 0 && Double.isInfinite(bestVal)) {   // fresh run only
            model.silenceMixers();
            LeastSquaresHead.fit(model, train, cfg.evalBatchSize(), model.config().dropout());
            // step 0 is a validation like any other, so that early stopping can come back to it
            if (validate(val, Double.NaN, sched, t0, false) == null) return abort(implausibleVal() + " at the head start", t0);
        }
        if (best == null) best = snapshot();   // the last good state until a validation improves
        boolean early = false;
        String reason = "completed " + cfg.epochs() + " epochs";
        samples = 0;
        if (control.isStopRequested()) stopRequested = true;
        DeviceTrainSteps device = deviceSteps();
        try {
            for (; epoch < cfg.epochs() && !stopRequested; epoch++) {
                it.startEpoch(epoch);
                lossSum = 0;
                int inEpoch = 0;
                boolean stopNow = false;
                InFlight inFlight = null;   // device steps: the step whose results are not read yet
                while (it.hasNext() && inEpoch < stepsPerEpoch && !stopRequested) {
                    if (inFlight != null && control.isPaused()) {   // show the last step before waiting
                        String bad = complete(inFlight.info, device.await(inFlight.ticket), false);
                        inFlight = null;
                        if (bad != null) return abort(bad, t0);
                    }
                    if (!control.awaitPermit(step)) {
                        stopRequested = true;
                        break;
                    }
                    int n = it.next(xh, yh);
                    double lr = control.scale(sched.at(step), cfg.lr());
                    boolean ratiosNow = ratios.beforeIfDue(control.updateRatioEvery(), step + 1);
                    inEpoch++;
                    samples += n;
                    StepInfo info = new StepInfo(epoch + 1, step + 1, inEpoch, stepsPerEpoch, lr, n, samples);
                    boolean last = !it.hasNext() || inEpoch == stepsPerEpoch;
                    boolean evalNow = cfg.evalEvery() > 0 && (step + 1) % cfg.evalEvery() == 0 && !last;
                    String bad;
                    if (device != null) {
                        long ticket = device.submit(slice(xh, n * t * m), slice(yh, n * h * m), n, t, h, m, lr, step);
                        step++;
                        bad = inFlight == null ? null : complete(inFlight.info, device.await(inFlight.ticket), false);
                        inFlight = new InFlight(info, ticket);
                        if (bad == null && (ratiosNow || evalNow || last)) {   // these need this step's numbers now
                            bad = complete(info, device.await(ticket), ratiosNow);
                            inFlight = null;
                        }
                    } else {
                        bad = eagerStep(info, t, h, m, ratiosNow);
                    }
                    if (bad != null) return abort(bad, t0);
                    if (evalNow) {
                        Boolean stop = validate(val, lossSum / inEpoch, sched, t0, false);
                        if (stop == null) return abort(implausibleVal() + " at step " + step, t0);
                        if (stop) { stopNow = true; break; }
                    }
                }
                if (inFlight != null) {   // stopped on request with a step in flight
                    String bad = complete(inFlight.info, device.await(inFlight.ticket), false);
                    if (bad != null) return abort(bad, t0);
                }
                if (!stopNow) {
                    Boolean stop = validate(val, lossSum / Math.max(1, inEpoch), sched, t0, true);
                    if (stop == null) return abort(implausibleVal() + " after epoch " + (epoch + 1), t0);
                    stopNow = stop;
                }
                if (stopNow) {
                    early = true;
                    reason = "early stop: validation MSE did not improve for " + badEpochs + " validations";
                    epoch++;
                    break;
                }
            }
        } finally {
            if (device != null) {
                stepMode = device.mode();
                device.close();
            }
        }
        if (stopRequested) reason = "stopped on request";
        restoreBest();
        listener.onFinish(reason, false);
        return new TrainResult(epoch, step, bestEpoch, bestVal, early, false, reason, seconds(t0));
    }

    /** What a step's listener event needs besides its loss and gradient norm. */
    private record StepInfo(int epoch, int step, int inEpoch, int stepsPerEpoch, double lr, int n, long samples) {}

    private record InFlight(StepInfo info, long ticket) {}

    /** The device-resident steps when the backend has them and they are wanted (else null: host-driven steps). */
    private DeviceTrainSteps deviceSteps() {
        if (driver == StepDriver.HOST) return null;
        return be.deviceStep().map(ds -> new DeviceTrainSteps(model, ds, opt, cfg, driver == StepDriver.GRAPH)).orElse(null);
    }

    /**
     * Who drives the steps: {@link StepDriver#GRAPH} and {@link StepDriver#DEVICE} apply where the
     * backend has a device-resident step (CUDA), otherwise steps are host-driven.
     */
    public Trainer driver(StepDriver d) { driver = java.util.Objects.requireNonNull(d); return this; }

    /** How the last {@link #fit} ran its steps: "host-driven", "CUDA graph (N nodes)" or "device-resident, eager (why)". */
    public String stepMode() { return stepMode; }

    /** One host-driven step: the loss and gradient norm are checked before the optimiser runs. */
    private String eagerStep(StepInfo info, int t, int h, int m, boolean ratiosNow) {
        double loss = trainStep(xh, yh, info.n(), t, h, m);
        String bad = nonFinite(info, loss, 0.0);   // no backward ran: the gradient norm comes after
        if (bad != null) return bad;
        double gn = opt.gradNorm();
        bad = nonFinite(info, loss, gn);
        if (bad != null) return bad;
        double scale = cfg.clipNorm() > 0 && gn > cfg.clipNorm() ? cfg.clipNorm() / gn : 1.0;
        opt.step(info.lr(), scale);
        step++;
        return complete(info, new double[] {loss, gn, 0}, ratiosNow);
    }

    /**
     * Reports a finished step ({loss, gradient norm, bad flag}); returns why training must stop,
     * or null. A device step flagged bad updated nothing (nor did any later one).
     */
    private String complete(StepInfo info, double[] r, boolean ratiosNow) {
        double loss = r[0], gn = r[1];
        String bad = nonFinite(info, loss, gn);
        if (bad != null) return bad;
        if (ratiosNow) listener.onUpdateRatios(ratios.after(info.step()));
        lossSum += loss;
        listener.onStep(new TrainingListener.StepEvent(info.epoch(), info.step(), info.inEpoch(), info.stepsPerEpoch(), loss,
                                                       info.lr(), gn, info.samples(), seconds(fitStart)));
        return null;
    }

    /** The dropout seed of optimiser step {@code step} (0-based): a function of (seed, step) only, so a resumed run repeats it. */
    static long stepSeed(TrainConfig cfg, int step) { return cfg.seed() * 1_000_003L + step; }

    /** Why a step with this loss and gradient norm must stop training, or null when both are finite. */
    private static String nonFinite(StepInfo info, double loss, double gn) {
        String at = " at step " + info.step() + " (epoch " + info.epoch() + ")";
        if (!Double.isFinite(loss)) return "loss became " + loss + at;
        if (!Double.isFinite(gn)) return "gradient norm became " + gn + at;
        return null;
    }

    /**
     * Largest validation MSE taken as a result. In standardised space an MSE of 1e12 means errors of
     * a million standard deviations: never a model worth keeping, but what overflowing data gives
     * (3.4e38 cells gave 2e73 in issue 12), so it stops training like a NaN instead of becoming "best".
     */
    public static final double MAX_PLAUSIBLE_VAL_MSE = 1e12;

    private String implausibleVal() {
        return Double.isFinite(lastBadVal)
            ? String.format(java.util.Locale.ROOT, "validation MSE %.3g is implausibly large (above 1e12 in standardised"
                            + " space; extreme values in the data?)", lastBadVal)
            : "validation MSE became non-finite";
    }

    /** One validation; returns whether patience ran out, or null when the MSE is not finite or implausibly large. */
    private Boolean validate(WindowDataset val, double trainLoss, LrSchedule sched, long t0, boolean endOfEpoch) {
        Metrics v = evaluate(val);
        if (!Double.isFinite(v.mse()) || v.mse() > MAX_PLAUSIBLE_VAL_MSE) {
            lastBadVal = v.mse();
            return null;
        }
        boolean improved = v.mse() < bestVal;
        if (improved) {
            bestVal = v.mse();
            bestEpoch = epoch + 1;
            bestStep = step;
            badEpochs = 0;
            best = snapshot();
        } else {
            badEpochs++;
        }
        TrainingListener.EpochEvent ev = new TrainingListener.EpochEvent(
            epoch + 1, step, trainLoss, v.mse(), v.mae(), control.scale(sched.at(Math.max(0, step - 1)), cfg.lr()), seconds(t0), improved,
            endOfEpoch);
        listener.onEpoch(ev);
        if (improved) listener.onNewBest(ev);
        return badEpochs >= cfg.patience();
    }

    private TrainResult abort(String why, long t0) {
        restoreBest();
        String reason = why + "; training stopped, weights restored to the best epoch ("
                        + (bestEpoch < 0 ? "initial weights" : "epoch " + bestEpoch) + ")";
        listener.onFinish(reason, true);
        return new TrainResult(epoch, step, bestEpoch, bestVal, false, true, reason, seconds(t0));
    }

    /** Forward, MSE loss, backward for one batch; returns the loss. Grads are zeroed first. */
    double trainStep(float[] xb, float[] yb, int n, int t, int h, int m) {
        x = sized(x, n, t, m);
        y = sized(y, n, h, m);
        be.upload(slice(xb, n * t * m), x);
        be.upload(slice(yb, n * h * m), y);
        Tensor pred = model.forward(x, n, true, stepSeed(cfg, step));
        diff = sized(diff, n, h, m);
        dPred = sized(dPred, n, h, m);
        be.sub(pred, y, diff);
        double count = (double) n * h * m;
        double loss = be.dot(diff, diff) / count;
        if (!Double.isFinite(loss)) return loss;
        be.copy(diff, dPred);
        be.scale(dPred, 2.0 / count);
        opt.zeroGrad();
        model.backward(dPred);
        return loss;
    }

    /** MSE and MAE over every window of ds, in standardised space, without dropout. */
    public Metrics evaluate(WindowDataset ds) {
        return Evaluation.run(model, ds, cfg.evalBatchSize(), null);
    }

    private float[] scratchX, scratchY;

    private float[] slice(float[] a, int n) {
        if (a.length == n) return a;
        // partial final batches: copy into an exact-size array (reused)
        if (a == xh) return scratchX = copyInto(scratchX, a, n);
        return scratchY = copyInto(scratchY, a, n);
    }

    private static float[] copyInto(float[] dst, float[] src, int n) {
        if (dst == null || dst.length != n) dst = new float[n];
        System.arraycopy(src, 0, dst, 0, n);
        return dst;
    }

    private Tensor sized(Tensor cur, int... shape) {
        return dev.mambamixer.engine.nn.Buffers.ensure(be, cur, shape);
    }

    private static float[] ensure(float[] a, int n) { return a != null && a.length == n ? a : new float[n]; }

    private List<float[]> snapshot() {
        List<float[]> s = new ArrayList<>();
        for (Parameter p : model.parameters()) s.add(be.toFloats(p.value()));
        return s;
    }

    private void restoreBest() {
        if (best == null) return;
        List<Parameter> ps = model.parameters();
        for (int i = 0; i < ps.size(); i++) be.upload(best.get(i), ps.get(i).value());
    }

    private static double seconds(long t0) { return (System.nanoTime() - t0) / 1e9; }

    // ---------------------------------------------------------------- resume state

    public AdamW optimizer() { return opt; }
    public int epoch() { return epoch; }
    public int step() { return step; }
    public double bestValMse() { return bestVal; }
    public int bestEpoch() { return bestEpoch; }
    public int badEpochs() { return badEpochs; }
    /** Optimiser step at which the best validation was measured. */
    public int bestStep() { return bestStep; }

    /** Restore counters after loading weights and optimiser moments from a checkpoint. */
    public void resume(int epoch, int step, double bestVal, int bestEpoch, int badEpochs, List<float[]> bestWeights) {
        resume(epoch, step, bestVal, bestEpoch, -1, badEpochs, bestWeights);
    }

    /** Same, with the step of the best validation (-1: unknown, e.g. a checkpoint of an older version). */
    public void resume(int epoch, int step, double bestVal, int bestEpoch, int bestStep, int badEpochs,
                       List<float[]> bestWeights) {
        this.bestStep = bestStep;
        this.epoch = epoch;
        this.step = step;
        this.bestVal = bestVal;
        this.bestEpoch = bestEpoch;
        this.badEpochs = badEpochs;
        this.best = bestWeights;
        opt.setStepCount(step);
    }

    /** The training settings this trainer runs with. */
    public TrainConfig config() { return cfg; }

    /** Host copy of the best weights so far (null before the first validation). */
    public List<float[]> bestWeights() { return best; }
}
