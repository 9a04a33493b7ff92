package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and data files (issue 12 items 7-9): the data file is recorded in config.json and checked
 * on resume and eval; file errors and data errors name the file and the cause; implausible data
 * and an implausible validation MSE stop the run instead of passing.
 */
class CliDataTest {
    @TempDir Path tmp;

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    /** The sample data with column v0 set to {@code value} on every 5th line from 1-based line {@code fromLine}. */
    private Path sampleWith(String name, int fromLine, String value) throws Exception {
        List<String> lines = Files.readAllLines(sample());
        for (int i = fromLine - 1; i < lines.size(); i += 5) {
            String[] c = lines.get(i).split(",", -1);
            c[1] = value;
            lines.set(i, String.join(",", c));
        }
        Path p = tmp.resolve(name);
        Files.write(p, lines);
        return p;
    }

    private CliRun.Out train(Path data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--seq-len", "48", "--horizon", "12",
            "--d-model", "8", "--layers", "1", "--epochs", "1", "--max-steps-per-epoch", "2", "--backend", "cpu",
            "--snapshot-every", "0", "--runs-dir", tmp.resolve("runs").toString()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    private Path onlyRun() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            List<Path> runs = s.collect(Collectors.toList());
            assertEquals(1, runs.size(), runs.toString());
            return runs.get(0);
        }
    }

    @Test
    void dataFileIsRecordedAndCheckedOnResumeAndEval() throws Exception {
        Path data = tmp.resolve("series.csv");
        Files.copy(sample(), data);
        CliRun.Out r = train(data, "--name", "rec");
        assertEquals(0, r.code(), r.err());
        Path run = onlyRun();
        JsonObject rec = JsonParser.parseString(Files.readString(run.resolve("config.json"))).getAsJsonObject()
            .getAsJsonObject("data");
        assertEquals(data.toString(), rec.get("path").getAsString());
        assertEquals(data.toAbsolutePath().normalize().toString(), rec.get("absolute_path").getAsString());
        assertEquals(Files.size(data), rec.get("bytes").getAsLong());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(data)));
        assertEquals(sha, rec.get("sha256").getAsString());
        assertEquals("[\"v0\",\"v1\",\"v2\",\"v3\",\"v4\",\"v5\",\"OT\"]", rec.get("columns").toString());

        // the same file: no warning
        CliRun.Out same = CliRun.run("eval", "--checkpoint", run.toString(), "--data", data.toString(), "--backend", "cpu");
        assertEquals(0, same.code(), same.err());
        assertFalse(same.err().contains("warning"), same.err());
        // no --data: the file the run was trained on (never the sample data), the same numbers
        CliRun.Out dflt = CliRun.run("eval", "--checkpoint", run.toString(), "--backend", "cpu");
        assertEquals(0, dflt.code(), dflt.err());
        assertTrue(dflt.out().contains("data: " + data.toAbsolutePath().normalize() + " (the file the run was trained on"), dflt.out());
        assertEquals(same.out().lines().filter(l -> l.contains("MSE")).toList(), dflt.out().lines().filter(l -> l.contains("MSE")).toList());
        // a bare checkpoint folder records no data: --data is asked for
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        for (Path f : Files.list(run.resolve("checkpoints/best")).toList()) Files.copy(f, bare.resolve(f.getFileName()));
        CliRun.Out noData = CliRun.run("eval", "--checkpoint", bare.toString(), "--backend", "cpu");
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("eval: --data is needed: " + bare), noData.err());

        // other values, same columns: a warning naming both files, on eval and on resume
        Path other = sampleWith("other.csv", 3, "1.5");
        CliRun.Out ev = CliRun.run("eval", "--checkpoint", run.resolve("checkpoints/best").toString(), "--data", other.toString(),
                                   "--backend", "cpu");
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.err().contains("warning: eval: " + other) && ev.err().contains(data.toAbsolutePath().normalize().toString())
                   && ev.err().contains("is not the file"), ev.err());
        CliRun.Out res = CliRun.run("train", "--resume", run.toString(), "--data", other.toString(), "--backend", "cpu",
                                    "--snapshot-every", "0");
        assertEquals(0, res.code(), res.err());
        assertTrue(res.err().contains("warning: --resume: " + other) && res.err().contains("is not the file"), res.err());

        // different variates: an error before anything says "resumed" or builds a model
        List<String> lines = Files.readAllLines(data);
        Path fewer = tmp.resolve("fewer.csv");
        Files.write(fewer, lines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
        CliRun.Out bad = CliRun.run("train", "--resume", run.toString(), "--data", fewer.toString(), "--backend", "cpu");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertFalse(bad.out().contains("resumed") || bad.out().contains("model:"), bad.out());
        assertTrue(bad.err().contains("fewer.csv has 6 variates") && bad.err().contains("trained on 7")
                   && bad.err().contains("series.csv"), bad.err());
        assertFalse(bad.err().contains("\tat "), bad.err());

        // same count, other names: also an error
        Path renamed = tmp.resolve("renamed.csv");
        lines.set(0, lines.get(0).replace("v0", "w0"));
        Files.write(renamed, lines);
        CliRun.Out ren = CliRun.run("train", "--resume", run.toString(), "--data", renamed.toString(), "--backend", "cpu");
        assertEquals(2, ren.code(), ren.err());
        assertTrue(ren.err().contains("w0") && ren.err().contains("v0") && !ren.out().contains("resumed"), ren.err());
        CliRun.Out evRen = CliRun.run("eval", "--checkpoint", run.toString(), "--data", renamed.toString(), "--backend", "cpu");
        assertEquals(2, evRen.code(), evRen.err());
    }

    @Test
    void implausibleValuesAreRefusedUnlessAllowed() throws Exception {
        Path huge = sampleWith("huge.csv", 5800, "3.4e38");
        CliRun.Out r = train(huge);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("huge.csv: line 5800: column 2 'v0': '3.4e38' has a magnitude above 1e15")
                   && r.err().contains("--allow-extreme-values"), r.err());
        // allowed, the cells overflow the validation MSE: the run stops with the reason instead of calling it "best"
        CliRun.Out allowed = train(huge, "--allow-extreme-values", "--split", "ratio");
        assertEquals(3, allowed.code(), allowed.out() + allowed.err());
        assertTrue(allowed.err().contains("validation MSE") && allowed.err().contains("implausibly large"), allowed.err());
        assertFalse(allowed.out().contains("(best)"), allowed.out());
    }

    @Test
    void largeButAllowedValuesGiveAnImplausibleValidationMseThatStopsTheRun() throws Exception {
        // 1e9 in the validation rows is within the data limit but a billion standard deviations off the train rows
        Path far = sampleWith("far.csv", 5800, "1e9");
        CliRun.Out r = train(far, "--split", "ratio");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().matches("(?s).*error: validation MSE \\S+ is implausibly large \\(above 1e12.*after epoch 1.*"), r.err());
    }

    @Test
    void fileErrorsSayWhyAndControlCharactersAreEscaped() throws Exception {
        CliRun.Out missing = train(tmp.resolve("nope.csv"));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.csv: not found"), missing.err());
        CliRun.Out folder = train(tmp);
        assertEquals(2, folder.code());
        assertTrue(folder.err().contains(tmp + ": is a directory, not a file"), folder.err());
        Path emptyGz = tmp.resolve("empty.csv.gz");
        Files.write(emptyGz, new byte[0]);
        CliRun.Out eg = train(emptyGz);
        assertEquals(2, eg.code());
        assertTrue(eg.err().contains("empty.csv.gz: empty file (0 bytes)"), eg.err());
        assertFalse(eg.err().contains("null"), eg.err());

        Path nul = tmp.resolve("nul.csv");
        Files.write(nul, "date,a\n2020-01-01,1\n2020-01-02,4\u00002\n".getBytes(StandardCharsets.UTF_8));
        CliRun.Out n = train(nul);
        assertEquals(2, n.code());
        assertTrue(n.err().contains("nul.csv: line 3: column 2 'a': '4\\x002' is not a number"), n.err());
        assertEquals(-1, n.err().indexOf('\0'), "no raw NUL on stderr");

        Path nodate = tmp.resolve("nodate.csv");
        Files.writeString(nodate, "a,b\n1,2\n3,4\n");
        CliRun.Out nd = train(nodate);
        assertEquals(2, nd.code());
        assertTrue(nd.err().contains("nodate.csv: line 1: column 1 'a': no date column"), nd.err());
    }
}
