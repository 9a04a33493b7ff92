package dev.mambamixer.engine.data.teaching;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TeachingTasksTest {

    @Test
    void selectiveCopyingLayoutTargetsAndMarks() {
        int l = 20, v = 9, k = 4;
        SelectiveCopying task = new SelectiveCopying(l, v, k);
        int memory = l - k - 1;
        assertEquals(15, task.memoryLength());
        for (SequenceExample ex : task.examples(11L, 200)) {
            int[] tok = ex.tokens(), tgt = ex.targets(), data = ex.positions("data");
            assertEquals(l, tok.length);
            assertEquals(k, data.length);
            for (int j = 0; j < k; j++) {
                assertTrue(data[j] >= 0 && data[j] < memory, "data position inside the memory region");
                if (j > 0) assertTrue(data[j] > data[j - 1], "data positions strictly increasing");
                assertTrue(tok[data[j]] >= SelectiveCopying.FIRST_DATA && tok[data[j]] < v);
                // the j-th output position asks for the j-th data token
                assertEquals(tok[data[j]], tgt[memory + 1 + j]);
                assertEquals(SelectiveCopying.OUTPUT, tok[memory + 1 + j]);
            }
            for (int t : ex.positions("noise")) assertEquals(SelectiveCopying.NOISE, tok[t]);
            assertArrayEquals(new int[] {memory}, ex.positions("delimiter"));
            assertEquals(SelectiveCopying.DELIMITER, tok[memory]);
            assertArrayEquals(new int[] {16, 17, 18, 19}, ex.positions("output"));
            assertEquals(k, ex.targetCount());
            for (int t = 0; t <= memory; t++) assertEquals(SequenceExample.IGNORE, tgt[t]);
            // the marks partition the sequence: every position has exactly one role
            int covered = 0;
            for (Mark m : ex.marks()) covered += m.count();
            assertEquals(l, covered);
            for (int t = 0; t < l; t++) assertNotNull(ex.roleAt(t), "position " + t + " has a role");
        }
    }

    @Test
    void selectiveCopyingPlacesDataUniformlyOverTheMemoryRegion() {
        SelectiveCopying task = new SelectiveCopying(16, 8, 3);
        int memory = task.memoryLength(), n = 12000;
        int[] hits = new int[memory];
        int[] symbols = new int[8];
        for (SequenceExample ex : task.examples(5L, n)) {
            for (int t : ex.positions("data")) {
                hits[t]++;
                symbols[ex.tokens()[t]]++;
            }
        }
        double expected = (double) n * 3 / memory;       // each position is chosen with probability K/Lm
        for (int t = 0; t < memory; t++)
            assertEquals(expected, hits[t], 5 * Math.sqrt(expected), "position " + t);
        assertEquals(0, symbols[0] + symbols[1] + symbols[2], "no special token is ever data");
        for (int s = 3; s < 8; s++) assertEquals(n * 3 / 5.0, symbols[s], 5 * Math.sqrt(n * 3 / 5.0), "symbol " + s);
    }

    @Test
    void inductionHeadsTriggerKeyAndQuery() {
        int l = 24, v = 10;
        InductionHeads task = new InductionHeads(l, v);
        int[] triggerHits = new int[l];
        for (SequenceExample ex : task.examples(3L, 3000)) {
            int[] tok = ex.tokens(), tgt = ex.targets();
            int p = ex.positions("trigger")[0];
            assertTrue(p >= 0 && p <= l - 3);
            triggerHits[p]++;
            assertArrayEquals(new int[] {p + 1}, ex.positions("key"));
            assertArrayEquals(new int[] {l - 1}, ex.positions("query"));
            int triggers = 0;
            for (int t = 0; t < l; t++) if (tok[t] == InductionHeads.TRIGGER) triggers++;
            assertEquals(2, triggers, "the trigger appears once before the query, and at the query");
            assertEquals(InductionHeads.TRIGGER, tok[l - 1]);
            assertEquals(tok[p + 1], tgt[l - 1], "target = the token after the first trigger");
            assertNotEquals(InductionHeads.TRIGGER, tok[p + 1]);
            assertEquals(1, ex.targetCount());
        }
        for (int t = 0; t <= l - 3; t++) assertTrue(triggerHits[t] > 3000 / (l - 2) / 2, "trigger position " + t + " occurs");
        assertEquals(0, triggerHits[l - 2] + triggerHits[l - 1]);
    }

    @Test
    void sameSeedSameExamplesOtherSeedOtherExamples() {
        TeachingTask a = TeachingTask.create("selective-copy", 32, 12, 4);
        List<SequenceExample> x = a.examples(42L, 50), y = a.examples(42L, 50), z = a.examples(43L, 50);
        int differ = 0;
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(x.get(i).tokens(), y.get(i).tokens());
            assertArrayEquals(x.get(i).positions("data"), y.get(i).positions("data"));
            if (!java.util.Arrays.equals(x.get(i).tokens(), z.get(i).tokens())) differ++;
        }
        assertTrue(differ > 45, "another seed gives other sequences (" + differ + " of 50 differ)");
        TeachingTask b = TeachingTask.create("induction", 16, 8, 0);
        assertArrayEquals(b.examples(1L, 3).get(2).tokens(), b.examples(1L, 3).get(2).tokens());
    }

    @Test
    void badSettingsFailWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectiveCopying(8, 10, 4)).getMessage()
                       .contains("length: 8 is too short for 4 tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectiveCopying(32, 3, 4)).getMessage()
                       .contains("vocab"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new InductionHeads(3, 10)).getMessage()
                       .contains("length"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TeachingTask.create("copy", 32, 10, 4)).getMessage()
                       .contains("unknown value 'copy'"));
    }
}
