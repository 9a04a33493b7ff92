package dev.mambamixer.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.train.TrainingListener;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisionPicturesTest {

    private static float[] ramp(int h, int w) {
        float[] px = new float[h * w];
        for (int i = 0; i < px.length; i++) px[i] = (float) i / (px.length - 1);
        return px;
    }

    @Test
    void aRowOfPanelsDrawsTheBoxOutlineAndListsItsPanelsInTheText() {
        boolean[] box = new boolean[16];
        box[5] = box[6] = box[9] = box[10] = true;   // the central 2x2 cells of a 4x4 grid
        double[][] map = new double[4][4];
        map[1][1] = 3;
        map[0][0] = 50;   // the query cell: left out of the colour scale
        var p = VisionPictures.Panel.of(ramp(28, 28), 28, 28, 1, "Δ row-major").map(map).mask(box, 4, 4).query(0, 0);
        Picture pic = VisionPictures.row("title", List.of(VisionPictures.Panel.of(ramp(28, 28), 28, 28, 1, "input"), p), 120);
        assertTrue(pic.text().contains("Δ row-major") && pic.text().contains("colour scale 0.000 .. 3.000"), pic.text());
        // second panel starts at x = 10 + 130; the box's top edge runs along y = 30 + 30 (cell 1 of 4 over 120 px)
        int x = 140 + 75, y = 30 + 30;
        assertEquals(VisionPictures.BOX.getRGB(), pic.getRGB(x, y), "box outline at (" + x + ", " + y + ")");
        assertTrue(pic.png().length > 100);
    }

    @Test
    void confusionTextHasEveryRow() {
        int[][] m = {{5, 1}, {0, 4}};
        Picture pic = VisionPictures.confusion(m, List.of("a", "b"), "c");
        assertTrue(pic.text().contains("a:    5    1") && pic.text().contains("b:    0    4"), pic.text());
        assertNotEquals(Color.WHITE.getRGB(), pic.getRGB(70 + 19, 64 + 19), "the diagonal cell is shaded");
    }

    @Test
    void insideOutsideNumbers() {
        double[][] map = {{1, 1}, {1, 5}};
        boolean[] mask = {false, false, false, true};
        assertEquals(5.0 / 8, VisionPictures.shareInside(map, mask), 1e-12);
        assertEquals(5.0, VisionPictures.insideOverOutside(map, mask), 1e-12);
        assertEquals(0.25, VisionPictures.maskFraction(mask), 1e-12);
        assertEquals(0, VisionPictures.maxAbsDiff(VisionPictures.sum(List.of(map, map)), new double[][] {{2, 2}, {2, 10}}));
        assertEquals(0, VisionPictures.maxAbsDiff(VisionPictures.mean(List.of(map, map)), map));
    }

    @Test
    void progressPrintsEveryNthStepTheEpochEndAndHeldOut() {
        var buf = new ByteArrayOutputStream();
        var progress = new VisionProgress("run", 4, new PrintStream(buf, true, StandardCharsets.UTF_8));
        for (int s = 1; s <= 6; s++) progress.onStep(new TrainingListener.StepEvent(1, s, s, 6, 2.0, 1e-3, 1, 64L * s, s, 0.5));
        progress.onHeldOut(new TrainingListener.HeldOutEvent(6, 1.5, 0.42, Double.NaN, 100, 100, 7));
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        assertTrue(lines[0].contains("step 4/6") && lines[1].contains("step 6/6") && lines[2].contains("accuracy 0.420"),
                   String.join("\n", lines));
    }
}
