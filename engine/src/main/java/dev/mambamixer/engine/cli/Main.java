package dev.mambamixer.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point: {@code mambamixer train|eval|forecast|bench|generate-sample}. */
@Command(name = "mambamixer", mixinStandardHelpOptions = true, version = "MambaMixer Workbench 0.1.0",
         description = "Train and inspect MambaMixer (TSM2) forecasters.",
         subcommands = {BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }
}
