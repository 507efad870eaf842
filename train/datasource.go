package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsconf/lsconf/data"
)

// folderOf splits a data source into its prefix ("idx:" or none) and the
// folder it names; ok is false for sources that name no folder (built-in
// sets, Fashion-MNIST's installed copy, none).
func folderOf(spec string) (prefix, dir string, ok bool) {
	switch {
	case spec == "" || spec == data.BuiltinTrain || spec == data.BuiltinGen || spec == data.NoSource || spec == data.FashionMNIST,
		strings.HasPrefix(spec, data.CorruptPrefix):
		return "", "", false
	case strings.HasPrefix(spec, data.IDXPrefix):
		return data.IDXPrefix, strings.TrimPrefix(spec, data.IDXPrefix), true
	}
	return "", spec, true
}

// anchor records a folder source so that it resolves from any working
// directory: the absolute path, and the path relative to the run folder
// (both with the source's prefix).
func anchor(spec, runDir string) (abs, fromRun string) {
	prefix, dir, ok := folderOf(spec)
	if !ok {
		return spec, ""
	}
	a, err := filepath.Abs(dir)
	if err != nil {
		return spec, ""
	}
	if r, err := filepath.Abs(runDir); err == nil {
		if rel, err := filepath.Rel(r, a); err == nil {
			fromRun = prefix + filepath.ToSlash(rel)
		}
	}
	return prefix + a, fromRun
}

// anchored is d with its folder sources recorded as absolute paths and as
// paths relative to the run folder (run.json keeps both; Located picks).
func (d DataInfo) anchored(runDir string) DataInfo {
	d.Train, d.TrainFromRun = anchor(d.Train, runDir)
	d.Gen, d.GenFromRun = anchor(d.Gen, runDir)
	return d
}

// Located is d with its folder sources resolved for use from the current
// working directory: the recorded absolute path when it exists, else the
// path recorded relative to the run folder (the run and its data moved
// together), else the path as recorded (run.json files written before
// both were recorded hold the path relative to where training ran).
func (d DataInfo) Located(runDir string) DataInfo {
	d.Train = locate(d.Train, d.TrainFromRun, runDir)
	d.Gen = locate(d.Gen, d.GenFromRun, runDir)
	return d
}

func locate(spec, fromRun, runDir string) string {
	prefix, dir, ok := folderOf(spec)
	if !ok {
		return spec
	}
	if filepath.IsAbs(dir) {
		if _, err := os.Stat(dir); err == nil || fromRun == "" {
			return spec
		}
	}
	if _, rel, ok := folderOf(fromRun); ok && fromRun != "" {
		p := filepath.Join(runDir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return prefix + p
		}
	}
	return spec
}

// sameSource reports whether two data sources name the same images.
func sameSource(a, b string) bool {
	if a == b {
		return true
	}
	pa, da, okA := folderOf(a)
	pb, db, okB := folderOf(b)
	if !okA || !okB || pa != pb {
		return false
	}
	sa, errA := os.Stat(da)
	sb, errB := os.Stat(db)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	aa, _ := filepath.Abs(da)
	ab, _ := filepath.Abs(db)
	return aa == ab
}

// ErrOtherData is wrapped by the error of a resume on other data than
// the run's own without Config.ForceData.
var ErrOtherData = errors.New("not the run's own data")

// checkDataSource refuses to resume a run on other data than its own
// (run.json's sources, located from runDir) unless force.
func checkDataSource(recorded, asked DataInfo, runDir string, force bool) error {
	rec := recorded.Located(runDir)
	for _, s := range []struct{ what, rec, asked string }{
		{"training data", rec.Train, asked.Train},
		{"generalization data", rec.Gen, asked.Gen},
	} {
		if s.asked == "" {
			continue // not named: the caller rebuilt the run's own
		}
		if !sameSource(s.rec, s.asked) && !force {
			return fmt.Errorf("%w: the run's %s is %q (run.json), not %q", ErrOtherData, s.what, s.rec, s.asked)
		}
	}
	return nil
}

// DataHash is a content hash of the sets a run trains and evaluates on
// (data.HashSet of each: the base images' ids, labels and pixels and the
// class names for sets made from base images, else every image). Resume
// compares it with the one run.json records and warns when it changed.
func DataHash(sets Sets) (string, error) {
	h := sha256.New()
	for i, s := range []data.Set{sets.Train, sets.Test, sets.Gen} {
		if s == nil {
			fmt.Fprintf(h, "set %d: none\n", i)
			continue
		}
		fmt.Fprintf(h, "set %d\n", i)
		if err := data.HashSet(h, s); err != nil {
			return "", fmt.Errorf("hash the data: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// ErrDataChanged is wrapped by CheckHash when the sets differ from the
// ones a run was trained on.
var ErrDataChanged = errors.New("the data changed since the run was trained")

// CheckHash compares the content hash of sets (DataHash) with the one d
// records (run.json), so that a run is not evaluated silently on images
// replaced after training. It returns nil when they agree or d records no
// hash, else an error wrapping ErrDataChanged with both hashes.
func (d DataInfo) CheckHash(sets Sets) error {
	if d.Hash == "" {
		return nil
	}
	h, err := DataHash(sets)
	if err != nil {
		return err
	}
	if h != d.Hash {
		return fmt.Errorf("%w (run.json records data hash %s, the images now hash to %s): an image was added, removed or replaced", ErrDataChanged, d.Hash, h)
	}
	return nil
}
