package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;

class NiceLogAxisTest {
    static List<String> labels(double lo, double hi, double heightPx) {
        NiceLogAxis a = new NiceLogAxis("loss");
        a.setRange(lo, hi);
        Graphics2D g = new BufferedImage(10, 10, BufferedImage.TYPE_INT_ARGB).createGraphics();
        List<?> ticks = a.refreshTicks(g, new AxisState(), new Rectangle2D.Double(0, 0, 600, heightPx), RectangleEdge.LEFT);
        return ticks.stream().map(t -> ((NumberTick) t).getText()).toList();
    }

    @Test
    void narrowRangesGetEnoughReadableTicks() {
        assertEquals(List.of("0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"), labels(0.28, 1.4, 400));
        assertEquals(List.of("0.3", "0.5", "0.7", "1"), labels(0.28, 1.4, 100), "fewer on a short axis");
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10"), labels(5e-4, 20, 100), "short axis: decades only");
        assertEquals(List.of("0.1", "0.2", "0.5", "1", "2", "5", "10"), labels(0.1, 10, 400));
    }

    @Test
    void rangesNarrowerThanALogStepGetEvenlySpacedDistinctTicks() {
        assertEquals(List.of("0.28", "0.29", "0.30", "0.31", "0.32", "0.33", "0.34"), labels(0.28, 0.345, 400));
        List<String> tiny = labels(1.496336, 1.496412, 400);
        assertTrue(tiny.size() >= 2, "two or more ticks: " + tiny);
        assertEquals(tiny.size(), new java.util.HashSet<>(tiny).size(), "distinct labels: " + tiny);
    }

    @Test
    void labelsArePlainDecimalsOrCompactScientific() {
        assertEquals("0.05", NiceLogAxis.label(0.05));
        assertEquals("300", NiceLogAxis.label(300));
        assertEquals("2E-6", NiceLogAxis.label(2e-6));
        assertEquals("1.5E7", NiceLogAxis.label(1.5e7));
    }
}
