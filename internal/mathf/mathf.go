// Package mathf holds the float32 elementary functions of the hot path
// (docs/design.md §6). They are written out here, rather than taken from
// package math, for two reasons: speed (float32, no special-case handling
// the model never needs), and reproducibility — math.Exp and math.Log have
// assembly versions on amd64 that may differ in the last bit from the
// pure-Go versions used under WebAssembly, while every operation below is a
// basic IEEE-754 operation, so a model trained natively and one trained in
// the browser get the same bits. The WebAssembly SIMD kernels (wasm/simd)
// build their exp from the constants exported here.
package mathf

import "math"

// Constants of Exp: the clamps of its argument and the split of ln 2 used
// to reduce it.
const (
	ExpHi   = 88.3762626647949
	ExpLo   = -87.3365447504019
	Log2e32 = 1.44269504088896341
	Ln2Hi32 = 0.693359375
	Ln2Lo32 = -2.12194440e-4
)

// The coefficients of Exp's polynomial, highest degree first.
const (
	expP0 = 1.9875691500e-4
	expP1 = 1.3981999507e-3
	expP2 = 8.3334519073e-3
	expP3 = 4.1665795894e-2
	expP4 = 1.6666665459e-1
	expP5 = 5.0000001201e-1
)

// ExpPoly holds the coefficients of Exp's polynomial, highest degree first.
var ExpPoly = [...]float32{expP0, expP1, expP2, expP3, expP4, expP5}

const (
	tanhBig  = 9.0
	tanhMidX = 0.625
)

// Exp returns e**x in float32, within about 2 ulp (Cephes expf).
// Arguments above 88.38 give the largest finite result's neighbourhood
// (clamped), arguments below -87.34 give 0.
func Exp(x float32) float32 {
	if x > ExpHi {
		x = ExpHi
	} else if x < ExpLo {
		return 0
	}
	// n = round(x / ln 2)
	t := x*Log2e32 + 0.5
	n := int32(t)
	if t < 0 && float32(n) != t {
		n-- // floor for negative values
	}
	fn := float32(n)
	r := x - fn*Ln2Hi32
	r = r - fn*Ln2Lo32
	z := r * r
	p := ((((expP0*r+expP1)*r+expP2)*r+expP3)*r+expP4)*r + expP5
	p = p*z + r + 1
	// Multiply by 2**n. The clamps above keep n in [-126, 127], so 2**n is
	// a normal float32 built from its exponent bits.
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// Tanh returns the hyperbolic tangent of x in float32 (Cephes tanhf).
func Tanh(x float32) float32 {
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
		e := Exp(ax + ax)
		t := 1 - 2/(e+1)
		if x < 0 {
			return -t
		}
		return t
	}
	z := x * x
	return ((((-5.70498872745e-3*z+2.06390887954e-2)*z-5.37397155531e-2)*z+1.33314422036e-1)*z-3.33332819422e-1)*z*x + x
}

// Sigmoid returns 1/(1+e**-x) in float32.
func Sigmoid(x float32) float32 {
	return 1 / (1 + Exp(-x))
}

// Softplus64 returns log(1+e**y) computed stably as max(y,0)+log1p(e**-|y|).
// It is used for the reported loss only; math.Log1p is pure Go on every
// platform this project targets, so the result is reproducible.
func Softplus64(y float32) float64 {
	ay := y
	if ay < 0 {
		ay = -ay
	}
	m := float64(y)
	if m < 0 {
		m = 0
	}
	return m + math.Log1p(float64(Exp(-ay)))
}
