package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "params", mixinStandardHelpOptions = true,
         description = "List a TSM2 configuration's parameters as named in checkpoints (name, shape, weight decay).")
final class ParamsCommand implements Callable<Integer> {
    @ArgGroup(validate = false, heading = "%nModel%n") ModelOptions model = new ModelOptions();
    @Option(names = "--seq-len", defaultValue = "512", description = "look-back T (default ${DEFAULT-VALUE})") int seqLen;
    @Option(names = "--horizon", defaultValue = "96", description = "horizon H (default ${DEFAULT-VALUE})") int horizon;
    @Option(names = "--variates", defaultValue = "7", description = "variates M (default ${DEFAULT-VALUE})") int variates;

    @Override public Integer call() {
        Ranges.positive("--seq-len", seqLen);
        Ranges.positive("--horizon", horizon);
        Ranges.positive("--variates", variates);
        Tsm2Config cfg = model.toConfig(seqLen, horizon, variates, 0);
        ReferenceBackend be = new ReferenceBackend();
        MemoryEstimate.tsm2Inference(cfg, 1).requireFitsOn(be, "the model options");
        Tsm2 m = new Tsm2(be, cfg);
        System.out.printf("%-44s %-16s %10s  %s%n", "name", "shape", "elements", "decay");
        for (Parameter p : m.parameters())
            System.out.printf("%-44s %-16s %10d  %s%n", p.name(), Arrays.toString(p.shape()), p.size(),
                              p.noDecay() ? "no" : "yes");
        System.out.printf("total %,d parameters%n", m.parameterCount());
        return 0;
    }
}
