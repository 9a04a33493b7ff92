/**
 * File formats and run artefacts, independent of the model classes (plain float arrays and
 * Gson JSON only):
 * <ul>
 *   <li>{@link dev.mambamixer.engine.io.SafeTensors}: HF safetensors read/write ({@link dev.mambamixer.engine.io.NamedArray} maps);</li>
 *   <li>{@link dev.mambamixer.engine.io.AtomicFiles}: temp file + fsync + atomic rename;</li>
 *   <li>{@link dev.mambamixer.engine.io.Checkpoint}: crash-safe checkpoint folders (model, AdamW moments, config, state),
 *       used for "restore the best checkpoint and evaluate on test" (MODEL.md §6.5);</li>
 *   <li>{@link dev.mambamixer.engine.io.RunFolder}: runs/&lt;stamp&gt;-&lt;name&gt;/ with config, metrics.csv, test metrics, forecasts;</li>
 *   <li>{@link dev.mambamixer.engine.io.ProgressBar}: terminal/CI-friendly training progress.</li>
 * </ul>
 */
package dev.mambamixer.engine.io;
