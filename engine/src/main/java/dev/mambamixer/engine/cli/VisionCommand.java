package dev.mambamixer.engine.cli;

import picocli.CommandLine.Command;

/** {@code mambamixer vision train|eval|predict|bench}: the vision MambaMixer (ViM2, MODEL.md §7). */
@Command(name = "vision", mixinStandardHelpOptions = true,
         description = "Train, evaluate, apply and time the vision MambaMixer (ViM2) on MNIST, digits or an image folder.",
         subcommands = {VisionTrainCommand.class, VisionEvalCommand.class, VisionPredictCommand.class, VisionBenchCommand.class, VisionSelectionCommand.class})
final class VisionCommand {}
