package dev.mambamixer.engine.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link Series} in the benchmark CSV format that {@link CsvSeriesReader} reads: UTF-8,
 * LF line endings, header {@code date,<columns>}, values with a fixed number of decimals
 * (locale-independent, so the bytes are the same on every machine).
 */
public final class CsvSeriesWriter {
    private CsvSeriesWriter() {}

    public static void write(Series s, Path path, int decimals) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path), StandardCharsets.UTF_8), 1 << 16)) {
            write(s, w, decimals);
        }
    }

    public static void write(Series s, Writer w, int decimals) throws IOException {
        if (decimals < 0 || decimals > 9) throw new IllegalArgumentException("decimals must be 0..9, got " + decimals);
        w.write(s.dateColumn());
        for (String c : s.columns()) {
            w.write(',');
            w.write(c);
        }
        w.write('\n');
        StringBuilder sb = new StringBuilder(256);
        for (int r = 0; r < s.rows(); r++) {
            sb.setLength(0);
            sb.append(s.dates()[r]);
            for (int c = 0; c < s.cols(); c++) {
                sb.append(',');
                appendFixed(sb, s.value(r, c), decimals);
            }
            sb.append('\n');
            w.append(sb);
        }
    }

    /** Round half-up to {@code decimals} places from the float's exact decimal value; never "-0.000". */
    static void appendFixed(StringBuilder sb, float v, int decimals) {
        BigDecimal d = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_UP);
        if (d.signum() == 0) d = d.abs();
        sb.append(d.toPlainString());
    }
}
