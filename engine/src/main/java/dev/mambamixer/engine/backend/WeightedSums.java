package dev.mambamixer.engine.backend;

/** Host arithmetic of weighted averaging (MODEL.md §5.3): the backends' default path and the weights shown by introspection. */
public final class WeightedSums {
    private WeightedSums() {}

    /** The effective weights: raw itself, or softmax(raw) (max-shifted, in double). */
    public static double[] effective(double[] raw, boolean softmax) {
        if (!softmax) return raw;
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : raw) max = Math.max(max, v);
        for (int i = 0; i < raw.length; i++) { raw[i] = Math.exp(raw[i] - max); sum += raw[i]; }
        for (int i = 0; i < raw.length; i++) raw[i] /= sum;
        return raw;
    }

    /** g += dL/draw given gw_j = dL/dw_j: gw itself, or the softmax chain w_j (gw_j - sum_i w_i gw_i). */
    static void addRawGradient(double[] w, double[] gw, boolean softmax, double[] g) {
        if (softmax) {
            double mean = 0;
            for (int j = 0; j < w.length; j++) mean += w[j] * gw[j];
            for (int j = 0; j < w.length; j++) g[j] += w[j] * (gw[j] - mean);
        } else {
            for (int j = 0; j < w.length; j++) g[j] += gw[j];
        }
    }
}
