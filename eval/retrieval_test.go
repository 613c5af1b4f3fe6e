package eval

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestRetrievalByHand(t *testing.T) {
	// Database of 4 rows in 2-d, labels a a b b (0 0 1 1).
	db := []float32{
		1, 0, // 0: label 0
		1, 1, // 1: label 0
		0, 1, // 2: label 1
		-1, 0.1, // 3: label 1
	}
	dbY := []int{0, 0, 1, 1}
	// Query 0: (1, 0.2), label 0: ranking 0 (0.98), 1 (0.83), 2 (0.20), 3 (-0.88).
	// Query 1: (0, 2), label 0: ranking 2 (1), 1 (0.71), 3 (0.0995), 0 (0).
	q := []float32{1, 0.2, 0, 2}
	qY := []int{0, 0}
	fr := []float64{0.25, 0.5, 0.75, 1}
	p, err := RetrievalPrecision(context.Background(), q, db, 2, SameLabel(qY, dbY), fr)
	if err != nil {
		t.Fatal(err)
	}
	// Query 0 precisions: 1/1, 2/2, 2/3, 2/4; query 1: 0/1, 1/2, 1/3, 2/4.
	want := []float64{(1 + 0) / 2.0, (1 + 0.5) / 2, (2.0/3 + 1.0/3) / 2, 0.5}
	for i := range want {
		if math.Abs(p[i]-want[i]) > 1e-12 {
			t.Errorf("precision at %v = %v, want %v", fr[i], p[i], want[i])
		}
	}
}

func TestRetrievalTiesAndZeros(t *testing.T) {
	// All database rows are identical: ties go to the lower row. A zero
	// query has cosine 0 with everything, so the same order.
	db := []float32{1, 1, 1, 1, 1, 1}
	dbY := []int{1, 0, 0}
	for _, q := range [][]float32{{2, 2}, {0, 0}} {
		p, err := RetrievalPrecision(context.Background(), q, db, 2, SameLabel([]int{1}, dbY), []float64{1.0 / 3, 1})
		if err != nil {
			t.Fatal(err)
		}
		if p[0] != 1 || math.Abs(p[1]-1.0/3) > 1e-12 {
			t.Errorf("query %v: precision %v, want [1 1/3]", q, p)
		}
	}
}

// TestRetrievalMatchesBruteForce compares with a direct implementation on
// random data, with more queries than one block.
func TestRetrievalMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const dim, m, nq, classes = 5, 97, 300, 4
	db := make([]float32, m*dim)
	q := make([]float32, nq*dim)
	for i := range db {
		db[i] = float32(rng.NormFloat64())
	}
	for i := range q {
		q[i] = float32(rng.NormFloat64())
	}
	dbY := make([]int, m)
	qY := make([]int, nq)
	for i := range dbY {
		dbY[i] = rng.IntN(classes)
	}
	for i := range qY {
		qY[i] = rng.IntN(classes)
	}
	got, err := RetrievalPrecision(context.Background(), q, db, dim, SameLabel(qY, dbY), DefaultFractions)
	if err != nil {
		t.Fatal(err)
	}
	cos := func(a, b []float32) float64 {
		var d, na, nb float64
		for i := range a {
			d += float64(float64(a[i]) * float64(b[i]))
			na += float64(float64(a[i]) * float64(a[i]))
			nb += float64(float64(b[i]) * float64(b[i]))
		}
		return d / math.Sqrt(na*nb)
	}
	for fi, f := range DefaultFractions {
		c := Cutoff(f, m)
		sum := 0.0
		for i := range nq {
			idx := make([]int, m)
			s := make([]float64, m)
			for d := range m {
				idx[d] = d
				s[d] = cos(q[i*dim:(i+1)*dim], db[d*dim:(d+1)*dim])
			}
			sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
			rel := 0
			for _, d := range idx[:c] {
				if dbY[d] == qY[i] {
					rel++
				}
			}
			sum += float64(rel) / float64(c)
		}
		if want := sum / nq; math.Abs(got[fi]-want) > 1e-9 {
			t.Errorf("precision at %v = %v, brute force %v", f, got[fi], want)
		}
	}
	if Cutoff(0.001, m) != 1 || Cutoff(1, m) != m || Cutoff(0.5, 10) != 5 || Cutoff(0.002, 11314) != 22 {
		t.Error("Cutoff: wrong counts")
	}
}

func TestRetrievalSharedLabel(t *testing.T) {
	db := []float32{1, 0, 0, 1}
	rel := SharedLabel([][]int{{0, 2}}, [][]int{{1}, {2, 3}})
	p, err := RetrievalPrecision(context.Background(), []float32{1, 0.1}, db, 2, rel, []float64{0.5, 1})
	if err != nil {
		t.Fatal(err)
	}
	if p[0] != 0 || p[1] != 0.5 {
		t.Errorf("precision %v, want [0 0.5]", p)
	}
}

func TestRetrievalErrors(t *testing.T) {
	ctx := context.Background()
	rel := func(q, d int) bool { return true }
	if _, err := RetrievalPrecision(ctx, []float32{1, 2}, []float32{1, 2, 3}, 2, rel, DefaultFractions); err == nil {
		t.Error("ragged database: no error")
	}
	if _, err := RetrievalPrecision(ctx, nil, []float32{1, 2}, 2, rel, DefaultFractions); err == nil {
		t.Error("no queries: no error")
	}
	if _, err := RetrievalPrecision(ctx, []float32{1, 2}, []float32{1, 2}, 2, rel, []float64{0}); err == nil {
		t.Error("fraction 0: no error")
	}
	if _, err := RetrievalPrecision(ctx, []float32{1, 2}, []float32{1, 2}, 2, rel, []float64{1.5}); err == nil {
		t.Error("fraction 1.5: no error")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := RetrievalPrecision(cctx, []float32{1, 2}, []float32{1, 2}, 2, rel, []float64{1}); err == nil {
		t.Error("cancelled: no error")
	}
}
