package dev.mambamixer.engine.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: the content goes to a temp file in the target's directory, is
 * fsynced, and is then renamed over the target. Readers see either the complete old file or
 * the complete new one, never a prefix. On any failure (including an exception thrown by the
 * caller's writer) the temp file is deleted and the old file is left untouched.
 */
public final class AtomicFiles {

    /** Pretty-printed, no HTML escaping, NaN/Infinity allowed (metrics may legitimately be NaN). */
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private AtomicFiles() {}

    /** Writes the file body to an open channel positioned at 0. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes the file body to a (buffered) stream; the stream must not be closed by the callback. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with whatever {@code writer} writes to the channel. */
    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) throw new IOException("no parent directory for " + target);
        Files.createDirectories(dir);
        // Same directory as the target, so the final rename never crosses file systems.
        Path tmp = newTempFile(dir, abs.getFileName().toString());
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch);
                ch.force(true); // data on disk before the rename makes it visible
            }
            moveIntoPlace(tmp, abs);
            fsyncDirectory(dir); // persist the rename itself
            ok = true;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    /** Atomically replaces {@code target} with the bytes written to a buffered stream. */
    public static void writeStream(Path target, StreamWriter writer) throws IOException {
        write(target, ch -> {
            // Not closing the wrapper: closing it would close the channel before force().
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            writer.write(out);
            out.flush();
        });
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** UTF-8 text. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Pretty-printed JSON followed by a newline. */
    public static void writeJson(Path target, JsonElement json) throws IOException {
        writeString(target, GSON.toJson(json) + "\n");
    }

    /**
     * Creates an empty {@code .<name>.<random>.tmp} in {@code dir} with the permissions a plain
     * file creation gets (the umask applies: 0644 under umask 022), unlike
     * {@link Files#createTempFile}, which makes it 0600. Such files are removed by
     * {@link RunFolder}'s clean-up when a crash leaves them behind.
     */
    static Path newTempFile(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + TMP_SUFFIX);
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /** Suffix of the temp files of {@link #write}; a leftover one is a crash's debris. */
    static final String TMP_SUFFIX = ".tmp";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Rename with ATOMIC_MOVE, falling back to a plain replace where the file system lacks it. */
    static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Best-effort fsync of a directory so a rename survives power loss. Works on Linux/macOS;
     * opening a directory fails on Windows, where there is nothing equivalent to do.
     */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on this platform/file system
        }
    }
}
