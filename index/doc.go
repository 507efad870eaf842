// Package index stores the latent encodings of image collections in a
// SQLite database (modernc.org/sqlite, pure Go, WAL journal) so that search
// can rank them without running the network again (paper section 6.2).
//
// One database holds one model's encodings of any number of collections:
// each indexed folder is a named collection, and every record keeps its
// path (relative to the collection root), the SHA-256 of the file's bytes,
// its label (the ImageFolder sub-folder name, or none), its encoding z and
// its class similarity vector v (eq 11-14) as little-endian float32.
//
// Build (or IndexFolder) fills a database with a Model (a trained run,
// train.Run, satisfies it); Open and DB.Load read it back for search. The
// decisions (model identity, resume, labels, decoding, built-in sets) are
// in docs/search.md.
package index
