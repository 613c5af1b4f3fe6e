package kate

import "math"

// This file holds the float32 elementary functions used on the hot path.
// They are written out here, rather than taken from package math, for two
// reasons: speed (float32, no special-case handling the model never needs),
// and reproducibility — math.Exp and math.Log have assembly versions on
// amd64 that may differ in the last bit from the pure-Go versions used under
// WebAssembly, while every operation below is a basic IEEE-754 operation, so
// a model trained natively and one trained in the browser get the same bits.

const (
	expHi    = 88.3762626647949
	expLo    = -87.3365447504019
	log2e32  = 1.44269504088896341
	ln2Hi32  = 0.693359375
	ln2Lo32  = -2.12194440e-4
	tanhBig  = 9.0
	tanhMidX = 0.625
)

// expf returns e**x in float32, within about 2 ulp (Cephes expf).
// Arguments above 88.38 give the largest finite result's neighbourhood
// (clamped), arguments below -87.34 give 0.
func expf(x float32) float32 {
	if x > expHi {
		x = expHi
	} else if x < expLo {
		return 0
	}
	// n = round(x / ln 2)
	t := x*log2e32 + 0.5
	n := int32(t)
	if t < 0 && float32(n) != t {
		n-- // floor for negative values
	}
	fn := float32(n)
	r := x - fn*ln2Hi32
	r = r - fn*ln2Lo32
	z := r * r
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	p = p*z + r + 1
	// Multiply by 2**n. The clamps above keep n in [-126, 127], so 2**n is
	// a normal float32 built from its exponent bits.
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// tanhf returns the hyperbolic tangent of x in float32 (Cephes tanhf).
func tanhf(x float32) float32 {
	ax := x
	if ax < 0 {
		ax = -ax
	}
	if ax > tanhBig {
		if x > 0 {
			return 1
		}
		return -1
	}
	if ax >= tanhMidX {
		e := expf(ax + ax)
		t := 1 - 2/(e+1)
		if x < 0 {
			return -t
		}
		return t
	}
	z := x * x
	return ((((-5.70498872745e-3*z+2.06390887954e-2)*z-5.37397155531e-2)*z+1.33314422036e-1)*z-3.33332819422e-1)*z*x + x
}

// sigmoidf returns 1/(1+e**-x) in float32.
func sigmoidf(x float32) float32 {
	return 1 / (1 + expf(-x))
}

// softplus64 returns log(1+e**y) computed stably as max(y,0)+log1p(e**-|y|).
// It is used for the reported loss only; math.Log1p is pure Go on every
// platform this project targets, so the result is reproducible.
func softplus64(y float32) float64 {
	ay := y
	if ay < 0 {
		ay = -ay
	}
	m := float64(y)
	if m < 0 {
		m = 0
	}
	return m + math.Log1p(float64(expf(-ay)))
}
