package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every option of every command says what it is, and every option with a default shows it in --help. */
class CliHelpTest {

    @Test
    void everyOptionHasADescriptionAndShowsItsDefault() {
        List<String> missing = new ArrayList<>();
        walk(new CommandLine(new Main()).getCommandSpec(), missing);
        assertEquals(List.of(), missing);
    }

    /** The defaults a sweep shows for options its runs left out are train's own. */
    @Test
    void theSweepsKnowledgeOfTrainDefaultsMatchesTrain() {
        CommandSpec train = new CommandLine(new TrainCommand()).getCommandSpec();
        for (var e : dev.mambamixer.engine.sweep.SweepPlan.TRAIN_DEFAULTS.entrySet()) {
            OptionSpec o = train.findOption(e.getKey());
            assertNotNull(o, "train has no option " + e.getKey());
            assertEquals(o.defaultValue(), e.getValue().getAsString(), e.getKey());
        }
    }

    private static void walk(CommandSpec spec, List<String> missing) {
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            String d = String.join(" ", o.description()).strip();
            String where = spec.qualifiedName() + " " + o.longestName();
            if (d.isEmpty()) missing.add(where + ": no description");
            else if (o.defaultValue() != null && !d.contains("${DEFAULT-VALUE}") && !d.toLowerCase().contains("default"))
                missing.add(where + ": default " + o.defaultValue() + " not shown");
        }
        for (CommandLine sub : spec.subcommands().values())
            if (sub.getCommandSpec() != spec) walk(sub.getCommandSpec(), missing);
    }
}
