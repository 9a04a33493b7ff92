package dev.mambamixer.engine.data;

import java.util.Objects;

/**
 * Train/val/test row ranges of a series of {@code totalRows} rows for look-back {@code seqLen}
 * (MODEL.md §6.2). The {@code boundary} of each range is where its <i>targets</i> start; val and test
 * begin {@code seqLen} rows earlier so that their first window has a full look-back (their
 * ranges overlap the previous split by {@code seqLen} rows). For the ETT rules the rows after the
 * test range are unused, exactly as in the reference loaders.
 *
 * @param rule      the rule that produced these ranges
 * @param totalRows number of data rows in the series
 * @param seqLen    look-back T used for the val/test back-off
 * @param train     rows [0, trainEnd); the scaler is fitted on these rows only
 * @param val       rows [trainEnd - T, valEnd)
 * @param test      rows [valEnd - T, testEnd)
 */
public record Splits(SplitRule rule, int totalRows, int seqLen, Range train, Range val, Range test) {

    /**
     * One split: rows {@code [start, end)} of the series; targets start at {@code boundary}
     * ({@code boundary - start} is 0 for train and T for val/test).
     */
    public record Range(String name, int start, int end, int boundary) {
        public int rows() { return end - start; }
    }

    private static final int ETT_MONTH_HOURS = 30 * 24;

    /** Ranges for {@code totalRows} rows, look-back {@code seqLen}, with the given rule. */
    public static Splits compute(int totalRows, int seqLen, SplitRule rule) {
        Objects.requireNonNull(rule, "rule");
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        int trainEnd;
        int valEnd;
        int testEnd;
        switch (rule) {
            case ETT_HOURLY:
            case ETT_MINUTE: {
                int unit = ETT_MONTH_HOURS * (rule == SplitRule.ETT_MINUTE ? 4 : 1);
                trainEnd = 12 * unit;
                valEnd = trainEnd + 4 * unit;
                testEnd = valEnd + 4 * unit;
                if (totalRows < testEnd) {
                    throw new IllegalArgumentException(rule + " split needs at least " + testEnd
                            + " rows (12/4/4 months of 30 days), but the series has " + totalRows
                            + "; use SplitRule.RATIO for other data");
                }
                break;
            }
            case RATIO: {
                // Same arithmetic as Python's int(N*0.7): a double product truncated toward zero.
                int numTrain = (int) (totalRows * 0.7);
                int numTest = (int) (totalRows * 0.2);
                trainEnd = numTrain;
                valEnd = totalRows - numTest;
                testEnd = totalRows;
                break;
            }
            default:
                throw new AssertionError(rule);
        }
        if (seqLen > trainEnd) {
            throw new IllegalArgumentException("look-back T=" + seqLen + " is longer than the train split ("
                    + trainEnd + " rows of " + totalRows + ", rule " + rule + ")");
        }
        Range train = new Range("train", 0, trainEnd, 0);
        Range val = new Range("val", trainEnd - seqLen, valEnd, trainEnd);
        Range test = new Range("test", valEnd - seqLen, testEnd, valEnd);
        return new Splits(rule, totalRows, seqLen, train, val, test);
    }
}
