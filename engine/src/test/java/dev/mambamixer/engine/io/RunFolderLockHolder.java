package dev.mambamixer.engine.io;

import java.nio.file.Path;

/**
 * A second process for {@link RunFolderRulesTest}: {@code hold DIR} opens the run folder (taking its
 * lock), prints "locked" and keeps it until stdin closes or the process is killed; {@code try DIR}
 * tries to open it and prints "refused: <message>" (exit 3) or "opened" (exit 0).
 */
public final class RunFolderLockHolder {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("hold")) {
            try (RunFolder f = RunFolder.open(dir)) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) { /* hold until stdin closes */ }
            }
            return;
        }
        try (RunFolder f = RunFolder.open(dir)) {
            System.out.println("opened");
        } catch (RunFolderLockedException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(3);
        }
    }
}
