package dev.mambamixer.engine.sweep;

import dev.mambamixer.engine.io.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published test MSEs to set a sweep's results beside ({@code sweep table --reference FILE}): a CSV
 * with a header naming at least {@code setting} (a setting label such as {@code ETTh1-T512-H96}) and
 * {@code mse}; other columns (a source, a note) are allowed and ignored. E.g.
 * {@code scripts/sweeps/paper-table5-reference.csv}, the paper's Table 5.
 *
 * @param source what the numbers are (the file's name), for the table's heading
 * @param mse    setting label -> reference MSE, in file order
 */
public record ReferenceMse(String source, Map<String, Double> mse) {
    public ReferenceMse {
        mse = Collections.unmodifiableMap(new LinkedHashMap<>(mse));
    }

    /** Reads and checks {@code file}; every problem is reported at once, with the line and the column. */
    public static ReferenceMse read(Path file) throws IOException {
        String text = new String(FileErrors.readAllBytes(file), StandardCharsets.UTF_8);
        return parse(text, file.toString(), file.getFileName().toString());
    }

    static ReferenceMse parse(String text, String where, String source) {
        String[] lines = text.split("\r?\n", -1);
        List<String> errs = new ArrayList<>();
        if (lines.length == 0 || lines[0].isBlank()) throw new IllegalArgumentException(where + ": empty; expected a header line \"setting,mse\"");
        List<String> header = List.of(lines[0].trim().split(",", -1));
        int si = header.indexOf("setting"), mi = header.indexOf("mse");
        if (si < 0 || mi < 0)
            throw new IllegalArgumentException(where + ":1: the header must name the columns \"setting\" and \"mse\", found \"" + lines[0].trim() + "\"");
        Map<String, Double> mse = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String at = where + ":" + (i + 1);
            String[] f = line.split(",", -1);
            if (f.length != header.size()) {
                errs.add(at + ": expected " + header.size() + " fields as in the header, found " + f.length);
                continue;
            }
            String label = f[si].trim();
            if (label.isEmpty()) { errs.add(at + ": setting: expected a setting label such as ETTh1-T512-H96, found nothing"); continue; }
            double v;
            try {
                v = Double.parseDouble(f[mi].trim());
            } catch (NumberFormatException e) {
                errs.add(at + ": mse: expected a number, found \"" + f[mi].trim() + "\"");
                continue;
            }
            if (!(v > 0) || Double.isInfinite(v)) { errs.add(at + ": mse: expected a positive number, found " + f[mi].trim()); continue; }
            if (mse.put(label, v) != null) errs.add(at + ": setting: " + label + " appears twice");
        }
        if (!errs.isEmpty()) throw new IllegalArgumentException(String.join("; ", errs));
        return new ReferenceMse(source, mse);
    }
}
