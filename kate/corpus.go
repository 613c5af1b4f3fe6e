package kate

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
)

// Memory accounting (docs/limits.md). The figures are the sizes of the Go
// values involved on a 64-bit platform, rounded up, not measurements.
const (
	// docBytes is what training keeps per document besides the vector's
	// entries: the SparseVector in the corpus (48 bytes), its copy in the
	// trainer's shuffled training or validation list (48) and the
	// permutation that splits them (8).
	docBytes = 48 + 48 + 8
	// entryBytes is one stored vector entry: an int32 index and a float32
	// value.
	entryBytes = 8
	// termBytes is the cost of one distinct term while counting, besides its
	// text: the map entry, the string header in the term list and the count.
	termBytes = 64
)

// TrainMemory returns an estimate in bytes of the memory a training run
// with c's vocabulary size V and dimension K needs on docs documents whose
// input vectors hold nnz entries in all: the weights with their Adadelta
// accumulators, their transposed copy, the best-epoch snapshot and the
// per-chunk gradient buffers (9 arrays of V*K float32), plus the documents' vectors and the trainer's
// per-document state. It does not count the documents' text. Callers use it
// to refuse or queue a run before it starts (docs/limits.md).
func (c Config) TrainMemory(docs int, nnz int64) int64 {
	v, dim := c.VocabSize, c.Dim
	weights := int64(v) * int64(dim)
	model := 4 * weights * (5 + trainChunks)
	model += 4 * int64(v+dim) * (4 + 2*trainChunks) // biases and the per-chunk scratch
	return model + int64(docs)*docBytes + nnz*entryBytes
}

// fmtBytes formats n bytes in MiB (or bytes below 1 MiB) for messages.
func fmtBytes(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64) + " MiB"
}

// termCounter counts the terms of documents (the first step of building a
// corpus), interning each term once and caching the mapping from raw tokens
// to term ids.
type termCounter struct {
	opts   TextOptions
	termID map[string]int32
	terms  []string
	counts []int
	// raw maps raw tokens to term ids (-1: dropped), at most
	// maxCorpusTokens of them.
	raw *tokenCache
	buf []byte
	// termMem estimates the memory of the terms.
	termMem int64
}

func newTermCounter(opts TextOptions) *termCounter {
	return &termCounter{opts: opts, termID: make(map[string]int32), raw: newTokenCache(maxCorpusTokens / 2)}
}

// id returns the term id of a raw token (-1 when the token is dropped).
// A new term is added when grow is true; otherwise it is -1.
func (c *termCounter) id(raw []byte, grow bool) int32 {
	if id, ok := c.raw.get(raw); ok {
		return id
	}
	key := string(raw)
	id := int32(-1)
	if term := processToken(key, c.opts); term != "" {
		tid, ok := c.termID[term]
		if !ok {
			if !grow {
				return -1
			}
			tid = int32(len(c.terms))
			c.termID[term] = tid
			c.terms = append(c.terms, term)
			c.counts = append(c.counts, 0)
			c.termMem += int64(len(term)) + termBytes
		}
		id = tid
	}
	c.raw.put(key, id)
	return id
}

// add counts the terms of text, appending their ids to *ids when ids is
// not nil.
func (c *termCounter) add(text string, ids *[]int32) {
	forEachRawToken(text, &c.buf, func(raw []byte) {
		if id := c.id(raw, true); id >= 0 {
			c.counts[id]++
			if ids != nil {
				*ids = append(*ids, id)
			}
		}
	})
}

// vocabulary returns the vocabulary of the size most frequent terms and the
// map from term ids to its indices (-1 for the terms left out).
func (c *termCounter) vocabulary(size int) (*Vocabulary, []int32, error) {
	cm := make(map[string]int, len(c.terms))
	for i, t := range c.terms {
		cm[t] = c.counts[i]
	}
	vocab, err := vocabularyFromCounts(cm, size)
	if err != nil {
		return nil, nil, err
	}
	remap := make([]int32, len(c.terms))
	for i, t := range c.terms {
		remap[i] = -1
		if j, ok := vocab.Index(t); ok {
			remap[i] = int32(j)
		}
	}
	return vocab, remap, nil
}

// CorpusBuilder builds a training corpus from a stream of documents without
// keeping their text, in bounded memory: a first pass (Count) counts the
// terms of every document, a second pass (Add, over the same documents in
// the same order) keeps each document's input vector over the vocabulary of
// the most frequent terms. The corpus is the one BuildCorpus makes from the
// same texts, so the model trained on it is the same. Its memory is that of
// the distinct terms while counting, then of the vectors and the trainer's
// per-document state (TrainMemory), and Count and Add error, wrapping
// ErrMemory, as soon as it would go over the bound.
type CorpusBuilder struct {
	c         *termCounter
	size      int
	maxBytes  int64
	counted   int // documents counted in the first pass
	vocab     *Vocabulary
	remap     []int32
	vectors   []SparseVector
	nnz       int64
	idx       []int32 // the entries' storage, filled by chunks
	val       []float32
	cnt, seen []int32
}

// entryChunk is the number of vector entries allocated at a time.
const entryChunk = 1 << 20

// NewCorpusBuilder returns a builder for text options opts keeping the
// vocabSize most frequent terms, whose memory stays under maxBytes (no bound
// when maxBytes <= 0). It errors when vocabSize is out of range.
func NewCorpusBuilder(opts TextOptions, vocabSize int, maxBytes int64) (*CorpusBuilder, error) {
	if vocabSize < 1 || vocabSize > MaxVocabulary {
		return nil, errorf("kate: vocabulary size %d must be in [1, %d]", vocabSize, MaxVocabulary)
	}
	return &CorpusBuilder{c: newTermCounter(opts), size: vocabSize, maxBytes: maxBytes}, nil
}

// Bytes returns the builder's estimate of the memory it holds, including
// the trainer's per-document state for the documents seen so far.
func (b *CorpusBuilder) Bytes() int64 {
	docs := max(b.counted, len(b.vectors))
	return b.c.termMem + b.c.raw.bytes() + int64(docs)*docBytes + b.nnz*entryBytes
}

func (b *CorpusBuilder) checkMemory() error {
	if b.maxBytes > 0 && b.Bytes() > b.maxBytes {
		return errorf("kate: %w for this corpus: its first %d documents (%d distinct terms) already need more than the %s allowed",
			ErrMemory, max(b.counted, len(b.vectors)), len(b.c.terms), fmtBytes(b.maxBytes))
	}
	return nil
}

// Count counts the terms of one document (first pass). It errors, wrapping
// ErrMemory, when the memory bound is reached, and when called after Add.
func (b *CorpusBuilder) Count(text string) error {
	if b.vocab != nil {
		return errors.New("kate: CorpusBuilder.Count after Add")
	}
	b.c.add(text, nil)
	b.counted++
	if b.counted%1024 == 0 {
		return b.checkMemory()
	}
	return nil
}

// Add keeps the input vector of the next document (second pass); the first
// call chooses the vocabulary from the counts. It errors when no term was
// counted, when more documents are added than were counted, and, wrapping
// ErrMemory, when the memory bound is reached.
func (b *CorpusBuilder) Add(text string) error {
	if b.vocab == nil {
		vocab, remap, err := b.c.vocabulary(b.size)
		if err != nil {
			return err
		}
		b.vocab, b.remap = vocab, remap
		b.cnt = make([]int32, vocab.Len())
		b.vectors = make([]SparseVector, 0, b.counted)
	}
	if len(b.vectors) >= b.counted {
		return errors.New("kate: CorpusBuilder.Add: more documents than counted (did the input change?)")
	}
	seen := b.seen[:0]
	forEachRawToken(text, &b.c.buf, func(raw []byte) {
		id := b.c.id(raw, false)
		if id < 0 {
			return
		}
		if j := b.remap[id]; j >= 0 {
			if b.cnt[j] == 0 {
				seen = append(seen, j)
			}
			b.cnt[j]++
		}
	})
	b.seen = seen
	if n := len(seen); cap(b.idx)-len(b.idx) < n {
		c := max(n, entryChunk)
		b.idx, b.val = make([]int32, 0, c), make([]float32, 0, c)
	}
	lo := len(b.idx)
	x := logMaxVector(seen, b.cnt, b.idx, b.val)
	hi := len(x.Indices)
	b.idx, b.val = x.Indices, x.Values
	b.vectors = append(b.vectors, SparseVector{Indices: b.idx[lo:hi:hi], Values: b.val[lo:hi:hi]})
	b.nnz += int64(hi - lo)
	if len(b.vectors)%1024 == 0 {
		return b.checkMemory()
	}
	return nil
}

// Corpus returns the corpus. It errors when fewer documents were added than
// counted, or none.
func (b *CorpusBuilder) Corpus() (*Corpus, error) {
	if b.counted == 0 {
		return nil, errors.New("kate: no documents")
	}
	if len(b.vectors) != b.counted {
		return nil, errorf("kate: %d documents counted but %d added (did the input change?)", b.counted, len(b.vectors))
	}
	return &Corpus{Vocab: b.vocab, Vectors: b.vectors, Text: b.c.opts}, nil
}

// Corpus is a tokenized, vectorized collection of documents with its
// vocabulary.
type Corpus struct {
	Vocab   *Vocabulary
	Vectors []SparseVector
	Text    TextOptions
	// known maps the raw tokens met while building the corpus to their
	// vocabulary index (-1 when dropped); handed to a model trained on the
	// corpus so that encoding its documents needs no stemming.
	known map[string]int32
}

// BuildCorpus tokenizes texts with the given options, keeps the vocabSize
// most frequent terms and returns the documents' input vectors. It errors
// when there are no texts or no terms.
func BuildCorpus(texts []string, opts TextOptions, vocabSize int) (*Corpus, error) {
	return buildCorpus(context.Background(), texts, opts, vocabSize, nil)
}

// buildCorpus is BuildCorpus that checks ctx, and calls yield when it is
// not nil, every 64 documents; it errors with ctx.Err() when ctx is
// cancelled.
func buildCorpus(ctx context.Context, texts []string, opts TextOptions, vocabSize int, yield func()) (*Corpus, error) {
	if len(texts) == 0 {
		return nil, errors.New("kate: no documents")
	}
	if vocabSize < 1 || vocabSize > MaxVocabulary {
		return nil, errorf("kate: vocabulary size %d must be in [1, %d]", vocabSize, MaxVocabulary)
	}
	// Pass 1: raw token -> term id (interned), documents as term-id lists.
	tc := newTermCounter(opts)
	docs := make([][]int32, len(texts))
	for d, t := range texts {
		if d%64 == 63 {
			if yield != nil {
				yield()
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var ids []int32
		tc.add(t, &ids)
		docs[d] = ids
	}
	vocab, remap, err := tc.vocabulary(vocabSize)
	if err != nil {
		return nil, err
	}
	c := &Corpus{Vocab: vocab, Vectors: make([]SparseVector, len(texts)), Text: opts}
	c.known = make(map[string]int32, tc.raw.len())
	tc.raw.each(func(raw string, id int32) {
		if id >= 0 {
			id = remap[id]
		}
		c.known[raw] = id
	})
	cnt := make([]int32, vocab.Len())
	var seen []int32
	for d, ids := range docs {
		seen = seen[:0]
		for _, id := range ids {
			if j := remap[id]; j >= 0 {
				if cnt[j] == 0 {
					seen = append(seen, j)
				}
				cnt[j]++
			}
		}
		c.Vectors[d] = logMaxVector(seen, cnt, make([]int32, 0, len(seen)), make([]float32, 0, len(seen)))
		docs[d] = nil
	}
	return c, nil
}

// logMaxVector appends to idx and val the input vector of a document whose
// distinct terms are seen (sorted here) with counts cnt[id]:
// x_i = log(1+c_i) / max_j log(1+c_j) (docs/design.md §1.1). It zeroes those counts
// for the next document.
func logMaxVector(seen, cnt, idx []int32, val []float32) SparseVector {
	slices.Sort(seen)
	return logMaxSorted(seen, cnt, idx, val)
}

// logMaxSorted is logMaxVector for seen already in increasing order.
func logMaxSorted(seen, cnt, idx []int32, val []float32) SparseVector {
	maxc := int32(0)
	for _, id := range seen {
		maxc = max(maxc, cnt[id])
	}
	if maxc > 0 {
		den := log1pCount(maxc)
		for _, id := range seen {
			idx = append(idx, id)
			val = append(val, float32(log1pCount(cnt[id])/den))
			cnt[id] = 0
		}
	}
	return SparseVector{Indices: idx, Values: val}
}

// log1pCount returns math.Log1p(float64(c)) for a count c >= 0, from a
// table for the counts below 256 (almost every term count of a document):
// the same float64, without a log1p per term in the encode path.
func log1pCount(c int32) float64 {
	if uint32(c) < uint32(len(log1pTable)) {
		return log1pTable[c]
	}
	return math.Log1p(float64(c))
}

// log1pTable holds math.Log1p(c) for c < 256.
var log1pTable = func() (t [256]float64) {
	for c := range t {
		t[c] = math.Log1p(float64(c))
	}
	return t
}()

// maxCorpusTokens bounds the raw-token cache of corpus building (two
// generations of half as many; about 40 MB at most).
const maxCorpusTokens = 1 << 20
