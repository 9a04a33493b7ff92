package dev.mambamixer.engine.data.teaching;

import java.util.Objects;

/**
 * A named set of special positions of one example (the tokens to remember, a trigger, the
 * positions where the answer is due), recorded by the generator so that every plot can mark them
 * and tests can average a quantity over them.
 */
public record Mark(String role, int[] positions) {
    public Mark {
        Objects.requireNonNull(role, "role");
        positions = positions.clone();
    }

    @Override public int[] positions() { return positions.clone(); }

    public int count() { return positions.length; }

    public boolean contains(int t) {
        for (int p : positions) if (p == t) return true;
        return false;
    }
}
