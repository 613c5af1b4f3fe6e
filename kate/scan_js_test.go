//go:build js && wasm

package kate

import (
	"testing"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
)

// goScanner is kernels.Set.ScanTokens written in Go over the argument
// block's 32-bit addresses (valid under WebAssembly only), with an error
// injected by bad (nil: none) into each id it counts.
func goScanner(bad func(id int32) int32) func(*kernels.ScanArgs) {
	return func(a *kernels.ScanArgs) {
		at := func(addr uint32) unsafe.Pointer { return unsafe.Add(nil, addr) }
		text := unsafe.Slice((*byte)(at(a.Text)), a.N)
		class := (*[256]byte)(at(a.Class))
		var tok [maxTokenBytes]byte
		p := int(a.Pos)
		for p < len(text) {
			c := class[text[p]]
			if c == 0 {
				p++
				continue
			}
			if c == classNonASCII {
				break
			}
			s, h := p, uint32(tokenHashOffset)
			for p < len(text) {
				if c = class[text[p]]; c == 0 || c == classNonASCII {
					break
				}
				tok[(p-s)&(maxTokenBytes-1)] = c
				h = (h ^ uint32(c)) * tokenHashPrime
				p++
			}
			if c == classNonASCII || p-s > maxTokenBytes || a.Slots == 0 {
				p = s
				break
			}
			t := &tokenTable{slots: unsafe.Slice((*tokenSlot)(at(a.Slots)), a.Mask+1), n: 1}
			if a.Keys != 0 {
				t.keys = unsafe.Slice((*byte)(at(a.Keys)), 1<<20)
			}
			id, ok := t.get(tok[:p-s], h)
			if !ok {
				p = s
				break
			}
			if bad != nil {
				id = bad(id)
			}
			if id >= 0 {
				counts := unsafe.Slice((*int32)(at(a.Counts)), id+1)
				if counts[id] == 0 {
					*(*int32)(at(a.Seen + 4*a.NSeen)) = id
					a.NSeen++
				}
				counts[id]++
			}
		}
		a.Pos = uint32(p)
	}
}

// TestCheckScanner: kate's check accepts a scanner that keeps the
// contract and refuses one that counts a wrong id or drops one, and a
// vectorizer using the right one gives the vectors of its own scan.
func TestCheckScanner(t *testing.T) {
	if err := checkScanner(goScanner(nil)); err != nil {
		t.Fatalf("a correct scanner: %v", err)
	}
	if err := checkScanner(goScanner(func(id int32) int32 { return id ^ 1 })); err == nil {
		t.Fatal("a scanner counting the wrong ids passed the check")
	}
	if err := checkScanner(goScanner(func(id int32) int32 { return -1 })); err == nil {
		t.Fatal("a scanner dropping every token passed the check")
	}
	texts, _ := synthCorpus(300, 3, 4)
	texts = append(texts, scanCheckTexts()...)
	m, err := newModel(Params{Dim: 4, Winners: 2, Alpha: 1, Text: DefaultTextOptions()}, mustVocab(t, texts), 1)
	if err != nil {
		t.Fatal(err)
	}
	got, want := m.NewVectorizer(), m.NewVectorizer()
	got.scanMode, got.forceScan, want.scanMode = scanTrusted, goScanner(nil), scanOff
	for pass := 0; pass < 2; pass++ {
		for i, s := range texts {
			a, b := got.Vector(s), want.Vector(s)
			if !equalVectors(a, b) {
				t.Fatalf("pass %d, text %d: %v with the scanner, %v without", pass+1, i, a, b)
			}
		}
	}
}

func equalVectors(a, b SparseVector) bool {
	if len(a.Indices) != len(b.Indices) || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Indices {
		if a.Indices[i] != b.Indices[i] || a.Values[i] != b.Values[i] {
			return false
		}
	}
	return true
}

// mustVocab returns the vocabulary of the 300 most frequent terms of texts.
func mustVocab(t *testing.T, texts []string) *Vocabulary {
	counts := map[string]int{}
	for _, s := range texts {
		for _, w := range DefaultTextOptions().Tokens(s) {
			counts[w]++
		}
	}
	v, err := vocabularyFromCounts(counts, 300)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
