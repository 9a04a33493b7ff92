package dev.mambamixer.engine.train;

import dev.mambamixer.engine.nn.WeightedAverage;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The trainer's device-resident step path ({@link StepDriver#DEVICE}: per-step inputs written
 * before the step, results read a step late, a sticky bad-step flag) checked without a GPU: a
 * {@link DeviceStep} emulated on the CPU backend with the CUDA step's arithmetic. Driven that way,
 * a run must equal the host-driven run bit for bit (loss curve, validations, update ratios, final
 * weights), and a NaN must stop it at the same step with the weights restored.
 */
class DeviceStepDriverTest {

    /** The CUDA DeviceStep's contract, computed on the host at once (results still handed out by ticket). */
    private static final class EmulatedDeviceStep implements DeviceStep {
        private final Backend cpu;
        private double lr, c2, clip;
        private final double[] res = new double[3];
        private final Map<Long, double[]> fetched = new HashMap<>();
        private long tickets;
        int updatesSkipped;

        EmulatedDeviceStep(Backend cpu) { this.cpu = cpu; }

        @Override public void setStepInputs(long seedBase, double lr, double c1, double c2, double clipNorm) {
            this.lr = lr;
            this.c2 = c2;
            this.clip = clipNorm;
        }

        @Override public void resetResults() { java.util.Arrays.fill(res, 0); }

        @Override public void lossInto(Tensor diff, double divisor) { res[LOSS] = cpu.dot(diff, diff) / divisor; }

        @Override public void sumOfSquaresInto(List<Tensor> grads) { res[GRAD_SQUARES] = cpu.sumOfSquares(grads); }

        @Override public void guard() {
            if (!(Double.isFinite(res[LOSS]) && Double.isFinite(res[GRAD_SQUARES]))) res[BAD] = 1;
        }

        @Override public void adamwAllFromDevice(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v,
                                                 double beta1, double beta2, double eps, double[] weightDecay) {
            if (res[BAD] != 0) { updatesSkipped++; return; }
            double gn = Math.sqrt(res[GRAD_SQUARES]);
            double scale = clip > 0 && gn > clip ? clip / gn : 1.0;
            int t = (int) Math.round(Math.log(1 - c2) / Math.log(beta2));   // the step behind c2 = 1 - beta2^t
            cpu.adamwAll(params, grads, m, v, lr, beta1, beta2, eps, weightDecay, t, scale);
        }

        @Override public long fetchResults() {
            fetched.put(++tickets, res.clone());
            return tickets;
        }

        @Override public double[] awaitResults(long ticket) { return fetched.remove(ticket); }

        @Override public boolean graphsEnabled() { return false; }

        @Override public void beginCapture() { throw new UnsupportedOperationException(); }

        @Override public Graph endCapture() { throw new UnsupportedOperationException(); }

        @Override public void abortCapture() {}
    }

    /** The CPU backend, except that it offers the emulated device step. */
    private static Backend withDeviceStep(Backend cpu, DeviceStep ds) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, args) -> {
                if (method.getName().equals("deviceStep") && method.getParameterCount() == 0) return Optional.of(ds);
                try {
                    return method.invoke(cpu, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    private record Run(String mode, TrainResult result, List<Integer> steps, List<Double> losses, List<Double> vals,
                       List<String> ratios, List<float[]> weights) {}

    private static Run train(Backend be, Tsm2Config cfg, TrainConfig tc, WindowDataset train, WindowDataset val,
                             StepDriver driver) {
        Tsm2 model = new Tsm2(be, cfg);
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>(), vals = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onStep(StepEvent e) { steps.add(e.step()); losses.add(e.loss()); }
            @Override public void onEpoch(EpochEvent e) { vals.add(e.valMse()); }
            @Override public void onUpdateRatios(UpdateRatioEvent e) { ratios.add(e.toString()); }
        };
        TrainControl control = new TrainControl();
        control.setUpdateRatioEvery(7);
        Trainer tr = new Trainer(model, tc, l, control).driver(driver);
        TrainResult r = tr.fit(train, val);
        List<float[]> w = new ArrayList<>();
        for (Parameter p : model.parameters()) w.add(be.toFloats(p.value()));
        return new Run(tr.stepMode(), r, steps, losses, vals, ratios, w);
    }

    private static final ForecastData DATA = ForecastData.of(SyntheticSeriesGenerator.generate(900, 3L), 96, 24, SplitRule.RATIO);

    @Test
    void deviceDrivenStepsEqualHostDrivenStepsBitForBit() {
        for (String averaging : new String[] {"identity", "softmax"}) {
            Tsm2Config cfg = Tsm2Config.builder(96, 24, 7).model(16, 2).dropout(0.1)
                .averaging(WeightedAverage.Mode.parse(averaging)).seed(11L).build();
            // 2 epochs of 12 steps, validation every 5 steps in batches of 40, update ratios every 7 steps.
            TrainConfig tc = new TrainConfig(2, 16, 2e-3, 0.01, 0.5, "cosine", 4, 0.01, 10, 7L, 12, 40, 5);
            CpuBackend cpu = new CpuBackend();
            EmulatedDeviceStep ds = new EmulatedDeviceStep(cpu);
            Run host = train(cpu, cfg, tc, DATA.train(), DATA.val(), StepDriver.GRAPH);   // no device step: host-driven
            Run device = train(withDeviceStep(cpu, ds), cfg, tc, DATA.train(), DATA.val(), StepDriver.GRAPH);
            assertEquals("host-driven", host.mode);
            assertTrue(device.mode.startsWith("device-resident, eager"), device.mode);
            assertEquals(24, device.steps.size());
            for (int i = 0; i < 24; i++) assertEquals(i + 1, device.steps.get(i), "every step reported once, in order");
            assertEquals(host.losses, device.losses, averaging + ": loss curve");
            assertEquals(host.vals, device.vals, averaging + ": validation MSEs (mid-epoch and at epoch ends)");
            assertEquals(6, host.vals.size());
            assertEquals(host.ratios, device.ratios, averaging + ": update ratios");
            assertEquals(3, host.ratios.size());
            for (int i = 0; i < host.weights.size(); i++)
                assertArrayEquals(host.weights.get(i), device.weights.get(i), averaging + ": parameter " + i);
            assertEquals(0, ds.updatesSkipped);
        }
    }

    @Test
    void aNanLossStopsAtTheSameStepWithTheInitialWeights() {
        int m = DATA.variates(), rows = DATA.train().rows();
        float[] data = new float[rows * m];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.37);
        data[300 * m + 2] = Float.NaN;
        WindowDataset poisoned = new WindowDataset("poisoned", "train", data, m, 0, rows, 96, 24);
        Tsm2Config cfg = Tsm2Config.defaults(96, 24, 7).withModel(16, 1);
        TrainConfig tc = new TrainConfig(1, 16, 1e-3, 0.0, 1.0, "constant", 0, 0.01, 3, 5L, 0, 64);
        CpuBackend cpu = new CpuBackend();
        List<float[]> initial = new ArrayList<>();
        for (Parameter p : new Tsm2(cpu, cfg).parameters()) initial.add(cpu.toFloats(p.value()));
        EmulatedDeviceStep ds = new EmulatedDeviceStep(cpu);
        Run host = train(cpu, cfg, tc, poisoned, DATA.val(), StepDriver.HOST);
        Run device = train(withDeviceStep(cpu, ds), cfg, tc, poisoned, DATA.val(), StepDriver.DEVICE);
        assertTrue(host.result.aborted() && device.result.aborted(), device.result.reason());
        assertTrue(host.result.reason().startsWith("loss became NaN at step "), host.result.reason());
        assertEquals(host.result.reason(), device.result.reason(), "the same step is named");
        assertEquals(host.losses, device.losses, "the steps before it are reported alike");
        assertTrue(ds.updatesSkipped >= 1, "the bad step's update was skipped on the device");
        for (int i = 0; i < initial.size(); i++) {
            assertArrayEquals(initial.get(i), host.weights.get(i), "host: parameter " + i + " restored");
            assertArrayEquals(initial.get(i), device.weights.get(i), "device: parameter " + i + " restored");
        }
    }
}
