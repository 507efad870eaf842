package bench

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

// scripts holds the peers' Python scripts, so that lsconf bench runs them
// from any directory.
//
//go:embed torch_sae.py search_numpy.py search_faiss.py
var scripts embed.FS

// Script names of the peers, as embedded.
const (
	TorchScript = "torch_sae.py"
	NumpyScript = "search_numpy.py"
	FaissScript = "search_faiss.py"
)

// Script returns the embedded text of a peer script (TorchScript,
// NumpyScript or FaissScript).
func Script(name string) ([]byte, error) {
	b, err := scripts.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("peer script %s: %w", name, err)
	}
	return b, nil
}

// WriteScripts writes the embedded peer scripts into dir and returns the
// path of each by name.
func WriteScripts(dir string) (map[string]string, error) {
	paths := map[string]string{}
	for _, name := range []string{TorchScript, NumpyScript, FaissScript} {
		b, err := Script(name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, fmt.Errorf("write peer script: %w", err)
		}
		paths[name] = p
	}
	return paths, nil
}
