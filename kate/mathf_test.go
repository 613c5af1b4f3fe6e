package kate

import (
	"math"
	"testing"
)

func TestExpf(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x <= 88; x += 0.00731 {
		got := float64(expf(x))
		want := math.Exp(float64(x))
		rel := math.Abs(got-want) / want
		worst = math.Max(worst, rel)
	}
	if worst > 3e-7 {
		t.Errorf("expf worst relative error %g", worst)
	}
	if expf(-200) != 0 || math.IsInf(float64(expf(200)), 0) || expf(200) < 1e38 {
		t.Errorf("expf clamps: %v %v", expf(-200), expf(200))
	}
	if expf(0) != 1 {
		t.Errorf("expf(0) = %v", expf(0))
	}
}

func TestTanhfSigmoidf(t *testing.T) {
	worst := 0.0
	for x := float32(-12); x <= 12; x += 0.001237 {
		got := float64(tanhf(x))
		want := math.Tanh(float64(x))
		worst = math.Max(worst, math.Abs(got-want))
		if s, w := float64(sigmoidf(x)), 1/(1+math.Exp(-float64(x))); math.Abs(s-w) > 2e-7 {
			t.Fatalf("sigmoidf(%v) = %v, want %v", x, s, w)
		}
	}
	if worst > 2e-7 {
		t.Errorf("tanhf worst absolute error %g", worst)
	}
	if tanhf(0) != 0 || tanhf(1e-3) <= 0 || tanhf(-1e-3) >= 0 {
		t.Error("tanhf sign near 0")
	}
}

func TestSoftplus(t *testing.T) {
	for _, y := range []float32{-100, -10, -1, 0, 0.5, 3, 40, 100} {
		want := math.Log1p(math.Exp(float64(y)))
		if y > 30 {
			want = float64(y)
		}
		if got := softplus64(y); math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Errorf("softplus(%v) = %v, want %v", y, got, want)
		}
	}
}

func TestKernelsLaneOrder(t *testing.T) {
	// GradRows' dot product uses the canonical 4-lane order.
	d := []float32{1e8, 1, -1e8, 1, 1, 1}
	w := []float32{1, 1, 1, 1, 1, 1}
	g := make([]float32, 1)
	gw := make([]float32, 6)
	gradRowsGo(d, w, gw, 6, []int32{0}, []float32{2}, g)
	// lanes s0..s3 = d[0..3]; (s0+s1)+(s2+s3) rounds 1e8+1 to 1e8 and
	// -1e8+1 to -1e8, giving 0; then the tail adds 1 and 1. A sequential sum
	// would give 1e8+1-1e8+... = 3 in exact arithmetic, 2 or 3 in float32.
	var s0, s1, s2, s3 float32 = 1e8, 1, -1e8, 1
	want := ((s0 + s1) + (s2 + s3)) + 1 + 1
	if g[0] != want {
		t.Errorf("dot = %v, want %v", g[0], want)
	}
	for i := range gw {
		if gw[i] != 2*d[i] {
			t.Errorf("gw[%d] = %v", i, gw[i])
		}
	}
	y := make([]float32, 6)
	decodeRowsGo(y, w, d, 6, []int32{0}, []float32{0.5})
	for i := range y {
		if y[i] != w[i]+0.5*d[i] {
			t.Errorf("decode y[%d] = %v", i, y[i])
		}
	}
}
