// Package mathf holds the float32 elementary functions of the hot path
// (docs/design.md §6). They are written out here, rather than taken from
// package math, for two reasons: speed (float32, no special-case handling
// the model never needs), and reproducibility — math.Exp and math.Log have
// assembly versions on amd64 that may differ in the last bit from the
// pure-Go versions used under WebAssembly, while every operation below is a
// basic IEEE-754 operation, so a model trained natively and one trained in
// the browser get the same bits. The WebAssembly SIMD kernels (wasm/simd)
// build their exp from the constants exported here.
//
// Every product that is added or subtracted is converted explicitly,
// float32(p*z) + c: the Go spec lets a compiler fuse x*y + z into one
// multiply-add that rounds once (arm64 always, amd64 with GOAMD64=v3), and
// an explicit conversion forbids it, so every platform rounds the product
// as the browser does (docs/design.md §6; scripts/check-nofma.sh checks it).
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

// Constants of Tanh: above TanhBig in magnitude it is ±1; from TanhMidX
// it is computed from Exp, below it from the odd polynomial TanhPoly.
const (
	TanhBig  = 9.0
	TanhMidX = 0.625
)

// The coefficients of Tanh's polynomial in x², highest degree first.
const (
	tanhP0 = -5.70498872745e-3
	tanhP1 = 2.06390887954e-2
	tanhP2 = -5.37397155531e-2
	tanhP3 = 1.33314422036e-1
	tanhP4 = -3.33332819422e-1
)

// TanhPoly holds the coefficients of Tanh's polynomial, highest degree
// first (its steps add them: p*z + c, which is the same operation as the
// subtraction of -c).
var TanhPoly = [...]float32{tanhP0, tanhP1, tanhP2, tanhP3, tanhP4}

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
	t := float32(x*Log2e32) + 0.5
	n := int32(t)
	if t < 0 && float32(n) != t {
		n-- // floor for negative values
	}
	fn := float32(n)
	r := x - float32(fn*Ln2Hi32)
	r = r - float32(fn*Ln2Lo32)
	z := r * r
	p := float32(expP0*r) + expP1
	p = float32(p*r) + expP2
	p = float32(p*r) + expP3
	p = float32(p*r) + expP4
	p = float32(p*r) + expP5
	p = float32(p*z) + r + 1
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
	if ax > TanhBig {
		if x > 0 {
			return 1
		}
		return -1
	}
	if ax >= TanhMidX {
		e := Exp(ax + ax)
		t := 1 - 2/(e+1)
		if x < 0 {
			return -t
		}
		return t
	}
	z := x * x
	p := float32(tanhP0*z) + tanhP1
	p = float32(p*z) + tanhP2
	p = float32(p*z) + tanhP3
	p = float32(p*z) + tanhP4
	return float32(p*z*x) + x
}

// Sigmoid returns 1/(1+e**-x) in float32.
func Sigmoid(x float32) float32 {
	return 1 / (1 + Exp(-x))
}

// Softplus returns log(1+e**y) = max(y,0) + log1p(e**-|y|) in float32,
// within about 3 ulp. It gives the reported loss; the SIMD kernel of
// wasm/simd repeats the same steps lane by lane.
func Softplus(y float32) float32 {
	ay := y
	if ay < 0 {
		ay = -ay
	}
	m := y
	if m < 0 {
		m = 0
	}
	return m + Log1p(Exp(-ay))
}

// Sqrt2 is √2 as Log1p compares it.
const Sqrt2 = 1.41421356237309504880

// The coefficients of Log1p's polynomial (Cephes logf), highest degree first.
const (
	logP0 = 7.0376836292e-2
	logP1 = -1.1514610310e-1
	logP2 = 1.1676998740e-1
	logP3 = -1.2420140846e-1
	logP4 = 1.4249322787e-1
	logP5 = -1.6668057665e-1
	logP6 = 2.0000714765e-1
	logP7 = -2.4999993993e-1
	logP8 = 3.3333331174e-1
)

// LogPoly holds the coefficients of Log1p's polynomial, highest degree first.
var LogPoly = [...]float32{logP0, logP1, logP2, logP3, logP4, logP5, logP6, logP7, logP8}

// Log1p returns log(1+e) in float32 for e in [0, 1] (the range Softplus
// needs), within about 2 ulp: Cephes logf of u = 1+e (u in [1, 2], so no
// exponent extraction is needed), times e/(u-1), which restores the bits
// of e that rounding u lost.
func Log1p(e float32) float32 {
	u := 1 + e
	if u == 1 {
		return e
	}
	x := u - 1
	var k float32
	if u > Sqrt2 {
		x = float32(u*0.5) - 1
		k = 1
	}
	z := x * x
	p := float32(logP0*x) + logP1
	p = float32(p*x) + logP2
	p = float32(p*x) + logP3
	p = float32(p*x) + logP4
	p = float32(p*x) + logP5
	p = float32(p*x) + logP6
	p = float32(p*x) + logP7
	p = float32(p*x) + logP8
	y := float32(p * x * z)
	y += float32(Ln2Lo32 * k)
	y -= float32(0.5 * z)
	l := x + y + float32(Ln2Hi32*k)
	return l * (e / (u - 1))
}
