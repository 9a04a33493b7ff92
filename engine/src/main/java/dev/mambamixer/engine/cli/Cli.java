package dev.mambamixer.engine.cli;

/** Small helpers shared by the commands. */
final class Cli {
    private Cli() {}

    static int fail(String message) {
        System.err.println("error: " + dev.mambamixer.engine.io.FileErrors.printable(message));
        return 2;
    }
}
