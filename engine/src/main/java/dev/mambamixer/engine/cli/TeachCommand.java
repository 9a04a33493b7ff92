package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ProgressBar;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.run.TeachingRun;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.introspect.SelectionProbe;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainingListener;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mambamixer teach}: trains the token-sequence model on a Mamba-paper teaching task
 * (selective copying or induction heads), then reports held-out accuracy and how Δ of the first
 * token mixer differs between the marked positions (the selection the task needs).
 */
@Command(name = "teach", mixinStandardHelpOptions = true,
         description = "Train a small MambaMixer on a teaching task (selective copying, induction heads) and "
                       + "measure selection (Δ at the special positions).")
final class TeachCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "the teaching task: selective-copy or induction (docs/MODEL.md §8)") String task;
    @Option(names = "--steps", defaultValue = "1500", description = "optimiser steps (default ${DEFAULT-VALUE})") int steps;
    @Option(names = "--length", defaultValue = "32", description = "sequence length L (default ${DEFAULT-VALUE})") int length;
    @Option(names = "--vocab", defaultValue = "12", description = "vocabulary V incl. special tokens (default ${DEFAULT-VALUE})") int vocab;
    @Option(names = "--copy-tokens", defaultValue = "4", description = "selective copying: tokens to copy K (default ${DEFAULT-VALUE})") int copyTokens;
    @Option(names = "--d-model", defaultValue = "32", description = "model width d_model (default ${DEFAULT-VALUE})") int dModel;
    @Option(names = "--layers", defaultValue = "2", description = "MambaMixer blocks (default ${DEFAULT-VALUE})") int layers;
    @Option(names = "--d-state", defaultValue = "16", description = "SSM state size N (default ${DEFAULT-VALUE})") int dState;
    @Option(names = "--d-conv", defaultValue = "4", description = "causal conv width K of the Mamba units (default ${DEFAULT-VALUE})") int dConv;
    @Option(names = "--no-channel-mixer", description = "token mixers only, no channel mixers (an ablation)") boolean noChannel;
    @Option(names = "--batch", defaultValue = "32", description = "examples per optimiser step (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--lr", defaultValue = "3e-3", description = "peak learning rate, cosine decay after the warm-up (default ${DEFAULT-VALUE})") double lr;
    @Option(names = "--warmup", defaultValue = "100", description = "warm-up steps (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default ${DEFAULT-VALUE})") double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default ${DEFAULT-VALUE})") double clip;
    @Option(names = "--eval-examples", defaultValue = "1024", description = "held-out examples per evaluation (default ${DEFAULT-VALUE})") int evalExamples;
    @Option(names = "--eval-every", defaultValue = "250", description = "held-out evaluation interval in steps, 0 = only at the end (default ${DEFAULT-VALUE})") int evalEvery;
    @Option(names = "--stop-at", defaultValue = "2", description = "stop once held-out token accuracy reaches this, e.g. 0.99 (default: never)") double stopAt;
    @Option(names = "--seed", defaultValue = "7", description = "seed for init, data and batches (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--backend", defaultValue = "cpu", description = "auto, cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;
    @Option(names = "--runs-dir", defaultValue = "runs", description = "where run folders go (default: ${DEFAULT-VALUE})") java.nio.file.Path runsDir;
    @Option(names = "--name", description = "run name (default: the task's name)") String name;
    @Option(names = "--resume", description = "continue the run in this run folder from its last checkpoint (its config wins)") java.nio.file.Path resume;

    private void checkRanges() {
        Ranges.positive("--steps", steps);
        Ranges.positive("--length", length);
        Ranges.positive("--vocab", vocab);
        Ranges.nonNegative("--copy-tokens", copyTokens);
        Ranges.positive("--d-model", dModel);
        Ranges.positive("--layers", layers);
        Ranges.positive("--d-state", dState);
        Ranges.positive("--d-conv", dConv);
        Ranges.positive("--batch", batch);
        Ranges.positive("--lr", lr);
        Ranges.nonNegative("--warmup", warmup);
        Ranges.nonNegative("--weight-decay", weightDecay);
        Ranges.nonNegative("--clip", clip);
        Ranges.positive("--eval-examples", evalExamples);
        Ranges.nonNegative("--eval-every", evalEvery);
        Ranges.finite("--stop-at", stopAt);
        Ranges.backend(backend);
    }

    private RunFolder run;   // the run folder once created or opened; call() closes it whatever happens

    @Override public Integer call() throws java.io.IOException {
        checkRanges();
        try {
            return train();
        } finally {
            if (run != null) run.close();   // releases the lock; a folder of a run that failed before its first step goes
        }
    }

    private int train() throws java.io.IOException {
        TeachingTask t;
        SequenceModelConfig mc;
        TeachConfig tc;
        Checkpoint last = null;
        if (resume != null) {
            run = RunFolder.open(resume);   // the lock first: nothing in the folder is read before it is ours
            java.nio.file.Path lastDir = run.checkpointDir("last");
            last = run.checkpoint("last");
            if (last == null) return Cli.fail("--resume " + resume + ": no checkpoints/last in that run folder");
            String where = lastDir.resolve(Checkpoint.CONFIG_FILE).toString();
            t = TeachingRun.task(last.config(), where);
            mc = TeachingRun.modelConfig(last.config(), where);
            tc = TeachingRun.teachConfig(last.config(), where);
        } else {
            t = TeachingTask.create(task, length, vocab, copyTokens);
            mc = SequenceModelConfig.defaults(vocab, length).withModel(dModel, layers, dState)
                                    .withChannelMixer(!noChannel).withSeed(seed).withConv(dConv).validate();
            tc = new TeachConfig(steps, batch, lr, warmup, 0.05, weightDecay, clip, seed, evalExamples, evalEvery,
                                 stopAt).validate();
            run = null;   // created once the sizes are known to fit
        }
        int batch = tc.batch(), steps = tc.steps(), layers = mc.layers();
        try (Backend be = Backends.create(backend)) {
            MemoryEstimate.sequenceModel(mc, tc.batch(), tc.batch())
                          .requireFitsOn(be, resume != null ? resume.resolve("checkpoints/last/config.json").toString()
                                                            : "the model and batch options");
            if (run == null) run = RunFolder.create(runsDir, name != null ? name : t.name());
            SequenceModel model = new SequenceModel(be, mc);
            System.out.printf("task: %s  (L %d, V %d%s)%n", t.name(), length, vocab,
                              t instanceof SelectiveCopying sc ? ", K " + sc.tokensToCopy() : "");
            System.out.printf("model: d_model %d, %d layers (%s), d_state %d, %,d parameters; backend %s%n", mc.dModel(), layers,
                              mc.channelMixer() ? "token + channel mixers" : "token mixers only", mc.dState(),
                              model.parameterCount(), Backends.describe(be));
            System.out.println("run folder: " + run.dir());
            ProgressBar bar = ProgressBar.console("samples");
            bar.start("train", (long) steps * batch);
            TeachingRun.Builder b = TeachingRun.builder(model, t, tc).folder(run).listener(new TrainingListener() {
                @Override public void onStep(StepEvent e) {
                    bar.step((long) e.step() * batch, String.format(Locale.ROOT, "loss %.4f  acc %.3f", e.loss(), e.accuracy()));
                }

                @Override public void onHeldOut(HeldOutEvent e) {
                    if (!bar.interactive()) System.out.printf(Locale.ROOT, "  step %d: held-out accuracy %.4f (loss %.4f)%n",
                                                              e.step(), e.accuracy(), e.loss());
                }
            });
            if (last != null) b.resume(last);
            TeachingRun teaching = b.build();
            SequenceTrainer tr = teaching.trainer();
            if (last != null) System.out.println("resumed after step " + tr.step());
            SequenceTrainer.Result r = teaching.run();
            bar.finish();
            SequenceTrainer.Evaluation e = r.heldOut();
            System.out.printf(Locale.ROOT, "steps %d%s, %.1f s, %.1f samples/s%n", r.steps(),
                              r.stoppedEarly() ? " (stopped early)" : "", r.seconds(), r.samplesPerSecond());
            System.out.printf(Locale.ROOT, "held-out (%d examples, %d targets): token accuracy %.4f, exact-match %.4f, loss %.4f%n",
                              e.examples(), e.targets(), e.accuracy(), e.sequenceAccuracy(), e.loss());
            String[] pair = t instanceof SelectiveCopying ? new String[] {"data", "noise"}
                                                          : new String[] {"key", SelectionProbe.UNMARKED};
            SelectionProbe.Profile p = null;
            for (int blk = layers - 1; blk >= 0; blk--) {   // block 0 last: its profile is the one printed below
                p = SelectionProbe.delta(model, tr.heldOut(), blk, batch);
                StringBuilder roles = new StringBuilder();
                for (Map.Entry<String, Double> en : p.mean().entrySet())
                    roles.append(String.format(Locale.ROOT, "  %s %.4f", en.getKey(), en.getValue()));
                System.out.printf(Locale.ROOT, "token mixer %d: mean Δ by position role:%s; Δ ratio %s / %s = %.3f%n", blk,
                                  roles, pair[0], pair[1], p.ratio(pair[0], pair[1]));
                double[] cr = p.channelRatio(pair[0], pair[1]).clone();
                java.util.Arrays.sort(cr);
                int above = 0, below = 0;
                for (double x : cr) { if (x > 1.5) above++; if (x < 1 / 1.5) below++; }
                System.out.printf(Locale.ROOT, "  per-channel ratio: min %.3f, median %.3f, max %.3f; %d of %d channels > 1.5, %d < 1/1.5%n",
                                  cr[0], p.medianChannelRatio(pair[0], pair[1]), cr[cr.length - 1], above, cr.length, below);
            }
            printExample(t, tr.heldOut().get(0), p.example(0));
            return 0;
        }
    }

    /** One held-out example: token, role and Δ̄ per position (a text stand-in for the plot). */
    private static void printExample(TeachingTask t, SequenceExample ex, double[] delta) {
        System.out.println("example 0 (token, Δ̄; * marks data/key positions):");
        StringBuilder sb = new StringBuilder();
        int[] tok = ex.tokens();
        for (int i = 0; i < tok.length; i++) {
            String role = ex.roleAt(i);
            boolean special = "data".equals(role) || "key".equals(role) || "trigger".equals(role);
            sb.append(String.format(Locale.ROOT, "%s%s:%.3f ", special ? "*" : "", t.tokenName(tok[i]), delta[i]));
            if ((i + 1) % 8 == 0) sb.append('\n');
        }
        System.out.println(sb.toString().stripTrailing());
    }
}
