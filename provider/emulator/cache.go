package emulator

// A filtered list is paged through one request at a time; scanning every
// image for each page would make listing n images O(n²/per_page). So the
// positions of the images a filter keeps are remembered until the data
// changes: the first page scans, the next pages slice.

// maxCachedFilters bounds the remembered filters; past it, all are forgotten.
const maxCachedFilters = 16

// lockForWrite locks the data for a change and invalidates the filter cache.
func (s *Server) lockForWrite() {
	s.mu.Lock()
	s.version++
}

// matches returns the positions in s.images of the images keep accepts,
// ascending; key names the filter. Call with mu held (read or write); the
// result is valid while it is held.
func (s *Server) matches(key string, keep func(*imageRecord) bool) []int32 {
	s.cacheMu.Lock()
	if s.cacheVersion != s.version || s.cache == nil {
		s.cache = make(map[string][]int32)
		s.cacheVersion = s.version
	}
	m, ok := s.cache[key]
	s.cacheMu.Unlock()
	if ok {
		return m
	}

	m = []int32{}
	for i, rec := range s.images {
		if keep(rec) {
			m = append(m, int32(i))
		}
	}

	s.cacheMu.Lock()
	if s.cacheVersion == s.version {
		if len(s.cache) >= maxCachedFilters {
			clear(s.cache)
		}
		s.cache[key] = m
	}
	s.cacheMu.Unlock()
	return m
}
