package dev.mambamixer.engine.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Properties of MODEL.md: causality (§4.2), bidirectional reduction (§4.4), identity averaging (§5.3), §4.1 init. */
class MambaPropertiesTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void unidirectionalUnitIsCausal() {
        MambaOptions mo = MambaOptions.defaults().with(4, 4, 2, 3, false);
        MambaUnit unit = new MambaUnit(be, "m.", 6, false, mo, new Init(1));
        GradCheck gc = new GradCheck(be, 2);
        Tensor h = gc.random(1, 2, 10, 6);
        double[] base = be.toDoubles(unit.forward(h, 2, 10)).clone();
        int t0 = 6;
        double[] hv = be.toDoubles(h);
        for (int s = 0; s < 2; s++) for (int f = 0; f < 6; f++) hv[(s * 10 + t0) * 6 + f] += 0.5;
        double[] pert = be.toDoubles(unit.forward(be.fromDoubles(hv, 2, 10, 6), 2, 10));
        for (int s = 0; s < 2; s++) {
            for (int t = 0; t < 10; t++) {
                double change = 0;
                for (int f = 0; f < 6; f++) change += Math.abs(pert[(s * 10 + t) * 6 + f] - base[(s * 10 + t) * 6 + f]);
                if (t < t0) assertEquals(0.0, change, "output at t=" + t + " must not see the input at t=" + t0);
                else if (t == t0) assertTrue(change > 1e-6, "output at t0 must change");
            }
        }
    }

    @Test
    void bidirectionalWithZeroedBackwardBranchEqualsUnidirectional() {
        MambaOptions mo = MambaOptions.defaults().with(4, 3, 2, 8, false);
        MambaUnit bi = new MambaUnit(be, "u.", 5, true, mo, new Init(3));
        MambaUnit uni = new MambaUnit(be, "u.", 5, false, mo, new Init(4));
        for (Parameter q : uni.parameters()) {
            Parameter p = bi.parameters().stream().filter(x -> x.name().equals(q.name())).findFirst().orElseThrow();
            be.copy(p.value(), q.value());
        }
        for (Parameter p : bi.parameters()) {
            if (p.name().contains("conv1d_b") || p.name().endsWith("D_b")) be.fill(p.value(), 0);
        }
        GradCheck gc = new GradCheck(be, 5);
        Tensor h = gc.random(1, 3, 6, 5);
        assertArrayEquals(be.toDoubles(uni.forward(h, 3, 6)), be.toDoubles(bi.forward(h, 3, 6)), 1e-12);
    }

    @Test
    void identityAveragedStackEqualsPlainResidualStackBitForBit() {
        MambaOptions mo = MambaOptions.defaults().with(4, 4, 2, 8, false);
        int layers = 3;
        Init init = new Init(6);
        List<Mixer> mixers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            mixers.add(new Mixer(be, "b" + l + ".t.", "time", new int[] {5, 4}, 4, false, mo, init));
            mixers.add(new Mixer(be, "b" + l + ".c.", "variate", new int[] {3, 4}, 4, true, mo, init));
            names.add("b" + l + ".t.w");
            names.add("b" + l + ".c.w");
        }
        MixerStack<Mixer> stack = new MixerStack<>(be, mixers, names, WeightedAverage.Mode.IDENTITY);
        int averagingScalars = stack.averages().stream().mapToInt(WeightedAverage::sources).sum();
        assertEquals(layers * (2 * layers + 3), averagingScalars, "MODEL.md §5.3: 𝓛(2𝓛+3) scalars");
        Mixer.Geometry gt = new Mixer.Geometry(2, 3, 5, 4, false, 6, 5, 4);
        Mixer.Geometry gc = new Mixer.Geometry(2, 3, 5, 4, true, 10, 3, 4);
        Mixer.Geometry[] geo = {gt, gc, gt, gc, gt, gc};
        Tensor x = new GradCheck(be, 7).random(1, 2, 3, 5, 4);
        double[] viaStack = be.toDoubles(stack.forward(x, geo)).clone();
        Tensor y = be.zeros(2, 3, 5, 4);
        be.copy(x, y);
        for (int i = 0; i < mixers.size(); i++) {
            Tensor in = be.zeros(2, 3, 5, 4);
            be.copy(y, in);
            y = mixers.get(i).forward(in, geo[i]);
        }
        assertArrayEquals(be.toDoubles(y), viaStack, 0.0);
    }

    @Test
    void initialisationFollowsSpec41() {
        MambaOptions mo = MambaOptions.defaults();
        int f = 32, e = 64, n = 16;
        MambaUnit unit = new MambaUnit(be, "", f, true, mo, new Init(8));
        for (Parameter p : unit.parameters()) {
            double[] v = be.toDoubles(p.value());
            switch (p.name()) {
                case "A_log", "A_b_log" -> {
                    for (int i = 0; i < e; i++)
                        for (int j = 0; j < n; j++) assertEquals(-(j + 1), -Math.exp(v[i * n + j]), 1e-12);
                    assertTrue(p.noDecay());
                }
                case "D", "D_b" -> {
                    for (double d : v) assertEquals(1.0, d);
                    assertTrue(p.noDecay());
                }
                case "dt_proj.bias", "dt_proj_b.bias" -> {
                    double lo = Double.MAX_VALUE, hi = 0;
                    for (double b : v) {
                        double dt = Math.log1p(Math.exp(b));
                        assertTrue(dt >= 0.001 - 1e-12 && dt <= 0.1 + 1e-12, "softplus(b_dt) in [dt_min, dt_max]: " + dt);
                        lo = Math.min(lo, dt);
                        hi = Math.max(hi, dt);
                    }
                    assertTrue(lo < 0.005 && hi > 0.05, "log-uniform spread over the range");
                }
                case "in_proj.weight" -> assertBounded(v, 1 / Math.sqrt(f), p);
                case "out_proj.weight" -> assertBounded(v, 1 / Math.sqrt(e), p);
                case "x_proj.weight", "x_proj_b.weight" -> assertBounded(v, 1 / Math.sqrt(e), p);
                case "dt_proj.weight", "dt_proj_b.weight" -> assertBounded(v, 1 / Math.sqrt(2), p);
                case "conv1d.weight", "conv1d.bias", "conv1d_b.weight", "conv1d_b.bias" -> assertBounded(v, 0.5, p);
                default -> fail("unexpected parameter " + p.name());
            }
        }
        assertArrayEquals(new int[] {2 * e, f}, unit.parameters().get(0).shape());
    }

    private static void assertBounded(double[] v, double bound, Parameter p) {
        double max = 0;
        for (double x : v) max = Math.max(max, Math.abs(x));
        assertTrue(max <= bound, p.name() + " within U(±" + bound + ")");
        assertTrue(max > 0.8 * bound, p.name() + " fills its range (max " + max + ")");
    }
}
