package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.nn.WeightedAverage;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.train.StepDriver;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.TrainResult;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device-resident training step (docs/CUDA.md "Training step as a CUDA graph"): the same
 * training run driven by the host, on the device kernel by kernel, and replayed as a CUDA graph
 * gives the same loss curve, validation MSEs and final weights (up to the float atomics of the
 * reductions), also against the CPU backend; mid-epoch validation with another batch size runs
 * between replays; a blow-up stops training a step late with the initial weights restored.
 * Skips without a GPU.
 */
class CudaGraphStepTest {

    private record Run(String mode, TrainResult result, double[] losses, double[] valMse, List<double[]> weights) {}

    private static Run train(Backend be, Tsm2Config cfg, TrainConfig tc, ForecastData fd, StepDriver driver) {
        Tsm2 model = new Tsm2(be, cfg);
        List<Double> losses = new ArrayList<>(), vals = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onStep(StepEvent e) { losses.add(e.loss()); }
            @Override public void onEpoch(EpochEvent e) { vals.add(e.valMse()); }
        };
        Trainer tr = new Trainer(model, tc, l).driver(driver);
        TrainResult r = tr.fit(fd.train(), fd.val());
        List<double[]> w = new ArrayList<>();
        for (Parameter p : model.parameters()) w.add(be.toDoubles(p.value()));
        return new Run(tr.stepMode(), r, losses.stream().mapToDouble(d -> d).toArray(),
                       vals.stream().mapToDouble(d -> d).toArray(), w);
    }

    private static double worstWeight(Run a, Run b) {
        double worst = 0;
        for (int i = 0; i < a.weights.size(); i++) worst = Math.max(worst, CudaTestSupport.relErr(a.weights.get(i), b.weights.get(i)));
        return worst;
    }

    @Test
    void graphReplayGivesTheEagerTrainingRun() {
        CudaBackend gpu = CudaTestSupport.requireGpu();
        ForecastData fd = ForecastData.of(SyntheticSeriesGenerator.generate(900, 3L), 96, 24, SplitRule.RATIO);
        CudaTestSupport.Checks checks = new CudaTestSupport.Checks();
        for (String averaging : new String[] {"identity", "softmax"}) {
            Tsm2Config cfg = Tsm2Config.builder(96, 24, 7).model(16, 2).scanChunk(64).dropout(0.1)
                .averaging(WeightedAverage.Mode.parse(averaging)).seed(11L).build();
            // 2 epochs of 12 steps, validation every 5 steps with batches of 40 (not 16).
            TrainConfig tc = new TrainConfig(2, 16, 2e-3, 0.01, 0.5, "cosine", 4, 0.01, 10, 7L, 12, 40, 5);
            Run host = train(gpu, cfg, tc, fd, StepDriver.HOST);
            Run device = train(gpu, cfg, tc, fd, StepDriver.DEVICE);
            Run graph = train(gpu, cfg, tc, fd, StepDriver.GRAPH);
            Run cpu = train(new CpuBackend(), cfg, tc, fd, StepDriver.GRAPH);
            CudaTestSupport.report("info\tgraph step " + averaging + ": " + graph.mode + "; device: " + device.mode);
            assertTrue(graph.mode.startsWith("CUDA graph"), graph.mode);
            assertTrue(device.mode.startsWith("device-resident, eager"), device.mode);
            assertEquals("host-driven", cpu.mode);
            assertEquals(24, graph.losses.length);
            assertEquals(host.losses.length, graph.losses.length);
            assertEquals(host.valMse.length, graph.valMse.length);
            String k = "train step " + averaging + " averaging: ";
            checks.check(k + "graph vs device losses (24 steps)", graph.losses, device.losses, 1e-5);
            checks.check(k + "device vs host losses", device.losses, host.losses, 1e-5);
            checks.check(k + "graph vs host validation MSEs", graph.valMse, host.valMse, 1e-4);
            checks.checkError(k + "graph vs host final weights", worstWeight(graph, host), 1e-4);
            checks.check(k + "graph vs CPU backend losses", graph.losses, cpu.losses, 1e-3);
            checks.checkError(k + "graph vs CPU backend final weights", worstWeight(graph, cpu), 1e-3);
        }
        checks.assertAll();
    }

    @Test
    void nonFiniteLossStopsWithTheInitialWeightsRestored() {
        CudaBackend gpu = CudaTestSupport.requireGpu();
        ForecastData fd = ForecastData.of(SyntheticSeriesGenerator.generate(900, 3L), 96, 24, SplitRule.RATIO);
        // One NaN in the training rows: the first batch whose windows cover row 300 gets a NaN loss.
        int m = fd.variates(), rows = fd.train().rows();
        float[] data = java.util.Arrays.copyOf(fd.val().input(0), rows * m);   // any finite values: every row from the val split
        for (int r = 96; r < rows; r++) data[r * m + r % m] = (float) Math.sin(r * 0.1);
        data[300 * m + 2] = Float.NaN;
        WindowDataset poisoned = new WindowDataset("poisoned", "train", data, m, 0, rows, 96, 24);
        Tsm2Config cfg = Tsm2Config.defaults(96, 24, 7).withModel(16, 1);
        TrainConfig tc = new TrainConfig(1, 16, 1e-3, 0.0, 1.0, "constant", 0, 0.01, 3, 5L, 0, 64);
        List<double[]> initial = new ArrayList<>();
        for (Parameter p : new Tsm2(gpu, cfg).parameters()) initial.add(gpu.toDoubles(p.value()));
        String[] reasons = new String[2];
        StepDriver[] drivers = {StepDriver.HOST, StepDriver.GRAPH};
        for (int i = 0; i < 2; i++) {
            Tsm2 model = new Tsm2(gpu, cfg);
            Trainer tr = new Trainer(model, tc, null).driver(drivers[i]);
            TrainResult r = tr.fit(poisoned, fd.val());
            reasons[i] = r.reason();
            CudaTestSupport.report("info\tNaN stop with " + drivers[i] + " (" + tr.stepMode() + "): " + r.reason());
            assertTrue(r.aborted(), drivers[i] + ": " + r.reason());
            assertTrue(r.reason().contains("loss became NaN"), r.reason());
            for (int p = 0; p < initial.size(); p++)
                assertArrayEquals(initial.get(p), gpu.toDoubles(model.parameters().get(p).value()), 0.0,
                                  drivers[i] + ": parameter " + p + " restored");
        }
        assertEquals(reasons[0], reasons[1], "the same step is named either way");
    }
}
