package web

// CachedSnapshots is the number of search snapshots s holds.
func CachedSnapshots(s *Server) int { return s.cachedSnapshots() }
