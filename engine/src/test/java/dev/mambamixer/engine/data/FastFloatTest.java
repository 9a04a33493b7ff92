package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reader's allocation-free number fast path must agree bit for bit with Float.parseFloat. */
class FastFloatTest {
    private static void check(String s) {
        float fast = CsvSeriesReader.fastFloat(s, 0, s.length());
        if (Float.isNaN(fast)) return; // fell back to the general path: nothing to compare
        assertEquals(Float.floatToRawIntBits(Float.parseFloat(s)), Float.floatToRawIntBits(fast), s);
    }

    @Test
    void edgeCases() {
        for (String s : new String[] {"0", "-0", "-0.0", "+1", "1.", ".5", "007", "0.000123", "1e5", "1.5E-3",
                "-9999", "1008.89", "5.827000141143799", "30.5310001373291", "3.4028235e38", "3.4028236e38",
                "1e-30", "123456789012345678", "16777217", "16777219", "0.1", "-2.5e+3", "9007199254740993"}) {
            check(s);
        }
        assertEquals(-9999f, CsvSeriesReader.fastFloat("-9999", 0, 5));
        assertEquals(0.25f, CsvSeriesReader.fastFloat("x,0.25,y", 2, 6)); // works on a slice of a line
        // Syntax outside the fast grammar falls back (NaN) so the general path can report or parse it.
        for (String s : new String[] {"", "-", ".", "1e", "1e+", "1.0f", "1..2", "0x10", "NaN", "1-2", "1e5.0"}) {
            assertTrue(Float.isNaN(CsvSeriesReader.fastFloat(s, 0, s.length())), s);
        }
        // 16777217 = 2^24 + 1 is exactly a float midpoint: must fall back rather than risk a double rounding.
        assertTrue(Float.isNaN(CsvSeriesReader.fastFloat("16777217", 0, 8)));
    }

    @Test
    void randomDecimalsAgreeWithParseFloat() {
        SplittableRandom rng = new SplittableRandom(123);
        int fastHits = 0;
        for (int i = 0; i < 100_000; i++) {
            String s;
            switch (i % 4) {
                case 0: s = Float.toString((float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-8, 9)))); break;
                case 1: s = Double.toString(rng.nextGaussian() * Math.pow(10, rng.nextInt(-8, 9))); break;
                case 2: s = String.format(Locale.ROOT, "%." + rng.nextInt(0, 17) + "f", rng.nextDouble(-2000, 2000)); break;
                default: s = Long.toString(rng.nextLong(1L << 26)) + "." + Long.toString(rng.nextLong(1L << 40)); break;
            }
            check(s);
            if (!Float.isNaN(CsvSeriesReader.fastFloat(s, 0, s.length()))) fastHits++;
        }
        assertTrue(fastHits > 50_000, "fast path should cover most inputs, covered " + fastHits);
    }
}
