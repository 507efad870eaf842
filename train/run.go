package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// RunFormat is the version of run.json and of the checkpoint layout.
const RunFormat = 1

// RunInfo is run.json: what a run is. It is written once when the run
// starts and never changed, so it identifies the run.
type RunInfo struct {
	Format    int            `json:"format"`
	Created   string         `json:"created"`
	Config    Config         `json:"config"`
	Layout    *latent.Layout `json:"layout"`
	Classes   []string       `json:"classes"`
	InputSize int            `json:"input_size"`
	Model     model.Config   `json:"model"`
	Data      DataInfo       `json:"data"`
}

// newRunInfo describes a run about to start.
func newRunInfo(cfg Config, classes []string) *RunInfo {
	return &RunInfo{
		Format:    RunFormat,
		Created:   time.Now().UTC().Format(time.RFC3339),
		Config:    cfg,
		Layout:    cfg.Layout,
		Classes:   append([]string(nil), classes...),
		InputSize: 32,
		Model:     cfg.modelConfig(),
		Data:      cfg.Data,
	}
}

// ReadRunInfo reads and validates a run directory's run.json.
func ReadRunInfo(dir string) (*RunInfo, error) {
	r, _, err := readRunInfo(dir)
	return r, err
}

// TrainConfig returns the run's Config with its layout and data filled in
// from run.json (the process-only fields are zero).
func (r *RunInfo) TrainConfig() Config {
	c := r.Config
	c.Layout = r.Layout
	c.Data = r.Data
	return c
}

// readRunInfo reads and validates dir/run.json; it also returns the file's
// bytes (the run's identity).
func readRunInfo(dir string) (*RunInfo, []byte, error) {
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read run %s: %w", dir, err)
	}
	var r RunInfo
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if r.Config.CheckpointEvery == 0 {
		r.Config.CheckpointEvery = DefaultCheckpointEvery // run.json written before it was recorded
	}
	if r.Config.Head == "" {
		r.Config.Head = string(model.HeadDense) // run.json written before heads existed
	}
	if r.Config.Cycle > 0 && r.Config.CycleTrains == "" {
		// Written before the side was recorded: both sides, or the decoder
		// when the early flag said so.
		var early struct {
			Config struct {
				DecoderOnly bool `json:"cycle_decoder_only"`
			} `json:"config"`
		}
		r.Config.CycleTrains = model.CycleBoth
		if json.Unmarshal(b, &early) == nil && early.Config.DecoderOnly {
			r.Config.CycleTrains = model.CycleDecoder
		}
	}
	if r.Format != RunFormat {
		return nil, nil, fmt.Errorf("read %s: format %d, this lsconf reads format %d", path, r.Format, RunFormat)
	}
	if r.Layout == nil || len(r.Classes) != r.Layout.NC() {
		return nil, nil, fmt.Errorf("read %s: %d classes for a layout of %d clusters", path, len(r.Classes), nclusters(r.Layout))
	}
	if r.InputSize != 32 {
		return nil, nil, fmt.Errorf("read %s: input size %d, lsconf models take 32x32 images", path, r.InputSize)
	}
	if err := r.TrainConfig().Validate(); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &r, b, nil
}

func nclusters(l *latent.Layout) int {
	if l == nil {
		return 0
	}
	return l.NC()
}

// sameRun reports how two configurations of the same run differ in a
// recorded field, if they do.
func sameRun(a, b Config) error {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		return fmt.Errorf("run settings differ: run.json has %s, asked for %s", ja, jb)
	}
	if !a.Layout.Equal(b.Layout) {
		return fmt.Errorf("run settings differ: the latent layout is not the run's")
	}
	return nil
}

// ReadEvalReport reads a finished run's eval.json. The error wraps
// os.ErrNotExist when the run has not finished.
func ReadEvalReport(dir string) (*EvalReport, error) {
	b, err := os.ReadFile(filepath.Join(dir, EvalFile))
	if err != nil {
		return nil, fmt.Errorf("read evaluation of %s: %w", dir, err)
	}
	var rep EvalReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, EvalFile), err)
	}
	return &rep, nil
}
