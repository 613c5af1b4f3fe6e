package kate

import "sort"

// Helpers used only by the tests: checks against dense references, and
// entry points below the public API.

// sortedStopwords returns a copy of the English stopword list, sorted.
func sortedStopwords() []string {
	out := make([]string, 0, stopwords.n)
	stopwords.each(func(w string, _ int32) { out = append(out, w) })
	sort.Strings(out)
	return out
}

// buildVocabulary returns the size most frequent terms over docs (total
// count), ties broken by the term's string, so the result depends only on
// the documents. Fewer terms are returned when the documents hold fewer
// distinct terms. It errors when size < 1 or the documents hold no term.
func buildVocabulary(docs [][]string, size int) (*Vocabulary, error) {
	counts := make(map[string]int)
	for _, d := range docs {
		for _, w := range d {
			counts[w]++
		}
	}
	return vocabularyFromCounts(counts, size)
}

// dense writes the vector into dst (length V), zeroing the other entries.
func (s SparseVector) dense(dst []float32) {
	clear(dst)
	for j, i := range s.Indices {
		dst[i] = s.Values[j]
	}
}

// encodeVectorTo writes the embedding tanh(x W + b) of the input vector x
// into dst, which must have length Dim. There is no competition at
// inference. It errors when dst has the wrong length or x is malformed.
func (m *Model) encodeVectorTo(dst []float32, x SparseVector) error {
	if len(dst) != m.params.Dim {
		return errorf("kate: destination has length %d, want %d", len(dst), m.params.Dim)
	}
	if err := x.Validate(m.vocab.Len()); err != nil {
		return err
	}
	m.encode(dst, x)
	return nil
}
