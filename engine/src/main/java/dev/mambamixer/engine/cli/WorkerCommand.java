package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.sweep.ClusterSetup;
import dev.mambamixer.engine.sweep.ClusterWorker;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code worker}: a Hazelcast member that takes sweep runs ({@code sweep run --executor cluster}; docs/SWEEPS.md "Cluster"). */
@Command(name = "worker", mixinStandardHelpOptions = true,
         description = {"Join a sweep cluster and run the sweep runs handed to this machine, each a `train` in its own JVM.",
                        "The sweep folder must be on a file system this machine sees at the coordinator's path. See docs/SWEEPS.md."})
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--cluster", required = true, description = "the cluster's name (the coordinator's --cluster)")
    String cluster;
    @Option(names = "--members", required = true,
            description = "host:port of the cluster's members, comma-separated (this one may be among them)")
    String members;
    @Option(names = "--port", defaultValue = "5701", description = "the port this member listens on (default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--slots", defaultValue = "1", description = "runs at once on this machine (default: ${DEFAULT-VALUE}; on a CPU one run already uses every core)")
    int slots;
    @Option(names = "--backend", defaultValue = "auto",
            description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}: CUDA when a GPU is usable, else CPU). cpu or cuda is given to every run")
    String backend;
    @Option(names = "--worker-heap", defaultValue = "8g", description = "-Xmx of each run's JVM (default: ${DEFAULT-VALUE})")
    String heap;

    @Override public Integer call() throws Exception {
        ClusterSetup.checkClusterName("--cluster", cluster);
        List<String> memberList = ClusterSetup.parseMembers("--members", members);
        Ranges.between("--port", port, 1, 65535);
        Ranges.positive("--slots", slots);
        Ranges.oneOf("--backend", backend, "auto", "cpu", "cuda");
        SweepCommand.checkHeap(heap);
        String has = backend;
        if (!backend.equals("cpu"))
            try (Backend b = Backends.create(backend)) {   // a worker that says cuda has a usable GPU, or does not start
                has = b.name().startsWith("cuda") ? "cuda" : "cpu";
            }
        ClusterWorker worker = new ClusterWorker(cluster, memberList, port, slots, has, !backend.equals("auto"),
                                                 List.of("-Xmx" + heap), System.out);
        // Ctrl-C / SIGTERM: end this worker's runs (they continue elsewhere from their checkpoints), then leave
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "worker-shutdown"));
        worker.awaitShutdown();
        return 0;
    }
}
