package dev.mambamixer.engine.data.vision;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Splits a labelled set into two parts with the same class proportions, deterministically from a
 * seed, because image sets without an official split (the MNIST test set alone, digits, an image
 * folder) need a held-out part whose class balance matches training and that every run and every
 * machine reproduces. Rule: the first part has exactly {@code round(fraction * N)} images; class k
 * gets {@code floor(fraction * count_k)} plus one more for the classes with the largest fractional
 * remainders (ties: lower class first) until the total is reached, so every class is within one
 * image of its exact share. Indices of each class (ascending) are shuffled with one
 * {@link SplittableRandom}{@code (seed)}, class 0 first, and the first part takes the first ones.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {}

    /** Returns {first, second}, each sorted ascending, disjoint, together covering 0..N-1. */
    public static int[][] split(int[] labels, int classes, double firstFraction, long seed) {
        if (!(firstFraction >= 0 && firstFraction <= 1))
            throw new IllegalArgumentException("firstFraction must be in [0, 1], got " + firstFraction);
        int n = labels.length;
        int[] counts = new int[classes];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes)
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside 0.." + (classes - 1));
            counts[labels[i]]++;
        }
        int[] take = perClassCounts(counts, n, firstFraction);
        int[][] byClass = new int[classes][];
        for (int k = 0; k < classes; k++) byClass[k] = new int[counts[k]];
        int[] fill = new int[classes];
        for (int i = 0; i < n; i++) byClass[labels[i]][fill[labels[i]]++] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        int total = (int) Math.round(firstFraction * n);
        int[] first = new int[total], second = new int[n - total];
        int a = 0, b = 0;
        for (int k = 0; k < classes; k++) {
            int[] idx = byClass[k];
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i]; idx[i] = idx[j]; idx[j] = t;
            }
            for (int i = 0; i < idx.length; i++) {
                if (i < take[k]) first[a++] = idx[i]; else second[b++] = idx[i];
            }
        }
        Arrays.sort(first);
        Arrays.sort(second);
        return new int[][] {first, second};
    }

    /** Largest-remainder allocation of round(fraction * n) over the classes. */
    static int[] perClassCounts(int[] counts, int n, double fraction) {
        int total = (int) Math.round(fraction * n);
        int k = counts.length;
        int[] take = new int[k];
        double[] rem = new double[k];
        int sum = 0;
        for (int c = 0; c < k; c++) {
            double exact = fraction * counts[c];
            take[c] = (int) Math.floor(exact);
            rem[c] = exact - take[c];
            sum += take[c];
        }
        while (sum < total) {
            int best = -1;
            for (int c = 0; c < k; c++) {
                if (take[c] < counts[c] && (best < 0 || rem[c] > rem[best])) best = c;
            }
            take[best]++;
            rem[best] = -1; // at most one extra per class
            sum++;
        }
        return take;
    }
}
