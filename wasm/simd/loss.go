package simd

import "github.com/kate-web/kate/internal/mathf"

// mapVec emits the loop of an element-wise kernel from src to dst over the
// first n&^3 floats: body takes four lanes in local x and leaves the four
// results on the stack. The caller does the last n%4 elements (in Go).
func (f *fn) mapVec(src, dst, n, x uint32, body func()) {
	end4 := f.local(tI32)
	f.endPtr(end4, src, n, ^3)
	f.while(src, end4, func() {
		f.get(src)
		f.vload(0)
		f.set(x)
		f.get(dst)
		body()
		f.vstore(0)
		f.addTo(src, 16)
		f.addTo(dst, 16)
	})
}

// softplus(y, p, n): p[i] = mathf.Softplus(y[i]) for i < n&^3: its steps
// (max(y,0) + Log1p(Exp(-|y|))), lane by lane.
func softplusFn() *fn {
	f := newFn("softplus", tI32, tI32, tI32)
	const y, p, n = 0, 1, 2
	x, e, u, xx, k, z := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	t := [3]uint32{f.local(tV128), f.local(tV128), f.local(tV128)}
	ec := f.newExpConsts()
	set := func(v float32) uint32 {
		l := f.local(tV128)
		f.f32x4Const(v)
		f.set(l)
		return l
	}
	var lp [len(mathf.LogPoly)]uint32
	for i, c := range mathf.LogPoly {
		lp[i] = set(c)
	}
	sq2 := set(mathf.Sqrt2)
	f.mapVec(y, p, n, x, func() {
		// max(y, 0), left on the stack for the final addition: pmax, y < 0 ?
		// 0 : y, the reference's comparison (one instruction where max's
		// NaN and signed-zero rules take several)
		f.get(x)
		f.get(ec.zero)
		f.simd(f32x4Pmax)
		// e = expf(-|y|)
		f.get(x)
		f.simd(f32x4Abs)
		f.simd(f32x4Neg)
		f.set(z)
		f.expf4(ec, z, t)
		f.set(e)
		// u = 1 + e
		f.get(ec.one)
		f.get(e)
		f.simd(f32x4Add)
		f.set(u)
		// u > sqrt2: x = u*0.5 - 1, k = 1; else x = u - 1, k = 0
		f.get(u)
		f.get(ec.half)
		f.simd(f32x4Mul)
		f.get(ec.one)
		f.simd(f32x4Sub)
		f.get(u)
		f.get(ec.one)
		f.simd(f32x4Sub)
		f.get(u)
		f.get(sq2)
		f.simd(f32x4Gt)
		f.tee(k)
		f.simd(v128Bitselect)
		f.set(xx)
		f.get(ec.one)
		f.get(ec.zero)
		f.get(k)
		f.simd(v128Bitselect)
		f.set(k)
		// z = x*x
		f.get(xx)
		f.get(xx)
		f.simd(f32x4Mul)
		f.set(z)
		// the result for u == 1 (e itself), first operand of the final bitselect
		f.get(e)
		// yy = ((((poly*x)...)*x + c8) * x) * z
		f.get(lp[0])
		for i := 1; i < len(mathf.LogPoly); i++ {
			f.get(xx)
			f.simd(f32x4Mul)
			f.get(lp[i])
			f.simd(f32x4Add)
		}
		f.get(xx)
		f.simd(f32x4Mul)
		f.get(z)
		f.simd(f32x4Mul)
		// yy += ln2lo*k; yy -= 0.5*z
		f.get(ec.ln2lo)
		f.get(k)
		f.simd(f32x4Mul)
		f.simd(f32x4Add)
		f.get(ec.half)
		f.get(z)
		f.simd(f32x4Mul)
		f.simd(f32x4Sub)
		// l = (x + yy) + ln2hi*k
		f.set(t[0])
		f.get(xx)
		f.get(t[0])
		f.simd(f32x4Add)
		f.get(ec.ln2hi)
		f.get(k)
		f.simd(f32x4Mul)
		f.simd(f32x4Add)
		// l * (e / (u - 1))
		f.get(e)
		f.get(u)
		f.get(ec.one)
		f.simd(f32x4Sub)
		f.simd(f32x4Div)
		f.simd(f32x4Mul)
		// lanes with u == 1 take e
		f.get(u)
		f.get(ec.one)
		f.simd(f32x4Eq)
		f.simd(v128Bitselect)
		// max(y,0) + log1p(e)
		f.simd(f32x4Add)
	})
	return f
}

// while emits a loop that runs body while local i < local end (unsigned).
