package kate

// tokenCache maps lower-cased raw tokens to ids (-1: the token is dropped
// or not in the vocabulary): the one cache of the text pipeline, used by
// corpus building (raw token -> term id) and by every Vectorizer (raw token
// -> vocabulary index), so that a token is stemmed once. It has two
// generations of at most limit entries: when the current one is full it
// becomes the old one (still consulted, its hits promoted) and a new one
// starts, so recent tokens survive and memory stays bounded by twice limit
// entries.
type tokenCache struct {
	cur, old map[string]int32
	limit    int
	// curBytes and oldBytes estimate the memory of each generation.
	curBytes, oldBytes int64
}

func newTokenCache(limit int) *tokenCache {
	return &tokenCache{cur: make(map[string]int32), limit: limit}
}

// get returns the id cached for raw.
func (c *tokenCache) get(raw []byte) (int32, bool) {
	if id, ok := c.cur[string(raw)]; ok {
		return id, true
	}
	if id, ok := c.old[string(raw)]; ok {
		c.put(string(raw), id)
		return id, true
	}
	return 0, false
}

// put caches id for the raw token key.
func (c *tokenCache) put(key string, id int32) {
	if len(c.cur) >= c.limit {
		c.old, c.oldBytes = c.cur, c.curBytes
		c.cur, c.curBytes = make(map[string]int32, c.limit/4), 0
	}
	c.cur[key] = id
	c.curBytes += int64(len(key)) + termBytes
}

// bytes estimates the memory the cache holds.
func (c *tokenCache) bytes() int64 { return c.curBytes + c.oldBytes }

// each calls fn for every cached token, the old generation first (a token
// in both has the same id in both).
func (c *tokenCache) each(fn func(raw string, id int32)) {
	for raw, id := range c.old {
		fn(raw, id)
	}
	for raw, id := range c.cur {
		fn(raw, id)
	}
}

// len returns the number of entries in both generations.
func (c *tokenCache) len() int { return len(c.cur) + len(c.old) }
