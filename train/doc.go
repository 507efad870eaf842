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
// Decisions (seeds, exact resume, refusals, batch sizes, reported figures,
// evaluation sets, run IDs, k_g) are in docs/training.md.
package train
