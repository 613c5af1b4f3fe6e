package mathf

import (
	"math"
	"testing"
)

func TestExpf(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x <= 88; x += 0.00731 {
		got := float64(Exp(x))
		want := math.Exp(float64(x))
		rel := math.Abs(got-want) / want
		worst = math.Max(worst, rel)
	}
	if worst > 3e-7 {
		t.Errorf("expf worst relative error %g", worst)
	}
	if Exp(-200) != 0 || math.IsInf(float64(Exp(200)), 0) || Exp(200) < 1e38 {
		t.Errorf("expf clamps: %v %v", Exp(-200), Exp(200))
	}
	if Exp(0) != 1 {
		t.Errorf("Exp(0) = %v", Exp(0))
	}
}

func TestTanhfSigmoidf(t *testing.T) {
	worst := 0.0
	for x := float32(-12); x <= 12; x += 0.001237 {
		got := float64(Tanh(x))
		want := math.Tanh(float64(x))
		worst = math.Max(worst, math.Abs(got-want))
		if s, w := float64(Sigmoid(x)), 1/(1+math.Exp(-float64(x))); math.Abs(s-w) > 2e-7 {
			t.Fatalf("Sigmoid(%v) = %v, want %v", x, s, w)
		}
	}
	if worst > 2e-7 {
		t.Errorf("tanhf worst absolute error %g", worst)
	}
	if Tanh(0) != 0 || Tanh(1e-3) <= 0 || Tanh(-1e-3) >= 0 {
		t.Error("tanhf sign near 0")
	}
}

func TestSoftplus(t *testing.T) {
	for _, y := range []float32{-100, -10, -1, 0, 0.5, 3, 40, 100} {
		want := math.Log1p(math.Exp(float64(y)))
		if y > 30 {
			want = float64(y)
		}
		if got := Softplus64(y); math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Errorf("softplus(%v) = %v, want %v", y, got, want)
		}
	}
}
