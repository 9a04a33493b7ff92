package dev.mambamixer.engine.data;

import dev.mambamixer.engine.io.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the standard long-term-forecasting benchmark CSV format (MODEL.md §6.2; shared data README):
 *
 * <ul>
 *   <li>UTF-8 text; a leading byte-order mark is ignored. Header names are kept exactly, including
 *       U+FFFD replacement characters (weather.csv has {@code SWDR (W/m\uFFFD)}).</li>
 *   <li>Line 1 is the header: first the date column, named {@code date} (or {@code datetime},
 *       {@code timestamp}, {@code time}; any case), then one name per variate. A file without a date
 *       column is refused rather than read as if its first variate were dates. A first line whose first
 *       cell looks like a number or a date value is reported as a missing header.</li>
 *   <li>Every data line has exactly as many comma-separated cells as the header. Quoted fields are not
 *       supported (the benchmark files have none).</li>
 *   <li>Date cells ({@link #DATE_FORMATS}): {@code YYYY-MM-DD}, optionally followed by a space or
 *       {@code T} and {@code H:MM}, {@code H:MM:SS} or {@code H:MM:SS.fraction}; {@code /} may replace
 *       {@code -} (exchange_rate.csv writes {@code 1990/1/1 0:00}). Month, day and time must exist in
 *       the calendar. Dates must increase strictly from row to row; the one exception is a row that is
 *       an exact byte-for-byte copy of the row before it (weather.csv line 19046 repeats
 *       {@code 2020-05-12 06:00:00} that way, and the published splits count that row). A reversed
 *       file, an unsorted one, or a repeated date with different values is refused, naming both lines.
 *       The date cell is kept as the raw string.</li>
 *   <li>All other cells must be finite decimal numbers (parsed with {@link Float#parseFloat}) with
 *       {@code |x| <= }{@link #MAX_ABS_VALUE} (1e15), unless extreme values are allowed
 *       ({@code --allow-extreme-values}).</li>
 *   <li>LF or CRLF line endings; the final newline is optional (exchange_rate.csv has none); blank lines
 *       are allowed only at the end of the file.</li>
 *   <li>{@code .csv.gz} files (by extension, case-insensitive) are decompressed on the fly.</li>
 * </ul>
 *
 * <p><b>Missing values are not supported; fill or drop them first.</b> An empty cell, or a cell
 * such as {@code NaN}, {@code NA}, {@code inf}, or a number outside the float32 range, is rejected
 * with a {@link DataFormatException} naming the file, line and column. Sentinel <i>numbers</i> are
 * not missing values: weather.csv contains {@code -9999} placeholders (50 in {@code OT}, 30 in
 * {@code max. PAR}, 1 in {@code wv}); they are read and kept as the number -9999, exactly as the
 * published benchmarks use the unchanged file.
 *
 * <p>Speed: the file is read into a byte array and parsed in place; numbers go through an exact,
 * allocation-free fast path ({@link #fastFloat}) and only unusual cells fall back to
 * {@link Float#parseFloat}. No regular expressions. ETTm1.csv.gz (69,680 rows, 10 MB raw) reads
 * in about 0.2 s once the JIT has warmed up.
 */
public final class CsvSeriesReader {
    /** Appended to every missing/non-finite value error, as the policy statement. */
    public static final String MISSING_POLICY = "missing values are not supported; fill or drop them first";

    /**
     * Largest magnitude accepted by default. Why 1e15: no real benchmark series comes near it (the
     * largest in shared/data is 1,640,587 in national_illness.csv), while values of 1e19 and more
     * square past the float32 range (3.4e38) in the MSE loss, and 3.4e38 cells turned a run's
     * validation MSE into 2e73 (issue 12). A value above it is far more likely a unit mix-up, a
     * sentinel or a corrupt cell than a measurement; {@code --allow-extreme-values} lifts the check.
     */
    public static final double MAX_ABS_VALUE = 1e15;

    /** The date formats accepted in the first column, as printed in errors. */
    public static final String DATE_FORMATS = "YYYY-MM-DD, optionally followed by a space or T and H:MM, H:MM:SS or"
            + " H:MM:SS.fraction; '/' may replace '-' (e.g. 2016-07-01 00:00:00, 1990/1/1 0:00)";

    /** Header names accepted for the first (date) column, compared ignoring case. */
    public static final List<String> DATE_COLUMN_NAMES = List.of("date", "datetime", "timestamp", "time");

    private CsvSeriesReader() {}

    /** Reads {@code path} with the default magnitude limit; see {@link #read(Path, boolean)}. */
    public static Series read(Path path) throws IOException {
        return read(path, false);
    }

    /**
     * Reads {@code path}; a name ending in {@code .gz} is gunzipped. The file name appears in every
     * error: a {@link FileErrors.FileProblem} when the file cannot be read (not found, a directory,
     * permission), a {@link DataFormatException} when its contents are wrong (including corrupt or
     * truncated gzip data). {@code allowExtremeValues} lifts the {@link #MAX_ABS_VALUE} limit.
     */
    public static Series read(Path path, boolean allowExtremeValues) throws IOException {
        String name = path.toString();
        FileErrors.checkReadableFile(path);
        byte[] bytes = FileErrors.readAllBytes(path); // whole file: one pass over bytes, no String per line
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz")) bytes = GzipData.gunzip(bytes, name);
        return parse(bytes, bytes.length, name, allowExtremeValues ? Double.POSITIVE_INFINITY : MAX_ABS_VALUE);
    }

    /**
     * Reads already-decompressed CSV text from {@code in} (not closed). {@code source} is the name
     * used in error messages and stored in the returned {@link Series}.
     */
    public static Series read(InputStream in, String source) throws IOException {
        byte[] bytes = in.readAllBytes();
        return parse(bytes, bytes.length, source, MAX_ABS_VALUE);
    }

    /**
     * Parses UTF-8 CSV bytes {@code b[0, n)}. Works on bytes, not chars: ',', '\r', '\n', digits and
     * the other syntax bytes are ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII, so
     * splitting on them is safe; only the header and the date cells are decoded to Strings.
     */
    static Series parse(byte[] b, int n, String source) {
        return parse(b, n, source, MAX_ABS_VALUE);
    }

    /** As {@link #parse(byte[], int, String)}, refusing values with {@code |x| > maxAbs}. */
    static Series parse(byte[] b, int n, String source, double maxAbs) {
        int pos = 0;
        if (n >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) pos = 3; // BOM
        if (pos >= n) {
            throw new DataFormatException(source, 1, "empty file; expected a header row such as date,<col1>,...,OT");
        }
        int eol = lineEnd(b, pos, n);
        String header = new String(b, pos, eol - pos, StandardCharsets.UTF_8);
        pos = nextLine(b, eol, n);
        if (header.isBlank()) {
            throw new DataFormatException(source, 1, "blank header row; the first line must be the header, e.g. date,<col1>,...,OT");
        }
        if (header.indexOf('"') >= 0) {
            throw new DataFormatException(source, 1, "quoted fields are not supported");
        }
        for (int i = 0; i < header.length(); i++) {
            char ch = header.charAt(i);
            if (ch < 0x20 && ch != '\t' || ch == 0x7F) { // a NUL or escape in a name: binary garbage, not a header
                throw new DataFormatException(source, 1, "column " + (header.substring(0, i).split(",", -1).length)
                        + ": control character " + FileErrors.printable(String.valueOf(ch)) + " in the header; is this a"
                        + " text CSV file?");
            }
        }
        String[] names = header.split(",", -1); // once per file, so String.split is fine here
        String first = names[0].trim();
        if (looksNumericOrDate(first)) {
            throw new DataFormatException(source, 1, "column 1: missing header row: the first cell '" + first
                    + "' looks like data; the file must start with a header such as date,<col1>,...,OT");
        }
        if (first.isEmpty()) {
            throw new DataFormatException(source, 1, "column 1: blank name for the date column");
        }
        if (!DATE_COLUMN_NAMES.contains(first.toLowerCase(Locale.ROOT))) {
            throw new DataFormatException(source, 1, "column 1 '" + first + "': no date column; the first column must"
                    + " hold the dates and be named date (or datetime, timestamp, time), as in the benchmark format"
                    + " date,<col1>,...,OT; add a date column rather than let '" + first + "' be read as dates");
        }
        if (names.length < 2) {
            throw new DataFormatException(source, 1, "header has only the date column '" + first + "'; no value columns");
        }
        int cols = names.length - 1;
        List<String> columns = new ArrayList<>(cols);
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 1; c < names.length; c++) {
            String name = names[c].trim();
            if (name.isEmpty()) {
                throw new DataFormatException(source, 1, "column " + (c + 1) + ": blank column name in the header");
            }
            Integer prev = seen.putIfAbsent(name, c + 1);
            if (prev != null) {
                throw new DataFormatException(source, 1, "column " + (c + 1) + " '" + name
                        + "': duplicate column name (also column " + prev + ")");
            }
            columns.add(name);
        }

        // Estimate the row count from the first data line's length (+6% slack); grow if it is wrong.
        int firstLen = lineEnd(b, pos, n) - pos + 1;
        int cap = (int) Math.min(Integer.MAX_VALUE / Math.max(1, cols), (long) (n - pos) / Math.max(4, firstLen) * 17 / 16 + 16);
        float[] values = new float[cap * cols];
        String[] dates = new String[cap];
        int rows = 0;
        int lineNo = 1;
        int firstBlankLine = -1;
        long[] when = new long[2];          // this row's date: epoch second, nanosecond
        long prevSecond = 0, prevNano = 0;
        int prevStart = -1, prevEnd = -1, prevLine = 0;
        while (pos < n) {
            lineNo++;
            int end = lineEnd(b, pos, n);
            if (isBlank(b, pos, end)) {
                if (firstBlankLine < 0) firstBlankLine = lineNo;
            } else {
                if (firstBlankLine >= 0) {
                    throw new DataFormatException(source, firstBlankLine,
                            "blank line inside the data (blank lines are allowed only at the end of the file)");
                }
                if (rows == cap) {
                    cap = cap + (cap >> 1) + 16;
                    values = Arrays.copyOf(values, cap * cols);
                    dates = Arrays.copyOf(dates, cap);
                }
                parseRow(b, pos, end, lineNo, source, names, values, rows * cols, dates, rows, maxAbs, when);
                if (prevStart >= 0) {
                    int order = when[0] != prevSecond ? Long.compare(when[0], prevSecond) : Long.compare(when[1], prevNano);
                    if (order < 0) {
                        throw new DataFormatException(source, lineNo, "column 1 '" + first + "': date '" + dates[rows]
                                + "' is earlier than line " + prevLine + "'s '" + dates[rows - 1] + "'; dates must increase"
                                + " from row to row (is the file reversed or unsorted?)");
                    }
                    if (order == 0 && !Arrays.equals(b, pos, end, b, prevStart, prevEnd)) {
                        throw new DataFormatException(source, lineNo, "column 1 '" + first + "': date '" + dates[rows]
                                + "' repeats line " + prevLine + "'s date with different values; dates must increase"
                                + " from row to row (a row may repeat only as an exact copy of the row before it)");
                    }
                }
                prevSecond = when[0];
                prevNano = when[1];
                prevStart = pos;
                prevEnd = end;
                prevLine = lineNo;
                rows++;
            }
            pos = nextLine(b, end, n);
        }
        if (rows == 0) {
            throw new DataFormatException(source, 2, "no data rows after the header");
        }
        return new Series(source, first, columns, Arrays.copyOf(dates, rows),
                Arrays.copyOf(values, rows * cols), rows, cols);
    }

    /** Index of the first '\n' or '\r' at or after {@code p}, or {@code n}. */
    private static int lineEnd(byte[] b, int p, int n) {
        while (p < n && b[p] != '\n' && b[p] != '\r') p++;
        return p;
    }

    /** Start of the line after the terminator at {@code eol} (LF, CRLF or a lone CR). */
    private static int nextLine(byte[] b, int eol, int n) {
        return (eol + 1 < n && b[eol] == '\r' && b[eol + 1] == '\n') ? eol + 2 : eol + 1;
    }

    private static boolean isBlank(byte[] b, int a, int e) {
        for (int i = a; i < e; i++) if (b[i] != ' ' && b[i] != '\t') return false;
        return true;
    }

    private static void parseRow(byte[] b, int s, int e, int lineNo, String source, String[] names,
                                 float[] values, int base, String[] dates, int row, double maxAbs, long[] when) {
        // Count cells first so a ragged row gets one clear message instead of a parse error.
        int cells = 1;
        int firstComma = -1;
        for (int i = s; i < e; i++) {
            byte ch = b[i];
            if (ch == ',') {
                if (cells == 1) firstComma = i;
                cells++;
            } else if (ch == '"') {
                throw new DataFormatException(source, lineNo, "quoted fields are not supported");
            }
        }
        if (cells != names.length) {
            String where = cells < names.length
                    ? "missing column(s) from column " + (cells + 1) + " '" + names[cells].trim() + "'"
                    : "extra cell(s) after the last column " + names.length + " '" + names[names.length - 1].trim() + "'";
            throw new DataFormatException(source, lineNo, "ragged row: " + cells + " cells but the header has "
                    + names.length + " (" + where + ")");
        }
        int da = s;
        int de = firstComma;
        while (da < de && b[da] == ' ') da++;
        while (de > da && b[de - 1] == ' ') de--;
        if (da == de) {
            throw new DataFormatException(source, lineNo, "column 1 '" + names[0].trim() + "': empty date cell");
        }
        dates[row] = new String(b, da, de - da, StandardCharsets.UTF_8);
        if (!parseDate(b, da, de, when)) {
            throw new DataFormatException(source, lineNo, "column 1 '" + names[0].trim() + "': '" + dates[row]
                    + "' is not a date; accepted: " + DATE_FORMATS);
        }
        int start = firstComma + 1;
        for (int c = 1; c < names.length; c++) {
            int end = start;
            while (end < e && b[end] != ',') end++;
            float v = parseCell(b, start, end, lineNo, source, c, names);
            if (Math.abs(v) > maxAbs) {
                throw cellError(source, lineNo, c, names, "'" + new String(b, start, end - start, StandardCharsets.UTF_8).trim()
                        + "' has a magnitude above 1e15, the limit for plausible data (a unit mix-up,"
                        + " sentinel or corrupt cell?); use --allow-extreme-values if it is real");
            }
            values[base + c - 1] = v;
            start = end + 1;
        }
    }

    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    /**
     * Parses a date cell {@code b[a, e)} in one of the {@link #DATE_FORMATS} into
     * {@code when = {epoch second (UTC, no zone), nanosecond}}; false when it is not one or names a
     * day or time that does not exist (2021-02-29, 24:00).
     */
    static boolean parseDate(byte[] b, int a, int e, long[] when) {
        int[] p = {a};
        int year = digits(b, p, e, 4, 4);
        if (year < 0 || p[0] >= e || (b[p[0]] != '-' && b[p[0]] != '/')) return false;
        byte sep = b[p[0]++];
        int month = digits(b, p, e, 1, 2);
        if (month < 1 || month > 12 || p[0] >= e || b[p[0]++] != sep) return false;
        int day = digits(b, p, e, 1, 2);
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (day < 1 || day > DAYS_IN_MONTH[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
        int hour = 0, minute = 0, second = 0;
        long nano = 0;
        if (p[0] < e) {
            if (b[p[0]] != ' ' && b[p[0]] != 'T') return false;
            p[0]++;
            hour = digits(b, p, e, 1, 2);
            if (hour < 0 || hour > 23 || p[0] >= e || b[p[0]++] != ':') return false;
            minute = digits(b, p, e, 2, 2);
            if (minute < 0 || minute > 59) return false;
            if (p[0] < e) {
                if (b[p[0]++] != ':') return false;
                second = digits(b, p, e, 2, 2);
                if (second < 0 || second > 59) return false;
                if (p[0] < e) {
                    if (b[p[0]++] != '.') return false;
                    int fracStart = p[0];
                    int frac = digits(b, p, e, 1, 9);
                    if (frac < 0 || p[0] != e) return false;
                    nano = frac;
                    for (int i = p[0] - fracStart; i < 9; i++) nano *= 10;
                }
            }
        }
        if (p[0] != e) return false;
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        when[0] = days * 86_400L + hour * 3_600L + minute * 60L + second;
        when[1] = nano;
        return true;
    }

    /** Reads min..max decimal digits at {@code p[0]} (advancing it); -1 when there are fewer than min. */
    private static int digits(byte[] b, int[] p, int e, int min, int max) {
        int v = 0, k = 0;
        while (k < max && p[0] < e && b[p[0]] >= '0' && b[p[0]] <= '9') {
            v = v * 10 + (b[p[0]++] - '0');
            k++;
        }
        return k < min ? -1 : v;
    }

    private static float parseCell(byte[] line, int a, int b, int lineNo, String source, int c, String[] names) {
        while (a < b && line[a] == ' ') a++;
        while (b > a && line[b - 1] == ' ') b--;
        if (a == b) throw cellError(source, lineNo, c, names, "empty cell; " + MISSING_POLICY);
        float fast = fastFloat(line, a, b);
        if (fast == fast) return fast; // not NaN: the exact fast path handled it
        // General path (rare): classify and report, or parse unusual but valid syntax.
        String s = new String(line, a, b - a, StandardCharsets.UTF_8);
        boolean plain = true;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
                plain = false;
                break;
            }
        }
        if (!plain) {
            if (isMissingToken(s)) {
                throw cellError(source, lineNo, c, names, "'" + s + "' is a missing/non-finite value; " + MISSING_POLICY);
            }
            throw cellError(source, lineNo, c, names, "'" + s + "' is not a number");
        }
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException ex) {
            throw cellError(source, lineNo, c, names, "'" + s + "' is not a number");
        }
        if (!Float.isFinite(v)) {
            throw cellError(source, lineNo, c, names, "'" + s + "' is outside the float32 range; " + MISSING_POLICY);
        }
        return v;
    }

    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * Parses {@code [+-]digits[.digits][(e|E)[+-]digits]} in {@code s[a, b)} without allocating, or
     * returns NaN when the cell needs the general path (other syntax, too many digits, exponent out
     * of range, or a rare tie). The result is bit-identical to {@link Float#parseFloat}:
     * <ul>
     *   <li>the decimal is m * 10^e with m < 2^53 and |e| <= 22, so one IEEE multiply/divide of two
     *       exact doubles gives the correctly rounded double d (the classic Clinger fast path);</li>
     *   <li>rounding d to float equals rounding the exact decimal to float unless d sits exactly on a
     *       midpoint between two floats (midpoints are doubles, and rounding to double is monotone, so
     *       it can land on a midpoint but never cross one); that case and subnormals fall back.</li>
     * </ul>
     */
    static float fastFloat(byte[] s, int a, int b) {
        int i = a;
        boolean neg = false;
        if (i < b) {
            byte ch = s[i];
            if (ch == '-') { neg = true; i++; } else if (ch == '+') i++;
        }
        long m = 0;
        int digits = 0;
        int scale = 0;
        boolean any = false;
        boolean dot = false;
        for (; i < b; i++) {
            byte ch = s[i];
            if (ch >= '0' && ch <= '9') {
                any = true;
                if (m == 0 && ch == '0') { // leading zeros are not significant digits
                    if (dot) scale--;
                    continue;
                }
                if (++digits > 18) return Float.NaN; // m would overflow the exact range
                m = m * 10 + (ch - '0');
                if (dot) scale--;
            } else if (ch == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (!any) return Float.NaN;
        if (i < b) {
            byte ch = s[i];
            if (ch != 'e' && ch != 'E') return Float.NaN;
            i++;
            boolean eneg = false;
            if (i < b && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
            if (i == b) return Float.NaN;
            int ex = 0;
            for (; i < b; i++) {
                byte c = s[i];
                if (c < '0' || c > '9' || ex > 10000) return Float.NaN;
                ex = ex * 10 + (c - '0');
            }
            scale += eneg ? -ex : ex;
        }
        if (m == 0) return neg ? -0.0f : 0.0f;
        if (m > (1L << 53) || scale > 22 || scale < -22) return Float.NaN;
        double d = scale >= 0 ? m * POW10[scale] : m / POW10[-scale];
        if (d < Float.MIN_NORMAL) return Float.NaN; // subnormal float: midpoints differ; use the general path
        long bits = Double.doubleToRawLongBits(d);
        if ((bits & 0x1FFFFFFFL) == 0x10000000L) return Float.NaN; // exactly halfway between two floats
        float f = (float) d;
        return neg ? -f : f;
    }

    /** Test hook: {@link #fastFloat(byte[], int, int)} on a slice of a String (non-Latin-1 chars fall back). */
    static float fastFloat(String s, int a, int b) {
        return fastFloat(s.substring(a, b).getBytes(StandardCharsets.ISO_8859_1), 0, b - a);
    }

    private static DataFormatException cellError(String source, int lineNo, int c, String[] names, String what) {
        // c is the 0-based cell index; report 1-based like the line number (date = column 1).
        return new DataFormatException(source, lineNo, "column " + (c + 1) + " '" + names[c].trim() + "': " + what);
    }

    private static boolean isMissingToken(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (t.startsWith("+") || t.startsWith("-")) t = t.substring(1);
        switch (t) {
            case "nan": case "na": case "n/a": case "null": case "none": case "nat": case "?":
            case "inf": case "infinity":
                return true;
            default:
                return false;
        }
    }

    /** True for a first header cell that is really data: a number or a date value such as 2016-07-01. */
    private static boolean looksNumericOrDate(String s) {
        if (s.isEmpty()) return false;
        int i = (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        if (i < s.length() && s.charAt(i) == '.') i++;
        return i < s.length() && Character.isDigit(s.charAt(i));
    }
}
