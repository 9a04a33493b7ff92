package dev.mambamixer.engine.data.teaching;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Selective copying (Mamba paper §4.1.1, Fig. 2): K data tokens sit at random positions of a
 * memory region filled with a noise token; a delimiter follows, then K "output" cue positions at
 * which the model must emit the K data tokens in their order of appearance. Because the data
 * positions vary, a time-invariant model (fixed convolution) cannot solve it; a selective model
 * must let the data in (large Δ) and ignore the noise (small Δ).
 *
 * <p>Layout for length L: positions [0, L-K-1) memory region, L-K-1 delimiter, [L-K, L) outputs.
 * Tokens: 0 noise, 1 delimiter, 2 output cue, 3..V-1 data (V-3 data symbols, drawn with
 * repetition). Marks: "data", "noise", "delimiter", "output".
 */
public final class SelectiveCopying implements TeachingTask {
    public static final String NAME = "selective-copy";
    public static final int NOISE = 0, DELIMITER = 1, OUTPUT = 2, FIRST_DATA = 3;

    private final int length, vocab, k, memory;

    /**
     * @param length L, at least 2K + 1 (the memory region must hold the K data tokens)
     * @param vocab  V, at least 4 (three special tokens and at least one data symbol)
     * @param k      K, number of tokens to copy
     */
    public SelectiveCopying(int length, int vocab, int k) {
        if (k <= 0) throw new IllegalArgumentException("tokens to copy: must be positive, got " + k);
        if (vocab < FIRST_DATA + 1)
            throw new IllegalArgumentException("vocab: selective copying needs at least 4 tokens (noise, delimiter, "
                                               + "output cue, data), got " + vocab);
        if (length < 2 * k + 1)
            throw new IllegalArgumentException("length: " + length + " is too short for " + k
                                               + " tokens to copy (needs at least 2K+1 = " + (2 * k + 1) + ")");
        this.length = length;
        this.vocab = vocab;
        this.k = k;
        this.memory = length - k - 1;
    }

    @Override public String name() { return NAME; }
    @Override public int vocab() { return vocab; }
    @Override public int length() { return length; }
    public int tokensToCopy() { return k; }
    /** Length of the memory region (where data and noise live). */
    public int memoryLength() { return memory; }

    @Override public SequenceExample sample(SplittableRandom rng) {
        int[] tokens = new int[length], targets = new int[length];
        java.util.Arrays.fill(targets, SequenceExample.IGNORE);
        // K distinct positions of the memory region, in increasing order (selection sampling)
        int[] data = new int[k];
        int chosen = 0;
        for (int t = 0; t < memory && chosen < k; t++)
            if (rng.nextInt(memory - t) < k - chosen) data[chosen++] = t;
        int[] noise = new int[memory - k];
        int ni = 0, di = 0;
        for (int t = 0; t < memory; t++) {
            if (di < k && data[di] == t) {
                tokens[t] = FIRST_DATA + rng.nextInt(vocab - FIRST_DATA);
                di++;
            } else {
                tokens[t] = NOISE;
                noise[ni++] = t;
            }
        }
        tokens[memory] = DELIMITER;
        int[] output = new int[k];
        for (int j = 0; j < k; j++) {
            int t = memory + 1 + j;
            tokens[t] = OUTPUT;
            targets[t] = tokens[data[j]];   // the j-th data token, in order
            output[j] = t;
        }
        return new SequenceExample(tokens, targets, List.of(new Mark("data", data), new Mark("noise", noise),
                                                            new Mark("delimiter", new int[] {memory}),
                                                            new Mark("output", output)));
    }

    @Override public String tokenName(int token) {
        return switch (token) {
            case NOISE -> ".";
            case DELIMITER -> "|";
            case OUTPUT -> "?";
            default -> Integer.toString(token - FIRST_DATA);
        };
    }
}
