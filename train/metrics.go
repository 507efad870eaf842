package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/lsconf/lsconf/internal/atomicfile"
)

// Kinds of metrics lines.
const (
	// KindEpoch lines close an epoch: train figures of the whole epoch and
	// the evaluation of the test and generalization sets.
	KindEpoch = "epoch"
	// KindStep lines are written every Config.LogEvery steps with the
	// train figures of those steps.
	KindStep = "step"
)

// TrainMeans are the means over an epoch's training samples of the batch
// figures: total loss, L_CE, L_G (the per-batch value as the loss saw it,
// whatever the mode) and accuracy of the classifier head.
type TrainMeans struct {
	Loss float64 `json:"loss"`
	CE   float64 `json:"ce"`
	LG   float64 `json:"lg"`
	Acc  float64 `json:"acc"`
	// Recon is the decoder's mean squared error (runs with a decoder).
	Recon float64 `json:"recon,omitempty"`
	// Cycle is the latent cycle-consistency error, model.CycleLoss (runs
	// with the cycle term).
	Cycle float64 `json:"cycle,omitempty"`
}

// MetricsLine is one line of metrics.jsonl.
type MetricsLine struct {
	Kind string `json:"kind"`
	// Epoch is the 1-based epoch the line belongs to.
	Epoch int `json:"epoch"`
	// Step is the global train step count when the line was written.
	Step  int64      `json:"step"`
	Train TrainMeans `json:"train"`
	// Test and Gen summarise the evaluation of the test and
	// generalization sets (epoch lines; nil when there is no such set).
	Test *EvalSummary `json:"test,omitempty"`
	Gen  *EvalSummary `json:"gen,omitempty"`
	// WallSeconds is the training time since the run started (not counting
	// time between an interruption and its resume).
	WallSeconds float64 `json:"wall_s"`
}

// ReadMetrics reads a metrics.jsonl file (a run directory's MetricsFile).
func ReadMetrics(path string) ([]MetricsLine, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return parseMetrics(b, path)
}

func parseMetrics(b []byte, path string) ([]MetricsLine, error) {
	lines, _, err := parseMetricsRaw(b, path)
	return lines, err
}

// parseMetricsRaw parses the lines and also returns each line's bytes.
func parseMetricsRaw(b []byte, path string) ([]MetricsLine, [][]byte, error) {
	var out []MetricsLine
	var raw [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m MetricsLine
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, nil, fmt.Errorf("read metrics %s line %d: %w", path, n, err)
		}
		out = append(out, m)
		raw = append(raw, append([]byte(nil), line...))
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read metrics %s: %w", path, err)
	}
	return out, raw, nil
}

// metricsLog appends lines to a run's metrics.jsonl.
type metricsLog struct {
	path string
}

// append writes one line and syncs it.
func (m *metricsLog) append(line MetricsLine) error {
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("metrics line: %w", err)
	}
	f, err := os.OpenFile(m.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append metrics: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("append metrics: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append metrics: %w", err)
	}
	return nil
}

// truncateTo keeps the lines written up to position p (epoch lines of
// finished epochs, step lines up to p.Step) and drops the rest, which a
// resumed run will write again. The file is rewritten atomically.
func (m *metricsLog) truncateTo(p Position) error {
	b, err := os.ReadFile(m.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read metrics: %w", err)
	}
	lines, raw, err := parseMetricsRaw(b, m.path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for i, l := range lines {
		keep := l.Step <= p.Step
		if l.Kind == KindEpoch {
			keep = l.Epoch <= p.Epoch
		}
		if keep {
			out.Write(raw[i])
			out.WriteByte('\n')
		}
	}
	return atomicfile.Write(m.path, out.Bytes())
}
