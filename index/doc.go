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
// Decisions where the issue is silent:
//   - The model identity (run id, layout JSON, class names, encoder kind,
//     run directory) is written once, by the first indexing; extending or
//     querying the index with a model whose id or layout differs is an error
//     (ErrModelMismatch). Text and point queries need only the stored layout.
//   - Resume: a file whose (collection, path) is already stored with the same
//     content hash is skipped; a changed file is re-encoded in place (its
//     record id is kept); files that disappeared from the folder are removed
//     from the collection when Options.Prune is set (the index command sets it).
//   - Every batch is one transaction that also increments the "generation"
//     meta value, so a reader (the web server) can tell cheaply that the
//     index changed, and a kill -9 loses at most the batch in flight.
//   - Labels: an image directly in the collection root has no label; an image
//     anywhere below a sub-folder is labelled by that first-level sub-folder.
//     A root holding a class map (data.ClassMapFile, as lsconf data gen
//     writes) is a labelled ImageFolder: its top-level files (the contact
//     sheet) are not indexed, as data's loader ignores them.
//   - Files with an image extension (.png, .jpg, .jpeg, .gif) that do not
//     decode are skipped and reported, not fatal; other files are ignored.
//   - Images are decoded by DecodeImage with the steps of data's ImageFolder
//     loader (tested bit for bit against it), so indexed and query images
//     are what the model saw in training (it calls data.DecodeImage).
//   - Records of built-in (generated) sets have no file: their 32x32 pixels
//     are stored (table pixels, apart from the records so that loading the
//     vectors stays fast) so the grid and the web page can show them.
package index
