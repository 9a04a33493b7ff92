package dev.mambamixer.engine.introspect;

/**
 * A captured scan quantity of {@link ScanCapture} (MODEL.md §3.2). Δ and gate are per inner
 * channel e, B and C per state index n; retention and state norm have one value per position.
 * The one vocabulary for charts, notebooks and the workbench.
 */
public enum ScanQuantity {
    DELTA("Δ", "step size Δ", "Δ (step size)"),
    B("B", "input matrix B", "B (input selection)"),
    C("C", "output matrix C", "C (output selection)"),
    GATE("gate", "gate SiLU(z)", "gate SiLU(z)"),
    /** Per position only: shown for every sequence of the mixer (rows = sequences). */
    RETENTION("kept", "retention mean exp(ΔA)", "retention exp(ΔA)"),
    /** Per position only: shown for every sequence of the mixer (rows = sequences). */
    STATE_NORM("‖h‖", "state norm ‖h‖", "state norm ‖h‖");

    /** Short symbol (legend title). */
    public final String symbol;
    /** Words for titles. */
    public final String description;
    /** Words for a picker. */
    public final String label;

    ScanQuantity(String symbol, String description, String label) {
        this.symbol = symbol;
        this.description = description;
        this.label = label;
    }

    /** True for the (S, L) quantities that have one value per position. */
    public boolean perPosition() { return this == RETENTION || this == STATE_NORM; }

    /** Number of rows of {@link ScanCapture#matrix}: E (Δ, gate), N (B, C) or S (per-position quantities). */
    public int rows(ScanCapture sc) {
        return switch (this) {
            case DELTA, GATE -> sc.e();
            case B, C -> sc.n();
            case RETENTION, STATE_NORM -> sc.s();
        };
    }

    @Override public String toString() { return label; }
}
