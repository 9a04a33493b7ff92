package dev.mambamixer.engine.introspect;

/**
 * The direction of one selective scan of a mixer (MODEL.md §4.4): forward over the sequence, or
 * backward over the flipped sequence (the second scan of a bidirectional unit).
 */
public enum ScanDirection {
    FORWARD("forward"), BACKWARD("backward");

    private final String label;

    ScanDirection(String label) { this.label = label; }

    /** "forward" or "backward" (the word in names, titles and capture files). */
    public String label() { return label; }

    /** True for the backward scan (it reads the flipped sequence; α is upper-triangular). */
    public boolean reversed() { return this == BACKWARD; }

    /** The direction named by {@link #label()}. */
    public static ScanDirection of(String label) {
        for (ScanDirection d : values()) if (d.label.equalsIgnoreCase(label)) return d;
        throw new IllegalArgumentException("unknown scan direction '" + label + "' (expected forward or backward)");
    }

    @Override public String toString() { return label; }
}
