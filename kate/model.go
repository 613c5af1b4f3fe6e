package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"encoding/binary"
	"errors"
	"math"
	bits64 "math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
	"github.com/kate-web/kate/internal/snowball/english"
)

// Params are a model's hyper-parameters: everything needed to rebuild the
// network and its preprocessing, stored in the model file.
type Params struct {
	// Dim is K, the number of hidden units (the embedding size).
	Dim int
	// Winners is k, the number of winners of the competition layer
	// (1 <= Winners <= Dim).
	Winners int
	// Alpha is the amplification of the losers' energy.
	Alpha float32
	// Grad is the gradient mode through the competition layer.
	Grad GradMode
	// Text is the preprocessing applied to raw text.
	Text TextOptions
}

// Validate reports whether the parameters describe a usable network for a
// vocabulary of v terms.
func (p Params) Validate(v int) error {
	switch {
	case p.Dim < 1 || p.Dim > MaxDim:
		return errorf("kate: dimension %d must be in [1, %d]", p.Dim, MaxDim)
	case p.Winners < 1 || p.Winners > p.Dim:
		return errorf("kate: k = %d winners must be in [1, dim = %d]", p.Winners, p.Dim)
	case math.IsNaN(float64(p.Alpha)) || math.IsInf(float64(p.Alpha), 0) || p.Alpha < 0:
		return errorf("kate: alpha %v must be a finite number >= 0", p.Alpha)
	case p.Grad != GradFull && p.Grad != GradNone:
		return errorf("kate: unknown gradient mode %d", p.Grad)
	case v < 1 || v > MaxVocabulary:
		return errorf("kate: vocabulary size %d must be in [1, %d]", v, MaxVocabulary)
	case int64(v)*int64(p.Dim) > MaxWeights:
		return errorf("kate: vocabulary %d x dimension %d exceeds %d weights", v, p.Dim, MaxWeights)
	}
	return nil
}

// Model is a KATE network with tied weights and its vocabulary. Encoding
// methods are safe for concurrent use; training creates new models.
//
// Weights are stored transposed, Wt (K x V, row-major): row j holds the V
// weights of hidden unit j, so that the decoder's and its gradient's loops
// over the k winners are contiguous. W in the paper's notation is Wt^T.
type Model struct {
	params Params
	vocab  *Vocabulary
	// Wt is K x V row-major; B (encoder bias) has length K; C (decoder bias)
	// has length V.
	wt, b, c []float32
	// Info holds metadata about the training run.
	info TrainInfo
	// known maps raw (lower-cased) tokens seen while building the training
	// corpus to their vocabulary index (-1: dropped or not in the
	// vocabulary). It is read-only, shared by all vectorizers, and nil for
	// a loaded model.
	known map[string]int32
	// df holds, for each term, the number of training documents containing
	// it (nil when unknown: a model file of version 1).
	df []uint32
	// topics is the topic ranking computed at the end of training (nil
	// when unknown).
	topics *topicTable
	// extra holds the model file's sections this version does not know,
	// written back unchanged by Save.
	extra []section

	pool sync.Pool // *Vectorizer
	// encT is wt transposed (V x K), made once by the first vectorizer
	// that has encoded encodeTransposedAfter texts, or the first batch of
	// more vectors (weightsT, weightsTFor: EncodeVectors, the topics'
	// encodeBlocks): encoding
	// then reads one contiguous row of K weights per term
	// (kernels.AxpyRows) instead of gathering every unit's weight at
	// stride V (kernels.SparseDot), with the same bits (preactivateFrom).
	encT     []float32
	encTOnce sync.Once
}

// encodeTransposedAfter is the number of texts a vectorizer encodes from
// the model's K x V weights before it makes (or takes) the transposed copy
// (Model.weightsT): a page that embeds a few queries keeps one copy of the
// weights, a large encode call pays the transpose (about a millisecond at
// V = 2,000, K = 128 under WebAssembly) once.
const encodeTransposedAfter = 64

// weightsTFor returns the transposed weights (weightsT) for encoding n
// vectors at once when n is over encodeTransposedAfter, so that a large
// batch pays the transpose once and reads contiguous rows, else nil
// (encode gathers from the K x V weights); the same bits either way.
func (m *Model) weightsTFor(n int) []float32 {
	if n > encodeTransposedAfter {
		return m.weightsT()
	}
	return nil
}

// weightsT returns m's weights transposed (V x K), made on the first call.
// A model's weights change only while it trains, and nothing encodes
// through a vectorizer then, so the copy stays valid.
func (m *Model) weightsT() []float32 {
	m.encTOnce.Do(func() {
		v, k := m.vocab.Len(), m.params.Dim
		wT := make([]float32, v*k)
		kernels.Transpose(wT, m.wt, k, v, v)
		m.encT = wT
	})
	return m.encT
}

// TrainInfo describes how a model was trained; it is stored in the model
// file.
type TrainInfo struct {
	// Seed is the random seed of initialisation and shuffling.
	Seed uint64
	// Epochs is the number of epochs run; BestEpoch the one kept (1-based).
	Epochs, BestEpoch int
	// ValLoss is the best validation loss (or training loss when no
	// validation split was used).
	ValLoss float64
	// Docs is the number of training documents (validation included).
	Docs int
	// Schedule is the configuration the model was trained with: the
	// schedule fields (VocabSize to MinInputs) are recorded in the model
	// file; Params and Seed repeat the model's. It is the zero Config for
	// a model loaded from a file that did not record it.
	Schedule Config
}

// newModel returns an untrained model for the vocabulary with Glorot-normal
// weights truncated at two standard deviations (sigma = sqrt(2/(V+K))) drawn
// from seed, and zero biases. The same seed gives the same weights on every
// platform. It errors when the parameters are invalid.
func newModel(p Params, vocab *Vocabulary, seed uint64) (*Model, error) {
	if vocab == nil {
		return nil, errors.New("kate: nil vocabulary")
	}
	if err := p.Validate(vocab.Len()); err != nil {
		return nil, err
	}
	m := newModelShell(p, vocab)
	v, k := vocab.Len(), p.Dim
	rng := rand.New(rand.NewPCG(seed, 0x4b415445)) // "KATE"
	sigma := math.Sqrt(2 / float64(v+k))
	for i := range m.wt {
		m.wt[i] = float32(sigma * truncNormal(rng))
	}
	m.info.Seed = seed
	return m, nil
}

func newModelShell(p Params, vocab *Vocabulary) *Model {
	v, k := vocab.Len(), p.Dim
	return &Model{
		params: p, vocab: vocab,
		wt: make([]float32, k*v), b: make([]float32, k), c: make([]float32, v),
	}
}

// truncNormal draws a standard normal deviate restricted to [-2, 2] with
// the polar method. It uses only IEEE basic operations and math.Log1p (pure
// Go on every target), so it is reproducible across platforms.
func truncNormal(r *rand.Rand) float64 {
	for {
		// Float64's product is converted too: 2*f is f+f, which a compiler
		// could otherwise fuse with Float64's own product (docs/design.md §6).
		u := float64(2*float64(r.Float64())) - 1
		v := float64(2*float64(r.Float64())) - 1
		s := float64(u*u) + float64(v*v)
		if s >= 1 || s == 0 {
			continue
		}
		x := u * math.Sqrt(-2*math.Log1p(s-1)/s)
		if x >= -2 && x <= 2 {
			return x
		}
	}
}

// Params returns the model's hyper-parameters.
func (m *Model) Params() Params { return m.params }

// Dim returns K, the embedding size.
func (m *Model) Dim() int { return m.params.Dim }

// Vocabulary returns the model's vocabulary.
func (m *Model) Vocabulary() *Vocabulary { return m.vocab }

// Info returns metadata about the training run.
func (m *Model) Info() TrainInfo { return m.info }

// DocFreq returns, for each vocabulary term, the number of training
// documents (validation documents included) that contain it, or nil when
// the model does not know them (a model file of version 1).
func (m *Model) DocFreq() []int {
	if m.df == nil {
		return nil
	}
	out := make([]int, len(m.df))
	for i, f := range m.df {
		out[i] = int(f)
	}
	return out
}

// Weights returns copies of the parameters: wt (K x V row-major, the
// transpose of the paper's W), the encoder bias b (K) and the decoder bias
// c (V).
func (m *Model) Weights() (wt, b, c []float32) {
	return slices.Clone(m.wt), slices.Clone(m.b), slices.Clone(m.c)
}

// Vectorizer turns raw text into input vectors for one model, caching the
// mapping from raw tokens to vocabulary indices. A Vectorizer is not safe
// for concurrent use; Model.Vectorize and Model.Encode use an internal pool.
type Vectorizer struct {
	m      *Model
	cache  *tokenCache // raw token -> vocabulary index (-1: none)
	counts []int32
	seen   []int32
	buf    []byte
	// bits is the bitmap (one bit per vocabulary term, all zero between
	// calls) that sorts a document's terms (sortByBits).
	bits []uint64
	// runes and stem hold the stem of the token being processed (termID).
	runes []rune
	stem  []byte
	// tok holds the lowered bytes of the ASCII token being scanned.
	tok [maxTokenBytes]byte
	// idx and val back the vectors returned by scratch.
	idx []int32
	val []float32
	// wT is the model's transposed weights (Model.weightsT) once the
	// vectorizer has encoded encodeTransposedAfter texts (encoded counts
	// them until then), nil before.
	wT      []float32
	encoded int
	// scanArgs is the token scanner's argument block (runScan); scanMode
	// says whether the vectorizer uses the active scanner after
	// scanChecked (scanAuto), never (scanOff: checkScanner's reference) or
	// forceScan without the check (scanTrusted: checkScanner's subject).
	scanArgs  kernels.ScanArgs
	scanMode  int8
	forceScan func(*kernels.ScanArgs)
}

// The vectorizer's scanMode values.
const (
	scanAuto = iota
	scanOff
	scanTrusted
)

// NewVectorizer returns a vectorizer for m.
func (m *Model) NewVectorizer() *Vectorizer {
	v := m.vocab.Len()
	return &Vectorizer{m: m, cache: newTokenCache(maxCacheEntries), counts: make([]int32, v), bits: make([]uint64, (v+63)/64)}
}

func (z *Vectorizer) lookup(raw []byte) int32 {
	return z.lookupHashed(raw, tokenHash(raw))
}

// lookupHashed is lookup for a token whose tokenHash is h.
func (z *Vectorizer) lookupHashed(raw []byte, h uint32) int32 {
	if id, ok := z.cache.cur.get(raw, h); ok {
		return id
	}
	return z.lookupNew(raw, h)
}

// lookupNew is lookupHashed for a token that is not in the cache's
// current generation.
func (z *Vectorizer) lookupNew(raw []byte, h uint32) int32 {
	if id, ok := z.cache.getOld(raw, h); ok {
		return id
	}
	id, ok := z.m.known[string(raw)]
	if !ok {
		id = z.termID(raw)
	}
	// The cache copies the token's bytes (tokenTable.put): a string over
	// raw, read only during the call, spares an allocation per new token.
	z.cache.putHashed(unsafe.String(unsafe.SliceData(raw), len(raw)), h, id)
	return id
}

// termID returns the vocabulary index of the term processToken makes of
// the raw token raw (not empty), or -1 when it drops it or the term is not
// in the vocabulary. It allocates nothing: the stopwords and the
// vocabulary are looked up in tokenTables (stopTable, Vocabulary.table)
// and the stem is made in the vectorizer's buffers
// (english.StemLowerRunes).
func (z *Vectorizer) termID(raw []byte) int32 {
	opts := z.m.params.Text
	if dropRaw(raw, opts) {
		return -1
	}
	if !opts.Stem {
		return z.m.vocab.lookup(raw)
	}
	// StemLowerRunes reads the token and keeps nothing of it.
	z.runes = english.StemLowerRunes(unsafe.String(unsafe.SliceData(raw), len(raw)), z.runes)
	b := z.stem[:0]
	for _, r := range z.runes {
		b = utf8.AppendRune(b, r)
	}
	z.stem = b
	if len(b) == 0 {
		return -1
	}
	return z.m.vocab.lookup(b)
}

// Vector returns the input vector x of text.
func (z *Vectorizer) Vector(text string) SparseVector {
	x := z.scratch(text)
	return SparseVector{Indices: slices.Clone(x.Indices), Values: slices.Clone(x.Values)}
}

// scratch returns the input vector of text in the vectorizer's own buffers,
// valid until its next call: encoding text allocates nothing once the
// buffers and the token cache are warm.
//
// It finds the tokens of forEachRawToken itself (the encode path's inner
// loop: docs/speed.md, "Encoding new text"): a run of ASCII letters and
// digits ended by an ASCII separator (or the end of the text) is lowered
// into z.tok and hashed (tokenHash) in one pass, one byteClass load per
// byte, and looked up in the cache's current generation in place (its
// first 8 bytes read as one word: tokenTable); a token
// with a non-ASCII rune, or longer than maxTokenBytes, takes the general
// path (slowToken). TestVectorizerScan and FuzzTokenize compare the vectors
// with the shared tokenizer's.
func (z *Vectorizer) scratch(text string) SparseVector {
	seen := z.seen[:0]
	counts := z.counts
	tok := &z.tok
	n := len(text)
	scan := z.scanner()
	if scan != nil && cap(seen) < len(counts) {
		// The scanner appends to seen in place: room for every term.
		seen = make([]int32, 0, len(counts))
	}
	for i := 0; i < n; {
		if scan != nil {
			if i, seen = z.runScan(scan, text, i, seen); i >= n {
				break
			}
		}
		l := byteClass[text[i]]
		if l == 0 {
			i++
			continue
		}
		var id int32
		if l == classNonASCII {
			var ok bool
			if i, id, ok = z.slowToken(text, i); !ok {
				continue
			}
		} else {
			start := i
			h := uint32(tokenHashOffset)
			for {
				tok[(i-start)&(maxTokenBytes-1)] = l
				h = (h ^ uint32(l)) * tokenHashPrime
				i++
				if i == n {
					break
				}
				if l = byteClass[text[i]]; l == 0 || l == classNonASCII {
					break
				}
			}
			if l == classNonASCII || i-start > maxTokenBytes {
				// The token goes on with a non-ASCII rune, or is cut.
				i, id, _ = z.slowToken(text, start)
			} else {
				raw := tok[:i-start]
				// tokenHead(raw) from the 8 bytes at tok[0] (bytes of
				// earlier tokens past raw masked off).
				head := binary.LittleEndian.Uint64(tok[:8]) & headMask[i-start]
				var ok bool
				if id, ok = z.cache.cur.getHead(raw, head, h); !ok {
					id = z.lookupNew(raw, h)
				}
			}
		}
		if id >= 0 {
			if counts[id] == 0 {
				seen = append(seen, id)
			}
			counts[id]++
		}
	}
	z.seen = seen
	if len(z.bits) > 0 && len(seen) >= len(z.bits)/8 {
		seen = sortByBits(seen, z.bits)
	} else {
		slices.Sort(seen)
	}
	out := logMaxSorted(seen, counts, z.idx[:0], z.val[:0])
	z.idx, z.val = out.Indices, out.Values
	return out
}

// scanner returns the token scanner kernel that scratch uses: the active
// one (kernels.ScanTokens) once scanChecked has held it to the
// vectorizer's own scan, or nil (none, a failed check, or scanMode).
func (z *Vectorizer) scanner() func(*kernels.ScanArgs) {
	switch z.scanMode {
	case scanOff:
		return nil
	case scanTrusted:
		return z.forceScan
	}
	scan := kernels.ScanTokens()
	if scan == nil || !scanChecked(scan) {
		return nil
	}
	return scan
}

// runScan runs the token scanner over text from i, counting the ids of
// the tokens it finds into z.counts and seen (whose capacity holds every
// term), and returns where it stopped (len(text), or the start of a token
// that scratch's own loop must read) with seen extended.
func (z *Vectorizer) runScan(scan func(*kernels.ScanArgs), text string, i int, seen []int32) (int, []int32) {
	t := z.cache.cur
	a := &z.scanArgs
	*a = kernels.ScanArgs{
		Text: addr(unsafe.StringData(text)), N: uint32(len(text)), Pos: uint32(i),
		Class:  addr(&byteClass[0]),
		Counts: addr(&z.counts[0]), Seen: addr(unsafe.SliceData(seen[:cap(seen)])), NSeen: uint32(len(seen)),
	}
	if len(t.slots) > 0 {
		a.Slots, a.Mask, a.Keys = addr(&t.slots[0]), uint32(len(t.slots)-1), addr(unsafe.SliceData(t.keys))
	}
	scan(a)
	runtime.KeepAlive(text)
	runtime.KeepAlive(t)
	return int(a.Pos), seen[:a.NSeen]
}

// addr is the address of p as a 32-bit value (kernels.ScanArgs: the
// scanner runs in WebAssembly, whose memory is at most 4 GiB).
func addr[T any](p *T) uint32 { return uint32(uintptr(unsafe.Pointer(p))) }

// sortByBits sorts ids (distinct, each below 64·len(bits)) in place by
// setting their bits in bits (all zero, and left so) and reading them back
// in order: a pass over the V/64 words of the bitmap instead of a sort, for
// the documents with many distinct terms.
func sortByBits(ids []int32, bits []uint64) []int32 {
	for _, id := range ids {
		bits[id>>6] |= 1 << (id & 63)
	}
	out := ids[:0]
	for w, b := range bits {
		for b != 0 {
			out = append(out, int32(w<<6+bits64.TrailingZeros64(b)))
			b &= b - 1
		}
		bits[w] = 0
	}
	return out
}

// slowToken reads the token of forEachRawToken that starts at text[i] (a
// letter, a digit or a non-ASCII byte) with the general rules: non-ASCII
// runes decoded, lowered and appended while they are letters or digits,
// bytes past maxTokenBytes dropped. It returns the index after the token
// (and after the separator that ended it, when that was a non-ASCII rune),
// the token's id, and false when there was no token (text[i] starts a
// separator or an invalid byte).
func (z *Vectorizer) slowToken(text string, i int) (int, int32, bool) {
	b, i := readToken(z.buf[:0], text, i)
	z.buf = b
	if len(b) == 0 {
		return i, -1, false
	}
	return i, z.lookup(b), true
}

// byteClass maps a byte to its role in the scan: an ASCII letter or digit
// to its lower case, any other ASCII byte (a separator) to 0, and every
// byte of a multi-byte UTF-8 sequence (or an invalid byte) to
// classNonASCII.
var byteClass = func() (t [256]byte) {
	copy(t[:], asciiLower[:])
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = classNonASCII
	}
	return t
}()

// classNonASCII is byteClass's value for the bytes from 0x80 up.
const classNonASCII = 0xff

// scratch indexes z.tok modulo maxTokenBytes, a power of two.
var _ = [1]struct{}{}[maxTokenBytes&(maxTokenBytes-1)]

// EncodeTo writes the embedding of text into dst, which must have length
// Dim of the vectorizer's model; it errors otherwise. It allocates nothing
// once the vectorizer's cache and buffers are warm; a long-lived vectorizer
// keeps its token cache, which the model's internal pool may drop.
func (z *Vectorizer) EncodeTo(dst []float32, text string) error {
	if len(dst) != z.m.params.Dim {
		return errorf("kate: destination has length %d, want %d", len(dst), z.m.params.Dim)
	}
	x := z.scratch(text)
	if z.wT == nil {
		if z.encoded++; z.encoded > encodeTransposedAfter {
			z.wT = z.m.weightsT()
		}
	}
	z.m.encodeFrom(dst, z.wT, x)
	return nil
}

func (m *Model) getVectorizer() *Vectorizer {
	if z, ok := m.pool.Get().(*Vectorizer); ok {
		return z
	}
	return m.NewVectorizer()
}

// Vectorize returns the input vector x of text (docs/design.md §1.1).
func (m *Model) Vectorize(text string) SparseVector {
	z := m.getVectorizer()
	defer m.pool.Put(z)
	return z.Vector(text)
}

// encode computes z = tanh(x W + b) into z (length K) for a valid x.
func (m *Model) encode(z []float32, x SparseVector) {
	m.encodeFrom(z, nil, x)
}

// encodeFrom is encode, reading the weights from wT (m's weights
// transposed, V x K: the trainer's copy) when it is not nil
// (preactivateFrom: the same bits).
func (m *Model) encodeFrom(z, wT []float32, x SparseVector) {
	preactivateFrom(z, m.wt, wT, m.b, m.vocab.Len(), x)
	kernels.Tanh(z, z)
}

// preactivate computes a = x W + b into a (length K), gathering the nnz
// entries of x from each row of wt (K x V): a[j] = b[j] + Σ_q x_q·wt[j,i_q],
// the products added in the order of x's entries (kernels.SparseDot).
func preactivate(a, wt, b []float32, v int, x SparseVector) {
	copy(a, b)
	kernels.SparseDot(a, wt, v, unitRows[:len(a)], x.Indices, x.Values)
}

// preactivateFrom is preactivate, reading the weights from wT (wt
// transposed, V x K: the trainer's copy) when it is not nil: one contiguous
// row per non-zero input (kernels.AxpyRows) instead of a gather at stride V,
// the same products in the same order, so the same bits.
func preactivateFrom(a, wt, wT, b []float32, v int, x SparseVector) {
	if wT == nil {
		preactivate(a, wt, b, v, x)
		return
	}
	copy(a, b)
	kernels.AxpyRows(a, wT, x.Indices, x.Values)
}

// unitRows lists the units 0, 1, ..., MaxDim-1: the rows argument of the
// kernels that run over every unit.
var unitRows = func() []int32 {
	r := make([]int32, MaxDim)
	for j := range r {
		r[j] = int32(j)
	}
	return r
}()

// EncodeTo writes the embedding of text into dst (length Dim).
func (m *Model) EncodeTo(dst []float32, text string) error {
	z := m.getVectorizer()
	err := z.EncodeTo(dst, text)
	m.pool.Put(z)
	return err
}

// Encode returns the embeddings of texts as one row-major n x Dim slice.
// The native build spreads the work over all cores; the result does not
// depend on how it is spread.
func (m *Model) Encode(texts []string) []float32 {
	k := m.params.Dim
	out := make([]float32, len(texts)*k)
	parallel.Blocks(len(texts), 64, func(lo, hi int) {
		z := m.getVectorizer()
		for i := lo; i < hi; i++ {
			_ = z.EncodeTo(out[i*k:(i+1)*k], texts[i]) // rows have length k
		}
		m.pool.Put(z)
	})
	return out
}

// EncodeVectors returns the embeddings of input vectors as one row-major
// n x Dim slice. It errors when a vector is malformed.
func (m *Model) EncodeVectors(xs []SparseVector) ([]float32, error) {
	for i, x := range xs {
		if err := x.Validate(m.vocab.Len()); err != nil {
			return nil, errorf("vector %d: %w", i, err)
		}
	}
	k := m.params.Dim
	out := make([]float32, len(xs)*k)
	wT := m.weightsTFor(len(xs))
	parallel.Blocks(len(xs), 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.encodeFrom(out[i*k:(i+1)*k], wT, xs[i])
		}
	})
	return out, nil
}
