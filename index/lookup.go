package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordID returns the id of the record of a collection at path (relative
// to the collection's root, slash-separated), or an error wrapping
// ErrNotFound.
func (db *DB) RecordID(ctx context.Context, collection, path string) (int64, error) {
	var id int64
	err := db.sql.QueryRowContext(ctx, `SELECT r.id FROM records r JOIN collections c ON c.id = r.collection_id
		WHERE c.name = ? AND r.path = ?`, collection, path).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("record %s/%s: %w", collection, path, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("record %s/%s: %w", collection, path, err)
	}
	return id, nil
}
