package kate

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestTokenizer(t *testing.T) {
	cases := []struct {
		opts TextOptions
		in   string
		want []string
	}{
		{TextOptions{}, "Hello, World! it's 2024 a_b x86 ÉCOLE", []string{"hello", "world", "it", "s", "a", "b", "x86", "école"}},
		{TextOptions{Stopwords: true}, "The cat and the hat", []string{"cat", "hat"}},
		{TextOptions{Stem: true}, "running runs ran connection", []string{"run", "run", "ran", "connect"}},
		{DefaultTextOptions(), "The Running of the Bulls in 1993: bulls ran!", []string{"run", "bull", "bull", "ran"}},
		{DefaultTextOptions(), "", nil},
		{DefaultTextOptions(), "12345 678 --- ٣٤", nil},
		{TextOptions{}, "tab\tnew\nline\u00a0nbsp", []string{"tab", "new", "line", "nbsp"}},
		{TextOptions{}, "bad\xffutf8", []string{"bad", "utf8"}},
	}
	for _, c := range cases {
		got := c.opts.Tokens(c.in)
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v Tokens(%q) = %q, want %q", c.opts, c.in, got, c.want)
		}
	}
	long := strings.Repeat("a", 1000)
	if got := (TextOptions{}).Tokens(long); len(got) != 1 || len(got[0]) != maxTokenBytes {
		t.Errorf("long token not capped: %d", len(got[0]))
	}
	if !isStopword("the") || isStopword("cat") || len(sortedStopwords()) < 200 {
		t.Error("stopword list")
	}
}

func TestVocabularyDeterministic(t *testing.T) {
	docs := [][]string{{"b", "a", "c", "a"}, {"c", "d", "b"}, {"e"}}
	v, err := buildVocabulary(docs, 3)
	if err != nil {
		t.Fatal(err)
	}
	// counts: a2 b2 c2 d1 e1 -> a, b, c (ties by string)
	if got := v.Words(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("vocabulary %v", got)
	}
	for range 5 {
		w, _ := buildVocabulary([][]string{{"e"}, {"c", "d", "b"}, {"b", "a", "c", "a"}}, 3)
		if !slices.Equal(w.Words(), v.Words()) {
			t.Fatal("vocabulary depends on document order")
		}
	}
	if _, err := buildVocabulary(nil, 3); err == nil {
		t.Error("empty documents accepted")
	}
	if _, err := buildVocabulary(docs, 0); err == nil {
		t.Error("size 0 accepted")
	}
	if _, err := NewVocabulary([]string{"a", "a"}); err == nil {
		t.Error("duplicate accepted")
	}
	if i, ok := v.Index("b"); !ok || i != 1 {
		t.Errorf("Index(b) = %d, %v", i, ok)
	}
}

func TestVectorize(t *testing.T) {
	c, err := BuildCorpus([]string{"apple apple apple banana cherry", "banana cherry cherry", "12 34"}, TextOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	x := c.Vectors[0]
	// counts apple 3, banana 1, cherry 1 -> log(2)/log(4) = 0.5 for the singles
	ia, _ := c.Vocab.Index("apple")
	ib, _ := c.Vocab.Index("banana")
	vals := map[int32]float32{}
	for q, i := range x.Indices {
		vals[i] = x.Values[q]
	}
	if vals[int32(ia)] != 1 || vals[int32(ib)] != 0.5 || len(vals) != 3 {
		t.Errorf("vector %v (apple %d banana %d)", x, ia, ib)
	}
	if c.Vectors[2].Nnz() != 0 {
		t.Error("document of digits is not the zero vector")
	}
	m, err := newModel(Params{Dim: 4, Winners: 2, Alpha: 1, Text: TextOptions{}}, c.Vocab, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The model's vectorizer gives the same vectors as the corpus builder.
	for d, text := range []string{"apple apple apple banana cherry", "banana cherry cherry"} {
		got := m.Vectorize(text)
		if !slices.Equal(got.Indices, c.Vectors[d].Indices) || !slices.Equal(got.Values, c.Vectors[d].Values) {
			t.Errorf("Vectorize(%q) = %v, corpus %v", text, got, c.Vectors[d])
		}
	}
}

// refVector is the input vector of text from forEachRawToken,
// processToken and the vocabulary (the tokens and terms as the corpus
// builder sees them, without the token cache), for checking the
// vectorizer's own scan and term lookup.
func refVector(z *Vectorizer, text string) SparseVector {
	counts := make([]int32, z.m.vocab.Len())
	var seen []int32
	var buf []byte
	forEachRawToken(text, &buf, func(raw []byte) {
		id := int32(-1)
		if i, ok := z.m.vocab.Index(processToken(string(raw), z.m.params.Text)); ok {
			id = int32(i)
		}
		if id >= 0 {
			if counts[id] == 0 {
				seen = append(seen, id)
			}
			counts[id]++
		}
	})
	return logMaxVector(seen, counts, nil, nil)
}

// scanModel is a model whose vocabulary has ASCII, accented and long
// terms, for TestVectorizerScan and FuzzTokenize.
func scanModel(t testing.TB) *Model {
	long := strings.Repeat("z", maxTokenBytes)
	c, err := BuildCorpus([]string{"hello world école naïve abc 123abc ÉCOLE Straße straße " + long + " éé ωμέγα",
		"world hello b c d abcdefg abcdefgh abcdefghi abcdefghijklmnopqr word a1b2c3d4e5 " + strings.Repeat("ab", 32)}, DefaultTextOptions(), 50)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(Params{Dim: 4, Winners: 2, Alpha: 1, Text: DefaultTextOptions()}, c.Vocab, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The vectorizer scans text itself, hashing tokens on the way: its vectors
// must equal those from the shared tokenizer, and a second pass over the
// same text must find every token in its cache (the scan's hash is the
// cache's).
func TestVectorizerScan(t *testing.T) {
	m := scanModel(t)
	z := m.NewVectorizer()
	for _, text := range []string{
		"Hello, World! hello world", "ÉCOLE naïve 123abc école", "\xff\xfeabc\xffabc", "a_b-c.d",
		strings.Repeat("z", 300) + " " + strings.Repeat("z", maxTokenBytes), "Straße STRASSE ωμέγα ΩΜΈΓΑ", "",
		"end with token éé",
		// Tokens of 7 to 9 bytes, upper case in long tokens, a non-ASCII rune
		// just before and after the eighth byte, long runs of separators,
		// tokens of 64 and 65 bytes, invalid bytes.
		"ABCDEFG ABCDEFGH abcdefgh ABCDEFGHI aBcDeFgHiJkLmNoPqR", "abcdefgé abcdefghé ÉCOLEabc abcdefg\xffh",
		"........................word,,,,,,,,x", strings.Repeat("Ab", 32) + " " + strings.Repeat("Ab", 32) + "c",
		"x", "xy", "a1b2c3d4e5", "@[`{/:", "\x80abc", "WORLD hello",
	} {
		want := refVector(m.NewVectorizer(), text)
		got := z.Vector(text)
		if !slices.Equal(got.Indices, want.Indices) || !slices.Equal(got.Values, want.Values) {
			t.Errorf("Vector(%q) = %v, tokenizer %v", text, got, want)
		}
		n := z.cache.len()
		z.Vector(text)
		if z.cache.len() != n {
			t.Errorf("%q: the second pass added %d tokens to the cache", text, z.cache.len()-n)
		}
	}
	if z.cache.len() == 0 {
		t.Error("nothing was cached")
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Hello, World!", "ÉCOLE naïve 123abc", "\xff\xfe", "a_b-c.d", strings.Repeat("z", 300)} {
		f.Add(s)
	}
	tok := DefaultTextOptions()
	m := scanModel(f)
	f.Fuzz(func(t *testing.T, s string) {
		want := refVector(m.NewVectorizer(), s)
		if got := m.Vectorize(s); !slices.Equal(got.Indices, want.Indices) || !slices.Equal(got.Values, want.Values) {
			t.Fatalf("Vectorize(%q) = %v, tokenizer %v", s, got, want)
		}
		for _, w := range tok.Tokens(s) {
			if w == "" || len(w) > 4*maxTokenBytes {
				t.Fatalf("bad token %q", w)
			}
			if strings.ToLower(w) != w && !strings.ContainsFunc(w, func(r rune) bool { return r > 127 }) {
				t.Fatalf("token %q is not lower-case", w)
			}
			if isStopword(w) && !tok.Stem {
				t.Fatalf("stopword %q kept", w)
			}
		}
	})
}

func TestCountsToVector(t *testing.T) {
	x, err := countsToVector([]int32{5, 2, 5, 9}, []int32{1, 3, 2, 0})
	if err != nil {
		t.Fatal(err)
	}
	// index 2: 3, index 5: 1+2 = 3, index 9: 0 (skipped); both at the maximum.
	if !slices.Equal(x.Indices, []int32{2, 5}) || !slices.Equal(x.Values, []float32{1, 1}) {
		t.Errorf("vector %v", x)
	}
	if _, err := countsToVector([]int32{1, 2}, []int32{1}); err == nil {
		t.Error("different lengths accepted")
	}
	if _, err := countsToVector([]int32{-1}, []int32{1}); err == nil {
		t.Error("negative index accepted")
	}
	if x, err := countsToVector(nil, nil); err != nil || x.Nnz() != 0 {
		t.Errorf("empty: %v %v", x, err)
	}
}

// sortByBits sorts distinct ids as slices.Sort does and leaves its bitmap
// clear.
func TestSortByBits(t *testing.T) {
	const v = 2000
	bits := make([]uint64, (v+63)/64)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 150, v} {
		ids := []int32{0, 63, 64, v - 1}
		for _, p := range rng.Perm(v)[:n] {
			if !slices.Contains(ids, int32(p)) {
				ids = append(ids, int32(p))
			}
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		want := slices.Sorted(slices.Values(ids))
		if got := sortByBits(ids, bits); !slices.Equal(got, want) {
			t.Fatalf("n=%d: %v, want %v", n, got, want)
		}
		if slices.ContainsFunc(bits, func(b uint64) bool { return b != 0 }) {
			t.Fatalf("n=%d: bitmap not cleared", n)
		}
	}
}

// Raw tokens are what english.StemLower needs (processToken): the lower
// case of a letter or digit is left unchanged by strings.ToLower and
// strings.TrimSpace, for every rune.
func TestRawTokensLower(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		s := string(unicode.ToLower(r))
		if strings.ToLower(s) != s || strings.TrimSpace(s) != s {
			t.Errorf("rune %U: lower case %q changes", r, s)
		}
	}
}

// The vectorizer's term lookup (termID, which stems into its own buffers)
// gives processToken's term's index, under every TextOptions.
func TestTermID(t *testing.T) {
	words := []string{"running", "runs", "the", "and", "1993", "x86", "école", "naïve", "skies", "dying",
		"generously", "communication", "a", "is", "ab", "abc", "connection", "connected", "ωμέγα", "straße", "hopping"}
	for _, opts := range []TextOptions{{}, {Stem: true}, {Stopwords: true}, DefaultTextOptions()} {
		var terms []string
		for _, w := range words[:len(words)-3] {
			if term := processToken(w, opts); term != "" && !slices.Contains(terms, term) {
				terms = append(terms, term)
			}
		}
		vocab, err := NewVocabulary(terms)
		if err != nil {
			t.Fatal(err)
		}
		m, err := newModel(Params{Dim: 4, Winners: 2, Alpha: 1, Text: opts}, vocab, 1)
		if err != nil {
			t.Fatal(err)
		}
		z := m.NewVectorizer()
		for _, w := range words {
			want := int32(-1)
			if i, ok := vocab.Index(processToken(w, opts)); ok {
				want = int32(i)
			}
			if got := z.termID([]byte(w)); got != want {
				t.Errorf("%+v: termID(%q) = %d, want %d", opts, w, got, want)
			}
		}
	}
}

// The stopword table holds exactly stopwordList's words, and the
// vocabulary's table (Vocabulary.lookup, the encode path's stem lookup)
// gives every term's position and -1 for every other string, however
// close.
func TestStopwordAndVocabularyTables(t *testing.T) {
	want := slices.Compact(slices.Sorted(slices.Values(stopwordList)))
	if got := sortedStopwords(); !slices.Equal(got, want) {
		t.Fatalf("stopword table holds %d words, the list %d distinct", len(got), len(want))
	}
	for _, w := range stopwordList {
		for _, other := range []string{w + "s", w[:len(w)-1], "x" + w, strings.ToUpper(w)} {
			if isStopword(other) != slices.Contains(stopwordList, other) {
				t.Errorf("isStopword(%q) = %v", other, isStopword(other))
			}
		}
	}
	terms := []string{"a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghij", "abcdefghiJ", "école", "straße",
		strings.Repeat("long", 60), strings.Repeat("long", 59) + "lonG", "1993", "x86"}
	v, err := NewVocabulary(terms)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range terms {
		if got := v.lookup([]byte(w)); got != int32(i) {
			t.Errorf("lookup(%q) = %d, want %d", w, got, i)
		}
		for _, other := range []string{w + "s", w[:len(w)-1], "x" + w, w[:len(w)-1] + "?"} {
			want := int32(slices.Index(terms, other))
			if got := v.lookup([]byte(other)); got != want {
				t.Errorf("lookup(%q) = %d, want %d", other, got, want)
			}
		}
	}
	if got := v.lookup(nil); got != -1 {
		t.Errorf("lookup of the empty string = %d", got)
	}
}

// dropToken's digit test reads the token's bytes as runes (no string
// made): the same answer as ranging over the string, for ASCII and other
// digits and for invalid UTF-8.
func TestDropTokenDigits(t *testing.T) {
	allDigits := func(s string) bool {
		for _, r := range s {
			if !unicode.IsDigit(r) {
				return false
			}
		}
		return true
	}
	for _, tok := range []string{"", "0", "1993", "12a", "a12", "١٢٣", "١٢a", "٣x", "12\xff", "\xff", "\xe0\xa5", "१९४७", "x86", "the"} {
		for _, opts := range []TextOptions{{}, DefaultTextOptions()} {
			want := allDigits(tok) || opts.Stopwords && slices.Contains(stopwordList, tok)
			if got := dropToken(tok, opts); got != want {
				t.Errorf("%+v: dropToken(%q) = %v, want %v", opts, tok, got, want)
			}
		}
	}
}
