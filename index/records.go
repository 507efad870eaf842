package index

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lsconf/lsconf/data"
)

// ErrNotFound is returned (wrapped) for a record or collection that is not
// in the index.
var ErrNotFound = errors.New("not found in the index")

// Float32Bytes encodes float32 values little-endian.
func Float32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, f := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// BytesFloat32 decodes little-endian float32 values, appending to dst.
func BytesFloat32(dst []float32, b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return dst, fmt.Errorf("float32 blob of %d bytes", len(b))
	}
	for i := 0; i < len(b); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return dst, nil
}

// Collection describes one indexed collection.
type Collection struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Root  string `json:"root"`
	Count int    `json:"count"`
	// Labels counts the records of each label ("" = unlabelled).
	Labels map[string]int `json:"labels"`
	// Partial is set while the collection is being indexed and when its
	// last indexing stopped before the end (killed, disk full, an error):
	// it then holds only part of its folder. Expected is the number of
	// files that indexing run was given.
	Partial  bool `json:"partial,omitempty"`
	Expected int  `json:"expected,omitempty"`
}

// Collections lists the collections with their record counts, by name.
func (db *DB) Collections(ctx context.Context) ([]Collection, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT c.id, c.name, c.root, COALESCE(r.label, ''), COUNT(r.id)
		FROM collections c LEFT JOIN records r ON r.collection_id = c.id
		GROUP BY c.id, r.label ORDER BY c.name, r.label`)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	defer rows.Close()
	var out []Collection
	for rows.Next() {
		var c Collection
		var label string
		var n int
		if err := rows.Scan(&c.ID, &c.Name, &c.Root, &label, &n); err != nil {
			return nil, fmt.Errorf("list collections: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != c.ID {
			c.Labels = map[string]int{}
			out = append(out, c)
		}
		last := &out[len(out)-1]
		if n > 0 {
			last.Labels[label] += n
			last.Count += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	partial, err := db.partial(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if n, ok := partial[out[i].ID]; ok {
			out[i].Partial, out[i].Expected = true, n
		}
	}
	return out, nil
}

// partialPrefix starts the meta key that marks a collection whose indexing
// has not finished ("partial:<id>" = the number of files expected).
const partialPrefix = "partial:"

// partial returns the collections marked partial, by id.
func (db *DB) partial(ctx context.Context) (map[int64]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT key, value FROM meta WHERE key LIKE 'partial:%'`)
	if err != nil {
		return nil, fmt.Errorf("list partial collections: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("list partial collections: %w", err)
		}
		id, err1 := strconv.ParseInt(strings.TrimPrefix(k, partialPrefix), 10, 64)
		n, err2 := strconv.Atoi(v)
		if err1 == nil && err2 == nil {
			out[id] = n
		}
	}
	return out, rows.Err()
}

// setPartial marks collection cid partial (expected files) or, with
// expected < 0, finished.
func (db *DB) setPartial(ctx context.Context, cid int64, expected int) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark collection: %w", err)
	}
	defer tx.Rollback()
	key := partialPrefix + strconv.FormatInt(cid, 10)
	if expected < 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, key)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)`, key, strconv.Itoa(expected))
	}
	if err != nil {
		return fmt.Errorf("mark collection: %w", err)
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark collection: %w", err)
	}
	return nil
}

// Count is the number of records in the named collections (all when none).
func (db *DB) Count(ctx context.Context, collections ...string) (int, error) {
	where, args, err := db.collectionFilter(ctx, collections)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM records`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// collectionFilter returns a WHERE clause restricting records to the named
// collections, or an error wrapping ErrNotFound for an unknown name.
func (db *DB) collectionFilter(ctx context.Context, names []string) (string, []any, error) {
	if len(names) == 0 {
		return "", nil, nil
	}
	var ids []string
	var args []any
	for _, n := range names {
		var id int64
		err := db.sql.QueryRowContext(ctx, `SELECT id FROM collections WHERE name = ?`, n).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			known, _ := db.collectionNames(ctx)
			return "", nil, fmt.Errorf("collection %q: %w (collections: %s)", n, ErrNotFound, strings.Join(known, ", "))
		}
		if err != nil {
			return "", nil, fmt.Errorf("collection %q: %w", n, err)
		}
		ids = append(ids, "?")
		args = append(args, id)
	}
	return " WHERE collection_id IN (" + strings.Join(ids, ",") + ")", args, nil
}

func (db *DB) collectionNames(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM collections ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Snapshot is the searchable content of (part of) an index, in record-id
// order: flat arrays of v (n x n_c) and z (n x n_d).
type Snapshot struct {
	NC, ND      int
	IDs         []int64
	V           []float32
	Z           []float32
	Labels      []string
	Collections []string // collection name of each record
	Generation  int64
}

// Len is the number of records.
func (s *Snapshot) Len() int { return len(s.IDs) }

// Load reads the records of the named collections (all when none) into a
// Snapshot. v vectors are validated (finite, non-negative).
func (db *DB) Load(ctx context.Context, collections ...string) (*Snapshot, error) {
	id, err := db.Identity(ctx)
	if err != nil {
		return nil, err
	}
	where, args, err := db.collectionFilter(ctx, collections)
	if err != nil {
		return nil, err
	}
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	defer tx.Rollback()
	s := &Snapshot{NC: id.Layout.NC(), ND: id.Layout.ND()}
	var g string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'generation'`).Scan(&g); err == nil {
		fmt.Sscan(g, &s.Generation)
	}
	names := map[int64]string{}
	crows, err := tx.QueryContext(ctx, `SELECT id, name FROM collections`)
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	for crows.Next() {
		var cid int64
		var n string
		if err := crows.Scan(&cid, &n); err != nil {
			crows.Close()
			return nil, fmt.Errorf("load index: %w", err)
		}
		names[cid] = n
	}
	crows.Close()
	rows, err := tx.QueryContext(ctx, `SELECT id, collection_id, COALESCE(label, ''), z, v FROM records`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid, cid int64
		var label string
		var zb, vb []byte
		if err := rows.Scan(&rid, &cid, &label, &zb, &vb); err != nil {
			return nil, fmt.Errorf("load index: %w", err)
		}
		if len(vb) != 4*s.NC || len(zb) != 4*s.ND {
			return nil, fmt.Errorf("load index: record %d has %d z and %d v bytes, want %d and %d", rid, len(zb), len(vb), 4*s.ND, 4*s.NC)
		}
		n := len(s.V)
		s.V, _ = BytesFloat32(s.V, vb)
		for _, x := range s.V[n:] {
			if !(x >= 0) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("load index: record %d has an invalid v vector %v", rid, s.V[n:])
			}
		}
		s.Z, _ = BytesFloat32(s.Z, zb)
		s.IDs = append(s.IDs, rid)
		s.Labels = append(s.Labels, label)
		s.Collections = append(s.Collections, names[cid])
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	return s, nil
}

// Record is one stored image.
type Record struct {
	ID         int64     `json:"id"`
	Collection string    `json:"collection"`
	Path       string    `json:"path"`
	Hash       string    `json:"hash"`
	Label      string    `json:"label,omitempty"`
	Z          []float32 `json:"z"`
	V          []float32 `json:"v"`
	root       string
	pixels     []byte
}

// Record reads one record by id.
func (db *DB) Record(ctx context.Context, id int64) (Record, error) {
	var r Record
	var zb, vb []byte
	err := db.sql.QueryRowContext(ctx, `SELECT r.id, c.name, c.root, r.path, r.hash, COALESCE(r.label, ''), r.z, r.v, p.data
		FROM records r JOIN collections c ON c.id = r.collection_id LEFT JOIN pixels p ON p.id = r.id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.Collection, &r.root, &r.Path, &r.Hash, &r.Label, &zb, &vb, &r.pixels)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("record %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("record %d: %w", id, err)
	}
	r.Z, _ = BytesFloat32(nil, zb)
	r.V, _ = BytesFloat32(nil, vb)
	return r, nil
}

// Records reads several records by id, in the order given.
func (db *DB) Records(ctx context.Context, ids []int64) ([]Record, error) {
	out := make([]Record, len(ids))
	for i, id := range ids {
		r, err := db.Record(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// File is the record's file on disk, or "" for records of generated sets.
func (r Record) File() string {
	if strings.HasPrefix(r.root, SetRootPrefix) || !cleanRel(r.Path) {
		return ""
	}
	return filepath.Join(r.root, filepath.FromSlash(r.Path))
}

// Image returns the bytes and content type of the record's image: the
// indexed file itself (only files inside the collection's root), or a PNG
// of the stored 32x32 pixels for records of generated sets. The file must
// be a regular file of at most data.DefaultMaxFileBytes (a FIFO or device
// put in its place is refused at once, never waited on).
func (r Record) Image() ([]byte, string, error) {
	if r.pixels != nil {
		b, err := grayPNG(r.pixels)
		return b, "image/png", err
	}
	f := r.File()
	if f == "" {
		return nil, "", fmt.Errorf("record %d: no image file", r.ID)
	}
	b, err := data.ReadFileCapped(f, 0)
	if err != nil {
		return nil, "", fmt.Errorf("record %d: %w", r.ID, err)
	}
	return b, http.DetectContentType(b), nil
}

// ImageFile is a record's image opened for streaming (Record.OpenImage):
// memory does not grow with the file's size.
type ImageFile struct {
	io.ReadSeeker
	// ContentType is sniffed from the first 512 bytes.
	ContentType string
	// Size is the length in bytes; ModTime the file's modification time
	// (zero for stored pixels).
	Size    int64
	ModTime time.Time
	close   func() error
}

// Close closes the file.
func (f *ImageFile) Close() error {
	if f.close == nil {
		return nil
	}
	return f.close()
}

// OpenImage opens the record's image for streaming, with Image's rules
// (files inside the collection's root only, regular files of at most
// data.DefaultMaxFileBytes; stored pixels as a PNG) but without reading
// the file into memory: serving many large images at once costs a copy
// buffer each, not their sizes. The caller closes it.
func (r Record) OpenImage() (*ImageFile, error) {
	if r.pixels != nil {
		b, err := grayPNG(r.pixels)
		if err != nil {
			return nil, err
		}
		return &ImageFile{ReadSeeker: bytes.NewReader(b), ContentType: "image/png", Size: int64(len(b))}, nil
	}
	p := r.File()
	if p == "" {
		return nil, fmt.Errorf("record %d: no image file", r.ID)
	}
	f, st, err := data.OpenFileCapped(p, 0)
	if err != nil {
		return nil, fmt.Errorf("record %d: %w", r.ID, err)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("record %d: %w", r.ID, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("record %d: %w", r.ID, err)
	}
	return &ImageFile{ReadSeeker: f, ContentType: http.DetectContentType(head[:n]), Size: st.Size(), ModTime: st.ModTime(), close: f.Close}, nil
}

// Pixels returns the record's Side x Side gray image as the model saw it
// (decoded again from its file when it has one).
func (r Record) Pixels() ([]float32, error) {
	if r.pixels != nil {
		px := make([]float32, len(r.pixels))
		for i, b := range r.pixels {
			px[i] = float32(b) / 255
		}
		return px, nil
	}
	b, _, err := r.Image()
	if err != nil {
		return nil, err
	}
	return DecodeImage(b)
}

func grayPNG(px []byte) ([]byte, error) {
	if len(px) != Pixels {
		return nil, fmt.Errorf("stored pixels: %d values, want %d", len(px), Pixels)
	}
	img := image.NewGray(image.Rect(0, 0, Side, Side))
	for i, b := range px {
		img.Set(i%Side, i/Side, color.Gray{Y: b})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
