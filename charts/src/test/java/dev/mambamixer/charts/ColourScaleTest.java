package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jfree.chart.axis.NumberTickUnit;
import org.junit.jupiter.api.Test;

/** Colour scales that do not mislead: shared bounds, log and per-row scales, the narrow-range note, distinct tick labels. */
class ColourScaleTest {

    static float[][] row(float... v) { return new float[][] {v}; }

    @Test
    void colourBarTicksAreDistinctForNarrowAndWideRanges() {
        double[][] ranges = {{0.0210, 0.0220}, {0.0272, 0.0276}, {1.496336, 1.496412}, {1e-5, 3e-5}, {2e5, 2.0001e5},
                             {0, 1}, {-3.2, 7.9}, {0.00012, 0.00013}};
        for (double[] r : ranges) {
            NumberTickUnit u = Theme.tickUnit(r[0], r[1], 8);
            Set<String> labels = new HashSet<>();
            int n = 0;
            for (double t = Math.ceil(r[0] / u.getSize()) * u.getSize(); t <= r[1] + 1e-12; t += u.getSize(), n++)
                assertTrue(labels.add(u.valueToString(t)), "duplicate tick label " + u.valueToString(t) + " on " + r[0] + ".." + r[1]);
            assertTrue(n >= 2, "at least two ticks on " + r[0] + ".." + r[1] + ", got " + n);
        }
    }

    @Test
    void narrowRangeIsNotedUntilPanelsShareOneScale() {
        Heatmap a = Heatmap.builder().valueLabel("mean Δ").colorMap(ColorMap.Kind.SEQUENTIAL).build(row(0.0210f, 0.0215f, 0.0220f));
        Heatmap b = Heatmap.builder().valueLabel("mean Δ").colorMap(ColorMap.Kind.SEQUENTIAL).build(row(0.0272f, 0.0276f));
        assertNotNull(a.narrowRangeNote());
        assertTrue(a.narrowRangeNote().contains("0.0210–0.0220"), a.narrowRangeNote());
        assertTrue(a.narrowRangeNote().contains("4.5 %"), a.narrowRangeNote());
        assertTrue(a.chart().getSubtitles().stream().anyMatch(t -> t instanceof org.jfree.chart.title.TextTitle tt
                                                                  && tt.getText().startsWith("narrow range")));
        Heatmap.shareScale(List.of(a, b));
        for (Heatmap h : List.of(a, b)) {
            assertEquals(0.0210, h.colorMap().getLowerBound(), 1e-7);
            assertEquals(0.0276, h.colorMap().getUpperBound(), 1e-7);
            assertNull(h.narrowRangeNote(), "24 % of the largest value is not narrow");
            assertTrue(h.chart().getSubtitles().stream().noneMatch(t -> t instanceof org.jfree.chart.title.TextTitle tt
                                                                       && tt.getText().startsWith("narrow range")));
        }
        // the same colour means the same value in both panels
        assertEquals(a.colorMap().color(0.0220), b.colorMap().color(0.0220));
        assertNotEquals(a.colorMap().color(0.0210), b.colorMap().color(0.0276));
    }

    @Test
    void logScaleColoursLog10OfMagnitudesAndBlanksZeros() {
        Heatmap h = Heatmap.builder().valueLabel("mean |α|").build(new float[][] {{10f, 0.01f}, {0f, 1f}});
        h.setColourScale(ColourScale.LOG);
        assertEquals(1f, h.value(0, 0), 1e-6f);
        assertEquals(-2f, h.value(0, 1), 1e-6f);
        assertTrue(Float.isNaN(h.value(1, 0)));
        assertEquals(0f, h.value(1, 1), 1e-6f);
        assertEquals(10f, h.rawValue(0, 0));
        assertEquals(-2, h.colorMap().getLowerBound(), 1e-6);
        assertEquals(1, h.colorMap().getUpperBound(), 1e-6);
        assertEquals("log₁₀ mean |α|", h.legend().getAxis().getLabel());
        h.setColourScale(ColourScale.LINEAR);
        assertEquals(10f, h.value(0, 0));
        assertEquals("mean |α|", h.legend().getAxis().getLabel());
    }

    @Test
    void rowScaleDividesEachRowByItsLargestMagnitude() {
        Heatmap h = Heatmap.builder().valueLabel("Δ").build(new float[][] {{1, 2, 4}, {0.1f, 0.05f, 0}, {0, 0, 0}});
        h.setColourScale(ColourScale.ROWS);
        assertArrayEquals(new float[] {0.25f, 0.5f, 1f}, new float[] {h.value(0, 0), h.value(0, 1), h.value(0, 2)}, 1e-7f);
        assertArrayEquals(new float[] {1f, 0.5f, 0f}, new float[] {h.value(1, 0), h.value(1, 1), h.value(1, 2)}, 1e-7f);
        assertEquals(0f, h.value(2, 1));
        assertEquals(0, h.colorMap().getLowerBound());
        assertEquals(1, h.colorMap().getUpperBound());
        assertEquals("Δ ÷ row max", h.legend().getAxis().getLabel());
        Heatmap signed = Heatmap.builder().valueLabel("α").build(new float[][] {{-2, 1}});
        signed.setColourScale(ColourScale.ROWS);
        assertEquals(-1f, signed.value(0, 0));
        assertEquals(ColorMap.Kind.DIVERGING, signed.colorMap().kind());
    }
}
