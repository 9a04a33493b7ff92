package dev.mambamixer.charts;

import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.ModelCapture;
import java.awt.Color;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One variate of one forecast window: the T history points (x = −T+1 .. 0), then the H ground
 * truth and predicted points (x = 1 .. H), with a marker where the forecast starts.
 */
public final class ForecastChart {
    private ForecastChart() {}

    static final Color HISTORY = new Color(0x44, 0x44, 0x44);

    /**
     * @param truth      H values (null when unknown)
     * @param windowMse  the window's MSE for the subtitle (NaN to leave out)
     */
    public static JFreeChart of(double[] history, double[] truth, double[] prediction, String variate, int window,
                                double windowMse) {
        if (truth != null && truth.length != prediction.length)
            throw new IllegalArgumentException("truth has " + truth.length + " values, prediction " + prediction.length);
        int t = history.length;
        XYSeries hist = new XYSeries("history", false, true), gt = new XYSeries("ground truth", false, true),
                 pred = new XYSeries("prediction", false, true);
        for (int i = 0; i < t; i++) hist.add(i - t + 1, history[i], false);
        // Truth and prediction start at the last history point so the lines join the history.
        if (t > 0) {
            if (truth != null) gt.add(0, history[t - 1], false);
            pred.add(0, history[t - 1], false);
        }
        for (int i = 0; i < prediction.length; i++) {
            if (truth != null) gt.add(i + 1, truth[i], false);
            pred.add(i + 1, prediction[i], false);
        }
        XYSeriesCollection ds = new XYSeriesCollection();
        ds.addSeries(hist);
        ds.addSeries(gt);
        ds.addSeries(pred);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDrawSeriesLineAsPath(true);
        r.setSeriesPaint(0, HISTORY);
        r.setSeriesStroke(0, Theme.THIN_LINE);
        r.setSeriesPaint(1, Theme.color(0));
        r.setSeriesStroke(1, Theme.LINE);
        r.setSeriesPaint(2, Theme.color(3));
        r.setSeriesStroke(2, Theme.DASHED_THICK);
        NumberAxis x = new NumberAxis("time step (0 = last input)");
        x.setAutoRangeIncludesZero(false);
        x.setLowerMargin(0.01);
        x.setUpperMargin(0.01);
        NumberAxis y = new NumberAxis(variate);
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(ds, x, y, r);
        ValueMarker start = new ValueMarker(0.5, Color.GRAY, Theme.THIN_LINE);
        start.setLabel("forecast →");
        start.setLabelFont(Theme.ANNOTATION_FONT);
        start.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        start.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        start.setLabelBackgroundColor(Theme.withAlpha(Color.WHITE, 0.8));
        plot.addDomainMarker(start, Layer.BACKGROUND);
        JFreeChart chart = new JFreeChart("Forecast — " + variate, Theme.TITLE_FONT, plot, true);
        String sub = "window " + window + ", T = " + t + ", H = " + prediction.length
                     + (Double.isNaN(windowMse) ? "" : String.format(Locale.ROOT, ", window MSE = %.4g", windowMse));
        chart.addSubtitle(0, new TextTitle(sub));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return Theme.apply(chart);
    }

    /**
     * From a capture: probe window {@code b}'s input and forecast of variate {@code m} (standardised
     * units), with the H × M target of that window (row-major, may be null) for the ground truth
     * and the MSE over this variate.
     */
    public static JFreeChart of(ModelCapture cap, int b, int m, float[] target, String variate, int window) {
        int t = cap.config().seqLen(), h = cap.config().horizon(), vars = cap.config().variates();
        double[] hist = new double[t], pred = new double[h], truth = target == null ? null : new double[h];
        // input (B, T, M), forecast (B, H, M), target (H, M)
        for (int i = 0; i < t; i++) hist[i] = cap.input()[(b * t + i) * vars + m];
        double se = 0;
        for (int i = 0; i < h; i++) {
            pred[i] = cap.forecast()[(b * h + i) * vars + m];
            if (truth != null) {
                truth[i] = target[i * vars + m];
                se += (pred[i] - truth[i]) * (pred[i] - truth[i]);
            }
        }
        return of(hist, truth, pred, variate + " (standardised)", window, truth == null ? Double.NaN : se / h);
    }

    /**
     * One variate of a stored forecast window ({@code Introspector.forecasts},
     * {@code RunHistory.forecastsAt}); the subtitle gives the window's MSE over all variates in
     * standardised space (comparable with the run's metrics).
     */
    public static JFreeChart of(ForecastWindow w, int variate) {
        String name = w.variateNames().get(variate) + (w.originalUnits() ? "" : " (standardised)");
        JFreeChart c = of(w.history(variate), w.truth(variate), w.prediction(variate), name, w.window(), Double.NaN);
        ((TextTitle) c.getSubtitle(0)).setText("window " + w.window() + ", T = " + w.lookback() + ", H = " + w.horizon()
                                               + String.format(Locale.ROOT, ", window MSE = %.4g, MAE = %.4g", w.mse(), w.mae())
                                               + " (all variates, standardised)");
        return c;
    }
}
