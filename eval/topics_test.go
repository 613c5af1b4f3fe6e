package eval

import (
	"math"
	"slices"
	"testing"

	"github.com/kate-web/kate/kate"
)

func docs(sets ...[]int32) []kate.SparseVector {
	out := make([]kate.SparseVector, len(sets))
	for d, s := range sets {
		v := make([]float32, len(s))
		for i := range v {
			v[i] = 1
		}
		out[d] = kate.SparseVector{Indices: s, Values: v}
	}
	return out
}

// NPMI on a hand-computed example: 4 documents {0,1}, {0,1,2}, {0,2}, {3}.
func TestNPMIHandComputed(t *testing.T) {
	co, err := NewCooccurrence(docs([]int32{0, 1}, []int32{0, 1, 2}, []int32{0, 2}, []int32{3}), 4)
	if err != nil {
		t.Fatal(err)
	}
	// p(0) = 3/4, p(1) = 1/2, p(0,1) = 1/2:
	// NPMI = log((1/2)/(3/8)) / −log(1/2) = log(4/3)/log 2 = 0.4150375.
	// p(1) = p(2) = 1/2, p(1,2) = 1/4: log(1) = 0 → 0.
	// Terms 0 and 3 never co-occur: −1.
	for _, c := range []struct {
		i, j int
		want float64
	}{{0, 1, 0.4150375}, {1, 0, 0.4150375}, {0, 2, 0.4150375}, {1, 2, 0}, {0, 3, -1}} {
		if got := co.NPMI(c.i, c.j); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("NPMI(%d,%d) = %.7f, want %.7f", c.i, c.j, got, c.want)
		}
	}
	// Topic {0,1,2}: mean of 0.4150375, 0.4150375, 0 = 0.2766917; topic
	// {1,3}: −1; mean (0.2766917 − 1)/2 = −0.3616542.
	topics := [][]int{{0, 1, 2}, {1, 3}}
	if got := co.TopicNPMI(topics[0]); math.Abs(got-0.2766917) > 1e-6 {
		t.Errorf("TopicNPMI = %.7f, want 0.2766917", got)
	}
	q := co.Quality(topics)
	if math.Abs(q.NPMI-(-0.3616542)) > 1e-6 {
		t.Errorf("mean NPMI = %.7f, want -0.3616542", q.NPMI)
	}
	// 4 distinct terms among 5.
	if q.Diversity != 0.8 {
		t.Errorf("diversity %v, want 0.8", q.Diversity)
	}
	// A pair present in every document scores 1; a one-word topic -1.
	all, _ := NewCooccurrence(docs([]int32{0, 1}, []int32{0, 1}), 2)
	if all.NPMI(0, 1) != 1 || all.TopicNPMI([]int{0}) != -1 {
		t.Errorf("NPMI of an always co-occurring pair %v, one-word topic %v", all.NPMI(0, 1), all.TopicNPMI([]int{0}))
	}
	// Only the first NPMIWords terms count; only the first DiversityWords.
	long := make([]int, 40)
	for i := range long {
		long[i] = i % 4
	}
	if got, want := co.TopicNPMI(long), co.TopicNPMI(long[:NPMIWords]); got != want {
		t.Errorf("TopicNPMI used more than %d words: %v vs %v", NPMIWords, got, want)
	}
	if got := Diversity([][]int{long}); got != 4.0/25 {
		t.Errorf("diversity of a 40-word topic %v, want 4/25", got)
	}
	if _, err := NewCooccurrence(nil, 4); err == nil {
		t.Error("no reference documents accepted")
	}
	if _, err := NewCooccurrence(docs([]int32{7}), 4); err == nil {
		t.Error("a term outside the vocabulary accepted")
	}
}

// NMF recovers planted topics: documents mix three disjoint blocks of four
// terms; every fitted topic's four best terms are one block, and the error
// falls with more sweeps.
func TestNMFPlanted(t *testing.T) {
	var xs []kate.SparseVector
	for d := range 90 {
		a, b := d%3, (d/3)%3
		var idx []int32
		var val []float32
		for blk := range 3 {
			w := float32(0)
			if blk == a {
				w = 1
			} else if blk == b {
				w = 0.3
			}
			if w == 0 {
				continue
			}
			for q := range 4 {
				idx = append(idx, int32(4*blk+q))
				val = append(val, w*(1-float32(0.1*float32(q))))
			}
		}
		xs = append(xs, kate.SparseVector{Indices: idx, Values: val})
	}
	few, err := FitNMF(xs, 12, 3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FitNMF(xs, 12, 3, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(f.Loss < few.Loss) || f.Loss > 0.02 || f.Iterations != 100 {
		t.Fatalf("loss after 2 sweeps %v, after 100 %v", few.Loss, f.Loss)
	}
	seen := map[int]bool{}
	for _, top := range f.Topics(4) {
		blk := top[0] / 4
		for _, i := range top {
			if i/4 != blk {
				t.Fatalf("topic %v mixes blocks", top)
			}
		}
		seen[blk] = true
	}
	if len(seen) != 3 {
		t.Fatalf("topics cover blocks %v", seen)
	}
	again, _ := FitNMF(xs, 12, 3, 100, 1)
	if !slices.Equal(again.H, f.H) {
		t.Error("NMF is not deterministic for a seed")
	}
	for _, bad := range []struct{ v, dim, iters int }{{12, 0, 10}, {12, 13, 10}, {12, 3, 0}} {
		if _, err := FitNMF(xs, bad.v, bad.dim, bad.iters, 1); err == nil {
			t.Errorf("FitNMF(v=%d, dim=%d, iters=%d) accepted", bad.v, bad.dim, bad.iters)
		}
	}
	if _, err := FitNMF(nil, 12, 3, 10, 1); err == nil {
		t.Error("FitNMF without documents accepted")
	}
}
