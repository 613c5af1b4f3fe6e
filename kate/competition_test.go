package kate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCompetitionPaperExample(t *testing.T) {
	const alpha = 6.26
	z := []float32{0.8, 0.2, 0.1, -0.1, -0.3, -0.6}
	h := make([]float32, len(z))
	c := newCompetition(len(z))
	c.forward(z, h, 2, alpha)
	want := []float32{0.8 + 0.3*alpha, 0, 0, 0, 0, -0.6 - 0.4*alpha}
	for i := range want {
		if math.Abs(float64(h[i]-want[i])) > 1e-5 {
			t.Fatalf("h = %v, want %v", h, want)
		}
	}
	if !slices.Equal(c.posW, []int32{0}) || !slices.Equal(c.negW, []int32{5}) {
		t.Errorf("winners pos %v neg %v, want [0] [5]", c.posW, c.negW)
	}
	if !slices.Equal(c.posL, []int32{1, 2}) || !slices.Equal(c.negL, []int32{3, 4}) {
		t.Errorf("losers pos %v neg %v, want [1 2] [3 4]", c.posL, c.negL)
	}
	if math.Abs(float64(c.ep-0.3)) > 1e-6 || math.Abs(float64(c.en-0.4)) > 1e-6 {
		t.Errorf("energies %v %v, want 0.3 0.4", c.ep, c.en)
	}
}

func TestCompetitionFewerThanQuota(t *testing.T) {
	// One positive unit, quota ceil(4/2)=2: it wins with zero energy; the
	// negative side has 3 units and quota 2.
	z := []float32{-0.5, 0.3, -0.2, -0.9, 0}
	h := make([]float32, len(z))
	c := newCompetition(len(z))
	c.forward(z, h, 4, 2)
	want := []float32{-0.5 - 2*0.2, 0.3, 0, -0.9 - 2*0.2, 0}
	for i := range want {
		if math.Abs(float64(h[i]-want[i])) > 1e-6 {
			t.Fatalf("h = %v, want %v", h, want)
		}
	}
	if c.ep != 0 || len(c.posL) != 0 {
		t.Errorf("positive energy %v losers %v, want 0 and none", c.ep, c.posL)
	}
	// No negative units at all.
	z = []float32{0.1, 0.4, 0.2}
	c.forward(z, h, 2, 3)
	want = []float32{0, 0.4 + 3*(0.1+0.2), 0}
	for i := range want {
		if math.Abs(float64(h[i]-want[i])) > 1e-6 {
			t.Fatalf("all positive: h = %v, want %v", h, want)
		}
	}
}

func TestCompetitionOddKAndTies(t *testing.T) {
	// k = 3: two positive winners, one negative.
	z := []float32{0.5, 0.5, 0.5, -0.1, -0.2}
	h := make([]float32, len(z))
	c := newCompetition(len(z))
	c.forward(z, h, 3, 1)
	// Ties go to the lower index: units 0 and 1 win, 2 loses.
	if !slices.Equal(c.posW, []int32{0, 1}) || !slices.Equal(c.posL, []int32{2}) {
		t.Fatalf("pos winners %v losers %v", c.posW, c.posL)
	}
	if !slices.Equal(c.negW, []int32{4}) || !slices.Equal(c.negL, []int32{3}) {
		t.Fatalf("neg winners %v losers %v", c.negW, c.negL)
	}
	want := []float32{1.0, 1.0, 0, 0, -0.3}
	for i := range want {
		if math.Abs(float64(h[i]-want[i])) > 1e-6 {
			t.Fatalf("h = %v, want %v", h, want)
		}
	}
	// k = K: everyone wins, h = z.
	c.forward(z, h, len(z), 6.26)
	if !slices.Equal(h, z) {
		t.Errorf("k=K: h = %v, want z = %v", h, z)
	}
}

func TestCompetitionBackward(t *testing.T) {
	const alpha = 2
	z := []float32{0.8, 0.2, 0.1, -0.1, -0.3, -0.6}
	h := make([]float32, 6)
	c := newCompetition(6)
	c.forward(z, h, 2, alpha)
	g := []float32{1, 100, 100, 100, 100, 3} // loser entries must be ignored
	dz := make([]float32, 6)
	c.backward(g, dz, alpha, GradFull)
	want := []float32{1, alpha * 1, alpha * 1, alpha * 3, alpha * 3, 3}
	if !slices.Equal(dz, want) {
		t.Errorf("full: dz = %v, want %v", dz, want)
	}
	c.backward(g, dz, alpha, GradNone)
	for i, v := range dz {
		if v != 0 {
			t.Errorf("none: dz[%d] = %v, want 0", i, v)
		}
	}
}

func TestParseGradMode(t *testing.T) {
	for s, want := range map[string]GradMode{"full": GradFull, "NONE": GradNone, " full ": GradFull} {
		got, err := ParseGradMode(s)
		if err != nil || got != want {
			t.Errorf("ParseGradMode(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseGradMode("half"); err == nil {
		t.Error("ParseGradMode(half) did not fail")
	}
	if GradFull.String() != "full" || GradNone.String() != "none" {
		t.Error("String")
	}
}

// The quickselect agrees with a full sort on random activations, ties
// included.
func TestCompetitionSelectionRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		k := 1 + r.IntN(40)
		z := make([]float32, k)
		for i := range z {
			z[i] = float32(r.IntN(9)-4) / 4 // many ties and zeros
		}
		kk := 1 + r.IntN(k)
		c := newCompetition(k)
		h := make([]float32, k)
		c.forward(z, h, kk, 1)
		h64 := compete64(f64(z), kk, 1)
		for i := range h {
			if math.Abs(float64(h[i])-h64[i]) > 1e-5 {
				t.Fatalf("z=%v k=%d: h=%v, reference %v", z, kk, h, h64)
			}
		}
	}
}

func f64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// The winner and loser lists of both signs equal those of a sort-based
// reference, in ascending unit order (the order the losers' energies are
// summed in), on random activations with ties, zeros of both signs, NaN,
// infinities and subnormals, and quotas from 0 to more than the candidates.
func TestCompetitionListsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ref := func(z []float32, quota int, sign float32) (win, lose []int32) {
		var cand []int32
		for j, v := range z {
			if sign*v > 0 {
				cand = append(cand, int32(j))
			}
		}
		top := slices.Clone(cand)
		slices.SortStableFunc(top, func(a, b int32) int {
			ka, kb := sign*z[a], sign*z[b]
			switch {
			case ka > kb:
				return -1
			case ka < kb:
				return 1
			}
			return int(a) - int(b)
		})
		isWin := map[int32]bool{}
		for _, j := range top[:min(quota, len(top))] {
			isWin[j] = true
		}
		for _, j := range cand {
			if isWin[j] {
				win = append(win, j)
			} else {
				lose = append(lose, j)
			}
		}
		return win, lose
	}
	negZero := float32(math.Copysign(0, -1))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for trial := 0; trial < 3000; trial++ {
		k := 1 + r.IntN(70)
		if trial%3 == 0 {
			k = 128 // the default model's K
		}
		z := make([]float32, k)
		for i := range z {
			switch r.IntN(12) {
			case 0, 1:
				z[i] = negZero
			case 2, 3:
				z[i] = float32(r.IntN(5)-2) / 2
			case 4:
				// NaN is of neither sign; infinities rank first.
				z[i] = []float32{nan, inf, -inf, math.SmallestNonzeroFloat32, -math.MaxFloat32}[r.IntN(5)]
			default:
				z[i] = float32(r.NormFloat64())
			}
		}
		kk := r.IntN(k + 3)
		c := newCompetition(k)
		c.forward(z, make([]float32, k), kk, 1)
		for _, side := range []struct {
			win, lose []int32
			quota     int
			sign      float32
		}{{c.posW, c.posL, (kk + 1) / 2, 1}, {c.negW, c.negL, kk / 2, -1}} {
			w, l := ref(z, side.quota, side.sign)
			if !slices.Equal(side.win, w) || !slices.Equal(side.lose, l) {
				t.Fatalf("z=%v k=%d sign %v: winners %v losers %v, want %v %v", z, kk, side.sign, side.win, side.lose, w, l)
			}
		}
	}
}

// BenchmarkCompetition times the k-competitive layer's forward and backward
// pass at the default model's K = 128 and k = 32, on tanh activations of
// normal pre-activations (a new vector for each of 64 documents, in turn).
func BenchmarkCompetition(b *testing.B) {
	const k, docs = 128, 64
	r := rand.New(rand.NewPCG(5, 6))
	zs := make([][]float32, docs)
	for d := range zs {
		zs[d] = make([]float32, k)
		for i := range zs[d] {
			zs[d][i] = float32(math.Tanh(r.NormFloat64()))
		}
	}
	c := newCompetition(k)
	h, g, dz := make([]float32, k), make([]float32, k), make([]float32, k)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.forward(zs[i%docs], h, 32, 1)
		c.backward(g, dz, 1, GradFull)
	}
}
