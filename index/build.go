package index

import (
	"github.com/lsconf/lsconf/data"

	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lsconf/lsconf/internal/progress"
)

// DefaultBatch is the number of images encoded (and committed) at once.
const DefaultBatch = 64

// Options control an indexing job.
type Options struct {
	// Collection names the collection; empty means the folder's base name
	// (IndexFolder) or the set's name (IndexSet).
	Collection string
	// Batch is the number of images per encoding call and transaction
	// (0 = DefaultBatch).
	Batch int
	// Prune removes records of files that are no longer in the folder.
	Prune bool
	// RunDir is stored as a hint of where the model's run lives.
	RunDir string
	// Progress, when not nil, receives a progress bar.
	Progress io.Writer
	// MaxFileBytes bounds the size of a file read (0 =
	// data.DefaultMaxFileBytes).
	MaxFileBytes int64
	// Source identifies a generated set for IndexSet (e.g. its kind and
	// seed); a collection keeps one source. Empty means the set's name.
	Source string
}

// Result summarises an indexing job.
type Result struct {
	// Collection is the collection's name.
	Collection string `json:"collection"`
	// Images is the number of images found.
	Images int `json:"images"`
	// Encoded is the number of images encoded and written (new or changed).
	Encoded int `json:"encoded"`
	// Changed is how many of Encoded replaced a record whose content changed.
	Changed int `json:"changed"`
	// Skipped is the number of images already indexed with the same content.
	Skipped int `json:"skipped"`
	// Removed is the number of records pruned because their file is gone.
	Removed int `json:"removed"`
	// Unreadable lists the files that were read but are not a decodable
	// PNG, JPEG or GIF image.
	Unreadable []string `json:"unreadable,omitempty"`
	// NotIndexed lists the entries data.SelectFiles skipped and the files
	// that could not be read (too large, not a regular file, no
	// permission), with reasons; they are not fatal.
	NotIndexed []data.Skip `json:"not_indexed,omitempty"`
	// Seconds is the wall time of the job.
	Seconds float64 `json:"seconds"`
}

// item is one image to index: its key in the collection, its label and a
// loader of its content hash and pixels.
type item struct {
	path  string
	label string
	load  func() (loaded, error)
}

// loaded is an item's content. badImage is set (and err nil) when the
// bytes were read but are not a decodable image; skip is set when the
// file could not be read (why).
type loaded struct {
	hash     string
	pixels   []float32
	keep     []byte
	label    string
	badImage error
	skip     string
}

// IndexFolder encodes every image below dir with m and stores it in the
// collection (ImageFolder labels: the first-level sub-folder). Re-running
// skips images already stored with the same content; see the package doc.
func (db *DB) IndexFolder(ctx context.Context, m Model, dir string, opt Options) (Result, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("index %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil && data.IsIDXSource(dir) {
		return Result{}, fmt.Errorf("index %s: %w: write a split as a folder of image files first (data.ImportIDX)", dir, data.ErrIDXNotImages)
	}
	if err != nil {
		return Result{}, fmt.Errorf("index %s: %w", dir, err)
	}
	if !st.IsDir() {
		return Result{}, fmt.Errorf("index %s: not a folder", dir)
	}
	name := opt.Collection
	if name == "" {
		name = filepath.Base(abs)
	}
	// A folder with a class map (data.ClassMapFile, written by lsconf data
	// gen and the demo) is a labelled ImageFolder: as data's loader does,
	// only images in its class folders belong to it, not the files at its
	// top (the contact sheet).
	_, cmErr := data.ReadClassMap(filepath.Join(abs, data.ClassMapFile))
	labelledOnly := cmErr == nil
	sel, err := data.SelectFiles(abs, data.SelectOptions{})
	if err != nil {
		return Result{}, fmt.Errorf("index %w", err)
	}
	files := sel.Files
	if !labelledOnly {
		files = append(sel.Top, files...)
	}
	maxBytes := opt.MaxFileBytes
	items := make([]item, 0, len(files))
	for _, f := range files {
		label := ""
		if f.Class >= 0 {
			label = sel.Classes[f.Class]
		}
		full := f.Path
		items = append(items, item{path: f.Rel, label: label, load: func() (loaded, error) {
			b, err := data.ReadFileCapped(full, maxBytes)
			if err != nil {
				return loaded{skip: readReason(err)}, nil
			}
			h := sha256.Sum256(b)
			px, err := DecodeImage(b)
			return loaded{hash: hex.EncodeToString(h[:]), pixels: px, label: label, badImage: err}, nil
		}})
	}
	res, err := db.index(ctx, m, name, abs, items, opt)
	res.NotIndexed = append(sel.Skipped, res.NotIndexed...)
	if err != nil {
		return res, fmt.Errorf("index %s into %s: %w", dir, db.path, busy(err))
	}
	return res, nil
}

// SetRootPrefix starts the root of collections indexed from a data.Set
// (generated images without files).
const SetRootPrefix = "set:"

// Set is the part of data.Set that IndexSet reads (declared here so that
// index compiles on its own; every data.Set is a Set).
type Set interface {
	Len() int
	Classes() []string
	Image(i int, dst []float32) (label int, err error)
}

// IndexSet encodes every image of a data.Set (e.g. the built-in
// generalization set) into the collection name; records are keyed by the
// image's position ("000042"), labelled by the set's class name, and keep
// their 32x32 pixels since they have no file.
func (db *DB) IndexSet(ctx context.Context, m Model, name string, set Set, opt Options) (Result, error) {
	if opt.Collection != "" {
		name = opt.Collection
	}
	if name == "" {
		return Result{}, errors.New("index set: no collection name")
	}
	classes := set.Classes()
	items := make([]item, set.Len())
	width := len(fmt.Sprint(set.Len()))
	for i := range items {
		i := i
		items[i] = item{path: fmt.Sprintf("%0*d", max(width, 6), i), load: func() (loaded, error) {
			px := make([]float32, Pixels)
			label, err := set.Image(i, px)
			if err != nil {
				return loaded{}, err
			}
			ld := loaded{pixels: px}
			if label >= 0 && label < len(classes) {
				ld.label = classes[label]
			}
			ld.keep = pixelBytes(px)
			h := sha256.Sum256(ld.keep)
			ld.hash = hex.EncodeToString(h[:])
			return ld, nil
		}}
	}
	src := opt.Source
	if src == "" {
		src = name
	}
	res, err := db.index(ctx, m, name, SetRootPrefix+src, items, opt)
	if err != nil {
		return res, fmt.Errorf("index set %s into %s: %w", name, db.path, busy(err))
	}
	return res, nil
}

// pixelBytes quantises [0, 1] pixels to 8-bit gray.
func pixelBytes(px []float32) []byte {
	b := make([]byte, len(px))
	for i, x := range px {
		b[i] = byte(min(max(x, 0), 1)*255 + 0.5)
	}
	return b
}

type pending struct {
	path   string
	ld     loaded
	update bool
}

func (db *DB) index(ctx context.Context, m Model, name, root string, items []item, opt Options) (Result, error) {
	start := time.Now()
	res := Result{Collection: name, Images: len(items)}
	if m.Layout() == nil {
		return res, errors.New("model has no layout")
	}
	if err := db.CheckModel(ctx, m); err != nil {
		return res, err
	}
	cid, err := db.ensureCollection(ctx, m, name, root, opt.RunDir)
	if err != nil {
		return res, err
	}
	known, err := db.hashes(ctx, cid)
	if err != nil {
		return res, err
	}
	// Marked partial until every file is done: a run that stops early
	// (killed, disk full, an error) leaves the mark for readers to show.
	if err := db.setPartial(ctx, cid, len(items)); err != nil {
		return res, err
	}
	if opt.Prune {
		n, err := db.prune(ctx, cid, known, items)
		if err != nil {
			return res, err
		}
		res.Removed = n
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	var bar *progress.Bar
	if opt.Progress != nil {
		bar = progress.New(opt.Progress, "index "+name, len(items))
		defer bar.Finish()
	}
	var buf []pending
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := db.writeBatch(ctx, m, cid, buf); err != nil {
			return err
		}
		for _, p := range buf {
			if p.update {
				res.Changed++
			}
		}
		res.Encoded += len(buf)
		bar.Add(len(buf))
		buf = buf[:0]
		return nil
	}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		ld, err := it.load()
		if err != nil {
			return res, fmt.Errorf("read %s: %w", it.path, err)
		}
		if ld.skip != "" {
			res.NotIndexed = append(res.NotIndexed, data.Skip{Path: it.path, Reason: ld.skip})
			bar.Add(1)
			continue
		}
		old, ok := known[it.path]
		if ok && old == ld.hash {
			res.Skipped++
			bar.Add(1)
			continue
		}
		if ld.badImage != nil {
			res.Unreadable = append(res.Unreadable, it.path)
			bar.Add(1)
			continue
		}
		buf = append(buf, pending{path: it.path, ld: ld, update: ok})
		if len(buf) == batch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := db.setPartial(ctx, cid, -1); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// ensureCollection returns the id of the named collection, creating it
// (and writing the model identity of a new index) when missing.
func (db *DB) ensureCollection(ctx context.Context, m Model, name, root, runDir string) (int64, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := setIdentity(ctx, tx, db.path, m, runDir); err != nil {
		return 0, err
	}
	var id int64
	var oldRoot string
	err = tx.QueryRowContext(ctx, `SELECT id, root FROM collections WHERE name = ?`, name).Scan(&id, &oldRoot)
	switch {
	case err == nil:
		if oldRoot != root {
			return 0, fmt.Errorf("collection %q already indexes %s, not %s: choose another collection name", name, oldRoot, root)
		}
	case errors.Is(err, sql.ErrNoRows):
		if err := ValidCollectionName(name); err != nil {
			return 0, err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO collections(name, root, created) VALUES(?, ?, ?)`, name, root, time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			return 0, fmt.Errorf("create collection %s: %w", name, err)
		}
		if id, err = r.LastInsertId(); err != nil {
			return 0, fmt.Errorf("create collection %s: %w", name, err)
		}
	default:
		return 0, fmt.Errorf("read collection %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit collection %s: %w", name, err)
	}
	return id, nil
}

func (db *DB) hashes(ctx context.Context, cid int64) (map[string]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT path, hash FROM records WHERE collection_id = ?`, cid)
	if err != nil {
		return nil, fmt.Errorf("read stored hashes: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		m[p] = h
	}
	return m, rows.Err()
}

func (db *DB) prune(ctx context.Context, cid int64, known map[string]string, items []item) (int, error) {
	present := make(map[string]bool, len(items))
	for _, it := range items {
		present[it.path] = true
	}
	var gone []string
	for p := range known {
		if !present[p] {
			gone = append(gone, p)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	sort.Strings(gone)
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	for _, p := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM records WHERE collection_id = ? AND path = ?`, cid, p); err != nil {
			return 0, fmt.Errorf("prune %s: %w", p, err)
		}
		delete(known, p)
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune: commit: %w", err)
	}
	return len(gone), nil
}

func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'`)
	if err != nil {
		return fmt.Errorf("bump generation: %w", err)
	}
	return nil
}

// writeBatch encodes a batch and stores it in one transaction.
func (db *DB) writeBatch(ctx context.Context, m Model, cid int64, buf []pending) error {
	l := m.Layout()
	nd, nc := l.ND(), l.NC()
	imgs := make([]float32, 0, len(buf)*Pixels)
	for _, p := range buf {
		imgs = append(imgs, p.ld.pixels...)
	}
	z, err := m.Encode(imgs, len(buf))
	if err != nil {
		return fmt.Errorf("encode %d images (first %s): %w", len(buf), buf[0].path, err)
	}
	if len(z) != len(buf)*nd {
		return fmt.Errorf("encode %d images: got %d values, want %d (n_d = %d)", len(buf), len(z), len(buf)*nd, nd)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO records(collection_id, path, hash, label, z, v) VALUES(?, ?, ?, ?, ?, ?)
		ON CONFLICT(collection_id, path) DO UPDATE SET hash = excluded.hash, label = excluded.label, z = excluded.z, v = excluded.v
		RETURNING id`)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer stmt.Close()
	pstmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO pixels(id, data) VALUES(?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer pstmt.Close()
	v := make([]float32, nc)
	for i, p := range buf {
		zi := z[i*nd : (i+1)*nd]
		l.V32(zi, v)
		var label any
		if p.ld.label != "" {
			label = p.ld.label
		}
		var id int64
		if err := stmt.QueryRowContext(ctx, cid, p.path, p.ld.hash, label, Float32Bytes(zi), Float32Bytes(v)).Scan(&id); err != nil {
			return fmt.Errorf("store %s: %w", p.path, err)
		}
		if p.ld.keep != nil {
			if _, err := pstmt.ExecContext(ctx, id, p.ld.keep); err != nil {
				return fmt.Errorf("store pixels of %s: %w", p.path, err)
			}
		}
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	return nil
}

// cleanRel reports whether a stored relative path stays inside its root.
func cleanRel(p string) bool {
	if p == "" || path.IsAbs(p) || strings.Contains(p, "\\") {
		return false
	}
	c := path.Clean(p)
	return c == p && c != ".." && !strings.HasPrefix(c, "../")
}

// readReason is why a file could not be read, for Result.NotIndexed.
func readReason(err error) string {
	switch {
	case errors.Is(err, data.ErrNotRegular):
		return "not a regular file"
	case errors.Is(err, data.ErrTooLarge):
		return err.Error()
	}
	return "unreadable: " + err.Error()
}
