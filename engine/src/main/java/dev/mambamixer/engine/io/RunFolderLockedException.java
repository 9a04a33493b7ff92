package dev.mambamixer.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/** A second writer of a run folder was refused: another run (named in the message) holds its lock. */
public final class RunFolderLockedException extends IOException {
    private final Path runDir;
    private final String holder;

    public RunFolderLockedException(Path runDir, String holder) {
        super("run folder " + runDir + " is in use by another writer: " + holder
              + " (wait until it ends or stop it; one process writes a run folder at a time)");
        this.runDir = runDir;
        this.holder = holder;
    }

    public Path runDir() { return runDir; }

    /** pid, host, start time and command of the holder, as it wrote them into the lock file. */
    public String holder() { return holder; }
}
