package data

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/internal/atomicfile"
)

// Files an ImageFolder written by lsconf holds next to its class folders.
const (
	// ClassMapFile is the class map: class names in label order.
	ClassMapFile = "classes.json"
	// ContactSheetFile is the contact sheet PNG.
	ContactSheetFile = "contact.png"
	// Generator marks class maps written by lsconf.
	Generator = "lsconf data"
)

// ClassMap describes an ImageFolder: its classes in label order (index =
// label) and how it was made.
type ClassMap struct {
	Classes   []string `json:"classes"`
	Counts    []int    `json:"counts"`
	Generator string   `json:"generator,omitempty"`
	Set       string   `json:"set,omitempty"`
	Seed      *uint64  `json:"seed,omitempty"`
	PerClass  int      `json:"per_class,omitempty"`
	ImageSize int      `json:"image_size"`
}

// ReadClassMap reads a class map file.
func ReadClassMap(path string) (*ClassMap, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("class map: %w", err)
	}
	var cm ClassMap
	if err := json.Unmarshal(b, &cm); err != nil {
		return nil, fmt.Errorf("class map %s: %w", path, err)
	}
	return &cm, nil
}

// WriteClassMap writes a class map file (through a temporary file).
func WriteClassMap(path string, cm *ClassMap) error {
	b, err := json.MarshalIndent(cm, "", "  ")
	if err != nil {
		return fmt.Errorf("class map: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// WriteImageFolder writes b as an ImageFolder tree in dir (created if
// missing): dir/<class>/<nnnn>.png (BaseSize x BaseSize RGB, numbered in
// order within each class), the class map (cm's description with b's
// classes and counts) and a contact sheet. LoadImageFolder on the result
// gives back b's pixels byte for byte, in the same order. progress, if
// set, is called after each image.
func WriteImageFolder(ctx context.Context, dir string, b *Base, cm ClassMap, progress func(done int)) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for _, c := range b.ClassNames {
		if c == "" || c != filepath.Base(c) || c[0] == '.' {
			return fmt.Errorf("write %s: class name %q cannot be a folder name", dir, c)
		}
		if err := os.MkdirAll(filepath.Join(dir, c), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
	}
	n := make([]int, len(b.ClassNames))
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	for i := range b.RGB {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
		l := b.Labels[i]
		p := filepath.Join(dir, b.ClassNames[l], fmt.Sprintf("%04d.png", n[l]))
		n[l]++
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		err = enc.Encode(f, b.RGBA(i))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	cm.Classes = b.ClassNames
	cm.Counts = b.Counts()
	cm.ImageSize = BaseSize
	if cm.Generator == "" {
		cm.Generator = Generator
	}
	if err := WriteClassMap(filepath.Join(dir, ClassMapFile), &cm); err != nil {
		return err
	}
	sheet := filepath.Join(dir, ContactSheetFile)
	f, err := os.Create(sheet)
	if err != nil {
		return fmt.Errorf("write %s: %w", sheet, err)
	}
	err = png.Encode(f, ContactSheet(b, 12))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", sheet, err)
	}
	return nil
}

// WriteImageFolderAtomic writes b with WriteImageFolder into a temporary
// folder beside dir and renames it to dir, so that dir is either absent or
// complete. An existing dir is replaced only when replace is set (the
// caller checks that it may be: lsconf data gen --force on an lsconf data
// set); otherwise the rename fails unless dir is missing or empty.
func WriteImageFolderAtomic(ctx context.Context, dir string, b *Base, cm ClassMap, progress func(done int), replace bool) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes the folder 0700; a data set is for sharing.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if err := WriteImageFolder(ctx, tmp, b, cm, progress); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil && replace {
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir)
			return fmt.Errorf("replace %s: %w", dir, err)
		}
		done = true
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("remove the replaced set %s: %w", old, err)
		}
		return nil
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	done = true
	return nil
}
