package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.MambaUnit;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.MixerStack;
import dev.mambamixer.engine.nn.ResidualMixer;
import dev.mambamixer.engine.nn.Ss2dMixer;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Takes {@link ModelCapture}s: one evaluation-mode forward pass ({@code training = false}, so no
 * dropout and no RNG use) on a probe batch, then host copies of what the scans saw. Nothing the
 * optimiser owns is written: parameters, gradients, AdamW moments and the trainer's counters are
 * untouched; only the model's activation buffers are overwritten, and the next training step
 * recomputes all of them. So a capture can run inside {@code TrainingListener.onStep} without
 * changing the loss curve (tested bit for bit).
 */
public final class Introspector {
    private Introspector() {}

    /** Probe batch from windows of a dataset: (B, T, M) row-major, B = windows.length. */
    public static float[] probeInput(WindowDataset ds, int... windows) {
        int per = ds.lookback() * ds.variates();
        float[] x = new float[windows.length * per];
        for (int i = 0; i < windows.length; i++) {
            if (windows[i] < 0 || windows[i] >= ds.size())
                throw new IndexOutOfBoundsException("window " + windows[i] + " outside the " + ds.size() + " windows of "
                                                    + ds.split());
            ds.copyInput(windows[i], x, i * per);
        }
        return x;
    }

    /** Capture on the given windows of a dataset (see {@link #capture(Tsm2, float[], int, long)}). */
    public static ModelCapture capture(Tsm2 model, WindowDataset ds, int[] windows, long step) {
        return capture(model, probeInput(ds, windows), windows.length, step);
    }

    /**
     * Runs {@code model} in evaluation mode on x (B, T, M) and captures every mixer.
     *
     * @param step recorded in the capture (the optimiser step, or -1)
     */
    public static ModelCapture capture(Tsm2 model, float[] x, int batch, long step) {
        Tsm2Config cfg = model.config();
        int t = cfg.seqLen(), m = cfg.variates();
        if (batch <= 0 || x.length != batch * t * m)
            throw new IllegalArgumentException("probe batch has " + x.length + " values, expected B*T*M = " + batch + "*"
                                               + t + "*" + m);
        Backend be = model.backend();
        Tensor in = be.fromFloats(x, batch, t, m);
        float[] forecast = be.toFloats(model.forward(in, batch, false, 0L));   // eval: the seed is unused
        List<MixerCapture> mixers = new ArrayList<>();
        int block = -1;
        for (Mixer mx : model.stack().mixers()) {
            if (MixerKind.of(mx.kind()).tokenMixer()) block++;   // TSM2 blocks: time mixer, then variate mixer
            mixers.add(mixer(be, mx, block, cfg, batch));
        }
        return new ModelCapture(step, cfg, batch, x.clone(), forecast, mixers, averaging(model.stack()));
    }

    /**
     * Captures the teaching model on {@code examples} (B = their number): one forward pass (the
     * model has no dropout), then every mixer's scans. Take it between steps (in a listener).
     */
    public static SequenceCapture capture(SequenceModel model, List<SequenceExample> examples, long step) {
        int b = examples.size(), l = model.config().length();
        if (b == 0) throw new IllegalArgumentException("no examples to capture");
        int[] tokens = new int[b * l], targets = new int[b * l];
        for (int i = 0; i < b; i++) {
            if (examples.get(i).length() != l)
                throw new IllegalArgumentException("example " + i + " has length " + examples.get(i).length()
                                                   + ", the model was built for " + l);
            examples.get(i).copyInto(tokens, targets, i);
        }
        Backend be = model.backend();
        float[] logits = be.toFloats(model.forward(tokens, b));   // (B·L, V)
        int v = model.config().vocab();
        int[] predicted = new int[b * l];
        for (int r = 0; r < b * l; r++) {
            int best = 0;
            for (int k = 1; k < v; k++) if (logits[r * v + k] > logits[r * v + best]) best = k;
            predicted[r] = best;
        }
        List<MixerCapture> mixers = new ArrayList<>();
        int block = -1;
        for (Mixer mx : model.stack().mixers()) {
            Mixer.Geometry g = mx.lastGeometry();
            List<ScanCapture> dirs = new ArrayList<>();
            for (ScanTrace tr : traces(be, mx.unit(), mx.name())) dirs.add(ScanCapture.of(tr));
            MixerKind kind = MixerKind.of(mx.kind());
            if (kind.tokenMixer()) block++;   // a block is a token mixer and, optionally, a channel mixer
            mixers.add(new MixerCapture(mx.name(), kind, block, g.s(), g.l(), g.f(), List.of("batch"), new int[] {b},
                                        kind.tokenMixer() ? "position" : "channel", dirs,
                                        outputNorm(be.toFloats(mx.lastOutput()), g)));
        }
        return new SequenceCapture(step, model.config(), examples, mixers, averaging(model.stack()), predicted);
    }

    /**
     * Runs ViM2 on images (B, H, W, C) (ViM2 has no dropout: one plain forward) and captures every
     * stage: each SS2D token mixer's four directions, each channel mixer's two, the gates and the
     * weighted-averaging matrices ({@link Vim2Capture}). Like the TSM2 capture it writes only
     * activation buffers, so it may run between training steps.
     *
     * @param step recorded in the capture (the optimiser step, or -1)
     */
    public static Vim2Capture capture(Vim2 model, float[] images, int batch, long step) {
        Vim2Config cfg = model.config();
        int per = cfg.height() * cfg.width() * cfg.channels();
        if (batch <= 0 || images.length != batch * per)
            throw new IllegalArgumentException("probe batch has " + images.length + " values, expected B*H*W*C = " + batch
                                               + "*" + per);
        Backend be = model.backend();
        Tensor in = be.fromFloats(images, batch, cfg.height(), cfg.width(), cfg.channels());
        float[] logits = be.toFloats(model.forward(in, batch));
        List<Vim2Capture.Stage> stages = new ArrayList<>();
        for (int s = 0; s < cfg.stages(); s++) {
            int[] grid = cfg.grid(s);
            MixerStack<ResidualMixer> stack = model.stage(s);
            List<Ss2dCapture> tokens = new ArrayList<>();
            List<Vim2ChannelCapture> channels = new ArrayList<>();
            List<ResidualMixer> mixers = stack.mixers();
            for (int i = 0; i < mixers.size(); i++) {
                ResidualMixer mx = mixers.get(i);
                if (mx instanceof Ss2dMixer t) tokens.add(Ss2dCapture.of(be, t, s, i));
                else if (mx instanceof Mixer c)
                    channels.add(Vim2ChannelCapture.of(be, c, cfg.channelMixer(), s, i, grid[0], grid[1]));
                else throw new IllegalStateException("unknown ViM2 mixer " + mx.name() + " (" + mx.kind() + ")");
            }
            stages.add(new Vim2Capture.Stage(s, grid[0], grid[1], cfg.dims().get(s), tokens, channels, averaging(stack)));
        }
        return new Vim2Capture(step, cfg, batch, images.clone(), logits, stages);
    }

    /** The teaching model's weighted-averaging coefficients. */
    public static AveragingMatrix averaging(SequenceModel model) { return averaging(model.stack()); }

    /** Forecasts of chosen windows in standardised space (evaluation mode: no dropout). */
    public static List<ForecastWindow> forecasts(Tsm2 model, WindowDataset ds, int... windows) {
        return forecasts(model, null, ds, windows);
    }

    /**
     * Forecasts of chosen windows of {@code ds} (a split of {@code fd}), in the data's original
     * units when {@code fd} is given; MSE/MAE per window in standardised space.
     */
    public static List<ForecastWindow> forecasts(Tsm2 model, ForecastData fd, WindowDataset ds, int... windows) {
        int t = ds.lookback(), h = ds.horizon(), m = ds.variates();
        Tsm2Config cfg = model.config();
        if (cfg.seqLen() != t || cfg.horizon() != h || cfg.variates() != m)
            throw new IllegalArgumentException("model expects T=" + cfg.seqLen() + ", H=" + cfg.horizon() + ", M="
                                               + cfg.variates() + " but " + ds.split() + " windows have T=" + t + ", H="
                                               + h + ", M=" + m);
        List<String> names = fd != null ? fd.columns() : defaultNames(m);
        Backend be = model.backend();
        List<ForecastWindow> out = new ArrayList<>();
        for (int w : windows) {
            float[] x = probeInput(ds, w);                                                       // (1,T,M)
            float[] y = ds.target(w);                                                            // (H,M)
            float[] p = be.toFloats(model.forward(be.fromFloats(x, 1, t, m), 1, false, 0L));    // (1,H,M)
            ForecastWindow fw = ForecastWindow.standardised(w, t, h, m, names, x, y, p);
            out.add(fd == null ? fw : fw.inOriginalUnits(fd.scaler()));
        }
        return out;
    }

    /** v0, v1, ... for data without column names. */
    static List<String> defaultNames(int m) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < m; i++) n.add("v" + i);
        return n;
    }

    /** The current weighted-averaging coefficients (reads a few scalars, needs no forward pass). */
    public static AveragingMatrix averaging(Tsm2 model) { return averaging(model.stack()); }

    public static AveragingMatrix averaging(MixerStack<?> stack) {
        List<String> names = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (ResidualMixer mx : stack.mixers()) names.add(mx.name());
        for (WeightedAverage wa : stack.averages()) rows.add(wa.effectiveWeights());
        String mode = stack.averages().isEmpty() ? "identity"
                                                 : stack.averages().get(0).mode().name().toLowerCase(Locale.ROOT);
        return AveragingMatrix.of(names, mode, rows);
    }

    /** Float64 traces of a unit's last forward: [forward] or [forward, backward]. */
    public static List<ScanTrace> traces(Backend be, MambaUnit unit, String name) {
        List<ScanTrace> out = new ArrayList<>();
        out.add(ScanTrace.of(be, unit.forwardCore(), name + "/forward", ScanDirection.FORWARD));
        if (unit.bidirectional()) out.add(ScanTrace.of(be, unit.backwardCore(), name + "/backward", ScanDirection.BACKWARD));
        return out;
    }

    static MixerCapture mixer(Backend be, Mixer mx, int block, Tsm2Config cfg, int batch) {
        Mixer.Geometry g = mx.lastGeometry();
        List<ScanCapture> dirs = new ArrayList<>();
        for (ScanTrace tr : traces(be, mx.unit(), mx.name())) dirs.add(ScanCapture.of(tr));
        MixerKind kind = MixerKind.of(mx.kind());
        boolean time = kind.tokenMixer();
        List<String> axes;
        int[] shape;
        String position;
        if (cfg.patchTokens()) {
            axes = time ? List.of("batch", "variate") : List.of("batch", "patch");
            shape = time ? new int[] {batch, cfg.variates()} : new int[] {batch, cfg.numPatches()};
            position = time ? "patch" : "variate";
        } else {
            axes = List.of("batch");
            shape = new int[] {batch};
            position = time ? "time" : "variate";
        }
        return new MixerCapture(mx.name(), kind, block, g.s(), g.l(), g.f(), axes, shape, position, dirs,
                                outputNorm(be.toFloats(mx.lastOutput()), g));
    }

    /** ‖y‖₂ over features per (sequence, position) in the unit's (S, L, F) coordinates. */
    static float[] outputNorm(float[] y, Mixer.Geometry g) {
        double[] sq = new double[g.s() * g.l()];
        int a = g.a(), b = g.b(), c = g.c(), d = g.d();
        int i = 0;
        for (int ai = 0; ai < a; ai++)
            for (int bi = 0; bi < b; bi++)
                for (int ci = 0; ci < c; ci++)
                    for (int di = 0; di < d; di++, i++) {
                        // where the unit sees element (ai,bi,ci,di): swapped layout (a,c,b,d) when swap
                        long flat = g.swap() ? ((long) (ai * c + ci) * b + bi) * d + di : i;
                        sq[(int) (flat / g.f())] += (double) y[i] * y[i];
                    }
        float[] out = new float[sq.length];
        for (int r = 0; r < sq.length; r++) out[r] = (float) Math.sqrt(sq[r]);
        return out;
    }
}
