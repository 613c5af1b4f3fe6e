//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"

	"github.com/kate-web/kate/internal/mathf"
)

// tanhTab holds mathf.Tanh's constants in 8 lanes: its polynomial, the
// edges of its cases, 2 and the sign mask.
var tanhTab = func() (t [len(mathf.TanhPoly) + 3][8]float32) {
	for k := range t {
		var c float32
		switch {
		case k < len(mathf.TanhPoly):
			c = mathf.TanhPoly[k]
		case k == len(mathf.TanhPoly):
			c = mathf.TanhBig
		case k == len(mathf.TanhPoly)+1:
			c = mathf.TanhMidX
		default:
			c = 2
		}
		for l := range t[k] {
			t[k][l] = c
		}
	}
	return t
}()

func tc(k int) f8 { return archsimd.LoadFloat32x8(&tanhTab[k]) }

// tanh8 is mathf.Tanh on 8 lanes (docs/design.md §2): the three cases of
// the reference computed for every lane and selected, each with the
// reference's operations in its order (the exponential is exp8, which is
// mathf.Exp lane by lane), so every lane has the reference's bits. A NaN
// lane takes the polynomial case, as in the reference, and gives NaN.
func tanh8(x f8) f8 {
	np := len(mathf.TanhPoly)
	ax := x.AsUint32x8().And(archsimd.BroadcastUint32x8(0x7fffffff)).AsFloat32x8()
	zero := x.AsUint32x8().Xor(x.AsUint32x8()).AsFloat32x8()
	one := ec(eOne)
	neg := x.Less(zero)
	// |x| > TanhBig: ±1.
	big := neg8(one).Merge(one, neg)
	// |x| >= TanhMidX: 1 - 2/(e+1), e = exp(|x|+|x|), negated for x < 0.
	t := one.Sub(tc(np + 2).Div(exp8(ax.Add(ax)).Add(one)))
	t = neg8(t).Merge(t, neg)
	// Otherwise the polynomial in z = x².
	z := x.Mul(x)
	p := tc(0).Mul(z).Add(tc(1))
	for k := 2; k < np; k++ {
		p = p.Mul(z).Add(tc(k))
	}
	r := p.Mul(z).Mul(x).Add(x)
	r = t.Merge(r, ax.GreaterEqual(tc(np+1)))
	return big.Merge(r, ax.Greater(tc(np)))
}

// tanhAVX2 is Tanh: 8 lanes at a time, then the last len(a)%8 with a
// partial load. z may be a itself.
func tanhAVX2(a, z []float32) {
	n := len(a)
	z = z[:n]
	pa, pz := ptr(a), ptr(z)
	i := 0
	for ; i+8 <= n; i += 8 {
		stp(tanh8(ldp(pa, i)), pz, i)
	}
	if i < n {
		tanh8(archsimd.LoadFloat32x8SlicePart(a[i:])).StoreSlicePart(z[i:])
	}
	archsimd.ClearAVXUpperBits()
}
