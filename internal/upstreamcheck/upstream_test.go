package upstreamcheck

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// program trains one step of a width-8 SAE and encodes two images; it
// prints whether the backend is lsconf's fork and the step's loss.
const program = `package main

import (
	"fmt"
	"math"
	"os"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"

	// The rest of the library flow (train, OpenRun, IndexFolder, search)
	// must build against upstream gomlx/compute too.
	_ "github.com/lsconf/lsconf/index"
	_ "github.com/lsconf/lsconf/search"
	_ "github.com/lsconf/lsconf/train"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	fork, err := engine.Fork()
	if err != nil {
		return err
	}
	be, err := engine.New(engine.Config{Parallelism: 2})
	if err != nil {
		return err
	}
	defer be.Finalize()
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		return err
	}
	cfg := model.Config{NC: latent.PaperNC, ND: 2, Width: 8}
	w, err := model.Init(cfg, 1)
	if err != nil {
		return err
	}
	tr, err := model.NewTrainer(be, cfg, &model.State{Weights: *w}, model.LossConfig{Mode: model.ModeCEG, KG: latent.PaperKG, Layout: l}, model.DefaultAdam(1e-3))
	if err != nil {
		return err
	}
	defer tr.Close()
	const b = 4
	x := make([]float32, b*32*32)
	for i := range x {
		x[i] = float32(i%37) / 37
	}
	res, err := tr.TrainStep(x, []int32{0, 1, 2, 3})
	if err != nil {
		return err
	}
	z, _, err := tr.Net().Infer(x[:2*32*32], 2)
	if err != nil {
		return err
	}
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) || len(z) != 4 {
		return fmt.Errorf("step: loss %v, %d z values", res.Loss, len(z))
	}
	fmt.Printf("fork=%v step=%d loss=%.4f\n", fork, tr.Step(), res.Loss)
	return nil
}
`

func TestLibraryWithoutFork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program against upstream gomlx/compute (about a minute)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// lsconf's requirements at lsconf's versions, without its replace
	// directive; lsconf itself is replaced by this repository.
	var mod strings.Builder
	mod.WriteString("module example.com/lsconfuser\n\n")
	for _, line := range strings.Split(string(goMod), "\n") {
		switch {
		case strings.HasPrefix(line, "module "), strings.HasPrefix(line, "replace "):
		default:
			mod.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(&mod, "\nrequire github.com/lsconf/lsconf v0.0.0\n\nreplace github.com/lsconf/lsconf => %s\n", root)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	// Offline, from the module cache; missing go.sum lines (upstream
	// gomlx/compute's) are written from the cache.
	env := append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	runGo := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	list := runGo("list", "-m", "-f", "{{.Path}} {{.Version}} {{if .Replace}}=> {{.Replace.Path}}{{end}}", "github.com/gomlx/compute")
	if !strings.HasPrefix(list, "github.com/gomlx/compute v") || strings.Contains(list, "=>") {
		t.Fatalf("the program's gomlx/compute: %q, want upstream without a replace", list)
	}
	out := runGo("run", ".")
	if !strings.Contains(out, "fork=false step=1 loss=") {
		t.Fatalf("program output %q, want one step on upstream gomlx/compute (fork=false)", out)
	}
	t.Logf("%s (gomlx/compute: %s)", strings.TrimSpace(out), strings.TrimSpace(list))
}
