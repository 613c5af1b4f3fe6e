package eval

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRSquared(t *testing.T) {
	truth := []float64{1, 2, 3, 4}
	// mean 2.5, total sum of squares 5; residuals 0.5, 0, 0, -0.5 -> 0.5.
	if r := RSquared([]float64{0.5, 2, 3, 4.5}, truth); math.Abs(r-0.9) > 1e-12 {
		t.Errorf("R² = %v, want 0.9", r)
	}
	if r := RSquared([]float64{2.5, 2.5, 2.5, 2.5}, truth); r != 0 {
		t.Errorf("mean prediction: R² = %v, want 0", r)
	}
	if r := RSquared(truth, truth); r != 1 {
		t.Errorf("perfect: R² = %v, want 1", r)
	}
	if !math.IsNaN(RSquared([]float64{1}, []float64{1})) || !math.IsNaN(RSquared(nil, nil)) || !math.IsNaN(RSquared([]float64{1}, []float64{1, 2})) {
		t.Error("constant, empty or mismatched input should give NaN")
	}
}

func TestFitRidge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, dim = 400, 5
	w := []float64{2, -1, 0, 0.5, 3}
	x := make([]float32, n*dim)
	y := make([]float64, n)
	for i := range n {
		s := 7.0
		for j := range dim {
			v := float64(rng.NormFloat64()*float64(j+1)) + float64(j)
			x[i*dim+j] = float32(v)
			s += float64(w[j] * v)
		}
		y[i] = s + float64(0.1*rng.NormFloat64())
	}
	r, err := FitRidge(x[:300*dim], dim, y[:300], nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := r.Predict(x[300*dim:])
	if err != nil {
		t.Fatal(err)
	}
	if r2 := RSquared(pred, y[300:]); r2 < 0.999 {
		t.Errorf("R² %v on a linear target with small noise, want >= 0.999 (lambda %v)", r2, r.Lambda)
	}
	if r.Lambda > 0.01 {
		t.Errorf("chose lambda %v on nearly noise-free data, want a small one", r.Lambda)
	}
	// Pure-noise target: held-out R² near or below 0, and a strong penalty.
	noise := make([]float64, n)
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	r, err = FitRidge(x[:300*dim], dim, noise[:300], nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	pred, _ = r.Predict(x[300*dim:])
	if r2 := RSquared(pred, noise[300:]); r2 > 0.05 {
		t.Errorf("R² %v on noise, want <= 0.05", r2)
	}
	for _, c := range []struct {
		name string
		x    []float32
		y    []float64
		l    []float64
	}{
		{"shape", x[:10], y[:3], nil},
		{"too few rows", x[:5*dim], y[:5], nil},
		{"nan target", x[:20*dim], append([]float64{math.NaN()}, y[1:20]...), nil},
		{"negative lambda", x[:20*dim], y[:20], []float64{-1}},
	} {
		if _, err := FitRidge(c.x, dim, c.y, c.l, 1); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := r.Predict(x[:7]); err == nil {
		t.Error("Predict of a ragged matrix: no error")
	}
}
