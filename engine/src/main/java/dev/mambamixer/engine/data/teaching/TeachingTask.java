package dev.mambamixer.engine.data.teaching;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic token-sequence task from the Mamba paper (§4.1.1 of Gu & Dao 2023) used to show
 * that selection works: every example has a fixed length and vocabulary, a target at some
 * positions, and its special positions recorded as {@link Mark}s. Deterministic in the random
 * stream: the same seed gives the same examples.
 */
public interface TeachingTask {
    /** Short name used on the command line, e.g. {@code selective-copy}. */
    String name();

    /** Vocabulary size V (token ids 0..V-1, special tokens included). */
    int vocab();

    /** Sequence length L. */
    int length();

    /** One example drawn from {@code rng}. */
    SequenceExample sample(SplittableRandom rng);

    /** Human-readable token (for printing an example). */
    String tokenName(int token);

    /** {@code n} examples from a stream seeded with {@code seed}. */
    default List<SequenceExample> examples(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<SequenceExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(sample(rng));
        return out;
    }

    /** Creates a task by its command-line name. */
    static TeachingTask create(String name, int length, int vocab, int tokensToCopy) {
        return switch (name) {
            case SelectiveCopying.NAME -> new SelectiveCopying(length, vocab, tokensToCopy);
            case InductionHeads.NAME -> new InductionHeads(length, vocab);
            default -> throw new IllegalArgumentException("task: unknown value '" + name + "' (expected "
                                                          + SelectiveCopying.NAME + " or " + InductionHeads.NAME + ")");
        };
    }
}
