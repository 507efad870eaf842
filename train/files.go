package train

// Names of the files in a run directory (written with atomicfile.Write).
const (
	RunFile        = "run.json"
	CheckpointFile = "checkpoint.lsck"
	MetricsFile    = "metrics.jsonl"
	EvalFile       = "eval.json"
)
