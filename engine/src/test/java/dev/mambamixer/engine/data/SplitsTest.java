package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SplitsTest {
    private static void assertRange(Splits.Range r, String name, int start, int end, int boundary) {
        assertEquals(name, r.name());
        assertEquals(start, r.start(), name + " start");
        assertEquals(end, r.end(), name + " end");
        assertEquals(boundary, r.boundary(), name + " boundary");
    }

    @Test
    void ettHourlyBorders() {
        Splits s = Splits.compute(17420, 512, SplitRule.ETT_HOURLY);
        assertRange(s.train(), "train", 0, 8640, 0);
        assertRange(s.val(), "val", 8640 - 512, 11520, 8640);
        assertRange(s.test(), "test", 11520 - 512, 14400, 11520);
        assertEquals(2880 + 512, s.val().rows());
    }

    @Test
    void ettMinuteBordersAreTimesFour() {
        Splits s = Splits.compute(69680, 96, SplitRule.ETT_MINUTE);
        assertRange(s.train(), "train", 0, 34560, 0);
        assertRange(s.val(), "val", 34560 - 96, 46080, 34560);
        assertRange(s.test(), "test", 46080 - 96, 57600, 46080);
    }

    @Test
    void ratioBordersMatchTheReadmeTable() {
        // README "Standard splits": weather, exchange_rate, national_illness.
        int[][] cases = {{52696, 36887, 42157}, {7588, 5311, 6071}, {966, 676, 773}};
        for (int[] c : cases) {
            Splits s = Splits.compute(c[0], 36, SplitRule.RATIO);
            assertRange(s.train(), "train", 0, c[1], 0);
            assertRange(s.val(), "val", c[1] - 36, c[2], c[1]);
            assertRange(s.test(), "test", c[2] - 36, c[0], c[2]);
        }
    }

    @Test
    void detectsRuleFromFileName() {
        assertEquals(SplitRule.ETT_HOURLY, SplitRule.detect("/x/ETT-small/ETTh1.csv"));
        assertEquals(SplitRule.ETT_HOURLY, SplitRule.detect("etth2.csv.gz"));
        assertEquals(SplitRule.ETT_MINUTE, SplitRule.detect("ETTm1.csv.gz"));
        assertEquals(SplitRule.RATIO, SplitRule.detect("weather/weather.csv.gz"));
        assertEquals(SplitRule.RATIO, SplitRule.detect("ETT-small/synthetic.csv")); // directory name does not count
    }

    @Test
    void clearErrorsForTooShortSeries() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.compute(10000, 96, SplitRule.ETT_HOURLY));
        assertTrue(e.getMessage().contains("14400") && e.getMessage().contains("10000"), e.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> Splits.compute(100, 96, SplitRule.RATIO));
        assertTrue(t.getMessage().contains("T=96") && t.getMessage().contains("70 rows"), t.getMessage());
    }
}
