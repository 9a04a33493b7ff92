package dev.mambamixer.engine.data;

/**
 * A data file does not follow the benchmark CSV format (MODEL.md §6.2): header row, first column
 * {@code date}, then finite numeric columns. The message always names the file and the 1-based
 * line number, and the column when one cell is at fault, so that a user can open the file and
 * fix it. Unchecked on purpose: a malformed file is a user error, not a recoverable condition
 * inside the engine.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public DataFormatException(String file, int line, String message) {
        super(file + ": line " + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    /**
     * For files without lines (binary IDX files, images): the message reads
     * {@code file: where: message}, e.g. {@code t10k-images-idx3-ubyte.gz: image 4,512 of 10,000: file ends
     * after ...}. {@code record} is the 1-based record (image/label) at fault, or 0 for the header or the
     * whole file; it is what {@link #line()} returns. An empty or null {@code where} is left out.
     */
    public DataFormatException(String file, int record, String where, String message) {
        super(file + (where == null || where.isEmpty() ? "" : ": " + where) + ": " + message);
        this.file = file;
        this.line = record;
    }

    /** The file name as it was given to the reader. */
    public String file() { return file; }

    /** 1-based line number of the offending line (1 = header); for binary files the 1-based record, 0 = header. */
    public int line() { return line; }
}
