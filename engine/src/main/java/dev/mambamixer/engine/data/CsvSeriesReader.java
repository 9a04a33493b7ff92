package dev.mambamixer.engine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the standard long-term-forecasting benchmark CSV format (MODEL.md §6.2; shared data README):
 *
 * <ul>
 *   <li>UTF-8 text; a leading byte-order mark is ignored. Header names are kept exactly, including
 *       U+FFFD replacement characters (weather.csv has {@code SWDR (W/m\uFFFD)}).</li>
 *   <li>Line 1 is the header: first a date column (normally {@code date}; any non-numeric name is
 *       accepted), then one name per variate. A first line whose first cell looks like a number or a
 *       date value is reported as a missing header.</li>
 *   <li>Every data line has exactly as many comma-separated cells as the header. The date cell is kept
 *       as a raw string; all other cells must be finite decimal numbers (parsed with
 *       {@link Float#parseFloat}). Quoted fields are not supported (the benchmark files have none).</li>
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

    private CsvSeriesReader() {}

    /** Reads {@code path}; a name ending in {@code .gz} is gunzipped. The file name appears in errors. */
    public static Series read(Path path) throws IOException {
        String name = path.toString();
        try (InputStream raw = Files.newInputStream(path)) {
            InputStream in = name.toLowerCase(Locale.ROOT).endsWith(".gz")
                    ? new GZIPInputStream(raw, 1 << 16)
                    : new BufferedInputStream(raw, 1 << 16);
            return read(in, name);
        }
    }

    /**
     * Reads already-decompressed CSV text from {@code in} (not closed). {@code source} is the name
     * used in error messages and stored in the returned {@link Series}.
     */
    public static Series read(InputStream in, String source) throws IOException {
        byte[] bytes = in.readAllBytes(); // whole file: one pass over bytes, no String per line
        return parse(bytes, bytes.length, source);
    }

    /**
     * Parses UTF-8 CSV bytes {@code b[0, n)}. Works on bytes, not chars: ',', '\r', '\n', digits and
     * the other syntax bytes are ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII, so
     * splitting on them is safe; only the header and the date cells are decoded to Strings.
     */
    static Series parse(byte[] b, int n, String source) {
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
        String[] names = header.split(",", -1); // once per file, so String.split is fine here
        String first = names[0].trim();
        if (looksNumericOrDate(first)) {
            throw new DataFormatException(source, 1, "column 1: missing header row: the first cell '" + first
                    + "' looks like data; the file must start with a header such as date,<col1>,...,OT");
        }
        if (first.isEmpty()) {
            throw new DataFormatException(source, 1, "column 1: blank name for the date column");
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
                parseRow(b, pos, end, lineNo, source, names, values, rows * cols, dates, rows);
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
                                 float[] values, int base, String[] dates, int row) {
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
        int start = firstComma + 1;
        for (int c = 1; c < names.length; c++) {
            int end = start;
            while (end < e && b[end] != ',') end++;
            values[base + c - 1] = parseCell(b, start, end, lineNo, source, c, names);
            start = end + 1;
        }
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
