package dev.mambamixer.engine.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns the JDK's file exceptions into messages that name the file and say why, in words a user
 * can act on: "not found", "permission denied (not readable)", "is a directory, not a file",
 * "disk full (no space left on device)". The JDK gives a bare path ({@code NoSuchFileException}),
 * an OS phrase without a path ({@code IOException("Is a directory")}) or no message at all; the
 * CLI prints {@code error: <message>}, so each of those reads as nonsense there.
 */
public final class FileErrors {
    private FileErrors() {}

    /** An IOException whose message already names the file and the cause (not rewritten again). */
    public static final class FileProblem extends IOException {
        private static final long serialVersionUID = 1L;
        private final String file;

        public FileProblem(String file, String why, Throwable cause) {
            super(file + ": " + why, cause);
            this.file = file;
        }

        public String file() { return file; }
    }

    /** Reads the whole file, or throws a {@link FileProblem} that names it and says why it could not. */
    public static byte[] readAllBytes(Path path) throws IOException {
        try {
            return Files.readAllBytes(path);
        } catch (FileProblem e) {
            throw e;
        } catch (IOException e) {
            throw reading(path, e);
        }
    }

    /** Checks that {@code path} is an existing, readable regular file (before a stream is opened on it). */
    public static void checkReadableFile(Path path) throws FileProblem {
        if (Files.isDirectory(path)) throw new FileProblem(path.toString(), "is a directory, not a file", null);
        if (!Files.exists(path)) throw new FileProblem(path.toString(), notFound(path), null);
        if (!Files.isReadable(path))
            throw new FileProblem(path.toString(), "permission denied (the file is not readable by this user)", null);
    }

    /** {@code e}, raised while reading {@code path}, as a {@link FileProblem} naming the path and the cause. */
    public static FileProblem reading(Path path, IOException e) {
        if (e instanceof FileProblem p) return p;
        return new FileProblem(path.toString(), cause(path, e, Boolean.FALSE), e);
    }

    /** {@code e}, raised while writing {@code path}, as a {@link FileProblem} naming the path and the cause. */
    public static FileProblem writing(Path path, IOException e) {
        if (e instanceof FileProblem p) return p;
        return new FileProblem(path.toString(), cause(path, e, Boolean.TRUE), e);
    }

    /**
     * A message for any IOException, for the top-level {@code error:} line: names the file when the
     * exception knows it ({@link FileSystemException#getFile()}) and never returns null or "".
     */
    public static String describe(IOException e) {
        if (e instanceof FileProblem) return e.getMessage();
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            Path p = Path.of(fse.getFile());
            String where = fse.getOtherFile() == null ? fse.getFile() : fse.getFile() + " -> " + fse.getOtherFile();
            return where + ": " + cause(p, e, null);
        }
        String os = osPhrase(e);
        if (isDiskFull(os)) return "disk full (no space left on device)";
        return os;
    }

    /** Why the operation on {@code path} failed, as a short phrase; {@code writing} null = not known. */
    static String cause(Path path, IOException e, Boolean writing) {
        String os = osPhrase(e);
        String lower = os.toLowerCase(Locale.ROOT);
        if (isDiskFull(os)) return "disk full (no space left on device) while writing";
        if (e instanceof NoSuchFileException || lower.contains("no such file")) return notFound(path);
        if (e instanceof AccessDeniedException || lower.contains("permission denied") || lower.contains("access is denied"))
            return writing == null ? "permission denied"
                : writing ? "permission denied (not writable by this user)" : "permission denied (not readable by this user)";
        if (lower.contains("is a directory") || Files.isDirectory(path)) return "is a directory, not a file";
        if (e instanceof NotDirectoryException || lower.contains("not a directory"))
            return "a part of the path is a file, not a directory";
        if (lower.contains("read-only file system")) return "the file system is read-only";
        return (writing == null ? "" : writing ? "cannot write: " : "cannot read: ") + os;
    }

    private static String notFound(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) return "not found (the folder " + parent + " does not exist)";
        return "not found";
    }

    private static boolean isDiskFull(String os) {
        String lower = os.toLowerCase(Locale.ROOT);
        return lower.contains("no space left") || lower.contains("disk quota exceeded") || lower.contains("not enough space");
    }

    /** The OS phrase of {@code e} (its reason or message), or its class name when it has none. */
    private static String osPhrase(IOException e) {
        String m = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (m == null || m.isBlank()) m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return m;
    }

    /**
     * {@code s} safe to print on a terminal and through line-oriented filters: NUL and other
     * control characters (except tab and newline) become {@code \xNN} escapes (line and paragraph
     * separators {@code \}{@code uNNNN}), so
     * a garbage byte quoted from a data file can neither hide the line from {@code grep} nor move the
     * cursor. Null becomes "null".
     */
    public static String printable(String s) {
        if (s == null) return "null";
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
            if (control) {
                if (sb == null) sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                sb.append(c <= 0xFF ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * The text after {@code error: } for any throwable: file exceptions via {@link #describe}, then the
     * message, then the cause's, then the class name (never null or empty), made {@link #printable}.
     */
    public static String errorText(Throwable t) {
        String m;
        if (t instanceof IOException io) {
            m = describe(io);
        } else {
            m = t.getMessage();
            if ((m == null || m.isBlank()) && t.getCause() != null) {
                Throwable c = t.getCause();
                m = c instanceof IOException io ? describe(io) : c.getMessage();
                if (m == null || m.isBlank()) m = c.getClass().getSimpleName();
                m = t.getClass().getSimpleName() + ": " + m;
            }
            if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        }
        return printable(m);
    }
}
