package train

// Names of the files in a run directory (written with atomicfile.Write).
const (
	RunFile        = "run.json"
	CheckpointFile = "checkpoint.lsck"
	MetricsFile    = "metrics.jsonl"
	EvalFile       = "eval.json"
	// OutsideFile is the run's calibrated outside threshold
	// (latent.Calibration), written at the end of training from the
	// test split or by CalibrateRun; runs made before it have none.
	OutsideFile = "outside.json"
)
