package kate

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func topicModel(t *testing.T) (*Model, *Corpus) {
	t.Helper()
	texts, _ := synthCorpus(400, 4, 5)
	cfg := smallConfig()
	cfg.Epochs = 8
	return trainOn(t, texts, cfg)
}

// On a corpus of four planted topics (topicXwordY words, plus common words
// shared by all), the documents ranking gives units whose first words
// belong to one planted topic, while raw weights mix topics and common
// words.
func TestTopicsDocumentsRanking(t *testing.T) {
	m, _ := topicModel(t)
	ts, err := m.Topics(5)
	if err != nil {
		t.Fatal(err)
	}
	pure := func(ts []Topic) int {
		n := 0
		for _, tp := range ts {
			if tp.Empty {
				continue
			}
			prefix := tp.Words[0][:6]
			ok := strings.HasPrefix(prefix, "topic")
			for _, w := range tp.Words {
				ok = ok && strings.HasPrefix(w, prefix)
			}
			if ok {
				n++
			}
		}
		return n
	}
	byWeight, err := m.TopicsBy(5, RankWeight)
	if err != nil {
		t.Fatal(err)
	}
	if pd, pw := pure(ts), pure(byWeight); pd < m.Dim()/2 || pd <= pw {
		t.Errorf("%d of %d units are one planted topic by documents, %d by weight", pd, m.Dim(), pw)
	}
	for _, tp := range ts {
		if tp.Label != strings.Join(tp.Words[:3], " ") || tp.Docs < 0 || tp.Empty != (tp.Docs < topicMinDocs) {
			t.Errorf("unit %d: label %q, docs %d, empty %v", tp.Unit, tp.Label, tp.Docs, tp.Empty)
		}
		for q := 1; q < len(tp.Weights); q++ {
			if tp.Weights[q] > tp.Weights[q-1] {
				t.Errorf("unit %d: scores not decreasing: %v", tp.Unit, tp.Weights)
			}
		}
	}
	// Each document is assigned to topicUnitsPerDoc units.
	total := 0
	for _, tp := range ts {
		total += tp.Docs
	}
	if total != topicUnitsPerDoc*m.Info().Docs {
		t.Errorf("%d assignments for %d documents", total, m.Info().Docs)
	}
	// More words than stored (50): completed without repeats by the
	// learned ranking, up to V.
	long, err := m.Topics(80)
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range long {
		if len(tp.Words) != m.vocab.Len() || !slices.Equal(tp.Words[:5], ts[tp.Unit].Words) {
			t.Fatalf("unit %d: %d words, first %v", tp.Unit, len(tp.Words), tp.Words[:5])
		}
		seen := map[string]bool{}
		for _, w := range tp.Words {
			if seen[w] {
				t.Fatalf("unit %d repeats %q", tp.Unit, w)
			}
			seen[w] = true
		}
	}
	if _, err := m.TopicsBy(3, TopicRanking(9)); err == nil {
		t.Error("unknown ranking accepted")
	}
	if _, err := m.Topics(0); err == nil {
		t.Error("Topics(0) accepted")
	}
}

// RankWeight sorts each column of W; RankLearned sorts W minus the initial
// weights regenerated from the seed.
func TestTopicsWeightAndLearned(t *testing.T) {
	m, _ := topicModel(t)
	init, err := newModel(m.params, m.vocab, m.info.Seed)
	if err != nil {
		t.Fatal(err)
	}
	v := m.vocab.Len()
	for _, c := range []struct {
		by    TopicRanking
		score func(j, i int) float32
	}{
		{RankWeight, func(j, i int) float32 { return m.wt[j*v+i] }},
		{RankLearned, func(j, i int) float32 { return m.wt[j*v+i] - init.wt[j*v+i] }},
	} {
		ts, err := m.TopicsBy(7, c.by)
		if err != nil {
			t.Fatal(err)
		}
		for j, tp := range ts {
			idx := make([]int, v)
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(c.score(j, b), c.score(j, a)) })
			for q, i := range idx[:7] {
				if tp.Words[q] != m.vocab.words[i] || tp.Weights[q] != c.score(j, i) {
					t.Fatalf("%s unit %d word %d: %s %v, want %s %v", c.by, j, q, tp.Words[q], tp.Weights[q], m.vocab.words[i], c.score(j, i))
				}
			}
			if tp.Docs != -1 || tp.Empty {
				t.Errorf("%s unit %d: docs %d empty %v", c.by, j, tp.Docs, tp.Empty)
			}
		}
	}
	for _, s := range []string{"documents", "weight", "learned"} {
		if r, err := ParseTopicRanking(s); err != nil || r.String() != s {
			t.Errorf("ParseTopicRanking(%q) = %v, %v", s, r, err)
		}
	}
	if _, err := ParseTopicRanking("size"); err == nil {
		t.Error("ParseTopicRanking accepted an unknown name")
	}
}

func TestMarkDuplicates(t *testing.T) {
	w := func(s string) []string { return strings.Fields(s) }
	ts := []Topic{
		{Words: w("a b c d e f g h i j")},
		{Words: w("a b c d e f x y z q")}, // 6 shared with 0
		{Words: w("a b c d e x y z q r")}, // 5 shared with 0, 5 with 1
		{Words: w("a b c d e f x y z q"), Empty: true},
		{Words: w("k l m n o p q r s t")},
	}
	for j := range ts {
		ts[j].DuplicateOf = -1
	}
	ts[3].Empty = false
	markDuplicates(ts)
	got := []int{}
	for _, tp := range ts {
		got = append(got, tp.DuplicateOf)
	}
	// Unit 3 repeats 0 (and 1, itself a duplicate, is skipped).
	if want := []int{-1, 0, -1, 0, -1}; !slices.Equal(got, want) {
		t.Errorf("duplicates %v, want %v", got, want)
	}
}

// TopicDocuments assigns each document to the units where it stands out
// most and ranks a unit's documents by standardised activation.
func TestTopicDocuments(t *testing.T) {
	m, c := topicModel(t)
	best, err := m.TopicDocuments(c.Vectors, 5)
	if err != nil {
		t.Fatal(err)
	}
	mean, std := m.unitScales(c.Vectors)
	z := make([]float32, m.Dim())
	sz := func(d, j int) float64 {
		m.encode(z, c.Vectors[d])
		return (float64(z[j]) - mean[j]) / std[j]
	}
	for j, docs := range best {
		if len(docs) != 5 {
			t.Fatalf("unit %d: %d documents", j, len(docs))
		}
	}
	// Brute force: every unit's assigned documents, best first, then the
	// others by activation.
	n := len(c.Vectors)
	all := make([][]float64, n)
	for d := range n {
		all[d] = make([]float64, m.Dim())
		for j := range m.Dim() {
			all[d][j] = sz(d, j)
		}
	}
	for j, docs := range best {
		var assigned []int
		for d := range n {
			above := 0
			for u := range m.Dim() {
				if all[d][u] > all[d][j] || (all[d][u] == all[d][j] && u < j) {
					above++
				}
			}
			if above < topicUnitsPerDoc {
				assigned = append(assigned, d)
			}
		}
		var rest []int
		for d := range n {
			if !slices.Contains(assigned, d) {
				rest = append(rest, d)
			}
		}
		byAct := func(a, b int) int { return cmp.Compare(all[b][j], all[a][j]) }
		slices.SortStableFunc(assigned, byAct)
		slices.SortStableFunc(rest, byAct)
		want := append(assigned, rest...)[:5]
		if !slices.Equal(docs, want) {
			t.Errorf("unit %d: documents %v, brute force %v", j, docs, want)
		}
	}
	// Fewer documents than asked for: all of them, for every unit.
	few, err := m.TopicDocuments(c.Vectors[:3], 5)
	if err != nil {
		t.Fatal(err)
	}
	for j, docs := range few {
		d := slices.Clone(docs)
		slices.Sort(d)
		if !slices.Equal(d, []int{0, 1, 2}) {
			t.Errorf("unit %d of 3 documents: %v", j, docs)
		}
	}
	if _, err := m.TopicDocuments(c.Vectors, 0); err == nil {
		t.Error("n = 0 accepted")
	}
	if _, err := m.TopicDocuments([]SparseVector{{Indices: []int32{9999}, Values: []float32{1}}}, 3); err == nil {
		t.Error("malformed vector accepted")
	}
}

// The stored ranking survives a save and load; malformed topic sections
// are errors.
func TestTopicSection(t *testing.T) {
	m, _ := topicModel(t)
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := UnmarshalModel(data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m.Topics(10)
	b, _ := m2.Topics(10)
	for j := range a {
		if !slices.Equal(a[j].Words, b[j].Words) || !slices.Equal(a[j].Weights, b[j].Weights) || a[j].Docs != b[j].Docs {
			t.Fatalf("unit %d differs after a round trip", j)
		}
	}
	le := binary.LittleEndian
	good := encodeTopics(m)
	k, mm := m.Dim(), int(le.Uint32(good))
	mut := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	wordsAt := 4 + 4*k
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"short":    {good[:3], "too short"},
		"m=0":      {mut(func(b []byte) { le.PutUint32(b, 0) }), "words per unit"},
		"m huge":   {mut(func(b []byte) { le.PutUint32(b, 1<<30) }), "words per unit"},
		"size":     {good[:len(good)-4], "bytes"},
		"docs":     {mut(func(b []byte) { le.PutUint32(b[4:], 1<<30) }), "more documents"},
		"range":    {mut(func(b []byte) { le.PutUint32(b[wordsAt:], 1<<20) }), "bad or repeated"},
		"repeated": {mut(func(b []byte) { copy(b[wordsAt+4:], b[wordsAt:wordsAt+4]) }), "bad or repeated"},
		"NaN": {mut(func(b []byte) {
			le.PutUint32(b[wordsAt+4*k*mm:], math.Float32bits(float32(math.NaN())))
		}), "non-finite"},
	} {
		shell := newModelShell(m.params, m.vocab)
		shell.info = m.info
		err := decodeTopics(shell, c.data)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrFormat containing %q", name, err, c.want)
		}
	}
}

// focusScores on a hand-computed example: four terms with corpus shares
// pd = (0.1, 0.2, 0.3, 0.4), the unit's documents {0,1}, {0,1,2}, {2,3}.
// Unweighted, the shares are 2/3, 2/3, 2/3, 1/3. With the first 2 words
// (terms 0 and 1) as focus, the documents weigh 2² = 4, 4 and 0, so the
// shares become 1, 1, 1/2, 0.
func TestFocusScores(t *testing.T) {
	xs := []SparseVector{
		{Indices: []int32{0, 1}, Values: []float32{1, 1}},
		{Indices: []int32{0, 1, 2}, Values: []float32{1, 1, 1}},
		{Indices: []int32{2, 3}, Values: []float32{1, 1}},
		{},
	}
	pd := []float64{0.1, 0.2, 0.3, 0.4}
	for _, c := range []struct {
		docs          []int
		words, rounds int
		want          []float64
	}{
		{[]int{0, 1, 2}, 2, 0, []float64{2.0/3 - 0.1, 2.0/3 - 0.2, 2.0/3 - 0.3, 1.0/3 - 0.4}},
		{[]int{0, 1, 2}, 2, 1, []float64{0.9, 0.8, 0.2, -0.4}},
		{[]int{0, 1, 2}, 2, 3, []float64{0.9, 0.8, 0.2, -0.4}}, // a fixed point
		// Focus on term 0 alone (the largest first-pass score): the
		// documents weigh 1, 1 and 0.
		{[]int{0, 1, 2}, 1, 1, []float64{0.9, 0.8, 0.5 - 0.3, -0.4}},
		// No document contains the focus term: the first pass stays.
		{[]int{3}, 1, 2, []float64{-0.1, -0.2, -0.3, -0.4}},
	} {
		got := make([]float64, 4)
		focusScores(got, xs, c.docs, pd, c.words, c.rounds)
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("docs %v, %d words, %d rounds: %v, want %v", c.docs, c.words, c.rounds, got, c.want)
				break
			}
		}
	}
}

// exclusiveScores on a hand-computed example: term 0's largest score is
// 0.4 (unit 0), so unit 1's 0.2 becomes 0.2·(0.2/0.4)^g; term 1 is equal
// in both units; negative scores are kept.
func TestExclusiveScores(t *testing.T) {
	for _, c := range []struct {
		g    float64
		want []float64
	}{
		{0.5, []float64{0.4, 0.1, -0.2, 0.2 * math.Sqrt(0.5), 0.1, 0.3}},
		{1, []float64{0.4, 0.1, -0.2, 0.1, 0.1, 0.3}},
		{0, []float64{0.4, 0.1, -0.2, 0.2, 0.1, 0.3}},
	} {
		s := []float64{0.4, 0.1, -0.2, 0.2, 0.1, 0.3}
		exclusiveScores(s, 2, 3, c.g)
		for i := range s {
			if math.Abs(s[i]-c.want[i]) > 1e-12 {
				t.Errorf("g = %v: %v, want %v", c.g, s, c.want)
				break
			}
		}
	}
}
