package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"

	"github.com/kate-web/kate/internal/parallel"
)

// How topic words are chosen (docs/design.md §1.5). A hidden unit's largest
// weights are mostly rare terms: training moves a rare term's weights little
// from their random initialisation, so the largest ones are noise. A unit is
// better read through the documents it represents: at the end of training
// every training document is encoded, each document is assigned to the
// topicUnitsPerDoc units on which it stands out most (activation
// standardised over the corpus), each unit keeps its topicDocs
// most-activating assigned documents (completed, for a unit assigned fewer,
// by the other documents that activate it most), and its words are ranked by
// how much more often they occur in those documents than in the corpus
// (share of the unit's documents containing the term minus share of all
// documents). Two refinements follow (focusScores, exclusiveScores): a
// unit's documents are often a mixture, so for topicFocusRounds rounds each
// document counts in proportion to the square of the number of the unit's
// current first topicFocusWords words it contains, which brings out the
// unit's main theme; and a word over-represented in several units is
// discounted in each by how far it is from its strongest unit (score s
// becomes s·(s/s_max)^topicExclusivity), so shared words go to the units
// they characterise most. The ranking is stored in the model file (section
// TOPW).
const (
	// topicUnitsPerDoc is the number of units each training document is
	// assigned to.
	topicUnitsPerDoc = 4
	// topicDocs is the number of documents that represent a unit.
	topicDocs = 100
	// topicFocusWords and topicFocusRounds: the reweighting of a unit's
	// documents by the unit's leading words (see focusScores).
	topicFocusWords  = 10
	topicFocusRounds = 3
	// topicExclusivity is the exponent of the discount of words shared
	// between units (see exclusiveScores).
	topicExclusivity = 0.75
	// topicStoredWords is the number of ranked words stored per unit.
	topicStoredWords = 50
	// topicMinDocs: a unit assigned fewer documents is marked empty.
	topicMinDocs = 3
	// topicDupShared: a unit whose first topicDupWords words share at least
	// this many with an earlier unit's is marked a near-duplicate of it.
	topicDupWords  = 10
	topicDupShared = 6
	// topicLabelWords is the number of words of a unit's label.
	topicLabelWords = 3
)

// TopicRanking selects how Topics ranks each unit's words.
type TopicRanking int

const (
	// RankDocuments (the default) ranks words by their over-representation
	// in the training documents the unit represents best, focused on the
	// unit's main theme and discounted for words that characterise another
	// unit more, as stored in the model at training time. Models without that data (model files of
	// version 1) fall back to RankLearned.
	RankDocuments TopicRanking = iota
	// RankWeight ranks words by their raw weight in the unit's column of W.
	RankWeight
	// RankLearned ranks words by how much training changed their weight:
	// W minus the model's initial weights (regenerated from its seed).
	RankLearned
)

// String returns "documents", "weight" or "learned".
func (r TopicRanking) String() string {
	switch r {
	case RankDocuments:
		return "documents"
	case RankWeight:
		return "weight"
	case RankLearned:
		return "learned"
	}
	return "unknown"
}

// ParseTopicRanking parses the names String returns.
func ParseTopicRanking(s string) (TopicRanking, error) {
	for _, r := range []TopicRanking{RankDocuments, RankWeight, RankLearned} {
		if s == r.String() {
			return r, nil
		}
	}
	return 0, errorf("kate: unknown topic ranking %q (documents, weight or learned)", s)
}

// Topic is one hidden unit's strongest vocabulary terms.
type Topic struct {
	// Unit is the hidden unit (column of W).
	Unit int
	// Words are the unit's terms, best first; Weights are their scores
	// under the ranking used (the raw weight for RankWeight, the weight's
	// change in training for RankLearned, for RankDocuments the share of
	// the unit's documents containing the term, weighted towards the
	// unit's main theme, minus its share of all documents, discounted when
	// the term is more over-represented in another unit).
	Words   []string
	Weights []float32
	// Label is a short name for the unit: its first three words.
	Label string
	// Docs is the number of training documents assigned to the unit
	// (RankDocuments only; -1 when unknown).
	Docs int
	// Empty is true when the unit represents almost no training documents
	// (fewer than 3 assigned; RankDocuments only).
	Empty bool
	// DuplicateOf is the lower-numbered unit this one nearly repeats (at
	// least 6 of their first 10 words shared), or -1.
	DuplicateOf int
}

// topicTable is the stored ranking of section TOPW.
type topicTable struct {
	m      int       // words per unit
	docs   []uint32  // K: training documents assigned to each unit
	words  []uint32  // K x m ranked term indices
	scores []float32 // K x m scores
}

// Topics returns each of the K hidden units' n best words under the
// default ranking (RankDocuments); see TopicsBy.
func (m *Model) Topics(n int) ([]Topic, error) {
	return m.TopicsBy(n, RankDocuments)
}

// TopicsBy returns, for each of the K hidden units, its n best vocabulary
// terms under ranking r, with a label, and marks for empty and
// near-duplicate units. n is capped at V. With RankDocuments, units whose
// stored list is shorter than n are completed with RankLearned's order. It
// errors when n < 1 or r is unknown.
func (m *Model) TopicsBy(n int, r TopicRanking) ([]Topic, error) {
	if n < 1 {
		return nil, errorf("kate: topics needs n >= 1, got %d", n)
	}
	v, k := m.vocab.Len(), m.params.Dim
	n = min(n, v)
	var score []float32 // K x V, for the weight-based rankings
	switch r {
	case RankWeight:
		score = m.wt
	case RankLearned, RankDocuments:
		if r == RankLearned || m.topics == nil || n > m.topics.m {
			score = m.learnedWeights()
		}
	default:
		return nil, errorf("kate: unknown topic ranking %d", r)
	}
	out := make([]Topic, k)
	idx := make([]int, v)
	used := make([]bool, v)
	for j := range out {
		t := Topic{Unit: j, Words: make([]string, 0, n), Weights: make([]float32, 0, n), Docs: -1, DuplicateOf: -1}
		if r == RankDocuments && m.topics != nil {
			tt := m.topics
			t.Docs = int(tt.docs[j])
			t.Empty = t.Docs < topicMinDocs
			for q := 0; q < tt.m && len(t.Words) < n; q++ {
				i := tt.words[j*tt.m+q]
				t.Words = append(t.Words, m.vocab.words[i])
				t.Weights = append(t.Weights, tt.scores[j*tt.m+q])
				used[i] = true
			}
		}
		if len(t.Words) < n {
			row := score[j*v : (j+1)*v]
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] > row[idx[b]] })
			for _, i := range idx {
				if len(t.Words) == n {
					break
				}
				if !used[i] {
					t.Words = append(t.Words, m.vocab.words[i])
					t.Weights = append(t.Weights, row[i])
				}
			}
		}
		clear(used)
		t.Label = strings.Join(t.Words[:min(len(t.Words), topicLabelWords)], " ")
		out[j] = t
	}
	markDuplicates(out)
	return out, nil
}

// markDuplicates sets DuplicateOf for every unit sharing at least
// topicDupShared of its first topicDupWords words with an earlier unit that
// is not itself a duplicate.
func markDuplicates(ts []Topic) {
	sets := make([]map[string]bool, len(ts))
	for j, t := range ts {
		sets[j] = map[string]bool{}
		for _, w := range t.Words[:min(len(t.Words), topicDupWords)] {
			sets[j][w] = true
		}
		if len(sets[j]) < topicDupShared {
			continue
		}
		for u := 0; u < j; u++ {
			if ts[u].DuplicateOf >= 0 || ts[u].Empty {
				continue
			}
			shared := 0
			for w := range sets[j] {
				if sets[u][w] {
					shared++
				}
			}
			if shared >= topicDupShared {
				ts[j].DuplicateOf = u
				break
			}
		}
	}
}

// learnedWeights returns W minus the model's initial weights (K x V): what
// training changed.
func (m *Model) learnedWeights() []float32 {
	init, _ := newModel(m.params, m.vocab, m.info.Seed) // the parameters are valid
	out := make([]float32, len(m.wt))
	for i, w := range m.wt {
		out[i] = w - init.wt[i]
	}
	return out
}

// unitScales returns, per unit, the mean and standard deviation of the
// activations of the documents xs, for standardising them.
func (m *Model) unitScales(xs []SparseVector) (mean, std []float64) {
	k := m.params.Dim
	mean, std = make([]float64, k), make([]float64, k)
	sq := make([]float64, k)
	m.encodeBlocks(xs, func(_ int, z []float32) {
		for j, a := range z {
			mean[j] += float64(a)
			sq[j] += float64(float64(a) * float64(a))
		}
	})
	n := float64(max(len(xs), 1))
	for j := range mean {
		mean[j] /= n
		std[j] = math.Sqrt(max(sq[j]/n-float64(mean[j]*mean[j]), 0)) + 1e-12
	}
	return mean, std
}

// encodeBlocks encodes xs in blocks, each spread over the cores, and calls
// fn(d, z) for every document in order (z is valid during the call only).
func (m *Model) encodeBlocks(xs []SparseVector, fn func(d int, z []float32)) {
	k := m.params.Dim
	block := max(64, (1<<20)/k)
	buf := make([]float32, min(block, len(xs))*k)
	wT := m.weightsTFor(len(xs))
	for lo := 0; lo < len(xs); lo += block {
		hi := min(lo+block, len(xs))
		parallel.Blocks(hi-lo, 64, func(a, b int) {
			for i := a; i < b; i++ {
				m.encodeFrom(buf[i*k:(i+1)*k], wT, xs[lo+i])
			}
		})
		for i := range hi - lo {
			fn(lo+i, buf[i*k:(i+1)*k])
		}
	}
}

// scoredDoc is a document and its standardised activation on one unit.
type scoredDoc struct {
	s float64
	d int
}

// worse orders documents: lower activation, then higher index, is worse.
func (a scoredDoc) worse(b scoredDoc) bool { return a.s < b.s || (a.s == b.s && a.d > b.d) }

// topDocs keeps the best max documents offered, in a heap whose root is
// the worst kept.
type topDocs struct {
	max int
	h   []scoredDoc
}

func (t *topDocs) offer(e scoredDoc) {
	h := t.h
	switch {
	case len(h) < t.max:
		h = append(h, e)
		for c := len(h) - 1; c > 0; {
			p := (c - 1) / 2
			if !h[c].worse(h[p]) {
				break
			}
			h[c], h[p] = h[p], h[c]
			c = p
		}
	case t.max > 0 && h[0].worse(e):
		h[0] = e
		for p := 0; ; {
			c := 2*p + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && h[c+1].worse(h[c]) {
				c++
			}
			if !h[c].worse(h[p]) {
				break
			}
			h[c], h[p] = h[p], h[c]
			p = c
		}
	}
	t.h = h
}

// sorted returns the kept documents, best first.
func (t *topDocs) sorted() []int {
	sort.Slice(t.h, func(a, b int) bool { return t.h[b].worse(t.h[a]) })
	out := make([]int, len(t.h))
	for q, e := range t.h {
		out[q] = e.d
	}
	return out
}

// unitDocs assigns every document of xs to the topicUnitsPerDoc units on
// which its standardised activation is largest, and returns for each unit
// the number of documents assigned and its (at most) perUnit best
// documents, best first: the assigned documents with the largest
// standardised activation, then, when fewer were assigned, the other
// documents that activate the unit most (ties to the lower document
// index). It encodes the documents twice (once for the scales) and keeps
// no n x K matrix.
func (m *Model) unitDocs(xs []SparseVector, perUnit int) (count []int, best [][]int) {
	k := m.params.Dim
	mean, std := m.unitScales(xs)
	assigned := make([]topDocs, k)
	others := make([]topDocs, k)
	for j := range k {
		assigned[j].max, others[j].max = perUnit, perUnit
	}
	count = make([]int, k)
	sz := make([]float64, k)
	in := make([]bool, k)
	per := min(topicUnitsPerDoc, k)
	order := make([]int, 0, per)
	m.encodeBlocks(xs, func(d int, z []float32) {
		for j, a := range z {
			sz[j] = (float64(a) - mean[j]) / std[j]
		}
		order = topIndices(order[:0], sz, per)
		clear(in)
		for _, j := range order {
			in[j] = true
			count[j]++
			assigned[j].offer(scoredDoc{sz[j], d})
		}
		for j := range k {
			if !in[j] && count[j] < perUnit {
				others[j].offer(scoredDoc{sz[j], d})
			}
		}
	})
	best = make([][]int, k)
	for j := range k {
		best[j] = assigned[j].sorted()
		if len(best[j]) < perUnit {
			o := others[j].sorted()
			best[j] = append(best[j], o[:min(len(o), perUnit-len(best[j]))]...)
		}
	}
	return count, best
}

// topIndices appends to dst the indices of the n largest values of s,
// largest first (ties to the lower index), by insertion into the kept
// list: O(len(s)) when n is small, most values failing one comparison.
func topIndices(dst []int, s []float64, n int) []int {
	dst = dst[:0]
	for i, x := range s {
		if len(dst) == n && !(x > s[dst[n-1]]) {
			continue
		}
		p := len(dst)
		if p == n {
			p--
		} else {
			dst = append(dst, 0)
		}
		for p > 0 && s[dst[p-1]] < x {
			dst[p] = dst[p-1]
			p--
		}
		dst[p] = i
	}
	return dst
}

// rankTopics computes the stored topic ranking from the training documents
// xs (see the comment on topicUnitsPerDoc).
func (m *Model) rankTopics(xs []SparseVector) {
	v, k := m.vocab.Len(), m.params.Dim
	if len(xs) == 0 {
		return
	}
	pd := make([]float64, v)
	for _, x := range xs {
		for _, i := range x.Indices {
			pd[i]++
		}
	}
	for i := range pd {
		pd[i] /= float64(len(xs))
	}
	count, best := m.unitDocs(xs, topicDocs)
	score := make([]float64, k*v)
	parallel.Blocks(k, 8, func(lo, hi int) { // units are independent
		for j := lo; j < hi; j++ {
			focusScores(score[j*v:(j+1)*v], xs, best[j], pd, topicFocusWords, topicFocusRounds)
		}
	})
	exclusiveScores(score, k, v, topicExclusivity)
	mm := min(topicStoredWords, v)
	t := &topicTable{m: mm, docs: make([]uint32, k), words: make([]uint32, k*mm), scores: make([]float32, k*mm)}
	idx := make([]int, 0, mm)
	for j := range k {
		t.docs[j] = uint32(count[j])
		row := score[j*v : (j+1)*v]
		idx = topIndices(idx[:0], row, mm)
		for q, i := range idx {
			t.words[j*mm+q] = uint32(i)
			t.scores[j*mm+q] = float32(row[i])
		}
	}
	m.topics = t
}

// focusScores sets dst (V) to the over-representation of each term in one
// unit's documents docs (indices into xs): the weighted share of those
// documents containing the term minus pd, its share of all documents. In
// the first pass every document weighs 1; each of the rounds that follow
// weighs a document by c², c the number of the unit's first words terms
// (under the previous pass's scores) it contains, so that documents on the
// unit's main theme count most. When no document contains any of those
// terms, the previous pass's scores are kept.
func focusScores(dst []float64, xs []SparseVector, docs []int, pd []float64, words, rounds int) {
	w := make([]float64, len(docs))
	for q := range w {
		w[q] = 1
	}
	var top []int
	in := make([]bool, len(dst))
	for r := 0; r <= rounds; r++ {
		if r > 0 {
			top = topIndices(top[:0], dst, words)
			clear(in)
			for _, i := range top {
				in[i] = true
			}
			total := 0.0
			for q, d := range docs {
				c := 0
				for _, i := range xs[d].Indices {
					if in[i] {
						c++
					}
				}
				w[q] = float64(c * c)
				total += w[q]
			}
			if total == 0 {
				return
			}
		}
		clear(dst)
		total := 0.0
		for q, d := range docs {
			for _, i := range xs[d].Indices {
				dst[i] += w[q]
			}
			total += w[q]
		}
		for i := range dst {
			dst[i] = dst[i]/max(total, 1) - pd[i]
		}
	}
}

// exclusiveScores discounts, in the K x V scores s, each positive score of a
// term by its ratio to the term's largest score over the units:
// s_ji ← s_ji · (s_ji / max_u s_ui)^g. The unit where a term is most
// over-represented keeps its score; the others lose in proportion.
// Non-positive scores are left as they are.
func exclusiveScores(s []float64, k, v int, g float64) {
	mx := make([]float64, v)
	for j := range k {
		for i, a := range s[j*v : (j+1)*v] {
			mx[i] = max(mx[i], a)
		}
	}
	for j := range k {
		row := s[j*v : (j+1)*v]
		for i, a := range row {
			if a > 0 {
				row[i] = a * math.Pow(a/mx[i], g)
			}
		}
	}
}

// TopicDocuments returns, for each hidden unit, the indices of the (at most)
// n documents of xs that represent it best: each document is assigned to
// the 4 units on which its activation, standardised over xs, is largest;
// a unit's assigned documents come first, ranked by that standardised
// activation, followed, when fewer than n were assigned, by the other
// documents that activate it most (ties to the lower index). It errors
// when n < 1 or a vector is malformed.
func (m *Model) TopicDocuments(xs []SparseVector, n int) ([][]int, error) {
	if n < 1 {
		return nil, errorf("kate: topic documents needs n >= 1, got %d", n)
	}
	for i, x := range xs {
		if err := x.Validate(m.vocab.Len()); err != nil {
			return nil, errorf("document %d: %w", i, err)
		}
	}
	_, best := m.unitDocs(xs, n)
	return best, nil
}

// encodeTopics stores the topic ranking (section TOPW): m uint32, then K
// uint32 document counts, K x m uint32 term indices and K x m float32
// scores.
func encodeTopics(m *Model) []byte {
	t := m.topics
	if t == nil {
		return nil
	}
	le := binary.LittleEndian
	out := make([]byte, 0, 4+4*len(t.docs)+8*len(t.words))
	out = le.AppendUint32(out, uint32(t.m))
	for _, s := range [][]uint32{t.docs, t.words} {
		for _, x := range s {
			out = le.AppendUint32(out, x)
		}
	}
	for _, f := range t.scores {
		out = le.AppendUint32(out, math.Float32bits(f))
	}
	return out
}

func decodeTopics(m *Model, data []byte) error {
	le := binary.LittleEndian
	v, k := m.vocab.Len(), m.params.Dim
	if len(data) < 4 {
		return formatErr("topic section too short")
	}
	mm := int(le.Uint32(data))
	if mm < 1 || mm > v || mm > 1024 {
		return formatErr("topic section has %d words per unit", mm)
	}
	if want := 4 + 4*k + 8*k*mm; len(data) != want {
		return formatErr("topic section has %d bytes, want %d", len(data), want)
	}
	t := &topicTable{m: mm, docs: make([]uint32, k), words: make([]uint32, k*mm), scores: make([]float32, k*mm)}
	pos := 4
	for j := range t.docs {
		t.docs[j] = le.Uint32(data[pos:])
		if int64(t.docs[j]) > int64(m.info.Docs) {
			return formatErr("topic section: unit %d has more documents than the training corpus", j)
		}
		pos += 4
	}
	seen := make([]int, v)
	for q := range t.words {
		i := le.Uint32(data[pos:])
		j := q / mm
		if int64(i) >= int64(v) || seen[i] == j+1 {
			return formatErr("topic section: bad or repeated term for unit %d", j)
		}
		seen[i] = j + 1
		t.words[q] = i
		pos += 4
	}
	for q := range t.scores {
		f := math.Float32frombits(le.Uint32(data[pos:]))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return formatErr("topic section: non-finite score")
		}
		t.scores[q] = f
		pos += 4
	}
	m.topics = t
	return nil
}
