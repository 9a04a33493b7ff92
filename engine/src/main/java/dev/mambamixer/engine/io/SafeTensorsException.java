package dev.mambamixer.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is malformed or unsupported; the message names the file (and tensor). */
public class SafeTensorsException extends IOException {
    private final Path file;

    public SafeTensorsException(Path file, String message) {
        this(file, message, null);
    }

    public SafeTensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() { return file; }
}
