/**
 * Introspection of a TSM2 model (and ViM2, below) as plain data (no engine tensors), for a UI or
 * notebook: what every selective scan selected (Δ, B, C, the gate SiLU(z), retention exp(Δ·A)),
 * its implicit attention, hidden-state and output norms, per-layer statistics, and the
 * weighted-averaging coefficients (MODEL.md §3.2, §4.2, §4.4, §5.3).
 *
 * <ul>
 *   <li>{@link dev.mambamixer.engine.introspect.Introspector}: runs one evaluation-mode forward
 *       ({@code training = false}) on a probe batch and copies what the scans saw to the host.
 *       It changes no parameter, gradient, optimiser moment or RNG state, so it may run inside
 *       {@code TrainingListener.onStep} (the loss curve stays bit-identical).</li>
 *   <li>{@link dev.mambamixer.engine.introspect.ModelCapture} → {@link dev.mambamixer.engine.introspect.MixerCapture}
 *       (one per mixer, stack order T₁, C₁, T₂, ...) → {@link dev.mambamixer.engine.introspect.ScanCapture}
 *       (one per direction; backward directions in original positions).</li>
 *   <li>{@link dev.mambamixer.engine.introspect.ImplicitAttention}: α[t,s] with
 *       yₜ = Σ_s α[t,s]·u_s + D·uₜ (pre-gate), computed on demand from a cumulative sum of Δ.</li>
 *   <li>{@link dev.mambamixer.engine.introspect.AveragingMatrix} (target × source) and
 *       {@link dev.mambamixer.engine.introspect.AveragingHistory} (snapshots over training).</li>
 *   <li>{@link dev.mambamixer.engine.introspect.CaptureFiles}: folders of JSON + safetensors.</li>
 *   <li>ViM2 (MODEL.md §7): {@code Introspector.capture(Vim2, images, B, step)} ->
 *       {@link dev.mambamixer.engine.introspect.Vim2Capture} (per stage) ->
 *       {@link dev.mambamixer.engine.introspect.Ss2dCapture} (the four
 *       {@link dev.mambamixer.engine.introspect.CrossScanDirection}s of an SS2D token mixer as float64
 *       {@link dev.mambamixer.engine.introspect.ScanTrace}s in row-major image order; (H, W) maps and the
 *       exact merged implicit attention of a query token) and
 *       {@link dev.mambamixer.engine.introspect.Vim2ChannelCapture}; not serialised yet.</li>
 * </ul>
 *
 * <p>Example:
 * <pre>{@code
 * Tsm2 model = ...;                                   // trained or training
 * ModelCapture cap = Introspector.capture(model, data.val(), new int[] {0, 10, 20}, step);
 * MixerCapture var = cap.mixer("blocks.0.variate");   // channel mixer: bidirectional
 * ScanCapture fwd = var.direction("forward");
 * float[] delta = fwd.delta();                        // (S, L, E), S = B·Nₚ, L = M
 * ImplicitAttention a = fwd.attention(var.seq(0, 5), 3); // batch 0, patch 5, channel 3
 * double w = a.alpha(4, 2);                           // variate 2 -> variate 4
 * float[][] heat = var.meanAbsAttention(var.seq(0, 5)); // mean |α| over channels, both directions
 * for (ModelCapture.LayerStats s : cap.layerStats()) System.out.println(s.mixer() + " " + s.delta().p50());
 * CaptureFiles.write(cap, runDir.resolve("captures/step-" + step));
 * ModelCapture again = CaptureFiles.read(runDir.resolve("captures/step-" + step)); // equals(cap)
 *
 * AveragingHistory hist = new AveragingHistory();     // pass hist.listener(model, 50) to the Trainer
 * float[] beta10 = hist.series(0, 1);                 // β_{1,0} over the recorded steps
 * }</pre>
 */
package dev.mambamixer.engine.introspect;
