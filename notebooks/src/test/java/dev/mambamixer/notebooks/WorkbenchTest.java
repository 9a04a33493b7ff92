package dev.mambamixer.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.data.teaching.InductionHeads;
import dev.mambamixer.engine.model.Tsm2;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkbenchTest {

    @Test
    void sampleDataIsTheCommittedFileAndMatchesTheGenerator() {
        ForecastData fromFile = Workbench.sampleData(96, 24);
        assertTrue(fromFile.raw().source().endsWith("synthetic.csv"), fromFile.raw().source());
        assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5", "OT"), fromFile.columns());
        assertEquals(5481, fromFile.train().size());   // 5600 train rows - 96 - 24 + 1
        ForecastData generated = ForecastData.of(SyntheticSeriesGenerator.generate(8000, 20240318L), 96, 24,
                                                 SplitRule.RATIO);
        float[] a = fromFile.test().input(100), b = generated.test().input(100);
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 2e-4, "value " + i);   // file: 4 decimals
    }

    @Test
    void sharedDataThatDoesNotExistIsEmpty() {
        assertTrue(Workbench.findSharedData("no-such-folder/none.csv").isEmpty());
    }

    @Test
    void describeAlignsEachRoleUnderItsToken() {
        var task = new InductionHeads(16, 12);
        var ex = task.examples(5, 1).get(0);
        String[] rows = Workbench.describe(task, ex).split("\n");
        int key = ex.positions("key")[0];
        String tokens = rows[0], roles = rows[1];
        // column of the key's token = column of the "key" role
        int col = roles.indexOf("key");
        assertTrue(col > 0, roles);
        assertEquals(task.tokenName(ex.tokens()[key]), tokens.substring(col).split(" +")[0]);
        assertEquals("T", tokens.substring(roles.indexOf("tri")).split(" +")[0], "the trigger token");
    }

    @Test
    void influenceOfAVariateThatIsTheSameInEveryWindowIsExactlyZero() {
        // 7 variates of noise, variate 2 constant: swapping its history between windows changes nothing.
        int rows = 400, m = 3, t = 32, h = 8;
        java.util.Random rng = new java.util.Random(1);
        float[] data = new float[rows * m];   // (rows, M)
        for (int r = 0; r < rows; r++) {
            data[r * m] = (float) rng.nextGaussian();
            data[r * m + 1] = (float) Math.sin(r / 5.0) + 0.1f * (float) rng.nextGaussian();
            data[r * m + 2] = 0.5f;
        }
        WindowDataset ds = new WindowDataset("test", "test", data, m, 0, rows, t, h);
        var cfg = dev.mambamixer.engine.model.Tsm2Config.defaults(t, h, m).withModel(8, 1);
        Tsm2 model = Workbench.tsm2(cfg);
        VariateInfluence v = VariateInfluence.measure(model, ds, List.of("a", "b", "c"), 20);
        assertEquals(20, v.windows());
        for (int target = 0; target < m; target++) {
            assertEquals(0.0, v.increase()[target][2], 0.0, "target " + target);
            assertTrue(v.baseline()[target] > 0);
        }
        assertNotEquals(0.0, v.increase()[1][1], "a variate's own history matters to an untrained model too");
        String strongest = v.strongestOther("a");
        assertEquals(1, v.rank("a", strongest));
    }
}
