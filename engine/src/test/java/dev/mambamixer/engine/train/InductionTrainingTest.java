package dev.mambamixer.engine.train;

import dev.mambamixer.engine.introspect.SelectionProbe;
import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.teaching.InductionHeads;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import org.junit.jupiter.api.Test;

/**
 * Induction heads on the CPU (about 20 s on a loaded 2-core machine): two token-mixer blocks learn
 * the task, and Δ of both token mixers is measured to be larger at the key (the token after the
 * first trigger, the one the model must remember) than at the filler tokens.
 */
class InductionTrainingTest {
    @Test
    void learnsInductionHeadsAndDeltaIsLargerAtTheKey() {
        Backend be = new CpuBackend();
        InductionHeads task = new InductionHeads(32, 12);
        SequenceModel m = new SequenceModel(be, SequenceModelConfig.defaults(12, 32).withModel(32, 2, 16)
                                                                   .withChannelMixer(false).withSeed(7));
        TeachConfig tc = new TeachConfig(1500, 32, 3e-3, 100, 0.05, 0.01, 1.0, 7L, 256, 250, 0.99);
        SequenceTrainer tr = new SequenceTrainer(m, task, tc, null);
        SelectionProbe.Profile before = SelectionProbe.delta(m, tr.heldOut(), 0, 64);
        SequenceTrainer.Result r = tr.run();
        assertTrue(r.heldOut().accuracy() >= 0.95, "held-out accuracy " + r.heldOut().accuracy() + " after "
                                                    + r.steps() + " steps");
        assertEquals(256, r.heldOut().targets(), "one target per example (the query)");
        SelectionProbe.Profile first = SelectionProbe.delta(m, tr.heldOut(), 0, 64);
        SelectionProbe.Profile second = SelectionProbe.delta(m, tr.heldOut(), 1, 64);
        double r0 = before.ratio("key", SelectionProbe.UNMARKED), r1 = first.ratio("key", SelectionProbe.UNMARKED),
               r2 = second.ratio("key", SelectionProbe.UNMARKED);
        String msg = String.format("Δ key/filler: untrained %.3f, trained first mixer %.3f (%s), second %.3f (%s)", r0, r1,
                                   first.mean(), r2, second.mean());
        assertEquals(1.0, r0, 0.1, msg);
        // the key (the token after the trigger, the one to remember) gets a larger step: it is written
        assertTrue(r1 > 1.5, msg);
        assertTrue(r2 > 1.5, msg);
    }

}
