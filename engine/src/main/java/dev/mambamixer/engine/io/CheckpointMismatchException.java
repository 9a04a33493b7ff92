package dev.mambamixer.engine.io;

import java.util.List;

/**
 * Loaded weights do not fit the model. Lists every problem at once (not just the first), both in
 * the message and as structured lists for programmatic use.
 */
public class CheckpointMismatchException extends IllegalArgumentException {
    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> shapeMismatches;

    public CheckpointMismatchException(String message, List<String> missing, List<String> unexpected,
                                       List<String> shapeMismatches) {
        super(message);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.shapeMismatches = List.copyOf(shapeMismatches);
    }

    /** Names the model expects that the checkpoint lacks. */
    public List<String> missing() { return missing; }
    /** Names in the checkpoint that the model does not have. */
    public List<String> unexpected() { return unexpected; }
    /** One entry per mismatch, formatted {@code name: expected [..] found [..]}. */
    public List<String> shapeMismatches() { return shapeMismatches; }
}
