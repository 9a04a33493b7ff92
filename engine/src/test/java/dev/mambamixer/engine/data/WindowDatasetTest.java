package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowDatasetTest {
    @Test
    void etth1WindowCountsAndContents() throws IOException {
        Path p = TestData.sharedFile("ETT-small/ETTh1.csv");
        ForecastData fd = ForecastData.load(p, 512, 96);
        assertEquals(SplitRule.ETT_HOURLY, fd.splits().rule());
        assertEquals(8640, fd.train().rows());
        assertEquals(2880 + 512, fd.val().rows());
        assertEquals(2880 + 512, fd.test().rows());
        assertEquals(8640 - 608 + 1, fd.train().size());
        assertEquals(2880 - 96 + 1, fd.val().size());
        assertEquals(2785, fd.test().size());
        assertEquals(List.of("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"), fd.columns());
        String summary = fd.summary();
        assertTrue(summary.contains("ETT_HOURLY") && summary.contains("val rows [8128, 11520) -> 2785 windows")
                && summary.contains("train rows [0, 8640) -> 8033 windows"), summary);

        // Test window 0: input = scaled rows [11008, 11520), target = scaled rows [11520, 11616).
        Series raw = fd.raw();
        StandardScaler sc = fd.scaler();
        float[] in = fd.test().input(0);
        float[] tg = fd.test().target(0);
        assertEquals(512 * 7, in.length);
        assertEquals(96 * 7, tg.length);
        for (int c = 0; c < 7; c++) {
            assertEquals(scaled(raw, sc, 11520 - 512, c), in[c]);
            assertEquals(scaled(raw, sc, 11519, c), in[511 * 7 + c]);
            assertEquals(scaled(raw, sc, 11520, c), tg[c]);
            assertEquals(scaled(raw, sc, 11520 + 95, c), tg[95 * 7 + c]);
        }
        // Last val window's target ends at the val boundary 11520 (exclusive).
        float[] lastVal = fd.val().target(fd.val().size() - 1);
        assertEquals(scaled(raw, sc, 11519, 6), lastVal[95 * 7 + 6]);
        assertThrows(IndexOutOfBoundsException.class, () -> fd.val().input(fd.val().size()));
    }

    private static float scaled(Series raw, StandardScaler sc, int row, int col) {
        return (float) ((raw.value(row, col) - sc.mean()[col]) / sc.scale()[col]);
    }

    @Test
    void tooShortSplitNamesFileSplitRowsAndTPlusH() throws IOException {
        Path p = TestData.sharedFile("illness/national_illness.csv");
        // ILI: 966 rows, val = [676, 773) -> 97 + T rows. T=36, H=200 does not fit.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForecastData.load(p, 36, 200));
        String msg = e.getMessage();
        assertTrue(msg.contains("national_illness.csv"), msg);
        assertTrue(msg.contains("'val'") && msg.contains("133 rows") && msg.contains("236"), msg);
    }

    @Test
    void ruleCanBeOverriddenAndWrongRuleFailsClearly() throws IOException {
        Path etth1 = TestData.sharedFile("ETT-small/ETTh1.csv");
        ForecastData ratio = ForecastData.load(etth1, 96, 24, SplitRule.RATIO);
        assertEquals(SplitRule.RATIO, ratio.splits().rule());
        assertEquals(12194, ratio.train().rows()); // int(17420 * 0.7)
        assertEquals(3484 + 96, ratio.test().rows()); // int(17420 * 0.2) = 3484 target rows, plus T look-back

        Path sample = TestData.sampleFile("synthetic.csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForecastData.load(sample, 96, 24, SplitRule.ETT_HOURLY));
        assertTrue(e.getMessage().contains("synthetic.csv") && e.getMessage().contains("14400"), e.getMessage());
    }

    @Test
    void smallSyntheticWindowsByHand() {
        float[] d = new float[10 * 2]; // (10, 2): value = 10*row + col
        for (int r = 0; r < 10; r++) for (int c = 0; c < 2; c++) d[r * 2 + c] = 10 * r + c;
        WindowDataset w = new WindowDataset("mem", "train", d, 2, 2, 9, 3, 2); // rows [2, 9): 7 rows
        assertEquals(7 - 5 + 1, w.size());
        assertArrayEquals(new float[] {40, 41, 50, 51, 60, 61}, w.input(2));
        assertArrayEquals(new float[] {70, 71, 80, 81}, w.target(2));
    }
}
