package dev.mambamixer.engine.introspect;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The weighted-averaging coefficients of a stack (MODEL.md §5.3) as a target × source matrix.
 * Rows: the K mixers (targets m₁..m_K, in stack order). Columns: the K+1 sources in
 * {@code WeightedAverage}'s index order: column 0 = x as y_T^(0), column 1 = x as y_C^(0),
 * column j ≥ 2 = out(m_{j−1}). Mixer i (1-based) reads columns 0..i; the remaining entries are
 * NaN ({@link #connected}). Values are the effective weights used in the forward pass
 * (softmax already applied in SOFTMAX mode).
 *
 * <p>For TSM2's interleaved stack (T₁, C₁, T₂, C₂, ...) column j is y_T^(j/2) for even j and
 * y_C^((j−1)/2) for odd j, row 2ℓ−2 (0-based) is token mixer ℓ (α on y_T, β on y_C) and row
 * 2ℓ−1 channel mixer ℓ (θ on y_T, γ on y_C); {@link #symbol} spells these out.
 */
public final class AveragingMatrix {
    private final List<String> targets, sources;
    private final String mode;
    private final float[] weights;   // (K, K+1)

    public AveragingMatrix(List<String> targets, List<String> sources, String mode, float[] weights) {
        this.targets = List.copyOf(targets);
        this.sources = List.copyOf(sources);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.weights = weights;
        if (sources.size() != targets.size() + 1)
            throw new IllegalArgumentException("averaging: " + targets.size() + " targets need " + (targets.size() + 1)
                                               + " sources, got " + sources.size());
        if (weights.length != targets.size() * sources.size())
            throw new IllegalArgumentException("averaging: weights has " + weights.length + " values, expected "
                                               + targets.size() + "x" + sources.size());
    }

    /** Builds the matrix from each target's effective weights (row i has i+2 entries, 0-based). */
    public static AveragingMatrix of(List<String> mixerNames, String mode, List<double[]> rows) {
        int k = mixerNames.size();
        List<String> src = new java.util.ArrayList<>(List.of("x (y_T^(0))", "x (y_C^(0))"));
        src.addAll(mixerNames.subList(0, Math.max(0, k - 1)));   // the last mixer's output feeds no average
        float[] w = new float[k * (k + 1)];
        Arrays.fill(w, Float.NaN);
        for (int i = 0; i < k; i++) {
            double[] r = rows.get(i);
            if (r.length != i + 2)
                throw new IllegalArgumentException("averaging: target " + mixerNames.get(i) + " has " + r.length
                                                   + " weights, expected " + (i + 2));
            for (int j = 0; j < r.length; j++) w[i * (k + 1) + j] = (float) r[j];
        }
        return new AveragingMatrix(mixerNames, src, mode, w);
    }

    public int targetCount() { return targets.size(); }
    public int sourceCount() { return sources.size(); }
    public List<String> targets() { return targets; }
    public List<String> sources() { return sources; }
    /** identity / uniform / softmax (MODEL.md §5.3, §9 A6). */
    public String mode() { return mode; }
    /** Row-major (K, K+1) weights, NaN where not connected (not copied). */
    public float[] weights() { return weights; }

    public boolean connected(int target, int source) { return source <= target + 1; }

    public float weight(int target, int source) { return weights[target * sources.size() + source]; }

    /** The matrix as rows (copies). */
    public float[][] rows() {
        float[][] m = new float[targets.size()][];
        for (int i = 0; i < m.length; i++) m[i] = Arrays.copyOfRange(weights, i * sources.size(), (i + 1) * sources.size());
        return m;
    }

    /** The paper's symbol for an entry of a TSM2 stack, e.g. α_{1,0}, γ_{2,1}; "" if not connected. */
    public String symbol(int target, int source) {
        if (!connected(target, source)) return "";
        int layer = target / 2 + 1;
        boolean token = target % 2 == 0, fromToken = source % 2 == 0;
        int i = fromToken ? source / 2 : (source - 1) / 2;
        String sym = token ? (fromToken ? "α" : "β") : (fromToken ? "θ" : "γ");
        return sym + "_{" + layer + "," + i + "}";
    }

    @Override public boolean equals(Object o) {
        return o instanceof AveragingMatrix x && targets.equals(x.targets) && sources.equals(x.sources)
               && mode.equals(x.mode) && Arrays.equals(weights, x.weights);
    }

    @Override public int hashCode() { return Objects.hash(targets, mode, Arrays.hashCode(weights)); }

    @Override public String toString() { return "AveragingMatrix[" + targets.size() + " targets, " + mode + "]"; }
}
