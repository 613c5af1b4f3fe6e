package kate

import (
	"strings"
	"testing"
)

// TestTokenTable puts tokens of every length up to maxTokenBytes, tokens
// that share their first 8 bytes or differ only past them, a prefix of
// another and the empty token, and requires get (with the token's own hash
// and with one hash shared by all, so every probe meets the others) to
// find each with its id, tokens never put to be missing, and each to
// return every token exactly.
func TestTokenTable(t *testing.T) {
	var keys []string
	for n := 0; n <= maxTokenBytes; n++ {
		keys = append(keys, strings.Repeat("q", n))
	}
	keys = append(keys, "abcdefgh", "abcdefghi", "abcdefghj", "abcdefgz", "abcdefg", "abcdefghijklmnopq",
		"abcdefghijklmnopr", "zbcdefgh", "ab", "ba", "\x00", "\x00\x00", "a\x00", "é", "naïve")
	for _, hash := range []func(string) uint32{
		func(k string) uint32 { return tokenHash([]byte(k)) },
		func(string) uint32 { return 12345 },
	} {
		tab := newTokenTable()
		for i, k := range keys {
			tab.put(k, hash(k), int32(i))
		}
		for i, k := range keys {
			if id, ok := tab.get([]byte(k), hash(k)); !ok || id != int32(i) {
				t.Errorf("get(%q) = %d, %v; want %d", k, id, ok, i)
			}
		}
		for _, k := range []string{"abcdefghk", "abcdefgha", "abcdef", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqr", "\x00\x00\x00", "b"} {
			if id, ok := tab.get([]byte(k), hash(k)); ok {
				t.Errorf("get(%q) found id %d of a token never put", k, id)
			}
		}
		seen := map[string]int32{}
		tab.each(func(raw string, id int32) { seen[raw] = id })
		if len(seen) != len(keys) {
			t.Fatalf("each gave %d tokens, want %d", len(seen), len(keys))
		}
		for i, k := range keys {
			if id, ok := seen[k]; !ok || id != int32(i) {
				t.Errorf("each: %q has id %d, %v; want %d", k, id, ok, i)
			}
		}
	}
}

// TestTokenHeadMask requires the scan's head (8 bytes read from its token
// buffer, masked to the token's length) to be tokenHead of the token,
// whatever the buffer holds past it.
func TestTokenHeadMask(t *testing.T) {
	var buf [maxTokenBytes]byte
	for i := range buf {
		buf[i] = byte(0xa0 + i)
	}
	for n := 0; n <= maxTokenBytes; n++ {
		got := tokenHead(buf[:8]) & headMask[n]
		if want := tokenHead(buf[:n]); got != want {
			t.Errorf("length %d: %#x, want %#x", n, got, want)
		}
	}
}

// TestTokenCacheGenerations fills a cache with a limit of 10 entries per
// generation: tokens of the old generation are still found (and promoted
// into the current one), those of older ones are dropped, and each lists
// every token held once.
func TestTokenCacheGenerations(t *testing.T) {
	c := newTokenCache(10)
	key := func(i int) string {
		return strings.Repeat("x", i%13) + "token" + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	for i := 0; i < 25; i++ {
		c.put(key(i), int32(i))
	}
	// Generations: 0-9 dropped, 10-19 old, 20-24 current.
	for i := 0; i < 10; i++ {
		if _, ok := c.get([]byte(key(i))); ok {
			t.Errorf("token %d of a dropped generation was found", i)
		}
	}
	for i := 20; i < 25; i++ {
		if id, ok := c.get([]byte(key(i))); !ok || id != int32(i) {
			t.Errorf("token %d of the current generation: got %d, %v", i, id, ok)
		}
	}
	if _, ok := c.cur.get([]byte(key(12)), tokenHash([]byte(key(12)))); ok {
		t.Fatal("token 12 is in the current generation before it was asked for")
	}
	if id, ok := c.get([]byte(key(12))); !ok || id != 12 {
		t.Errorf("token 12 of the old generation: got %d, %v", id, ok)
	}
	if id, ok := c.cur.get([]byte(key(12)), tokenHash([]byte(key(12)))); !ok || id != 12 {
		t.Errorf("token 12 of the old generation was not promoted: %d, %v", id, ok)
	}
	n := 0
	c.each(func(string, int32) { n++ })
	if n != c.len() {
		t.Errorf("each listed %d entries, len says %d", n, c.len())
	}
}
