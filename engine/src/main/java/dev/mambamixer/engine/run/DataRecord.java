package dev.mambamixer.engine.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.io.FileErrors;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The data file a run was trained on, recorded as the {@code "data"} object of the run's
 * config.json, so that {@code train --resume} and {@code eval}/{@code forecast} of the run can tell
 * when they are given other data: a different file (size or SHA-256 differ) is a warning naming
 * both; different columns are an error, raised before any model is built.
 *
 * @param path         the path as given on the command line
 * @param absolutePath the same, absolute
 * @param bytes        file size (of the file as stored, i.e. compressed for .gz)
 * @param sha256       hex SHA-256 of the file as stored
 * @param columns      the variate names (date column excluded)
 */
public record DataRecord(String path, String absolutePath, long bytes, String sha256, List<String> columns) {
    public static final String KEY = "data";

    /** Describes {@code file} (hashing it) with the columns read from it. */
    public static DataRecord of(Path file, List<String> columns) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; size += r) sha.update(buf, 0, r);
        } catch (IOException e) {
            throw FileErrors.reading(file, e);
        }
        return new DataRecord(file.toString(), file.toAbsolutePath().normalize().toString(), size,
                              HexFormat.of().formatHex(sha.digest()), List.copyOf(columns));
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.addProperty("absolute_path", absolutePath);
        o.addProperty("bytes", bytes);
        o.addProperty("sha256", sha256);
        JsonArray cols = new JsonArray();
        columns.forEach(cols::add);
        o.add("columns", cols);
        return o;
    }

    /** The record in {@code runDir}/config.json, or null when the run has none (older runs, or not a run folder). */
    public static DataRecord read(Path runDir) throws IOException {
        Path config = runDir.resolve(RunFolder.CONFIG_FILE);
        if (!Files.isRegularFile(config)) return null;
        JsonObject root;
        try {
            root = RunFolder.readConfig(runDir);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!root.has(KEY)) return null;
        try {
            JsonObject o = root.getAsJsonObject(KEY);
            List<String> cols = new ArrayList<>();
            o.getAsJsonArray("columns").forEach(c -> cols.add(c.getAsString()));
            return new DataRecord(o.get("path").getAsString(), o.get("absolute_path").getAsString(),
                                  o.get("bytes").getAsLong(), o.get("sha256").getAsString(), cols);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(config + ": the \"" + KEY + "\" object is malformed (" + e + ")", e);
        }
    }

    /**
     * The data file for {@code eval}/{@code forecast} of {@code checkpointArg}: {@code given} when
     * the user named one, else the file the run recorded (its absolute path, or the path as given
     * at training when that one moved with the working directory). Without a record there is no
     * safe default (evaluating on some other file prints a number that means nothing): an error
     * asks for {@code --data}.
     */
    public static Path dataFor(Path checkpointArg, Path given, String what) throws IOException {
        if (given != null) return given;
        DataRecord rec = read(runDirOf(checkpointArg));
        if (rec == null)
            throw new IllegalArgumentException(what + ": --data is needed: " + checkpointArg + " records no data file "
                                               + "(a bare checkpoint folder, or a run from before data files were recorded)");
        for (String p : new String[] {rec.absolutePath, rec.path})
            if (Files.isRegularFile(Path.of(p))) {
                System.out.println("data: " + p + " (the file the run was trained on, from its config.json)");
                return Path.of(p);
            }
        throw new IllegalArgumentException(what + ": the run was trained on " + rec.absolutePath
                                           + ", which is not there any more; give the data with --data");
    }

    /** The run folder of a {@code --checkpoint} argument: the folder itself, or the run holding checkpoints/NAME. */
    public static Path runDirOf(Path checkpointArg) {
        Path abs = checkpointArg.toAbsolutePath().normalize();
        if (Files.isRegularFile(abs.resolve(RunFolder.CONFIG_FILE)) && Files.isDirectory(abs.resolve("checkpoints"))) return abs;
        Path parent = abs.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
            && parent.getParent() != null)
            return parent.getParent();
        return abs;
    }

    /**
     * Checks {@code fd}, read from {@code file}, against the run in {@code runDir}: its model's
     * {@code variates} and, when recorded, the data file. Different columns throw (before any
     * model is built); a different file with the same columns prints a warning naming both.
     * {@code what} names the operation in messages ("--resume", "eval").
     */
    public static void check(Path runDir, Path file, ForecastData fd, int variates, String what) throws IOException {
        DataRecord rec = read(runDir);
        String trainedOn = rec == null ? "" : " (" + rec.path + ": " + rec.columns.size() + " variates " + rec.columns + ")";
        if (fd.variates() != variates)
            throw new IllegalArgumentException(what + ": " + file + " has " + fd.variates() + " variates " + fd.columns()
                    + " but the run in " + runDir + " was trained on " + variates + trainedOn
                    + "; give the data file the run was trained on");
        if (rec == null) return;
        if (!rec.columns.equals(fd.columns()))
            throw new IllegalArgumentException(what + ": " + file + " has columns " + fd.columns() + " but the run in "
                    + runDir + " was trained on " + rec.path + " with columns " + rec.columns
                    + "; give the data file the run was trained on");
        DataRecord now = of(file, fd.columns());
        if (now.bytes != rec.bytes || !now.sha256.equals(rec.sha256))
            System.err.println(FileErrors.printable("warning: " + what + ": " + file + " (" + now.bytes + " bytes, sha256 "
                    + now.sha256.substring(0, 12) + "...) is not the file the run in " + runDir + " was trained on: "
                    + rec.absolutePath + " (" + rec.bytes + " bytes, sha256 " + rec.sha256.substring(0, 12)
                    + "...); same columns, so continuing with " + file));
    }
}
