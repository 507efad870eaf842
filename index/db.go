package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/lsconf/lsconf/latent"
)

// SchemaVersion is the version of the database layout this package writes.
const SchemaVersion = 1

// ErrModelMismatch is returned (wrapped) when an index is extended or
// queried with a model other than the one that built it.
var ErrModelMismatch = errors.New("index was built with a different model")

// ErrNoModel is returned (wrapped) by operations that need the model
// identity of an index that has never been written to.
var ErrNoModel = errors.New("index is empty: no model has indexed anything yet")

const schema = `
CREATE TABLE IF NOT EXISTS meta(
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collections(
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL UNIQUE,
	root    TEXT NOT NULL,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records(
	id            INTEGER PRIMARY KEY,
	collection_id INTEGER NOT NULL REFERENCES collections(id),
	path          TEXT NOT NULL,
	hash          TEXT NOT NULL,
	label         TEXT,
	z             BLOB NOT NULL,
	v             BLOB NOT NULL,
	UNIQUE(collection_id, path)
);
CREATE TABLE IF NOT EXISTS pixels(
	id   INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
	data BLOB NOT NULL
);
`

// DB is an open index database. It is safe for concurrent use; several
// processes may read it while others write (WAL; writers take turns).
type DB struct {
	sql      *sql.DB
	path     string
	readOnly bool
	file     os.FileInfo // the file as opened, for Replaced
}

// BusyTimeout is how long a writer waits for another process's write
// transaction (or a reader for a checkpoint) before giving up with
// ErrBusy. Write transactions begin IMMEDIATE, so writers queue on the
// lock instead of failing when two read-then-write transactions meet.
const BusyTimeout = 60 * time.Second

// ErrBusy is returned (wrapped) when the database stayed locked by
// another writer for longer than BusyTimeout.
var ErrBusy = errors.New("the index database is locked by another writer")

// dsn is the SQLite URI of path with the given parameters (the path's
// '?', '#' and '%' escaped).
func dsn(path, params string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	return "file:" + p + "?" + params
}

// busyPragma is the DSN parameter of the busy timeout.
var busyPragma = fmt.Sprintf("_pragma=busy_timeout(%d)", BusyTimeout.Milliseconds())

// sqliteCode is the primary SQLite result code of err (0 when err is not
// a SQLite error).
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// busy wraps err with ErrBusy and advice when it is SQLite's "database is
// locked" (SQLITE_BUSY or SQLITE_LOCKED), else returns it unchanged.
func busy(err error) error {
	if c := sqliteCode(err); c == 5 || c == 6 {
		return fmt.Errorf("%w for over %v (busy timeout): another lsconf index is writing to it; run again when it has finished: %v", ErrBusy, BusyTimeout, err)
	}
	return err
}

// Open opens (creating when missing) the index database at path for
// writing, in WAL mode with a busy timeout (BusyTimeout) so that readers
// and several indexers can share it. It refuses a file that is not an
// lsconf index (ErrNotIndex: another application id, foreign tables or
// columns) and one that fails SQLite's quick check (ErrCorrupt), before
// writing anything to it. Commands that only read open with OpenReadOnly.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open index: no database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("open index %s: folder %s does not exist", path, dir)
		}
	}
	s, err := sql.Open("sqlite", dsn(path, busyPragma+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	db := &DB{sql: s, path: path}
	ctx := context.Background()
	if err := db.adopt(ctx, true); err != nil {
		s.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	if err := db.init(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	if err := db.checkSchema(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	db.file, _ = os.Stat(path)
	return db, nil
}

// OpenReadOnly opens an existing index for reading only: SQLite's
// mode=ro, so that nothing is ever written to the file (search, serve,
// eval and checks work on a file the user cannot write, e.g. chmod 444 or
// owned by another user). When even the WAL's shared-memory file cannot
// be made (a read-only mount or folder), it opens the file as immutable:
// it is then read as it is, without locks, and must not change while
// open (a read-only medium does not). Like Open, it refuses a file that
// is not an lsconf index or fails the quick check.
func OpenReadOnly(path string) (*DB, error) { return openReadOnly(path, true) }

func openReadOnly(path string, quick bool) (*DB, error) {
	if path == "" {
		return nil, errors.New("open index: no database path")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("open index %s: not a regular file", path)
	}
	db, err := openRO(path, false, quick)
	if err != nil && (sqliteCode(err) == 14 || sqliteCode(err) == 8) { // CANTOPEN, READONLY: no -shm
		var err2 error
		if db, err2 = openRO(path, true, quick); err2 == nil {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	db.file = st
	return db, nil
}

func openRO(path string, immutable, quick bool) (*DB, error) {
	params := "mode=ro&" + busyPragma
	if immutable {
		params = "mode=ro&immutable=1"
	}
	s, err := sql.Open("sqlite", dsn(path, params))
	if err != nil {
		return nil, err
	}
	db := &DB{sql: s, path: path, readOnly: true}
	if err := db.adopt(context.Background(), quick); err != nil {
		s.Close()
		return nil, err
	}
	if err := db.checkSchema(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return db, nil
}

// init writes the application id and the tables of a new or legacy index
// in one IMMEDIATE transaction (waiting for other writers), only when
// they are missing.
func (db *DB) init(ctx context.Context) error {
	var app int64
	var tables int
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('meta', 'collections', 'records', 'pixels'))`).Scan(&app, &tables); err != nil {
		return busy(fmt.Errorf("read the schema: %w", err))
	}
	if app == ApplicationID && tables == len(tableColumns) {
		return nil
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return busy(fmt.Errorf("begin: %w", err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return busy(fmt.Errorf("not an lsconf index or unreadable: %w", err))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
		return busy(fmt.Errorf("set application id: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return busy(fmt.Errorf("create the tables: %w", err))
	}
	return nil
}

// checkSchema refuses an index of another schema version, and a
// read-only file that holds no index tables.
func (db *DB) checkSchema(ctx context.Context) error {
	v, ok, err := db.meta(ctx, "schema")
	if err != nil {
		if db.readOnly && strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("%w: it holds no index tables (make one with lsconf index)", ErrNotIndex)
		}
		return busy(err)
	}
	if ok && v != strconv.Itoa(SchemaVersion) {
		return fmt.Errorf("schema version %s, this lsconf reads %d", v, SchemaVersion)
	}
	return nil
}

// ReadOnly reports whether the index was opened with OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

func (db *DB) meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read meta %s: %w", key, err)
	}
	return v, true, nil
}

// Identity is the model an index was built with.
type Identity struct {
	// ModelID is the run's stable identity.
	ModelID string `json:"model_id"`
	// Layout is the configured latent layout of the run.
	Layout *latent.Layout `json:"layout"`
	// Classes are the run's class names.
	Classes []string `json:"classes"`
	// Encoder is "plain" or the sector configuration's kind.
	Encoder string `json:"encoder"`
	// RunDir is where the run was when the index was first built (a hint
	// for commands that need to encode queries; may have moved).
	RunDir string `json:"run_dir,omitempty"`
	// Outside is the run's calibrated outside threshold when it had one
	// at indexing (Calibrated); nil for runs or indexes made without it,
	// which mark only v all zero as outside.
	Outside *latent.Calibration `json:"outside,omitempty"`
}

// Calibrated is what a Model that carries a calibrated outside threshold
// (a train.Run) also implements.
type Calibrated interface {
	// Calibration is the threshold, nil when there is none.
	Calibration() *latent.Calibration
}

// IdentityOf describes a model.
func IdentityOf(m Model, runDir string) Identity {
	enc := "plain"
	if s := m.Sectors(); s != nil {
		enc = s.Kind()
	}
	id := Identity{ModelID: m.ID(), Layout: m.Layout(), Classes: append([]string(nil), m.Classes()...), Encoder: enc, RunDir: runDir}
	if c, ok := m.(Calibrated); ok {
		id.Outside = c.Calibration()
	}
	return id
}

// Identity returns the model identity stored in the index, or an error
// wrapping ErrNoModel when nothing has been indexed yet.
func (db *DB) Identity(ctx context.Context) (Identity, error) {
	var id Identity
	mid, ok, err := db.meta(ctx, "model_id")
	if err != nil {
		return id, err
	}
	if !ok {
		return id, fmt.Errorf("%s: %w", db.path, ErrNoModel)
	}
	id.ModelID = mid
	lj, _, err := db.meta(ctx, "layout")
	if err != nil {
		return id, err
	}
	var l latent.Layout
	if err := json.Unmarshal([]byte(lj), &l); err != nil {
		return id, fmt.Errorf("index %s: stored layout: %w", db.path, err)
	}
	id.Layout = &l
	cj, _, err := db.meta(ctx, "classes")
	if err != nil {
		return id, err
	}
	if err := json.Unmarshal([]byte(cj), &id.Classes); err != nil {
		return id, fmt.Errorf("index %s: stored classes: %w", db.path, err)
	}
	if id.Encoder, _, err = db.meta(ctx, "encoder"); err != nil {
		return id, err
	}
	if id.RunDir, _, err = db.meta(ctx, "run_dir"); err != nil {
		return id, err
	}
	oj, ok, err := db.meta(ctx, "outside")
	if err != nil {
		return id, err
	}
	if ok {
		id.Outside = new(latent.Calibration)
		if err := json.Unmarshal([]byte(oj), id.Outside); err != nil {
			return id, fmt.Errorf("index %s: stored outside threshold: %w", db.path, err)
		}
	}
	return id, nil
}

// CheckModel returns nil when m is the model that built the index (or the
// index is still empty), else an error wrapping ErrModelMismatch that
// names both models.
func (db *DB) CheckModel(ctx context.Context, m Model) error {
	id, err := db.Identity(ctx)
	if errors.Is(err, ErrNoModel) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkIdentity(db.path, id, m)
}

func checkIdentity(path string, id Identity, m Model) error {
	if id.ModelID != m.ID() {
		return fmt.Errorf("index %s holds encodings of model %q, not of model %q: index with the same run or use another database: %w",
			path, id.ModelID, m.ID(), ErrModelMismatch)
	}
	if !id.Layout.Equal(m.Layout()) {
		return fmt.Errorf("index %s: model %q has a different layout than the one stored: %w", path, m.ID(), ErrModelMismatch)
	}
	return nil
}

// Generation is a counter that increases with every committed indexing
// batch; readers compare it to know when to reload.
func (db *DB) Generation(ctx context.Context) (int64, error) {
	v, ok, err := db.meta(ctx, "generation")
	if err != nil || !ok {
		return 0, err
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("index %s: bad generation %q", db.path, v)
	}
	return g, nil
}

// setIdentity writes the model identity inside tx when the index has none,
// else checks it.
func setIdentity(ctx context.Context, tx *sql.Tx, path string, m Model, runDir string) error {
	var mid string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'model_id'`).Scan(&mid)
	if err == nil {
		return nil // checked by the caller before indexing
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read model id: %w", err)
	}
	id := IdentityOf(m, runDir)
	lj, err := json.Marshal(id.Layout)
	if err != nil {
		return fmt.Errorf("layout JSON: %w", err)
	}
	cj, err := json.Marshal(id.Classes)
	if err != nil {
		return fmt.Errorf("classes JSON: %w", err)
	}
	kvs := [][2]string{
		{"schema", strconv.Itoa(SchemaVersion)}, {"model_id", id.ModelID}, {"layout", string(lj)},
		{"classes", string(cj)}, {"encoder", id.Encoder}, {"run_dir", runDir}, {"generation", "0"},
	}
	if id.Outside != nil {
		oj, err := json.Marshal(id.Outside)
		if err != nil {
			return fmt.Errorf("outside threshold JSON: %w", err)
		}
		kvs = append(kvs, [2]string{"outside", string(oj)})
	}
	for _, kv := range kvs {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)`, kv[0], kv[1]); err != nil {
			return fmt.Errorf("write meta %s: %w", kv[0], err)
		}
	}
	return nil
}

// ErrReplaced is returned (wrapped) by Replaced when the database file at
// the path is no longer the file that was opened.
var ErrReplaced = errors.New("the index file was deleted or replaced since it was opened")

// Replaced returns nil while the file at db's path is the one opened
// (written to in place by indexers is fine), else an error wrapping
// ErrReplaced that says whether it was deleted or replaced by another
// file (rebuilt and renamed over it, restored from a copy): a long-running
// reader then serves stale data and should stop or reopen.
func (db *DB) Replaced() error {
	if db.file == nil {
		return nil
	}
	st, err := os.Stat(db.path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("index %s: %w: it was deleted", db.path, ErrReplaced)
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", db.path, err)
	}
	if !os.SameFile(st, db.file) {
		return fmt.Errorf("index %s: %w: another file is there now", db.path, ErrReplaced)
	}
	return nil
}
