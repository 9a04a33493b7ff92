package dev.mambamixer.engine.data.teaching;

import java.util.List;

/**
 * One token sequence of a teaching task. {@code targets[t]} is the token the model must emit at
 * position t, or {@link #IGNORE} where nothing is asked (the loss and accuracy skip those).
 * {@code marks} hold the special positions by role (e.g. "data", "noise", "trigger", "key").
 */
public record SequenceExample(int[] tokens, int[] targets, List<Mark> marks) {
    public static final int IGNORE = -1;

    public SequenceExample {
        if (tokens.length != targets.length)
            throw new IllegalArgumentException("tokens (" + tokens.length + ") and targets (" + targets.length
                                               + ") differ in length");
        tokens = tokens.clone();
        targets = targets.clone();
        marks = List.copyOf(marks);
    }

    @Override public int[] tokens() { return tokens.clone(); }
    @Override public int[] targets() { return targets.clone(); }

    public int length() { return tokens.length; }

    /** Positions of one role; empty when the example has no such mark. */
    public int[] positions(String role) {
        for (Mark m : marks) if (m.role().equals(role)) return m.positions();
        return new int[0];
    }

    /** Role of position t (the first mark that contains it), or null when no mark does. */
    public String roleAt(int t) {
        for (Mark m : marks) if (m.contains(t)) return m.role();
        return null;
    }

    public int targetCount() {
        int n = 0;
        for (int y : targets) if (y != IGNORE) n++;
        return n;
    }

    /** Copies tokens and targets into flat (B, L) batch arrays at row {@code row}. */
    public void copyInto(int[] tokenRows, int[] targetRows, int row) {
        System.arraycopy(tokens, 0, tokenRows, row * tokens.length, tokens.length);
        System.arraycopy(targets, 0, targetRows, row * targets.length, targets.length);
    }
}
