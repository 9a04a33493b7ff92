package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class EmaTest {
    @Test
    void matchesHandComputedDebiasedValues() {
        // w = 0.5: last = 0.5, 1.25, 2.125; debias = 0.5, 0.75, 0.875
        double[] s = Ema.debiased(new double[] {1, 2, 3}, 0.5);
        assertArrayEquals(new double[] {1.0, 1.25 / 0.75, 2.125 / 0.875}, s, 1e-12);
    }

    @Test
    void heavySmoothingStillStartsAtTheFirstValue() {
        double[] s = Ema.debiased(new double[] {10, 0, 0}, 0.9);
        assertEquals(10, s[0], 1e-12);
        // last = 1, 0.9, 0.81; debias = 0.1, 0.19, 0.271
        assertEquals(0.9 / 0.19, s[1], 1e-12);
        assertEquals(0.81 / 0.271, s[2], 1e-12);
    }

    @Test
    void zeroWeightReturnsRawValues() {
        double[] y = {3, -1, 7.5};
        assertArrayEquals(y, Ema.debiased(y, 0), 0);
    }

    @Test
    void nonFiniteValuesPassThroughAndDoNotCount() {
        double[] s = Ema.debiased(new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, 2}, 0.5);
        assertEquals(1, s[0], 1e-12);
        assertTrue(Double.isNaN(s[1]));
        assertEquals(Double.POSITIVE_INFINITY, s[2]);
        assertEquals(1.25 / 0.75, s[3], 1e-12, "the 2 is the second finite value");
    }

    @Test
    void streamingEqualsBatch() {
        double[] y = {0.9, 0.7, 0.8, 0.5, 0.45, 0.5, 0.3};
        double[] batch = Ema.debiased(y, 0.6);
        Ema e = new Ema(0.6);
        for (int i = 0; i < y.length; i++) assertEquals(batch[i], e.next(y[i]), 0);
    }

    @Test
    void rejectsWeightsOutsideTheRange() {
        assertThrows(IllegalArgumentException.class, () -> new Ema(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Ema(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Ema(Double.NaN));
    }
}
