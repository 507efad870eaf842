// Package search ranks indexed images by their similarity to a query
// (eq 15 of the paper) and maps words to latent points (paper 6.3).
//
//   - Index is an in-memory arrangement of n v vectors for exact top-k:
//     records grouped by their non-zero entries, sorted by sum v, stored
//     column by column; Search scores only the band of each group whose
//     bound min(qS, sum v)/max(sum q, sum v) can still reach the k-th best
//     score, and returns exactly what Scan (latent.Sim32 on every record)
//     returns, scores bit for bit, ties by the lower record id.
//   - Vocab maps words, synonyms, blends ("between squares and dots",
//     "0.7 squares + 0.3 dots") and random points inside a cluster to LS
//     points; an embedded default file plus user files; no language model.
//   - Searcher couples an index.Snapshot with an Index, restricted to
//     collections, and builds every query (an image with the index's
//     model, a record, words, a point); Evaluate measures mean precision@k
//     by class label for image and word queries.
//
// Decisions: float32 arithmetic throughout (the stored precision; the
// numpy peer computes the same numbers); sim of a query with sum 0 is 0 for
// every record, so the ranking is by id; precision@k counts missing results
// (fewer than k records) and results of score 0 (no similarity; their
// order is by id) as misses; records whose label is not a class name
// are ranked but are not queries in Evaluate. See docs/search.md.
package search
