package dev.mambamixer.engine.introspect;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One mixer of the stack on the probe batch: its scan directions (one for a unidirectional
 * token mixer, forward + backward for a bidirectional one, e.g. every channel mixer, MODEL.md §4.4,
 * §5.2) and the per-position norm of its output.
 *
 * <p>Coordinates are the scan's: sequence index {@code seq} in [0, S) and position in [0, L).
 * {@link #sequenceAxes()} / {@link #sequenceShape()} say what a sequence is (for TSM2 I1's time
 * mixer: (batch, variate), seq = batch·M + variate, positions = patches; for its variate mixer:
 * (batch, patch), positions = variates), and {@link #positionAxis()} what a position is.
 *
 * <p>{@code outputNorm} (S, L): ‖yₜ‖₂ over the F features of the mixer output
 * y = x + branch (MODEL.md §5.4, the value the weighted averages read), in scan coordinates.
 */
public final class MixerCapture {
    private final String name, positionAxis;
    private final MixerKind kind;
    private final int block, s, l, f;
    private final List<String> sequenceAxes;
    private final int[] sequenceShape;
    private final List<ScanCapture> directions;
    private final float[] outputNorm;

    public MixerCapture(String name, MixerKind kind, int block, int s, int l, int f, List<String> sequenceAxes,
                        int[] sequenceShape, String positionAxis, List<ScanCapture> directions, float[] outputNorm) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        if (block < 0) throw new IllegalArgumentException(name + ": block " + block + " < 0");
        this.block = block;
        this.s = s;
        this.l = l;
        this.f = f;
        this.sequenceAxes = List.copyOf(sequenceAxes);
        this.sequenceShape = sequenceShape.clone();
        this.positionAxis = Objects.requireNonNull(positionAxis, "positionAxis");
        this.directions = List.copyOf(directions);
        this.outputNorm = outputNorm;
        long prod = 1;
        for (int v : sequenceShape) prod *= v;
        if (prod != s || sequenceAxes.size() != sequenceShape.length)
            throw new IllegalArgumentException(name + ": sequence axes " + sequenceAxes + " " + Arrays.toString(sequenceShape)
                                               + " do not make S=" + s);
        if (outputNorm.length != s * l)
            throw new IllegalArgumentException(name + ": outputNorm has " + outputNorm.length + " values, expected S*L="
                                               + s * l);
        for (ScanCapture d : directions)
            if (d.s() != s || d.l() != l)
                throw new IllegalArgumentException(name + ": direction " + d.direction() + " has S,L=" + d.s() + ","
                                                   + d.l() + ", expected " + s + "," + l);
    }

    /** The direction named "forward" or "backward". */
    public ScanCapture direction(String which) { return direction(ScanDirection.of(which)); }

    /** The forward or backward scan. */
    public ScanCapture direction(ScanDirection which) {
        for (ScanCapture d : directions) if (d.direction() == which) return d;
        throw new IllegalArgumentException(name + " has no '" + which + "' direction (it has "
                                           + directions.stream().map(ScanCapture::direction).toList() + ")");
    }

    public boolean bidirectional() { return directions.size() > 1; }

    /**
     * Sum over directions of each direction's mean |α| over channels ({@link ScanCapture#meanAbsAttention}),
     * L × L in original positions: for a bidirectional mixer the lower triangle is the forward
     * scan, the upper the backward scan, and the diagonal both.
     */
    public float[][] meanAbsAttention(int seq) {
        float[][] sum = new float[l][l];
        for (ScanCapture d : directions) {
            float[][] m = d.meanAbsAttention(seq);
            for (int t = 0; t < l; t++) for (int q = 0; q < l; q++) sum[t][q] += m[t][q];
        }
        return sum;
    }

    /** Flat sequence index from per-axis indices, e.g. {@code seq(batch, variate)}. */
    public int seq(int... index) {
        if (index.length != sequenceShape.length)
            throw new IllegalArgumentException(name + ": expected " + sequenceShape.length + " indices " + sequenceAxes);
        int q = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= sequenceShape[i])
                throw new IndexOutOfBoundsException(sequenceAxes.get(i) + " index " + index[i] + " outside [0, "
                                                    + sequenceShape[i] + ")");
            q = q * sequenceShape[i] + index[i];
        }
        return q;
    }

    /** Parameter prefix, e.g. {@code blocks.0.time}. */
    public String name() { return name; }
    /** Time or token (token mixers), variate or channel (channel mixers). */
    public MixerKind kind() { return kind; }
    /** True for a token mixer (time, token). */
    public boolean tokenMixer() { return kind.tokenMixer(); }
    /** The block this mixer belongs to, 0-based ({@code blocks.<block>.time}). */
    public int block() { return block; }
    public int s() { return s; }
    public int l() { return l; }
    /** Feature width F of the unit. */
    public int f() { return f; }
    public List<String> sequenceAxes() { return sequenceAxes; }
    public int[] sequenceShape() { return sequenceShape.clone(); }
    public String positionAxis() { return positionAxis; }
    public List<ScanCapture> directions() { return directions; }
    public float[] outputNorm() { return outputNorm; }

    @Override public boolean equals(Object o) {
        return o instanceof MixerCapture x && name.equals(x.name) && kind == x.kind && block == x.block && s == x.s && l == x.l
               && f == x.f && sequenceAxes.equals(x.sequenceAxes) && Arrays.equals(sequenceShape, x.sequenceShape)
               && positionAxis.equals(x.positionAxis) && directions.equals(x.directions)
               && Arrays.equals(outputNorm, x.outputNorm);
    }

    @Override public int hashCode() { return Objects.hash(name, kind, s, l, f, directions); }

    @Override public String toString() { return "MixerCapture[" + name + " (" + kind + "), " + directions.size() + " direction(s)]"; }
}
