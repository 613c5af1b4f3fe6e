package kate

import (
	"errors"
	"math"
	"sort"
	"unicode/utf8"
)

// Vocabulary is an ordered list of distinct terms; a term's position is its
// input dimension. It is immutable after construction and safe for
// concurrent use.
type Vocabulary struct {
	words []string
	index map[string]int32
	// table maps the terms to their positions too, for the encode path's
	// lookups of stems (lookup): under WebAssembly a Go map's hashing was
	// most of the cost of a lookup (docs/speed.md, "Encoding new text
	// (sixth session)").
	table *tokenTable
}

// NewVocabulary returns a vocabulary of the given terms in order. It errors
// when the list is empty, longer than MaxVocabulary, or holds an empty,
// over-long, invalid UTF-8 or repeated term.
func NewVocabulary(words []string) (*Vocabulary, error) {
	if len(words) == 0 {
		return nil, errors.New("kate: empty vocabulary")
	}
	if len(words) > MaxVocabulary {
		return nil, errorf("kate: vocabulary of %d terms exceeds the limit of %d", len(words), MaxVocabulary)
	}
	v := &Vocabulary{words: make([]string, len(words)), index: make(map[string]int32, len(words)), table: newTokenTable()}
	for i, w := range words {
		if w == "" || len(w) > 4*maxTokenBytes || !utf8.ValidString(w) {
			return nil, errorf("kate: vocabulary term %d is empty, too long or not UTF-8", i)
		}
		v.index[w] = int32(i)
		if len(v.index) != i+1 {
			return nil, errorf("kate: vocabulary term %q appears twice", w)
		}
		v.words[i] = w
		v.table.put(w, tokenHash([]byte(w)), int32(i))
	}
	return v, nil
}

// lookup returns the position of the term whose bytes are term, or -1.
func (v *Vocabulary) lookup(term []byte) int32 {
	if i, ok := v.table.get(term, tokenHash(term)); ok {
		return i
	}
	return -1
}

func vocabularyFromCounts(counts map[string]int, size int) (*Vocabulary, error) {
	if size < 1 {
		return nil, errorf("kate: vocabulary size %d must be at least 1", size)
	}
	if len(counts) == 0 {
		return nil, errors.New("kate: the documents contain no terms (after stopword and digit removal)")
	}
	type wc struct {
		w string
		c int
	}
	all := make([]wc, 0, len(counts))
	for w, c := range counts {
		all = append(all, wc{w, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].c != all[j].c {
			return all[i].c > all[j].c
		}
		return all[i].w < all[j].w
	})
	if len(all) > size {
		all = all[:size]
	}
	words := make([]string, len(all))
	for i, e := range all {
		words[i] = e.w
	}
	return NewVocabulary(words)
}

// Len returns the number of terms, V.
func (v *Vocabulary) Len() int { return len(v.words) }

// Word returns term i. It panics if i is out of range.
func (v *Vocabulary) Word(i int) string { return v.words[i] }

// Words returns a copy of the terms in order.
func (v *Vocabulary) Words() []string { return append([]string(nil), v.words...) }

// Index returns the position of term w and whether it is in the vocabulary.
func (v *Vocabulary) Index(w string) (int, bool) {
	i, ok := v.index[w]
	return int(i), ok
}

// SparseVector is a document's input vector x in sparse form: Values[j] is
// x at dimension Indices[j]. Indices are strictly increasing.
type SparseVector struct {
	Indices []int32
	Values  []float32
}

// Nnz returns the number of stored (non-zero) entries.
func (s SparseVector) Nnz() int { return len(s.Indices) }

// Validate reports whether s is a well-formed vector over a vocabulary of
// size v: equal lengths, strictly increasing indices in [0, v), finite
// values.
func (s SparseVector) Validate(v int) error {
	if len(s.Indices) != len(s.Values) {
		return errorf("kate: sparse vector has %d indices but %d values", len(s.Indices), len(s.Values))
	}
	prev := int32(-1)
	for j, i := range s.Indices {
		if i <= prev || int(i) >= v {
			return errorf("kate: sparse vector index %d at position %d is out of order or outside [0, %d)", i, j, v)
		}
		prev = i
		if x := s.Values[j]; math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return errorf("kate: sparse vector value at position %d is not finite", j)
		}
	}
	return nil
}

// Vector returns the input vector of a document given as its terms (as
// TextOptions.Tokens returns them) over v: see countsToVector. Terms outside
// the vocabulary are ignored.
func (v *Vocabulary) Vector(terms []string) SparseVector {
	idx := make([]int32, 0, len(terms))
	for _, t := range terms {
		if i, ok := v.index[t]; ok {
			idx = append(idx, i)
		}
	}
	cnt := make([]int32, len(idx))
	for j := range cnt {
		cnt[j] = 1
	}
	x, _ := countsToVector(idx, cnt) // cannot fail: equal lengths, no negative value
	return x
}

// countsToVector turns term counts into KATE's input vector:
// x_i = log(1+c_i) / max_j log(1+c_j) (docs/design.md §1.1). cnt[j] is the count of
// vocabulary index idx[j]; idx need not be sorted, a repeated index has its
// counts added, and zero counts are skipped. A document without terms gives
// the empty (zero) vector. It errors when the slices have different lengths
// or a count or index is negative.
func countsToVector(idx []int32, cnt []int32) (SparseVector, error) {
	if len(idx) != len(cnt) {
		return SparseVector{}, errorf("kate: countsToVector: %d indices but %d counts", len(idx), len(cnt))
	}
	total := make(map[int32]int64, len(idx))
	for j, i := range idx {
		if i < 0 || cnt[j] < 0 {
			return SparseVector{}, errorf("kate: countsToVector: negative index or count at position %d", j)
		}
		total[i] += int64(cnt[j])
	}
	keys := make([]int32, 0, len(total))
	maxc := int64(0)
	for i, c := range total {
		if c > 0 {
			keys = append(keys, i)
			maxc = max(maxc, c)
		}
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	out := SparseVector{Indices: make([]int32, 0, len(keys)), Values: make([]float32, 0, len(keys))}
	if maxc == 0 {
		return out, nil
	}
	den := math.Log1p(float64(maxc))
	for _, i := range keys {
		out.Indices = append(out.Indices, i)
		out.Values = append(out.Values, float32(math.Log1p(float64(total[i]))/den))
	}
	return out, nil
}
