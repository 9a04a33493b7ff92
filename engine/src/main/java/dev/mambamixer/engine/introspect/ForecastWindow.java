package dev.mambamixer.engine.introspect;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One window of a split: the look-back the model saw, the ground truth after it and the model's
 * forecast, each (time, variate) row-major. Values are in the data's original units when
 * {@code originalUnits}, else standardised; {@code mse}/{@code mae} are always in standardised
 * space (MODEL.md §6.2), so they compare with the run's metrics. {@code truth} is null when
 * unknown (a probe window whose future was not stored); mse and mae are then NaN.
 */
public record ForecastWindow(int window, int lookback, int horizon, int variates, List<String> variateNames,
                             float[] history, float[] truth, float[] prediction, boolean originalUnits,
                             double mse, double mae) {
    public ForecastWindow {
        variateNames = List.copyOf(variateNames);
        if (variateNames.size() != variates)
            throw new IllegalArgumentException(variateNames.size() + " variate names for " + variates + " variates");
        if (history.length != lookback * variates || (truth != null && truth.length != horizon * variates)
            || prediction.length != horizon * variates)
            throw new IllegalArgumentException("window arrays do not match T=" + lookback + ", H=" + horizon + ", M="
                                               + variates);
    }

    /** A window in standardised units; its MSE and MAE computed from the truth and the prediction. */
    static ForecastWindow standardised(int window, int t, int h, int m, List<String> names, float[] history,
                                       float[] truth, float[] prediction) {
        double se = 0, ae = 0;
        for (int i = 0; i < prediction.length; i++) {
            double d = (double) prediction[i] - truth[i];
            se += d * d;
            ae += Math.abs(d);
        }
        int n = prediction.length;
        return new ForecastWindow(window, t, h, m, names, history, truth, prediction, false, se / n, ae / n);
    }

    /** The same window in the data's original units (the metrics stay in standardised space). */
    ForecastWindow inOriginalUnits(dev.mambamixer.engine.data.StandardScaler scaler) {
        return new ForecastWindow(window, lookback, horizon, variates, variateNames, scaler.inverseTransform(history),
                                  truth == null ? null : scaler.inverseTransform(truth), scaler.inverseTransform(prediction), true, mse, mae);
    }

    /** History of one variate, length T. */
    public double[] history(int variate) { return column(history, lookback, variate); }

    /** Ground truth of one variate, length H; null when the truth is unknown. */
    public double[] truth(int variate) { return truth == null ? null : column(truth, horizon, variate); }

    /** Forecast of one variate, length H. */
    public double[] prediction(int variate) { return column(prediction, horizon, variate); }

    private double[] column(float[] a, int rows, int v) {
        Objects.checkIndex(v, variates);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) out[r] = a[r * variates + v];
        return out;
    }

    @Override public boolean equals(Object o) {
        return o instanceof ForecastWindow w && window == w.window && lookback == w.lookback && horizon == w.horizon
               && variates == w.variates && variateNames.equals(w.variateNames) && Arrays.equals(history, w.history)
               && Arrays.equals(truth, w.truth) && Arrays.equals(prediction, w.prediction)
               && originalUnits == w.originalUnits && Double.compare(mse, w.mse) == 0 && Double.compare(mae, w.mae) == 0;
    }

    @Override public int hashCode() { return Objects.hash(window, lookback, horizon, variates, Arrays.hashCode(prediction)); }

    @Override public String toString() {
        return String.format(java.util.Locale.ROOT, "ForecastWindow[window %d, T=%d, H=%d, M=%d, MSE %.4f, MAE %.4f%s]",
                             window, lookback, horizon, variates, mse, mae, originalUnits ? ", original units" : "");
    }
}
