package dev.mambamixer.engine.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A training checkpoint stored as a folder:
 * <pre>
 *   config.json            model config (any JSON object)
 *   model.safetensors      parameters, F32
 *   optimizer.safetensors  AdamW moments "&lt;param&gt;.exp_avg" / "&lt;param&gt;.exp_avg_sq" (may be empty)
 *   state.json             step, epoch, best val, RNG seed/state, ... (any JSON object)
 *   checkpoint.json        manifest, written last: format, version, savedAt, size + CRC32 of every file
 * </pre>
 *
 * <h2>Crash safety: "the last good checkpoint stays intact"</h2>
 * Rewriting files inside an existing folder cannot guarantee this: a crash after the new
 * model.safetensors but before the new optimizer.safetensors leaves a mix of two checkpoints and
 * the old one is gone, manifest or not. So {@link #save} never touches the live folder's files:
 * <ol>
 *   <li>every file is written and fsynced into a fresh sibling {@code .<name>.tmp-<uuid>/},
 *       the manifest last (a folder without a valid manifest is by definition incomplete);</li>
 *   <li>if {@code <name>/} exists it is renamed to {@code .<name>.old-<uuid>/} (one atomic rename),</li>
 *   <li>the temp folder is renamed to {@code <name>/} (one atomic rename), the parent fsynced,</li>
 *   <li>the old folder and stale siblings from earlier crashes are deleted.</li>
 * </ol>
 * A directory cannot be atomically renamed over a non-empty one, hence the two renames. A crash
 * in step 1 leaves {@code <name>/} untouched; a crash between steps 2 and 3 leaves no
 * {@code <name>/} but two complete, checksummed siblings; {@link #locate} (used by {@link #load}
 * and {@link #exists}, so by every reader) then finds the newest complete sibling (by manifest
 * time), and {@link #recover} (the writer, under the run folder's lock) renames it back into
 * place. At every instant at least one complete checkpoint exists on disk. One writer per
 * checkpoint path: {@link RunFolder} holds a lock for that.
 */
public final class Checkpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "state.json";
    public static final String MANIFEST_FILE = "checkpoint.json";
    public static final String FORMAT = "mambamixer-checkpoint";
    public static final int VERSION = 1;
    public static final String EXP_AVG_SUFFIX = ".exp_avg";
    public static final String EXP_AVG_SQ_SUFFIX = ".exp_avg_sq";
    private static final List<String> DATA_FILES = List.of(CONFIG_FILE, MODEL_FILE, OPTIMIZER_FILE, STATE_FILE);

    private final JsonObject config;
    private final LinkedHashMap<String, NamedArray> model;
    private final LinkedHashMap<String, NamedArray> optimizer;
    private final JsonObject state;

    /** {@code optimizer} and {@code state} may be null (stored as empty). Maps are copied, arrays are not. */
    public Checkpoint(JsonObject config, Map<String, NamedArray> model, Map<String, NamedArray> optimizer, JsonObject state) {
        this.config = Objects.requireNonNull(config, "config");
        this.model = new LinkedHashMap<>(Objects.requireNonNull(model, "model"));
        this.optimizer = optimizer == null ? new LinkedHashMap<>() : new LinkedHashMap<>(optimizer);
        this.state = state == null ? new JsonObject() : state;
    }

    /** Same, with the config given as JSON text (must be an object). */
    public Checkpoint(String configJson, Map<String, NamedArray> model, Map<String, NamedArray> optimizer, JsonObject state) {
        this(parseObject(configJson, "config"), model, optimizer, state);
    }

    public JsonObject config() { return config; }
    public LinkedHashMap<String, NamedArray> model() { return model; }
    public LinkedHashMap<String, NamedArray> optimizer() { return optimizer; }
    public JsonObject state() { return state; }

    /** Optimizer tensor name of AdamW's first moment for {@code param}. */
    public static String expAvgName(String param) { return param + EXP_AVG_SUFFIX; }
    /** Optimizer tensor name of AdamW's second moment for {@code param}. */
    public static String expAvgSqName(String param) { return param + EXP_AVG_SQ_SUFFIX; }

    // ------------------------------------------------------------------ save

    public void save(Path dir) throws IOException { save(dir, this); }

    /** Crash-safe save into folder {@code dir}, replacing any checkpoint there (see class doc). */
    public static void save(Path dir, Checkpoint c) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) throw new IOException("checkpoint folder needs a parent directory: " + dir);
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("checkpoint path exists and is not a folder: " + target);
        }
        Path tmp = parent.resolve("." + name + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        Path old = null;
        boolean committed = false;
        try {
            writeFiles(tmp, c);
            AtomicFiles.fsyncDirectory(tmp);
            CrashPoints.reached("checkpoint " + name + " written, not yet renamed");
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                old = parent.resolve("." + name + ".old-" + UUID.randomUUID());
                renameDir(target, old); // a crash from here until the next rename is handled by locate()
                CrashPoints.reached("checkpoint " + name + " between its two renames");
            }
            renameDir(tmp, target);
            committed = true;
            AtomicFiles.fsyncDirectory(parent);
            CrashPoints.reached("checkpoint " + name + " renamed, leftovers not yet deleted");
        } finally {
            if (!committed) {
                if (old != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    try { renameDir(old, target); } catch (IOException e) { /* old stays as a recoverable sibling */ }
                }
                deleteQuietly(tmp);
            }
        }
        // Committed: everything else with our sibling prefixes is superseded.
        for (Path p : siblings(parent, name)) deleteQuietly(p);
    }

    private static void writeFiles(Path folder, Checkpoint c) throws IOException {
        AtomicFiles.writeJson(folder.resolve(CONFIG_FILE), c.config);
        SafeTensors.write(folder.resolve(MODEL_FILE), c.model, Map.of("format", "pt", "content", "model"));
        CrashPoints.reached("checkpoint file " + folder.getFileName() + "/" + MODEL_FILE);
        SafeTensors.write(folder.resolve(OPTIMIZER_FILE), c.optimizer, Map.of("format", "pt", "content", "optimizer"));
        AtomicFiles.writeJson(folder.resolve(STATE_FILE), c.state);
        JsonObject files = new JsonObject();
        for (String f : DATA_FILES) {
            Path p = folder.resolve(f);
            JsonObject e = new JsonObject();
            e.addProperty("bytes", Files.size(p));
            e.addProperty("crc32", crc32Hex(p));
            files.add(f, e);
        }
        Instant now = Instant.now();
        JsonObject m = new JsonObject();
        m.addProperty("format", FORMAT);
        m.addProperty("version", VERSION);
        m.addProperty("savedAt", now.toString());
        m.addProperty("savedAtMillis", now.toEpochMilli());
        m.add("files", files);
        AtomicFiles.writeJson(folder.resolve(MANIFEST_FILE), m); // last: marks the folder complete
    }

    // ------------------------------------------------------------------ load

    /**
     * Loads the checkpoint saved as {@code dir} (see {@link #locate}), verifying the manifest,
     * sizes and CRC32s; throws {@link CheckpointException} when there is none.
     */
    public static Checkpoint load(Path dir) throws IOException {
        return loadFolder(locate(dir));
    }

    /**
     * The one recovery rule of every reader: the folder that holds the checkpoint saved as
     * {@code dir}. That is {@code dir} itself when it is complete (a complete but corrupted
     * {@code dir} is then an error at load, never a reason to fall back to an older sibling);
     * otherwise, when a save was interrupted between its two renames, the newest complete
     * {@code .<name>.tmp-*} / {@code .<name>.old-*} sibling (by manifest time; the new one wins a
     * tie). Read-only: safe while a writer runs. Throws {@link CheckpointException} naming
     * {@code dir}'s problem when there is no complete checkpoint.
     */
    public static Path locate(Path dir) throws CheckpointException {
        Path target = dir.toAbsolutePath().normalize();
        String problem;
        try {
            readManifest(target);
            return target;
        } catch (CheckpointException e) {
            problem = e.getMessage();
        }
        Path parent = target.getParent();
        Path best = null;
        long bestTime = Long.MIN_VALUE;
        if (parent != null && Files.isDirectory(parent)) {
            for (Path p : siblings(parent, target.getFileName().toString())) {
                try {
                    long t = readManifest(p).get("savedAtMillis").getAsLong();
                    boolean newer = t > bestTime || t == bestTime && p.getFileName().toString().contains(".tmp-");
                    if (newer) { bestTime = t; best = p; }
                } catch (CheckpointException | RuntimeException ignored) {
                    // incomplete sibling: skip
                }
            }
        }
        if (best == null) throw new CheckpointException(problem);
        return best;
    }

    /** True when a checkpoint saved as {@code dir} can be found ({@link #locate}; sizes checked, no CRC). */
    public static boolean exists(Path dir) {
        try {
            locate(dir);
            return true;
        } catch (CheckpointException e) {
            return false;
        }
    }

    /**
     * The writer's side of {@link #locate}, for whoever holds the run folder's lock (before a
     * resume, when a run folder is opened): puts the located checkpoint back under {@code dir}'s
     * name and deletes the leftovers of interrupted saves. Returns false when there is no
     * complete checkpoint (then only incomplete leftovers are deleted; an incomplete {@code dir} stays).
     */
    public static boolean recover(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) return false;
        String name = target.getFileName().toString();
        Path found;
        try {
            found = locate(target);
        } catch (CheckpointException e) {
            found = null;
        }
        if (found != null && !found.equals(target)) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS))   // incomplete: becomes a leftover, deleted below
                renameDir(target, parent.resolve("." + name + ".old-" + UUID.randomUUID()));
            renameDir(found, target);
            AtomicFiles.fsyncDirectory(parent);
        }
        for (Path p : siblings(parent, name)) deleteQuietly(p);
        return found != null;
    }

    /**
     * True when {@code dir} itself holds a checkpoint whose manifest lists files of the recorded
     * sizes (no CRC check). Readers ask {@link #exists}, which also finds a checkpoint in the
     * window of an interrupted save.
     */
    public static boolean isComplete(Path dir) {
        try {
            readManifest(dir.toAbsolutePath().normalize());
            return true;
        } catch (CheckpointException e) {
            return false;
        }
    }

    /** Names of the checkpoints in {@code folder} (e.g. a run's checkpoints/), including those only left as siblings. */
    public static java.util.SortedSet<String> names(Path folder) throws IOException {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        if (!Files.isDirectory(folder)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                String n = p.getFileName().toString();
                java.util.regex.Matcher m = SIBLING.matcher(n);
                if (m.matches()) out.add(m.group(1));
                else if (!n.startsWith(".")) out.add(n);
            }
        }
        return out;
    }

    private static final java.util.regex.Pattern SIBLING = java.util.regex.Pattern.compile("\\.(.+)\\.(?:tmp|old)-[0-9a-f-]+");

    private static Checkpoint loadFolder(Path folder) throws IOException {
        JsonObject manifest = readManifest(folder);
        JsonObject files = manifest.getAsJsonObject("files");
        for (String f : DATA_FILES) {
            String want = files.getAsJsonObject(f).get("crc32").getAsString();
            String got = crc32Hex(folder.resolve(f));
            if (!want.equals(got)) {
                throw new CheckpointException(folder.resolve(f) + ": CRC32 " + got + " does not match manifest " + want + " (corrupted)");
            }
        }
        JsonObject config = parseFileObject(folder.resolve(CONFIG_FILE));
        JsonObject state = parseFileObject(folder.resolve(STATE_FILE));
        SafeTensors.Contents model = SafeTensors.read(folder.resolve(MODEL_FILE));
        SafeTensors.Contents opt = SafeTensors.read(folder.resolve(OPTIMIZER_FILE));
        FiniteTensors.require(folder.resolve(MODEL_FILE), model.tensors());
        FiniteTensors.require(folder.resolve(OPTIMIZER_FILE), opt.tensors());
        return new Checkpoint(config, model.tensors(), opt.tensors(), state);
    }

    /** Parses the manifest and checks that every listed file exists with the recorded size. */
    private static JsonObject readManifest(Path folder) throws CheckpointException {
        Path mf = folder.resolve(MANIFEST_FILE);
        if (!Files.isDirectory(folder)) throw new CheckpointException(folder + ": no checkpoint folder");
        if (!Files.isRegularFile(mf)) {
            throw new CheckpointException(folder + ": no " + MANIFEST_FILE + " (incomplete checkpoint: save interrupted?)");
        }
        try {
            JsonObject m = parseFileObject(mf);
            if (!FORMAT.equals(str(m, "format"))) throw new CheckpointException(mf + ": not a " + FORMAT + " manifest");
            if (m.get("version").getAsInt() != VERSION) {
                throw new CheckpointException(mf + ": unsupported version " + m.get("version") + " (expected " + VERSION + ")");
            }
            m.get("savedAtMillis").getAsLong();
            JsonObject files = m.getAsJsonObject("files");
            for (String f : DATA_FILES) {
                JsonObject e = files.getAsJsonObject(f);
                if (e == null) throw new CheckpointException(mf + ": manifest lacks " + f);
                Path p = folder.resolve(f);
                if (!Files.isRegularFile(p)) throw new CheckpointException(p + ": missing (listed in manifest)");
                long size = Files.size(p);
                if (size != e.get("bytes").getAsLong()) {
                    throw new CheckpointException(p + ": " + size + " bytes, manifest says " + e.get("bytes"));
                }
                e.get("crc32").getAsString();
            }
            return m;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // JSON shape errors surface as NPE/ClassCast/IllegalState
            throw new CheckpointException(mf + ": invalid manifest: " + e, e);
        }
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static JsonObject parseFileObject(Path file) throws IOException {
        try {
            return parseObject(Files.readString(file), file.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    static JsonObject parseObject(String json, String what) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) throw new IllegalArgumentException(what + ": expected a JSON object, got " + json);
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(what + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ compatibility

    /**
     * Checks that {@code loaded} has exactly the names and shapes of {@code expected}. Throws
     * {@link CheckpointMismatchException} listing all missing names, all unexpected names and all
     * shape mismatches ({@code name: expected [..] found [..]}) in one message.
     */
    public static void checkCompatible(Map<String, int[]> expected, Map<String, NamedArray> loaded) {
        LinkedHashMap<String, int[]> shapes = new LinkedHashMap<>();
        loaded.forEach((k, v) -> shapes.put(k, v.shape()));
        checkShapes(expected, shapes);
    }

    /** Same check on shapes only, e.g. from {@link SafeTensors.Header#shapes()} without reading data. */
    public static void checkShapes(Map<String, int[]> expected, Map<String, int[]> found) {
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] f = found.get(e.getKey());
            if (f == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(e.getValue(), f)) {
                mismatched.add(e.getKey() + ": expected " + Arrays.toString(e.getValue()) + " found " + Arrays.toString(f));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : found.keySet()) if (!expected.containsKey(k)) unexpected.add(k);
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) return;

        StringBuilder sb = new StringBuilder("checkpoint does not match the model: ")
                .append(missing.size()).append(" missing, ")
                .append(unexpected.size()).append(" unexpected, ")
                .append(mismatched.size()).append(" shape mismatch").append(mismatched.size() == 1 ? "" : "es");
        for (String m : missing) sb.append("\n  missing: ").append(m);
        for (String u : unexpected) sb.append("\n  unexpected: ").append(u);
        for (String s : mismatched) sb.append("\n  shape mismatch: ").append(s);
        throw new CheckpointMismatchException(sb.toString(), missing, unexpected, mismatched);
    }

    // ------------------------------------------------------------------ helpers

    /** Leftover {@code .<name>.tmp-*} / {@code .<name>.old-*} folders of interrupted saves. */
    private static List<Path> siblings(Path parent, String name) throws CheckpointException {
        String tmpPrefix = "." + name + ".tmp-";
        String oldPrefix = "." + name + ".old-";
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if ((n.startsWith(tmpPrefix) || n.startsWith(oldPrefix)) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(parent + ": cannot list: " + e.getMessage(), e);
        }
        return out;
    }

    private static void renameDir(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover sibling is ignored by load() and removed by the next save
        }
    }

    static String crc32Hex(Path file) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing", e);
        }
        return String.format("%08x", crc.getValue());
    }
}
