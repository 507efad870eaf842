package index

import (
	"context"
	"fmt"
	"math"

	"github.com/lsconf/lsconf/latent"
)

// CheckReport is the result of Check.
type CheckReport struct {
	Integrity  string `json:"integrity"`
	Records    int    `json:"records"`
	Duplicates int    `json:"duplicates"`
	Orphans    int    `json:"orphans"`
	BadVectors int    `json:"bad_vectors"`
}

// OK reports whether the index passed every check.
func (c CheckReport) OK() bool {
	return c.Integrity == "ok" && c.Duplicates == 0 && c.Orphans == 0 && c.BadVectors == 0
}

// Check verifies the database: SQLite's integrity_check, no (collection,
// path) stored twice, no pixels or records without their record or
// collection, and every record's v equal (to 1e-6) to v computed from its
// z with the stored layout.
func (db *DB) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	if err := db.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&rep.Integrity); err != nil {
		return rep, fmt.Errorf("check %s: %w", db.path, err)
	}
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT collection_id, path FROM records GROUP BY collection_id, path HAVING COUNT(*) > 1)`).Scan(&rep.Duplicates); err != nil {
		return rep, fmt.Errorf("check %s: %w", db.path, err)
	}
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM pixels WHERE id NOT IN (SELECT id FROM records))
		+ (SELECT COUNT(*) FROM records WHERE collection_id NOT IN (SELECT id FROM collections))`).Scan(&rep.Orphans); err != nil {
		return rep, fmt.Errorf("check %s: %w", db.path, err)
	}
	id, err := db.Identity(ctx)
	if err != nil {
		return rep, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT z, v FROM records`)
	if err != nil {
		return rep, fmt.Errorf("check %s: %w", db.path, err)
	}
	defer rows.Close()
	want := make([]float32, id.Layout.NC())
	for rows.Next() {
		var zb, vb []byte
		if err := rows.Scan(&zb, &vb); err != nil {
			return rep, fmt.Errorf("check %s: %w", db.path, err)
		}
		rep.Records++
		z, err1 := BytesFloat32(nil, zb)
		v, err2 := BytesFloat32(nil, vb)
		if err1 != nil || err2 != nil || len(z) != id.Layout.ND() || len(v) != id.Layout.NC() || !vMatches(id.Layout, z, v, want) {
			rep.BadVectors++
		}
	}
	return rep, rows.Err()
}

func vMatches(l *latent.Layout, z, v, want []float32) bool {
	l.V32(z, want)
	for i := range v {
		if math.Abs(float64(v[i]-want[i])) > 1e-6 {
			return false
		}
	}
	return true
}
