package index

import "database/sql"

// SQL exposes the underlying database to the tests (read-only checks).
func (db *DB) SQL() *sql.DB { return db.sql }
