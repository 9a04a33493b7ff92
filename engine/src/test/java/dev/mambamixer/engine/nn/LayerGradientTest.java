package dev.mambamixer.engine.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Float64 finite-difference checks of every layer's hand-written backward. */
class LayerGradientTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void linear() {
        Init init = new Init(1);
        Linear lin = new Linear(be, "lin", 5, 3, true, init);
        GradCheck gc = new GradCheck(be, 2);
        Tensor x = gc.random(1, 4, 5);
        double worst = gc.check("linear", lin.parameters(), x, () -> lin.forward(x, 4), dy -> lin.backward(dy, true), 50);
        assertTrue(worst < 1e-6);
    }

    @Test
    void layerNormOverTwoAxes() {
        LayerNorm ln = new LayerNorm(be, "ln", 1e-5, 3, 4);
        GradCheck gc = new GradCheck(be, 3);
        gc.perturb(ln.parameters(), 0.3);
        Tensor x = gc.random(2, 5, 12);
        gc.check("norm2d", ln.parameters(), x, () -> ln.forward(x, 5), ln::backward, 60);
    }

    @Test
    void mambaUnitUnidirectional() {
        MambaOptions mo = MambaOptions.defaults().with(4, 3, 2, 3, false);
        MambaUnit unit = new MambaUnit(be, "m.", 5, false, mo, new Init(4));
        GradCheck gc = new GradCheck(be, 5);
        gc.perturb(unit.parameters(), 0.2);
        Tensor h = gc.random(1, 2, 7, 5);      // (S,L,F); L=7 with chunk 3: three chunks
        gc.check("mamba", unit.parameters(), h, () -> unit.forward(h, 2, 7), unit::backward, 25);
    }

    @Test
    void mambaUnitBidirectional() {
        MambaOptions mo = MambaOptions.defaults().with(3, 2, 2, 4, false);
        MambaUnit unit = new MambaUnit(be, "b.", 4, true, mo, new Init(6));
        GradCheck gc = new GradCheck(be, 7);
        gc.perturb(unit.parameters(), 0.2);
        Tensor h = gc.random(1, 3, 5, 4);
        gc.check("bimamba", unit.parameters(), h, () -> unit.forward(h, 3, 5), unit::backward, 25);
    }

    @Test
    void mambaUnitBidirectionalSharedA() {
        MambaOptions mo = MambaOptions.defaults().with(3, 2, 2, 4, true);
        MambaUnit unit = new MambaUnit(be, "b.", 4, true, mo, new Init(6));
        long aLogs = unit.parameters().stream().filter(p -> p.name().contains("A")).count();
        assertEquals(1, aLogs, "shared A_log is listed once");
        GradCheck gc = new GradCheck(be, 8);
        gc.perturb(unit.parameters(), 0.2);
        Tensor h = gc.random(1, 2, 5, 4);
        gc.check("bimamba-sharedA", unit.parameters(), h, () -> unit.forward(h, 2, 5), unit::backward, 25);
    }

    @Test
    void mixersWithAndWithoutSwap() {
        MambaOptions mo = MambaOptions.defaults().with(3, 2, 2, 8, false);
        Init init = new Init(9);
        // tensor (a=2, b=3, c=4, d=5): time mixer scans c, channel mixer scans b
        Mixer time = new Mixer(be, "t.", "time", new int[] {4, 5}, 5, false, mo, init);
        Mixer chan = new Mixer(be, "c.", "variate", new int[] {3, 5}, 5, true, mo, init);
        GradCheck gc = new GradCheck(be, 10);
        gc.perturb(time.parameters(), 0.2);
        gc.perturb(chan.parameters(), 0.2);
        Tensor x = gc.random(1, 2, 3, 4, 5);
        Mixer.Geometry gt = new Mixer.Geometry(2, 3, 4, 5, false, 6, 4, 5);
        Mixer.Geometry gch = new Mixer.Geometry(2, 3, 4, 5, true, 8, 3, 5);
        gc.check("time-mixer", time.parameters(), x, () -> time.forward(x, gt), time::backward, 20);
        gc.check("channel-mixer", chan.parameters(), x, () -> chan.forward(x, gch), chan::backward, 20);
    }

    @Test
    void mixerStackWithWeightedAveragingAllModes() {
        for (WeightedAverage.Mode mode : WeightedAverage.Mode.values()) {
            MambaOptions mo = MambaOptions.defaults().with(2, 2, 1, 8, false);
            Init init = new Init(11);
            List<Mixer> mixers = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                mixers.add(new Mixer(be, "blocks." + l + ".time.", "time", new int[] {3, 4}, 4, false, mo, init));
                mixers.add(new Mixer(be, "blocks." + l + ".variate.", "variate", new int[] {2, 4}, 4, true, mo, init));
                names.add("blocks." + l + ".time.avg_weight");
                names.add("blocks." + l + ".variate.avg_weight");
            }
            MixerStack<Mixer> stack = new MixerStack<>(be, mixers, names, mode);
            GradCheck gc = new GradCheck(be, 12);
            gc.perturb(stack.parameters(), 0.2);   // also moves the averaging weights off identity
            Tensor x = gc.random(1, 2, 2, 3, 4);
            Mixer.Geometry[] geo = new Mixer.Geometry[4];
            for (int l = 0; l < 2; l++) {
                geo[2 * l] = new Mixer.Geometry(2, 2, 3, 4, false, 4, 3, 4);
                geo[2 * l + 1] = new Mixer.Geometry(2, 2, 3, 4, true, 6, 2, 4);
            }
            gc.check("stack-" + mode, stack.parameters(), x, () -> stack.forward(x, geo), stack::backward, 12);
        }
    }

    @Test
    void dropoutBackwardUsesTheSameMask() {
        Dropout d = new Dropout(be, 0.5);
        GradCheck gc = new GradCheck(be, 13);
        Tensor x = gc.random(1, 40);
        gc.check("dropout", List.of(), x, () -> d.forward(x, true, 77), d::backward, 40);
        double[] out = be.toDoubles(d.forward(x, true, 77));
        double[] in = be.toDoubles(x);
        int zeros = 0;
        for (int i = 0; i < 40; i++) {
            if (out[i] == 0) zeros++;
            else assertEquals(2 * in[i], out[i], 1e-12);
        }
        assertTrue(zeros > 5 && zeros < 35, "about half dropped: " + zeros);
        assertSame(x, d.forward(x, false, 77), "identity in evaluation");
    }
}
