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

// Log1p is within 2 ulp of float64 log1p over [0, 1], and Softplus within
// 3e-7 (relative, or absolute below 1) of log(1+e**y) everywhere.
func TestSoftplus(t *testing.T) {
	worst := 0.0
	for n := 0; n <= 1<<20; n++ {
		e := float32(n) / (1 << 20)
		if n < 1<<10 {
			e = float32(math.Ldexp(1+float64(float64(n)/1024), -(n%60)-1)) // tiny and mid values
		}
		want := math.Log1p(float64(e))
		got := float64(Log1p(e))
		if want == 0 {
			if got != 0 {
				t.Fatalf("Log1p(%v) = %v, want 0", e, got)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 2.4e-7 {
		t.Errorf("Log1p: worst relative error %.3g, want <= 2.4e-7 (2 ulp)", worst)
	}
	for y := float32(-100); y < 100; y += 0.0137 {
		want := math.Max(float64(y), 0) + math.Log1p(math.Exp(-math.Abs(float64(y))))
		if got := float64(Softplus(y)); math.Abs(got-want) > 3e-7*math.Max(1, want) {
			t.Fatalf("Softplus(%v) = %v, want %v", y, got, want)
		}
	}
}

// Tanh with its named coefficients (TanhPoly, added as p*z + c) gives the
// bits of the literal expression it replaced, whose negative coefficients
// were subtracted, for float32 values across its polynomial range.
func TestTanhPolyConstants(t *testing.T) {
	lit := func(x float32) float32 {
		z := x * x
		// Each product converted, as in Tanh, so that no compiler fuses it.
		p := float32(-5.70498872745e-3*z) + 2.06390887954e-2
		p = float32(p*z) - 5.37397155531e-2
		p = float32(p*z) + 1.33314422036e-1
		p = float32(p*z) - 3.33332819422e-1
		return float32(p*z*x) + x
	}
	for b := uint32(0); b < 0x3f200000; b += 997 { // |x| < 0.625
		for _, x := range []float32{math.Float32frombits(b), -math.Float32frombits(b)} {
			if got, want := Tanh(x), lit(x); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("Tanh(%v) = %v, the literal expression %v", x, got, want)
			}
		}
	}
}
