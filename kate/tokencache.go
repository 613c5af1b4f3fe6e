package kate

import "encoding/binary"

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
	return c.getOld(raw, h)
}

// getOld is getHashed for a token that is not in the current generation:
// found in the old one, it is copied into the current one.
func (c *tokenCache) getOld(raw []byte, h uint32) (int32, bool) {
	if c.old != nil {
		if id, ok := c.old.get(raw, h); ok {
			c.putHashed(string(raw), h, id)
			return id, true
		}
	}
	return 0, false
}

// put caches id for the raw token key.
func (c *tokenCache) put(key string, id int32) {
	c.putHashed(key, tokenHash([]byte(key)), id)
}

// putHashed is put for a key whose tokenHash is h.
func (c *tokenCache) putHashed(key string, h uint32, id int32) {
	if c.cur.n >= c.limit {
		c.old, c.oldBytes = c.cur, c.curBytes
		c.cur, c.curBytes = newTokenTable(), 0
	}
	c.cur.put(key, h, id)
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
// power-of-two array of slots, at most half full. A slot holds the token's
// first 8 bytes (head), so that most tokens (English words are short) are
// compared without reading a second place in memory; the bytes past the
// first 8 of longer tokens are kept back to back in keys.
type tokenTable struct {
	slots []tokenSlot
	keys  []byte
	n     int
}

// tokenSlot is one entry: a token of size-1 bytes whose first 8 bytes are
// head (tokenHead) and whose bytes past them are keys[off:off+size-9];
// size 0 marks an empty slot.
type tokenSlot struct {
	head            uint64
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

// tokenHead returns the first 8 bytes of raw as a little-endian word,
// zero-padded when raw is shorter.
func tokenHead(raw []byte) uint64 {
	if len(raw) >= 8 {
		return binary.LittleEndian.Uint64(raw)
	}
	var w uint64
	for i, c := range raw {
		w |= uint64(c) << (8 * i)
	}
	return w
}

// headMask[n] keeps the first n bytes of a little-endian word (all 8 from
// n = 8 on): tokenHead of an n-byte token from 8 bytes read past its end.
var headMask = func() (m [maxTokenBytes + 1]uint64) {
	for n := range m {
		if n < 8 {
			m[n] = 1<<(8*n) - 1
		} else {
			m[n] = ^uint64(0)
		}
	}
	return m
}()

func (t *tokenTable) get(raw []byte, h uint32) (int32, bool) {
	return t.getHead(raw, tokenHead(raw), h)
}

// getHead is get for a token whose tokenHead is head.
func (t *tokenTable) getHead(raw []byte, head uint64, h uint32) (int32, bool) {
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
		if s.head == head && s.size == size && (size <= 9 || s.hash == h && string(t.keys[s.off:s.off+size-9]) == string(raw[8:])) {
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
	if len(key) > 8 {
		t.keys = append(t.keys, key[8:]...)
	}
	t.insert(tokenSlot{head: tokenHead([]byte(key)), hash: h, off: off, size: uint32(len(key)) + 1, id: id})
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

// key returns the token of the full slot s.
func (t *tokenTable) key(s tokenSlot) string {
	n := int(s.size) - 1
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, max(n, 8)), s.head)[:min(n, 8)]
	if n > 8 {
		b = append(b, t.keys[s.off:s.off+uint32(n-8)]...)
	}
	return string(b)
}

func (t *tokenTable) each(fn func(raw string, id int32)) {
	for _, s := range t.slots {
		if s.size != 0 {
			fn(t.key(s), s.id)
		}
	}
}
