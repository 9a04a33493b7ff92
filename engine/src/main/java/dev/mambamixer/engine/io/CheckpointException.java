package dev.mambamixer.engine.io;

import java.io.IOException;

/** A checkpoint folder that is missing, incomplete (interrupted save) or corrupted. */
public class CheckpointException extends IOException {
    public CheckpointException(String message) { super(message); }
    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
