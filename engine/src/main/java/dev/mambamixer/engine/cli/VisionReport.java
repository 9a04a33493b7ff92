package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.train.VisionEvaluation;
import java.util.Locale;

/** The text report of a ViM2 evaluation: accuracy, per class, confusion matrix, confident mistakes. */
final class VisionReport {
    private VisionReport() {}

    static void print(VisionEvaluation ev, ImageSet set, String title) {
        System.out.printf(Locale.ROOT, "%s, %d images: accuracy %.4f, loss %.4f%n", title, ev.count(), ev.accuracy(), ev.loss());
        double[] pc = ev.perClassAccuracy();
        StringBuilder sb = new StringBuilder("per class:");
        for (int c = 0; c < pc.length; c++)
            sb.append(String.format(Locale.ROOT, "  %s %.3f", c < set.classNames().size() ? set.classNames().get(c) : "#" + c, pc[c]));
        System.out.println(sb);
        System.out.println("confusion (rows true, columns predicted):");
        for (int[] row : ev.confusion()) {
            StringBuilder line = new StringBuilder();
            for (int v : row) line.append(String.format(Locale.ROOT, "%5d", v));
            System.out.println(line);
        }
        StringBuilder ws = new StringBuilder("most confident mistakes (image: true -> predicted, p):");
        for (int i : ev.confidentMistakes(set, 5))
            ws.append(String.format(Locale.ROOT, "  #%d: %d -> %d, %.3f", i, set.label(i), ev.predicted()[i], ev.confidence()[i]));
        System.out.println(ws);
    }
}
