package dev.mambamixer.charts;

/**
 * TensorBoard's debiased exponential moving average (the "smoothing" slider of its scalar
 * dashboard): {@code last = last·w + (1−w)·yᵢ}, {@code smoothedᵢ = last / (1 − w^k)} where k counts
 * the finite values seen so far. The debiasing removes the pull towards the zero start, so the
 * first smoothed value equals the first raw value. Non-finite values (NaN, ±∞) are passed through
 * unchanged and do not enter the average, as TensorBoard does.
 */
public final class Ema {
    private final double weight;
    private double last;
    private int count;

    /** @param weight smoothing weight in [0, 1); 0 returns the raw values. */
    public Ema(double weight) {
        checkWeight(weight);
        this.weight = weight;
    }

    /** Smoothed values of {@code y} (same length). */
    public static double[] debiased(double[] y, double weight) {
        Ema ema = new Ema(weight);
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) out[i] = ema.next(y[i]);
        return out;
    }

    /** Feeds the next raw value and returns its smoothed value (streaming form for live charts). */
    public double next(double y) {
        if (!Double.isFinite(y)) return y;
        last = last * weight + (1 - weight) * y;
        count++;
        double debias = 1 - Math.pow(weight, count);
        return debias == 0 ? y : last / debias;
    }

    public double weight() { return weight; }

    /** Forgets everything fed so far. */
    public void reset() {
        last = 0;
        count = 0;
    }

    static void checkWeight(double weight) {
        if (!(weight >= 0 && weight < 1))
            throw new IllegalArgumentException("smoothing weight must be in [0, 1), got " + weight);
    }
}
