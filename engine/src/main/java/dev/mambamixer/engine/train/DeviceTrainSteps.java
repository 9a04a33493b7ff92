package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.backend.StepSeed;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.nn.Buffers;
import dev.mambamixer.engine.tensor.Tensor;

/**
 * Training steps that run entirely on the device (docs/CUDA.md "Training step as a CUDA graph"):
 * forward, MSE loss, backward, gradient norm, clipping and AdamW with no host synchronisation,
 * recorded once as a graph and replayed every step. The loss and gradient norm come back
 * asynchronously ({@link #submit} returns a ticket, {@link #await} the numbers), so the trainer
 * reads them a step late while the next step already runs. A non-finite loss or gradient sets a
 * sticky flag on the device and no later update touches the weights.
 *
 * <p>The same sequence runs eagerly for the first step (it sizes every buffer and tensor table),
 * when graphs are off ({@link StepDriver#DEVICE}, {@code -Dmambamixer.cuda.graphs=false}) or recording failed (the reason is
 * kept in {@link #mode()}), and for batches of another size than the recorded one.
 */
final class DeviceTrainSteps implements AutoCloseable {
    private final Tsm2 model;
    private final Backend be;
    private final DeviceStep ds;
    private final AdamW opt;
    private final TrainConfig cfg;
    private Tensor x, y, diff, dPred;
    private DeviceStep.Graph graph;
    private Tensor graphX, graphY;   // the inputs the graph reads (an eager odd-sized batch may resize x, y)
    private int graphBatch = -1;
    private boolean warm;
    private String graphsOff;   // why no graph is used (null: graphs on)

    DeviceTrainSteps(Tsm2 model, DeviceStep ds, AdamW opt, TrainConfig cfg, boolean graphs) {
        this.model = model;
        this.be = model.backend();
        this.ds = ds;
        this.opt = opt;
        this.cfg = cfg;
        if (!graphs) graphsOff = "graphs not asked for";
        else if (!ds.graphsEnabled()) graphsOff = "graphs turned off (-Dmambamixer.cuda.graphs=false)";
        ds.resetResults();
    }

    /**
     * Queues optimiser step {@code step + 1} (0-based {@code step}) on batch (xb, yb) of n windows
     * with learning rate lr; returns the ticket of its results.
     */
    long submit(float[] xb, float[] yb, int n, int t, int h, int m, double lr, int step) {
        boolean replay = graph != null && graphBatch == n;
        if (!replay) {
            x = Buffers.ensure(be, x, n, t, m);
            y = Buffers.ensure(be, y, n, h, m);
        }
        be.upload(xb, replay ? graphX : x);
        be.upload(yb, replay ? graphY : y);
        int adamStep = opt.stepCount() + 1;
        double[] c = opt.biasCorrections(adamStep);
        long seedBase = Trainer.stepSeed(cfg, step);
        ds.setStepInputs(seedBase, lr, c[0], c[1], cfg.clipNorm());
        if (replay) {
            graph.launch();
            opt.setStepCount(adamStep);
        } else if (warm && graphsOff == null && graph == null) {
            try {
                ds.beginCapture();
                record(n, h, m, seedBase);
                graph = ds.endCapture();
                graphBatch = n;
                graphX = x;
                graphY = y;
            } catch (RuntimeException e) {
                ds.abortCapture();
                graphsOff = "recording failed: " + e.getMessage();
                System.err.println("training step: " + graphsOff + "; running it eagerly");
                opt.setStepCount(adamStep - 1);
                record(n, h, m, seedBase);
                return ds.fetchResults();
            }
            opt.setStepCount(adamStep);   // recording advanced it without running anything
            graph.launch();
        } else {
            record(n, h, m, seedBase);
        }
        warm = true;
        return ds.fetchResults();
    }

    /** {loss, gradient norm, bad flag} of a submitted step (waits for it). */
    double[] await(long ticket) {
        double[] r = ds.awaitResults(ticket);
        return new double[] {r[DeviceStep.LOSS], Math.sqrt(r[DeviceStep.GRAD_SQUARES]), r[DeviceStep.BAD]};
    }

    /** The step's device work, run or recorded (the graph records exactly this). */
    private void record(int n, int h, int m, long seedBase) {
        Tensor pred = model.forward(x, n, true, new StepSeed(seedBase, 1, 0));
        diff = Buffers.ensure(be, diff, n, h, m);
        dPred = Buffers.ensure(be, dPred, n, h, m);
        be.sub(pred, y, diff);
        double count = (double) n * h * m;
        ds.lossInto(diff, count);
        be.copy(diff, dPred);
        be.scale(dPred, 2.0 / count);
        opt.zeroGrad();
        model.backward(dPred);
        ds.sumOfSquaresInto(opt.gradients());
        ds.guard();
        opt.stepOnDevice(ds);
    }

    /** "CUDA graph (N nodes)", or "eager (why)". */
    String mode() {
        if (graph != null) return "CUDA graph (" + graph.nodes() + " nodes)";
        return "device-resident, eager" + (graphsOff == null ? "" : " (" + graphsOff + ")");
    }

    @Override public void close() {
        if (graph != null) graph.close();
        graph = null;
    }
}
