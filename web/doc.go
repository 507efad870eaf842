// Package web serves an index over HTTP: a JSON API to search it by an
// uploaded image, by words or by an LS point, list its collections and
// statistics, and fetch the LS points of its records; and one web page
// (embedded HTML, CSS and JavaScript, no CDN, no network) to upload or pick
// a query, type words, see the top-k grid with scores and the LS scatter of
// the index with the configured centres, circles and the query point.
//
// The decisions (image serving, snapshots and reloads, model, errors,
// scatter) are in docs/search.md.
package web
