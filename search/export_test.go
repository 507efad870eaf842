package search

import "github.com/lsconf/lsconf/index"

// NewSearcherOf makes a Searcher of a snapshot that was changed after it
// was read (for tests of unusual indexes).
func NewSearcherOf(db *index.DB, id index.Identity, snap *index.Snapshot) (*Searcher, error) {
	return newSearcher(db, id, snap, nil)
}
