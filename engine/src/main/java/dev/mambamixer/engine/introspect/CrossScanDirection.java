package dev.mambamixer.engine.introspect;

/**
 * The four scan directions of ViM2's SS2D token mixer (MODEL.md §7.3, §9 A12, VMamba's cross-scan),
 * in {@code Ss2dMixer.scan(dir)} order. Over an H × W token grid, token (i, j) (row i, column j)
 * sits at row-major position p = i·W + j; each direction reads the tokens in its own order:
 * <ul>
 *   <li>{@link #ROW_MAJOR} (0): scan step τ = i·W + j;</li>
 *   <li>{@link #COLUMN_MAJOR} (1): τ = j·H + i;</li>
 *   <li>{@link #ROW_MAJOR_REVERSED} (2): τ = H·W − 1 − (i·W + j);</li>
 *   <li>{@link #COLUMN_MAJOR_REVERSED} (3): τ = H·W − 1 − (j·H + i).</li>
 * </ul>
 * Introspection always stores positions in row-major image order; {@link #scanOrder} is the
 * permutation that says which of them each scan step read.
 */
public enum CrossScanDirection {
    ROW_MAJOR("row-major", false, false),
    COLUMN_MAJOR("column-major", true, false),
    ROW_MAJOR_REVERSED("row-major reversed", false, true),
    COLUMN_MAJOR_REVERSED("column-major reversed", true, true);

    private final String label;
    private final boolean columnMajor, reversed;

    CrossScanDirection(String label, boolean columnMajor, boolean reversed) {
        this.label = label;
        this.columnMajor = columnMajor;
        this.reversed = reversed;
    }

    /** The index of {@code Ss2dMixer.scan(dir)} (0..3). */
    public int index() { return ordinal(); }

    /** The direction of {@code Ss2dMixer.scan(index)}. */
    public static CrossScanDirection of(int index) {
        if (index < 0 || index >= values().length)
            throw new IllegalArgumentException("cross-scan direction " + index + " outside 0..3");
        return values()[index];
    }

    /** The direction named by {@link #label()} (case-insensitive). */
    public static CrossScanDirection of(String label) {
        for (CrossScanDirection d : values()) if (d.label.equalsIgnoreCase(label)) return d;
        throw new IllegalArgumentException("unknown cross-scan direction '" + label
                                           + "' (expected row-major, column-major, row-major reversed or column-major reversed)");
    }

    /** "row-major", "column-major", "row-major reversed", "column-major reversed" (Ss2dMixer's words). */
    public String label() { return label; }

    /** True for the column-major directions (1 and 3). */
    public boolean columnMajor() { return columnMajor; }

    /** True for the reversed directions (2 and 3): the scan runs against its base order. */
    public boolean reversed() { return reversed; }

    /** Along or against the base (row- or column-major) order, as a 1-D {@link ScanDirection}. */
    public ScanDirection alongBaseOrder() { return reversed ? ScanDirection.BACKWARD : ScanDirection.FORWARD; }

    /** The scan step τ at which this direction reads token (i, j) of an h × w grid. */
    public int scanStep(int i, int j, int h, int w) {
        if (i < 0 || i >= h || j < 0 || j >= w)
            throw new IndexOutOfBoundsException("token (" + i + ", " + j + ") outside the " + h + "x" + w + " grid");
        int base = columnMajor ? j * h + i : i * w + j;
        return reversed ? h * w - 1 - base : base;
    }

    /**
     * The scan order over an h × w grid: {@code order[τ]} is the row-major position i·W + j of the
     * token read at scan step τ (the inverse of {@link #scanStep}).
     */
    public int[] scanOrder(int h, int w) {
        if (h <= 0 || w <= 0) throw new IllegalArgumentException("grid " + h + "x" + w + " is empty");
        int l = h * w;
        int[] order = new int[l];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) order[scanStep(i, j, h, w)] = i * w + j;
        return order;
    }

    @Override public String toString() { return label; }
}
