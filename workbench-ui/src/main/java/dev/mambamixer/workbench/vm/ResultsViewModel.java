package dev.mambamixer.workbench.vm;

import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.VisionCharts;
import dev.mambamixer.workbench.session.UiEvents.Mistake;
import dev.mambamixer.workbench.session.UiEvents.VisionResults;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import org.jfree.chart.JFreeChart;

/**
 * The held-out evaluation of a ViM2 run (after each epoch, and of the kept weights at the end):
 * confusion matrix, accuracy per class and the most confidently wrong images.
 */
public final class ResultsViewModel {
    private VisionResults results;
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");

    public void set(VisionResults r) {
        results = r;
        revision.set(revision.get() + 1);
    }

    public void clear() { set(null); }

    public boolean hasResults() { return results != null; }

    public VisionResults results() { return results; }

    /** "held-out accuracy 0.8705 (2,000 images, loss 0.587) after epoch 1 (step 125; kept weights)". */
    public String summary() {
        if (results == null) return "";
        VisionResults r = results;
        return String.format(Locale.ROOT, "Held-out accuracy %.4f on %,d images (loss %.3f) after epoch %d, step %d%s; "
                             + "%d wrongly classified", r.accuracy(), r.count(), r.loss(), r.epoch(), r.step(),
                             r.fin() ? " (the weights the run kept)" : "", wrong());
    }

    private int wrong() {
        int n = 0;
        int[][] c = results.confusion();
        for (int i = 0; i < c.length; i++) for (int j = 0; j < c[i].length; j++) if (i != j) n += c[i][j];
        return n;
    }

    /** The confusion matrix (rows = true class) with one colour scale from 0 to the largest count; null before any. */
    public Heatmap confusionChart() {
        if (results == null) return null;
        return VisionCharts.confusion(results.confusion(), results.classNames(), "Confusion matrix (held out)");
    }

    public JFreeChart perClassChart() {
        if (results == null) return null;
        return VisionCharts.perClassAccuracy(results.perClassAccuracy(), results.classNames(), "Accuracy per class");
    }

    /** The most confidently wrong held-out images, most confident first. */
    public List<Mistake> mistakes() { return results == null ? List.of() : results.mistakes(); }

    /** "true → predicted (p)" of a mistake, with class names. */
    public String label(Mistake m) {
        return VisionCharts.mistakeLabel(name(m.trueClass()), name(m.predicted()), m.confidence());
    }

    private String name(int c) {
        List<String> n = results.classNames();
        return c >= 0 && c < n.size() ? n.get(c) : Integer.toString(c);
    }

    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
}
