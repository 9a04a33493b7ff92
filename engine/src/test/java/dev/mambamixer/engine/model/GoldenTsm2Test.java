package dev.mambamixer.engine.model;

import dev.mambamixer.engine.io.ConfigJson;
import dev.mambamixer.engine.nn.WeightedAverage;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.io.SafeTensors;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden test (issue 10): a tiny TSM2 forward and backward computed by an independent reference,
 * {@code scripts/golden_tsm2.py} (NumPy float64, written from the spec, gradients by its own
 * reverse-mode autodiff, cross-checked there against finite differences), dumped as float64
 * safetensors under {@code src/test/resources/golden/}. The engine's Tsm2 gets the same weights
 * and input; the forecast, the MSE loss and every parameter gradient must match, tightly on the
 * float64 ReferenceBackend and at float32 accuracy on the CpuBackend.
 *
 * <p>Errors are per tensor, relative to that tensor's own scale: max |engine − golden| /
 * max(max |golden| of that tensor, floor), the floor being 1e-3 · max |forecast| for the forecast and
 * {@link #GRAD_FLOOR} · the largest |golden gradient| of the model for a gradient (it only matters
 * for a tensor whose gradient is exactly zero, such as the first softmax average, whose two sources
 * are both the stack input). Regenerate the dumps with
 * {@code /usr/bin/python3 scripts/golden_tsm2.py}.
 */
class GoldenTsm2Test {
    /** Floor of a gradient tensor's scale, relative to the largest gradient of the model. */
    static final double GRAD_FLOOR = 1e-6;

    /** A dump read as float64 (SafeTensors.read converts to float32, so the data is read raw here). */
    record Dump(Map<String, double[]> values, Map<String, int[]> shapes, Map<String, String> meta) {
        double[] get(String name) {
            double[] v = values.get(name);
            assertNotNull(v, "golden dump has no tensor " + name);
            return v;
        }

        int i(String key) { return Integer.parseInt(meta.get(key)); }

        boolean bool(String key) { return Boolean.parseBoolean(meta.get(key)); }
    }

    static Dump load(String name) throws IOException, URISyntaxException {
        URL url = GoldenTsm2Test.class.getResource("/golden/" + name + ".safetensors");
        assertNotNull(url, "missing test resource golden/" + name + ".safetensors");
        Path file = Path.of(url.toURI());
        SafeTensors.Header h = SafeTensors.readHeader(file);   // the engine's parser validates the layout
        byte[] bytes = Files.readAllBytes(file);
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (SafeTensors.TensorInfo t : h.tensors()) {
            assertEquals("F64", t.dtype(), t.name());
            ByteBuffer bb = ByteBuffer.wrap(bytes, (int) (h.dataStart() + t.begin()), (int) (t.end() - t.begin()))
                                      .order(ByteOrder.LITTLE_ENDIAN);
            double[] d = new double[(int) t.elementCount()];
            bb.asDoubleBuffer().get(d);
            values.put(t.name(), d);
            shapes.put(t.name(), t.shape());
        }
        return new Dump(values, shapes, h.metadata());
    }

    static Tsm2Config config(Dump g, int scanChunk) {
        return Tsm2Config.builder(g.i("seqLen"), g.i("horizon"), g.i("variates"))
            .design(ConfigJson.parse(Tsm2Config.Design.class, g.meta().get("design"), "design"))
            .patches(g.i("patchLen"), g.i("patchStride"), g.bool("padEnd")).model(g.i("dModel"), g.i("layers"))
            .dState(g.i("dState")).dConv(g.i("dConv")).expand(g.i("expand")).scanChunk(scanChunk).revin(g.bool("revin"))
            .dropout(Double.parseDouble(g.meta().get("dropout"))).timeMixerBidirectional(g.bool("timeMixerBidirectional"))
            .averaging(ConfigJson.parse(WeightedAverage.Mode.class, g.meta().get("averaging"), "averaging")).seed(1L).build();
    }

    /** Result of one comparison: per-tensor errors and the worst. */
    static final class Errors {
        final Map<String, Double> byTensor = new LinkedHashMap<>();

        void put(String name, double err) { byTensor.put(name, err); }

        Map.Entry<String, Double> worst() {
            return byTensor.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        }
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double err(double[] actual, double[] expected, double floor) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Double.isFinite(actual[i])) return Double.POSITIVE_INFINITY;
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        return diff / Math.max(maxAbs(expected), floor);
    }

    /** Runs the golden case on {@code be}; returns the per-tensor errors (forecast, loss, grads). */
    static Errors run(Backend be, Dump g, int scanChunk) {
        Tsm2Config cfg = config(g, scanChunk);
        Tsm2 model = new Tsm2(be, cfg);
        int b = g.i("batch"), t = cfg.seqLen(), hz = cfg.horizon(), m = cfg.variates();

        // same parameter set (names and shapes) as the dump, then load the golden weights
        TreeSet<String> engineNames = new TreeSet<>(), dumpNames = new TreeSet<>();
        for (Parameter p : model.parameters()) engineNames.add(p.name());
        for (String k : g.values().keySet()) if (!k.contains("/")) dumpNames.add(k);
        assertEquals(dumpNames, engineNames, "parameter names of the engine vs the golden dump");
        for (Parameter p : model.parameters()) {
            assertArrayEquals(g.shapes().get(p.name()), p.shape(), p.name());
            assertArrayEquals(g.shapes().get(p.name()), g.shapes().get("grad/" + p.name()), "grad/" + p.name());
            be.upload(g.get(p.name()), p.value());
            p.zeroGrad();
        }

        Tensor x = be.fromDoubles(g.get("input/x"), b, t, m);
        double[] y = g.get("input/y");
        Tensor pred = model.forward(x, b, true, 0L);     // dropout 0: training mode is deterministic
        double[] pv = be.toDoubles(pred);
        assertArrayEquals(new int[] {b, hz, m}, pred.shape());

        Errors e = new Errors();
        double[] expPred = g.get("expected/forecast");
        e.put("forecast", err(pv, expPred, 1e-3 * maxAbs(expPred)));

        int n = pv.length;
        double loss = 0;
        double[] dPred = new double[n];
        for (int i = 0; i < n; i++) {
            double d = pv[i] - y[i];
            loss += d * d;
            dPred[i] = 2 * d / n;               // d(mean squared error)/d pred
        }
        loss /= n;
        double expLoss = g.get("expected/loss")[0];
        e.put("loss", Math.abs(loss - expLoss) / Math.abs(expLoss));

        model.backward(be.fromDoubles(dPred, b, hz, m));
        double gScale = 0;
        for (Parameter p : model.parameters()) gScale = Math.max(gScale, maxAbs(g.get("grad/" + p.name())));
        for (Parameter p : model.parameters())
            e.put("grad/" + p.name(), err(be.toDoubles(p.grad()), g.get("grad/" + p.name()), GRAD_FLOOR * gScale));
        return e;
    }

    static void assertWithin(String what, Errors e, double tol) {
        Map.Entry<String, Double> w = e.worst();
        double fc = e.byTensor.get("forecast"), ls = e.byTensor.get("loss");
        double gw = e.byTensor.entrySet().stream().filter(en -> en.getKey().startsWith("grad/"))
                              .mapToDouble(Map.Entry::getValue).max().orElseThrow();
        System.out.printf(Locale.ROOT, "golden %s: forecast %.2e, loss %.2e, worst gradient %.2e, worst overall %s %.2e"
                          + " (%d gradients, tolerance %.0e)%n", what, fc, ls, gw, w.getKey(), w.getValue(),
                          e.byTensor.size() - 2, tol);
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Double> en : e.byTensor.entrySet())
            if (!(en.getValue() <= tol)) bad.add(en.getKey() + String.format(Locale.ROOT, " %.3e", en.getValue()));
        assertTrue(bad.isEmpty(), what + ": " + bad.size() + " of " + e.byTensor.size()
                   + " tensors differ from the golden dump beyond " + tol + ": " + bad);
    }

    @ParameterizedTest(name = "{0} on the float64 reference backend, scan chunk {1}")
    @CsvSource({"tsm2-i1-identity, 3", "tsm2-i1-identity, 64", "tsm2-i2-softmax, 3", "tsm2-i2-softmax, 64"})
    void referenceBackendMatchesGolden(String name, int scanChunk) throws Exception {
        assertWithin(name + " reference chunk " + scanChunk, run(new ReferenceBackend(), load(name), scanChunk), 1e-9);
    }

    @ParameterizedTest(name = "{0} on the float32 CPU backend")
    @CsvSource({"tsm2-i1-identity", "tsm2-i2-softmax"})
    void cpuBackendMatchesGolden(String name) throws Exception {
        try (CpuBackend be = new CpuBackend()) {
            assertWithin(name + " cpu", run(be, load(name), 4), 1e-4);
        }
    }

    @ParameterizedTest(name = "{0}: a wrong weight is caught")
    @CsvSource({"tsm2-i1-identity", "tsm2-i2-softmax"})
    void perturbedWeightFails(String name) throws Exception {
        // Guard against a vacuous comparison: change one A_log entry of the loaded weights by 1e-4
        // (the golden values stay); its own gradient and many others then differ beyond the
        // reference tolerance, and the check fails.
        Dump g = load(name);
        Map<String, double[]> values = new LinkedHashMap<>(g.values());
        double[] a = values.get("blocks.0.variate.mamba.A_b_log").clone();
        a[0] += 1e-4;
        values.put("blocks.0.variate.mamba.A_b_log", a);
        Errors e = run(new ReferenceBackend(), new Dump(values, g.shapes(), g.meta()), 64);
        assertTrue(e.byTensor.get("grad/blocks.0.variate.mamba.A_b_log") > 1e-9, "its own gradient did not change");
        long failing = e.byTensor.values().stream().filter(v -> v > 1e-9).count();
        System.out.printf(Locale.ROOT, "golden %s, A_b_log[0] + 1e-4: forecast error %.2e, %d of %d tensors beyond 1e-9%n",
                          name, e.byTensor.get("forecast"), failing, e.byTensor.size());
        assertTrue(failing > 10, "only " + failing + " tensors noticed a perturbed weight");
        assertThrows(AssertionError.class, () -> assertWithin(name + " perturbed", e, 1e-9));
    }

    @ParameterizedTest(name = "{0}: a wrong golden gradient entry is caught")
    @CsvSource({"tsm2-i1-identity", "tsm2-i2-softmax"})
    void perturbedGradientFails(String name) throws Exception {
        // One entry of the smallest-scale nonzero gradient tensor, changed by 1e-6 of its own scale,
        // must fail the reference comparison: every tensor is judged against its own scale.
        Dump g = load(name);
        String smallest = null;
        double scale = Double.POSITIVE_INFINITY;
        for (String k : g.values().keySet())
            if (k.startsWith("grad/") && maxAbs(g.get(k)) > 0 && maxAbs(g.get(k)) < scale) {
                scale = maxAbs(g.get(k));
                smallest = k;
            }
        Map<String, double[]> values = new LinkedHashMap<>(g.values());
        double[] gr = values.get(smallest).clone();
        gr[gr.length - 1] += 1e-6 * scale;
        values.put(smallest, gr);
        Errors e = run(new ReferenceBackend(), new Dump(values, g.shapes(), g.meta()), 64);
        assertTrue(e.byTensor.get(smallest) > 1e-9, smallest + " (scale " + scale + ") not caught");
        String what = name + " wrong " + smallest;
        assertThrows(AssertionError.class, () -> assertWithin(what, e, 1e-9));
    }
}
