package data

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/internal/flock"
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
	fw, err := newFolderWriter(dir, b.ClassNames)
	if err != nil {
		return err
	}
	for i := range b.RGB {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
		if err := fw.add(b.RGB[i], b.Labels[i]); err != nil {
			return err
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	return fw.finish(cm)
}

// folderWriter writes an ImageFolder tree one image at a time, keeping
// only the contact sheet's images (sheetCols a class) in memory.
type folderWriter struct {
	dir   string
	names []string
	n     []int
	sheet *Base
	enc   png.Encoder
}

// sheetCols is how many images of each class a contact sheet shows.
const sheetCols = 12

func newFolderWriter(dir string, names []string) (*folderWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	for _, c := range names {
		if c == "" || c != filepath.Base(c) || c[0] == '.' {
			return nil, fmt.Errorf("write %s: class name %q cannot be a folder name", dir, c)
		}
		if err := os.MkdirAll(filepath.Join(dir, c), 0o755); err != nil {
			return nil, fmt.Errorf("write %s: %w", dir, err)
		}
	}
	return &folderWriter{dir: dir, names: names, n: make([]int, len(names)), sheet: &Base{ClassNames: names},
		enc: png.Encoder{CompressionLevel: png.BestSpeed}}, nil
}

// add writes one base image of class l.
func (fw *folderWriter) add(rgb []uint8, l int) error {
	p := filepath.Join(fw.dir, fw.names[l], fmt.Sprintf("%04d.png", fw.n[l]))
	if fw.n[l] < sheetCols {
		fw.sheet.RGB = append(fw.sheet.RGB, rgb)
		fw.sheet.Labels = append(fw.sheet.Labels, l)
		fw.sheet.IDs = append(fw.sheet.IDs, p)
	}
	fw.n[l]++
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	one := Base{RGB: [][]uint8{rgb}}
	err = fw.enc.Encode(f, one.RGBA(0))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// finish writes the class map and the contact sheet.
func (fw *folderWriter) finish(cm ClassMap) error {
	cm.Classes = fw.names
	cm.Counts = fw.n
	cm.ImageSize = BaseSize
	if cm.Generator == "" {
		cm.Generator = Generator
	}
	if err := WriteClassMap(filepath.Join(fw.dir, ClassMapFile), &cm); err != nil {
		return err
	}
	sheet := filepath.Join(fw.dir, ContactSheetFile)
	f, err := os.Create(sheet)
	if err != nil {
		return fmt.Errorf("write %s: %w", sheet, err)
	}
	err = png.Encode(f, contactSheet(fw.sheet, sheetCols, fw.n))
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
func WriteImageFolderAtomic(ctx context.Context, dir string, b *Base, cm ClassMap, progress func(done int), replace bool) error {
	return writeAtomic(dir, replace, func(tmp string) error { return WriteImageFolder(ctx, tmp, b, cm, progress) })
}

// writeAtomic runs write on a temporary folder beside dir and renames it
// to dir (replacing an existing dir only when replace is set). The
// temporary folder is locked while it is written (internal/flock); temporary
// folders of dir whose writer died (killed, power cut) are removed first.
func writeAtomic(dir string, replace bool, write func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	removeStaleTemps(parent, "."+filepath.Base(dir)+".tmp-")
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	unlock, lerr := flock.Lock(filepath.Join(tmp, tempLockFile))
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
		unlock()
	}()
	if lerr != nil {
		return fmt.Errorf("write %s: %w", dir, lerr)
	}
	// MkdirTemp makes the folder 0700; a data set is for sharing.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if err := write(tmp); err != nil {
		return err
	}
	unlock()
	os.Remove(filepath.Join(tmp, tempLockFile))
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

// tempLockFile is the lock a writer holds inside its temporary folder.
const tempLockFile = ".lsconf-writing"

// removeStaleTemps removes the folders parent/prefix* whose writer died:
// their lock file is there and no process holds it. Folders without one
// (a writer between making and locking its folder, a ".old" set kept by a
// failed replace) are left alone.
func removeStaleTemps(parent, prefix string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		lock := filepath.Join(p, tempLockFile)
		if _, err := os.Stat(lock); err != nil || flock.Held(lock) {
			continue
		}
		os.RemoveAll(p)
	}
}
