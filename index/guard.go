package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ApplicationID is the SQLite application_id of an lsconf index ("LSCX"):
// Open refuses SQLite files that carry another one.
const ApplicationID = 0x4C534358

// ErrNotIndex is returned (wrapped) by Open for a file that is not an
// lsconf index (another SQLite database, or not SQLite at all).
var ErrNotIndex = errors.New("not an lsconf index")

// ErrCorrupt is returned (wrapped) by Open when SQLite's quick check
// fails: the file is damaged and must not be written to.
var ErrCorrupt = errors.New("the index database is corrupt")

// tableColumns is the schema Open expects, table by table.
var tableColumns = map[string][]string{
	"meta":        {"key", "value"},
	"collections": {"id", "name", "root", "created"},
	"records":     {"id", "collection_id", "path", "hash", "label", "z", "v"},
	"pixels":      {"id", "data"},
}

// adopt checks, before anything is written, that the database is an lsconf
// index (its application id, or, for an index made before the id existed
// and for a new empty file, only lsconf's tables with their columns), and
// runs SQLite's quick check unless skipped. It writes nothing: Open's init
// gives a new or legacy index the application id.
func (db *DB) adopt(ctx context.Context, quick bool) error {
	var app int64
	if err := db.sql.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		if b := busy(err); b != err {
			return b
		}
		return fmt.Errorf("%w: cannot read it as SQLite: %w", ErrNotIndex, err)
	}
	if app != 0 && app != ApplicationID {
		return fmt.Errorf("%w: SQLite application id %#x (an lsconf index has %#x)", ErrNotIndex, app, ApplicationID)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return fmt.Errorf("%w: read its tables: %v", ErrNotIndex, err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("%w: read its tables: %v", ErrNotIndex, err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: read its tables: %v", ErrNotIndex, err)
	}
	slices.Sort(tables)
	var foreign []string
	for _, t := range tables {
		want, ok := tableColumns[t]
		if !ok {
			foreign = append(foreign, t)
			continue
		}
		cols, err := db.columns(ctx, t)
		if err != nil {
			return err
		}
		if !slices.Equal(cols, want) {
			return fmt.Errorf("%w: table %s has columns %v, an lsconf index has %v", ErrNotIndex, t, cols, want)
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%w: it holds tables %s that lsconf does not make", ErrNotIndex, strings.Join(foreign, ", "))
	}
	if quick {
		var res string
		if err := db.sql.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&res); err != nil {
			return fmt.Errorf("%w: quick check: %v; restore a copy or rebuild the index (Check reports the damage)", ErrCorrupt, err)
		}
		if res != "ok" {
			return fmt.Errorf("%w: quick check: %s; restore a copy or rebuild the index (Check reports the damage)", ErrCorrupt, res)
		}
	}
	return nil
}

func (db *DB) columns(ctx context.Context, table string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("%w: read table %s: %v", ErrNotIndex, table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("%w: read table %s: %v", ErrNotIndex, table, err)
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// CheckFile runs the full check (Check) of the index at path without
// opening it for writing or refusing it for damage first (Open's quick
// check would): it is how a damaged index is diagnosed.
func CheckFile(ctx context.Context, path string) (CheckReport, error) {
	if _, err := os.Stat(path); err != nil {
		return CheckReport{}, fmt.Errorf("check index: %w", err)
	}
	db, err := openReadOnly(path, false)
	if err != nil {
		return CheckReport{}, fmt.Errorf("check index %s: %w", path, err)
	}
	defer db.Close()
	return db.Check(ctx)
}

// ValidCollectionName reports why a name cannot name a collection: blank,
// a comma (collection filters are comma-separated), spaces at either end
// (filters trim them), control characters, not UTF-8, or over 200 bytes.
func ValidCollectionName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("collection name %q is blank", name)
	case strings.Contains(name, ","):
		return fmt.Errorf("collection name %q has a comma (filters list collections separated by commas)", name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("collection name %q starts or ends with a space", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("collection name %q is not valid UTF-8", name)
	case len(name) > 200:
		return fmt.Errorf("collection name of %d bytes (at most 200)", len(name))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("collection name %q has a control character", name)
	}
	return nil
}
