package dev.mambamixer.charts;

import java.util.Locale;

/**
 * How a heatmap maps values to colours, so that what looks different is different: linear over
 * the values' range; log₁₀ of |value| for maps where one cell dwarfs the rest (implicit attention
 * of induction heads); or each row divided by its largest |value|, to compare where each row
 * (channel, variate) selects rather than how strongly.
 */
public enum ColourScale {
    LINEAR("linear"), LOG("log₁₀"), ROWS("per row (÷ max)");

    public final String label;

    ColourScale(String label) { this.label = label; }

    @Override public String toString() { return label; }

    /** The values to colour: a copy of {@code z} transformed (LOG: 0 and NaN become NaN, i.e. blank). */
    public float[][] apply(float[][] z) {
        float[][] out = new float[z.length][];
        for (int r = 0; r < z.length; r++) {
            float[] row = z[r].clone();
            switch (this) {
                case LINEAR -> { }
                case LOG -> {
                    for (int c = 0; c < row.length; c++) row[c] = row[c] == 0 ? Float.NaN : (float) Math.log10(Math.abs(row[c]));
                }
                case ROWS -> {
                    float max = 0;
                    for (float v : row) if (Float.isFinite(v)) max = Math.max(max, Math.abs(v));
                    for (int c = 0; c < row.length; c++) row[c] = max > 0 ? row[c] / max : row[c] == 0 ? 0 : Float.NaN;
                }
            }
            out[r] = row;
        }
        return out;
    }

    /** The colour legend's title for values called {@code valueLabel}: "log₁₀ mean |α|", "Δ ÷ row max". */
    public String valueLabel(String valueLabel) {
        return switch (this) {
            case LINEAR -> valueLabel;
            case LOG -> "log₁₀ " + (valueLabel.startsWith("|") || valueLabel.contains("|") ? valueLabel : "|" + valueLabel + "|");
            case ROWS -> valueLabel + " ÷ row max";
        };
    }

    /** "0.0210–0.0220" with enough digits that the two ends differ. */
    static String range(double lower, double upper) {
        double span = Math.abs(upper - lower), big = Math.max(Math.abs(lower), Math.abs(upper));
        int digits = span > 0 ? Math.max(2, (int) Math.ceil(Math.log10(big / span)) + 1) : 3;
        String f = "%." + Math.min(digits, 8) + "g";
        return String.format(Locale.ROOT, f, lower) + "–" + String.format(Locale.ROOT, f, upper);
    }
}
