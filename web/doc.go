// Package web serves an index over HTTP: a JSON API to search it by an
// uploaded image, by words or by an LS point, list its collections and
// statistics, and fetch the LS points of its records; and one web page
// (embedded HTML, CSS and JavaScript, no CDN, no network) to upload or pick
// a query, type words, see the top-k grid with scores and the LS scatter of
// the index with the configured centres, circles and the query point.
//
// Decisions:
//   - Images are served only by record id, from the record's own file
//     under its collection's root (or its stored pixels); no route takes a
//     path.
//   - The server keeps an in-memory search snapshot per collection filter
//     and, when the index's generation changes (every committed indexing
//     batch bumps it), loads a newer one in the background at most every
//     Config.ReloadEvery (2 s); searches meanwhile rank the current
//     snapshot, a consistent committed state, and never wait for a reload
//     (loading 1e6 records takes seconds).
//   - Image queries need the model that built the index (Config.Model);
//     without it, text, point and record queries still work and image
//     uploads get 503 with a message.
//   - Errors are JSON {"error": "..."}: 400 bad input or unknown words
//     (with the known words), 404 unknown record or collection, 409 empty
//     index, 413 upload over the limit, 415 not an image, 503 no model.
//   - The scatter shows at most Config.MaxPoints records (an even stride
//     over record ids) and the first two LS dimensions.
package web
