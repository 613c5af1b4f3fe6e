package kate

// tokenCache maps lower-cased raw tokens to ids (-1: the token is dropped
// or not in the vocabulary): the one cache of the text pipeline, used by
// corpus building (raw token -> term id) and by every Vectorizer (raw token
// -> vocabulary index), so that a token is stemmed once. It has two
// generations of at most limit entries: when the current one is full it
// becomes the old one (still consulted, its hits promoted) and a new one
// starts, so recent tokens survive and memory stays bounded by twice limit
// entries.
//
// Each generation is an open-addressing hash table over the tokens' bytes
// (tokenTable) rather than a Go map: looking a token up is most of the
// cost of encoding a text whose tokens are cached, and under WebAssembly
// the map's hashing and probing were a third of the encode path (issue 14,
// docs/speed.md).
type tokenCache struct {
	cur, old *tokenTable
	limit    int
	// curBytes and oldBytes estimate the memory of each generation.
	curBytes, oldBytes int64
}

func newTokenCache(limit int) *tokenCache {
	return &tokenCache{cur: newTokenTable(), limit: limit}
}

// get returns the id cached for raw.
func (c *tokenCache) get(raw []byte) (int32, bool) {
	return c.getHashed(raw, tokenHash(raw))
}

// getHashed is get for a token whose tokenHash is h.
func (c *tokenCache) getHashed(raw []byte, h uint32) (int32, bool) {
	if id, ok := c.cur.get(raw, h); ok {
		return id, true
	}
	if c.old != nil {
		if id, ok := c.old.get(raw, h); ok {
			c.put(string(raw), id)
			return id, true
		}
	}
	return 0, false
}

// put caches id for the raw token key.
func (c *tokenCache) put(key string, id int32) {
	if c.cur.n >= c.limit {
		c.old, c.oldBytes = c.cur, c.curBytes
		c.cur, c.curBytes = newTokenTable(), 0
	}
	c.cur.put(key, tokenHash([]byte(key)), id)
	c.curBytes += int64(len(key)) + termBytes
}

// bytes estimates the memory the cache holds.
func (c *tokenCache) bytes() int64 { return c.curBytes + c.oldBytes }

// each calls fn for every cached token, the old generation first (a token
// in both has the same id in both).
func (c *tokenCache) each(fn func(raw string, id int32)) {
	if c.old != nil {
		c.old.each(fn)
	}
	c.cur.each(fn)
}

// len returns the number of entries in both generations.
func (c *tokenCache) len() int {
	n := c.cur.n
	if c.old != nil {
		n += c.old.n
	}
	return n
}

// tokenTable is one generation of the token cache: linear probing over a
// power-of-two array of slots, at most half full, with the tokens' bytes
// kept back to back in keys.
type tokenTable struct {
	slots []tokenSlot
	keys  []byte
	n     int
}

// tokenSlot is one entry: the token is keys[off:off+size-1]; size 0 marks
// an empty slot.
type tokenSlot struct {
	hash, off, size uint32
	id              int32
}

// newTokenTable returns an empty table; its slots are allocated by the
// first put (a vectorizer that encodes one short text stays small).
func newTokenTable() *tokenTable {
	return &tokenTable{}
}

// tokenHash is 32-bit FNV-1a over raw.
func tokenHash(raw []byte) uint32 {
	h := uint32(tokenHashOffset)
	for _, c := range raw {
		h = (h ^ uint32(c)) * tokenHashPrime
	}
	return h
}

// The constants of 32-bit FNV-1a.
const (
	tokenHashOffset = 2166136261
	tokenHashPrime  = 16777619
)

func (t *tokenTable) get(raw []byte, h uint32) (int32, bool) {
	if t.n == 0 {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	size := uint32(len(raw)) + 1
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.size == 0 {
			return 0, false
		}
		if s.hash == h && s.size == size && string(t.keys[s.off:s.off+size-1]) == string(raw) {
			return s.id, true
		}
	}
}

// put inserts key (not yet in t) with id.
func (t *tokenTable) put(key string, h uint32, id int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	off := uint32(len(t.keys))
	t.keys = append(t.keys, key...)
	t.insert(tokenSlot{hash: h, off: off, size: uint32(len(key)) + 1, id: id})
	t.n++
}

func (t *tokenTable) insert(s tokenSlot) {
	mask := uint32(len(t.slots) - 1)
	i := s.hash & mask
	for t.slots[i].size != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

// grow doubles the slots (64 at first) and re-inserts the entries.
func (t *tokenTable) grow() {
	old := t.slots
	t.slots = make([]tokenSlot, max(64, 2*len(old)))
	for _, s := range old {
		if s.size != 0 {
			t.insert(s)
		}
	}
}

func (t *tokenTable) each(fn func(raw string, id int32)) {
	for _, s := range t.slots {
		if s.size != 0 {
			fn(string(t.keys[s.off:s.off+s.size-1]), s.id)
		}
	}
}
