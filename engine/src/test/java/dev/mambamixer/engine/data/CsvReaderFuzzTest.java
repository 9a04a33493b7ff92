package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzz test of {@link CsvSeriesReader}: valid benchmark-format files are generated and then
 * broken in one way each (truncation, garbage bytes, NULs, ragged rows, non-numeric, huge, NaN/Inf
 * cells, bad/duplicate/reversed dates, no date column, empty files, gzip corruption), plus valid
 * variants (BOM, CRLF, lone CR, exact duplicate row) as controls. For every file: the reader either
 * returns a series that holds the format's promises (finite values within the limit, increasing
 * dates) or throws a {@link DataFormatException} whose message names the file; any other exception
 * fails the test. Kinds that are always wrong must be rejected, valid variants must be read back
 * exactly. The seed is fixed, so a failure reproduces; the counts per kind are printed.
 */
class CsvReaderFuzzTest {
    private static final long SEED = 20261204L;
    private static final int CASES = 2000;

    @TempDir Path dir;

    /** How a case is made and what the reader must do with it. */
    enum Kind {
        VALID(Expect.ACCEPT), BOM(Expect.ACCEPT), CRLF(Expect.ACCEPT), LONE_CR(Expect.ACCEPT), EXACT_DUPLICATE_ROW(Expect.ACCEPT),
        TRUNCATED(Expect.EITHER), GARBAGE_BYTES(Expect.EITHER), GZ_BYTE_FLIPPED(Expect.EITHER),
        NUL_BYTE(Expect.REJECT), EXTRA_CELL(Expect.REJECT), MISSING_CELL(Expect.REJECT), NON_NUMERIC(Expect.REJECT),
        HUGE_VALUE(Expect.REJECT), NAN_OR_INF(Expect.REJECT), BAD_DATE(Expect.REJECT), DUPLICATE_DATE(Expect.REJECT),
        REVERSED_DATES(Expect.REJECT), SWAPPED_ROWS(Expect.REJECT), NO_DATE_COLUMN(Expect.REJECT), NO_HEADER(Expect.REJECT),
        EMPTY(Expect.REJECT), GZ_TRUNCATED(Expect.REJECT), GZ_EMPTY(Expect.REJECT), GZ_NOT_GZIP(Expect.REJECT);

        final Expect expect;

        Kind(Expect e) { expect = e; }
    }

    enum Expect { ACCEPT, REJECT, EITHER }

    private static final String[] BAD_DATES = {
        "2020-13-01 00:00:00", "2021-02-29 00:00:00", "2020-01-01 24:00", "2020-01-01 00:60", "2020-01-01 00:00:60",
        "01/02/2020", "20200101", "2020-01-01T", "2020-01-01 0", "yesterday", "2020/01-01", "2020-01-32", "99-01-01",
        "2020-01-01 00:00:00Z", "2020-01-01 00:00:00.1234567890", "2020-00-10", "\u00002020-01-01", "2020-01-01 00:00 ",
        "2020-01-01  00:00", "-2020-01-01"};
    private static final String[] NON_FINITE = {"NaN", "nan", "inf", "-Infinity", "+Inf", "1e39", "-3.5e38", "NA", "null", "?"};

    /** A generated valid file: its lines (header first) and the values written. */
    private record Base(List<String> lines, float[] values, int rows, int cols) {}

    private static Base base(Random rnd) {
        int cols = 1 + rnd.nextInt(5), rows = 2 + rnd.nextInt(30);
        List<String> lines = new ArrayList<>();
        StringBuilder h = new StringBuilder(rnd.nextInt(4) == 0 ? "Date" : "date");
        for (int c = 0; c < cols; c++) h.append(',').append(c == cols - 1 ? "OT" : "v" + c);
        lines.add(h.toString());
        LocalDateTime t = LocalDateTime.of(1990 + rnd.nextInt(40), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24), 0);
        int stepMinutes = new int[] {10, 15, 60, 1440}[rnd.nextInt(4)];
        boolean slashes = rnd.nextInt(5) == 0;
        float[] values = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            StringBuilder sb = new StringBuilder();
            sb.append(slashes ? t.getYear() + "/" + t.getMonthValue() + "/" + t.getDayOfMonth() + " " + t.getHour() + ":"
                                + String.format(Locale.ROOT, "%02d", t.getMinute())
                              : t.toString().replace('T', ' ') + ":00");
            for (int c = 0; c < cols; c++) {
                float v = switch (rnd.nextInt(4)) {
                    case 0 -> (float) rnd.nextGaussian();
                    case 1 -> (float) (rnd.nextGaussian() * 1e6);
                    case 2 -> rnd.nextInt(2000) - 1000;
                    default -> (float) (rnd.nextDouble() * 1e-3);
                };
                values[r * cols + c] = v;
                sb.append(',').append(v);
            }
            lines.add(sb.toString());
            t = t.plusMinutes(stepMinutes);
        }
        return new Base(lines, values, rows, cols);
    }

    private static byte[] join(List<String> lines, String eol, boolean finalEol) {
        String s = String.join(eol, lines) + (finalEol ? eol : "");
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(b);
        }
        return bo.toByteArray();
    }

    /** Replaces cell {@code c} (0 = date) of data line {@code r} (1-based line index into lines). */
    private static void setCell(List<String> lines, int line, int c, String v) {
        String[] cells = lines.get(line).split(",", -1);
        cells[c] = v;
        lines.set(line, String.join(",", cells));
    }

    /** Builds the bytes of one case; returns them with the file name's extension decided by the kind. */
    private static byte[] make(Kind k, Base b, Random rnd) throws IOException {
        List<String> l = new ArrayList<>(b.lines());
        int line = 1 + rnd.nextInt(b.rows());
        int cell = 1 + rnd.nextInt(b.cols());
        byte[] plain = join(l, "\n", rnd.nextBoolean());
        switch (k) {
            case VALID: return plain;
            case BOM: return join(List.of("\uFEFF" + String.join("\n", l)), "\n", true);
            case CRLF: return join(l, "\r\n", rnd.nextBoolean());
            case LONE_CR: return join(l, "\r", rnd.nextBoolean());
            case EXACT_DUPLICATE_ROW: l.add(line, l.get(line)); return join(l, "\n", true);
            case TRUNCATED: return java.util.Arrays.copyOf(plain, rnd.nextInt(plain.length));
            case GARBAGE_BYTES: {
                byte[] g = plain.clone();
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) g[rnd.nextInt(g.length)] = (byte) rnd.nextInt(256);
                return g;
            }
            case NUL_BYTE: {
                int at = rnd.nextInt(plain.length + 1);
                byte[] g = new byte[plain.length + 1];
                System.arraycopy(plain, 0, g, 0, at);
                System.arraycopy(plain, at, g, at + 1, plain.length - at);
                return g;
            }
            case EXTRA_CELL: l.set(line, l.get(line) + "," + rnd.nextInt(10)); return join(l, "\n", true);
            case MISSING_CELL: l.set(line, l.get(line).substring(0, l.get(line).lastIndexOf(','))); return join(l, "\n", true);
            case NON_NUMERIC: {
                StringBuilder w = new StringBuilder();
                for (int i = 1 + rnd.nextInt(6); i > 0; i--) w.append("abcdfghijklmopqrsuvwxyz_#%".charAt(rnd.nextInt(26)));
                setCell(l, line, cell, rnd.nextBoolean() ? w.toString() : rnd.nextInt(100) + w.toString());
                return join(l, "\n", true);
            }
            case HUGE_VALUE: {
                double mag = Math.pow(10, 15.01 + rnd.nextDouble() * 23.5);   // 1.02e15 .. 3.2e38: finite float32, absurd
                setCell(l, line, cell, Float.toString((float) (rnd.nextBoolean() ? mag : -mag)));
                return join(l, "\n", true);
            }
            case NAN_OR_INF: setCell(l, line, cell, NON_FINITE[rnd.nextInt(NON_FINITE.length)]); return join(l, "\n", true);
            case BAD_DATE: setCell(l, line, 0, BAD_DATES[rnd.nextInt(BAD_DATES.length)]); return join(l, "\n", true);
            case DUPLICATE_DATE: {
                int r = 2 + rnd.nextInt(b.rows() - 1);
                setCell(l, r, 0, l.get(r - 1).split(",", -1)[0]);
                setCell(l, r, 1, Float.toString(b.values()[(r - 2) * b.cols()] + 1f));   // differs from the row before
                return join(l, "\n", true);
            }
            case REVERSED_DATES: Collections.reverse(l.subList(1, l.size())); return join(l, "\n", true);
            case SWAPPED_ROWS: {
                int r = 1 + rnd.nextInt(b.rows() - 1);
                Collections.swap(l, r, r + 1);
                return join(l, "\n", true);
            }
            case NO_DATE_COLUMN: {
                if (rnd.nextBoolean()) {
                    l.replaceAll(s -> s.substring(s.indexOf(',') + 1));   // the date column removed
                } else {
                    setCell(l, 0, 0, new String[] {"id", "index", "Unnamed: 0", "t"}[rnd.nextInt(4)]);
                }
                return join(l, "\n", true);
            }
            case NO_HEADER: l.remove(0); return join(l, "\n", true);
            case EMPTY: return new String[] {"", "\n", "\uFEFF", "\r\n\r\n", " "}[rnd.nextInt(5)].getBytes(StandardCharsets.UTF_8);
            case GZ_TRUNCATED: {
                byte[] gz = gzip(plain);
                return java.util.Arrays.copyOf(gz, 1 + rnd.nextInt(gz.length - 1));
            }
            case GZ_BYTE_FLIPPED: {
                byte[] gz = gzip(plain);
                gz[rnd.nextInt(gz.length)] ^= (byte) (1 + rnd.nextInt(255));
                return gz;
            }
            case GZ_EMPTY: return new byte[0];
            case GZ_NOT_GZIP: return plain;
            default: throw new AssertionError(k);
        }
    }

    @Test
    void malformedCsvsAreReadCorrectlyOrRefusedNamingTheFile() throws IOException {
        Map<Kind, int[]> counts = new EnumMap<>(Kind.class);   // kind -> {accepted, rejected}
        List<String> failures = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < CASES; i++) {
            Kind k = kinds[i % kinds.length];
            Random rnd = new Random(SEED * 31 + i);
            Base b = base(rnd);
            byte[] bytes = make(k, b, rnd);
            String name = String.format(Locale.ROOT, "case-%04d-%s.csv%s", i, k.name().toLowerCase(Locale.ROOT),
                                        k.name().startsWith("GZ_") ? ".gz" : "");
            Path p = dir.resolve(name);
            Files.write(p, bytes);
            int[] c = counts.computeIfAbsent(k, x -> new int[2]);
            try {
                Series s = CsvSeriesReader.read(p);
                c[0]++;
                String broken = promisesBroken(s);
                if (broken != null) failures.add(name + ": accepted but " + broken);
                else if (k.expect == Expect.REJECT) failures.add(name + ": accepted, expected a refusal");
                else if (k.expect == Expect.ACCEPT) {
                    int extra = k == Kind.EXACT_DUPLICATE_ROW ? 1 : 0;
                    if (s.rows() != b.rows() + extra || s.cols() != b.cols()) failures.add(name + ": read " + s.rows() + "x" + s.cols());
                    else if (extra == 0 && !java.util.Arrays.equals(s.values(), b.values())) failures.add(name + ": values differ");
                }
            } catch (DataFormatException e) {
                c[1]++;
                if (!e.getMessage().contains(name)) failures.add(name + ": message does not name the file: " + e.getMessage());
                if (k.expect == Expect.ACCEPT) failures.add(name + ": refused a valid file: " + e.getMessage());
                if (k.name().startsWith("GZ_") && !e.getMessage().contains("gzip") && !e.getMessage().contains("empty"))
                    failures.add(name + ": a gzip problem not called one: " + e.getMessage());
            } catch (Exception | Error e) {
                failures.add(name + ": " + e);
            }
        }
        // The same absurd values are read when explicitly allowed (the limit is a default, not a wall).
        Random rnd = new Random(SEED);
        for (int i = 0; i < 20; i++) {
            Base b = base(rnd);
            Path p = dir.resolve("allowed-" + i + ".csv");
            Files.write(p, make(Kind.HUGE_VALUE, b, rnd));
            assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(p));
            Series s = CsvSeriesReader.read(p, true);
            float max = 0;
            for (float v : s.values()) max = Math.max(max, Math.abs(v));
            assertTrue(max > CsvSeriesReader.MAX_ABS_VALUE && Float.isFinite(max), p + ": " + max);
        }
        StringBuilder table = new StringBuilder("CSV fuzz: " + CASES + " cases, seed " + SEED + "\n");
        int malformed = 0, rejected = 0;
        for (Map.Entry<Kind, int[]> e : counts.entrySet()) {
            table.append(String.format(Locale.ROOT, "  %-20s %-6s accepted %4d  refused %4d%n", e.getKey(), e.getKey().expect,
                                       e.getValue()[0], e.getValue()[1]));
            if (e.getKey().expect != Expect.ACCEPT) {
                malformed += e.getValue()[0] + e.getValue()[1];
                rejected += e.getValue()[1];
            }
        }
        table.append("  malformed ").append(malformed).append(", refused ").append(rejected);
        System.out.println(table);
        assertTrue(malformed >= 1000, "at least 1,000 malformed files: " + malformed);
        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.subList(0, Math.min(10, failures.size())));
    }

    /** What an accepted series breaks of the format's promises, or null. */
    private static String promisesBroken(Series s) {
        if (s.rows() < 1 || s.cols() < 1) return "empty series";
        for (float v : s.values())
            if (!Float.isFinite(v) || Math.abs(v) > CsvSeriesReader.MAX_ABS_VALUE) return "value " + v;
        long[] prev = null;
        for (int r = 0; r < s.rows(); r++) {
            byte[] d = s.dates()[r].getBytes(StandardCharsets.UTF_8);
            long[] w = new long[2];
            if (!CsvSeriesReader.parseDate(d, 0, d.length, w)) return "date '" + s.dates()[r] + "' at row " + r;
            if (prev != null && (w[0] < prev[0] || (w[0] == prev[0] && w[1] < prev[1]))) return "dates decrease at row " + r;
            if (prev != null && w[0] == prev[0] && w[1] == prev[1]) {
                for (int c = 0; c < s.cols(); c++)
                    if (s.value(r, c) != s.value(r - 1, c)) return "repeated date with other values at row " + r;
            }
            prev = w;
        }
        return null;
    }
}
