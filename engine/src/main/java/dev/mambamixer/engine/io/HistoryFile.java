package dev.mambamixer.engine.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An append-only history file of text lines (metrics.csv, events.jsonl). Each line goes to the
 * file in one write of the whole line including its '\n', straight to the OS (no buffer in this
 * process), so a killed process leaves only complete lines and a power loss at most one torn last
 * line (no '\n'). {@link #sync} puts everything written so far on disk; runs call it before a
 * checkpoint save, so the history up to a checkpoint outlives it.
 * <p>
 * Readers use {@link #completeLines}: a last line without '\n' is torn and skipped.
 */
public final class HistoryFile implements Closeable {
    private final Path file;
    private final FileChannel channel;

    /** Opens {@code file} for appending (created when missing). */
    public HistoryFile(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public Path file() { return file; }

    /** True when the file is empty (a header is due). */
    public synchronized boolean isEmpty() throws IOException { return channel.size() == 0; }

    /** Appends {@code line} (without '\n') in one write. */
    public synchronized void append(String line) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (CrashPoints.due()) {   // test hook: a torn line, as a power loss would leave it
            buf.limit(Math.max(1, buf.limit() / 2));
            AtomicFiles.writeFully(channel, buf);
            CrashPoints.halt("history write " + file.getFileName());
        }
        AtomicFiles.writeFully(channel, buf);
    }

    /** Everything appended so far on disk. */
    public synchronized void sync() throws IOException { channel.force(false); }

    @Override public synchronized void close() throws IOException { channel.close(); }

    /**
     * The complete lines of a history file (without their '\n'); a last line without '\n' is a
     * torn write and left out. An absent file has no lines.
     */
    public static List<String> completeLines(Path file) throws IOException {
        if (!Files.exists(file)) return new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            String ln = text.substring(start, nl);
            out.add(ln.endsWith("\r") ? ln.substring(0, ln.length() - 1) : ln);
            start = nl + 1;
        }
        return out;
    }

    /**
     * Keeps only the complete lines {@code keep} accepts (in order) and drops a torn last line;
     * rewritten atomically, so a crash during the cut leaves the old file. Returns the number of
     * lines dropped (a torn line counts); 0 leaves the file untouched. Callers hold the run folder's lock.
     */
    public static int retain(Path file, Predicate<String> keep) throws IOException {
        if (!Files.exists(file)) return 0;
        long bytes = Files.size(file);
        List<String> lines = completeLines(file);
        StringBuilder kept = new StringBuilder((int) Math.min(bytes, Integer.MAX_VALUE - 8));
        int dropped = 0;
        for (String ln : lines) {
            if (keep.test(ln)) kept.append(ln).append('\n');
            else dropped++;
        }
        byte[] out = kept.toString().getBytes(StandardCharsets.UTF_8);
        if (out.length != bytes) {
            if (dropped == 0) dropped = 1;   // only a torn tail went
            AtomicFiles.writeBytes(file, out);
        }
        return dropped;
    }
}
