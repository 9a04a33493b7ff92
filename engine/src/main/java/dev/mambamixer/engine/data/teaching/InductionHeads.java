package dev.mambamixer.engine.data.teaching;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Induction heads (Mamba paper §4.1.1, after Olsson et al. 2022): random tokens, a special
 * trigger token appears once somewhere in the sequence followed by a key token; the last
 * position holds the trigger again and the model must emit the key there (associative recall of
 * "what came after the trigger last time").
 *
 * <p>Tokens: 0 trigger, 1..V-1 content (keys and filler are both content, drawn uniformly).
 * The first trigger sits at a uniform position in [0, L-3], so the key is never the last position.
 * Marks: "trigger" (first occurrence), "key", "query" (the final trigger, where the target is).
 */
public final class InductionHeads implements TeachingTask {
    public static final String NAME = "induction";
    public static final int TRIGGER = 0;

    private final int length, vocab;

    /**
     * @param length L, at least 4
     * @param vocab  V, at least 3 (the trigger and at least two content tokens)
     */
    public InductionHeads(int length, int vocab) {
        if (length < 4) throw new IllegalArgumentException("length: induction heads needs at least 4, got " + length);
        if (vocab < 3)
            throw new IllegalArgumentException("vocab: induction heads needs at least 3 tokens (trigger and two "
                                               + "content tokens), got " + vocab);
        this.length = length;
        this.vocab = vocab;
    }

    @Override public String name() { return NAME; }
    @Override public int vocab() { return vocab; }
    @Override public int length() { return length; }

    @Override public SequenceExample sample(SplittableRandom rng) {
        int[] tokens = new int[length], targets = new int[length];
        java.util.Arrays.fill(targets, SequenceExample.IGNORE);
        for (int t = 0; t < length; t++) tokens[t] = 1 + rng.nextInt(vocab - 1);   // content only
        int p = rng.nextInt(length - 2);                                            // trigger in [0, L-3]
        int key = tokens[p + 1];
        tokens[p] = TRIGGER;
        tokens[length - 1] = TRIGGER;
        targets[length - 1] = key;
        return new SequenceExample(tokens, targets, List.of(new Mark("trigger", new int[] {p}),
                                                            new Mark("key", new int[] {p + 1}),
                                                            new Mark("query", new int[] {length - 1})));
    }

    @Override public String tokenName(int token) {
        return token == TRIGGER ? "T" : Integer.toString(token);
    }
}
