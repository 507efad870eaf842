// Package train trains the model package's SAE on data Sets, keeps every
// run in a folder, evaluates runs, and loads them for inference (OpenRun).
//
// A run folder holds:
//   - run.json: the settings (Config), the latent layout, the class names,
//     the input size, the model configuration and the data description.
//     It is written once when the run starts.
//   - checkpoint.lsck: the weights, batch-norm running averages, Adam's
//     moments and step, the position (epoch, batch, step), the running
//     figures of the epoch in progress, the layout, classes, width and
//     encoder. Format: "LSCONFCK", a uint32 header length, a JSON header,
//     the float32 tensors (little endian) and a SHA-256 of all that, so a
//     truncated or damaged file is refused. It is written through a
//     temporary file and a rename at every epoch end, every
//     CheckpointEvery steps, and when the context is cancelled.
//   - metrics.jsonl: one "epoch" line per epoch (train loss, L_CE, L_G and
//     accuracy; the test and generalization evaluations with their
//     latent-space conformance summary; wall time) and optional "step"
//     lines every LogEvery steps.
//   - eval.json: the final evaluation (EvalReport).
//
// Decisions (see also docs/training.md):
//   - Seeds: Config.Seed draws the initial weights and the batch order
//     (data.EpochOrder of the seed and the epoch); callers use the same
//     seed for the split and the augmentations (the CLI does), which is the
//     paper's "random seed fixed for the experiment". The built-in textures
//     have their own data seed, so runs of different seeds share the data.
//   - Resume is exact: the batch order depends only on (seed, epoch), the
//     checkpoint holds the position and the epoch's running sums, and
//     metrics lines written after the checkpoint are dropped and written
//     again. The same seed, data and settings give the same weights and
//     the same metrics log (wall times aside) on the same machine.
//   - A run folder is never replaced unless Force; a resume must agree
//     with run.json on every recorded setting, and its data must have the
//     run's classes; a checkpoint must match run.json (width, n_c, n_d,
//     layout, classes, encoder). Every refusal happens before anything is
//     written.
//   - The last batch of an epoch may be smaller (it compiles a second
//     graph); batches have at least 2 images (batch norm).
//   - Train figures are means over the epoch's samples; the L_G figure is
//     the loss term as the step saw it (with the sum reduction, a sum over
//     the batch). Evaluation figures are per image: EvalResult.LG is the
//     mean f_d distance to the own cluster.
//   - Evaluation sets may hold any subset of the run's classes, matched by
//     name; a class the run does not know is an error.
//   - Run.ID is the first 16 hex digits of SHA-256(run.json, checkpoint
//     checksum): the same weights give the same ID, further training or a
//     new run changes it.
//   - Config.KG = 0 means the default k_g (0.2): use mode "ce" for no L_G.
package train
