package web

// CachedSnapshots is the number of search snapshots s holds.
func CachedSnapshots(s *Server) int { return s.cachedSnapshots() }

// UploadBytesHeld is the number of upload bytes s's upload budget holds.
func UploadBytesHeld(s *Server) int64 { return s.uploads.InUse() }

// UploadsWaiting is the number of uploads waiting for s's upload budget.
func UploadsWaiting(s *Server) int { return s.uploads.Waiting() }
