package simd

import (
	"math"

	"github.com/kate-web/kate/internal/mathf"
)

// softplusVecs is the number of vectors of four that softplus interleaves:
// 4 took 3.8 ns per output in Node where 2 took 5.2 (V8 keeps more of the
// four independent chains in flight; docs/speed.md, seventh session); it
// has a module of its own (loss.wasm) for the bytes that takes.
const softplusVecs = 4

// softplus(y, p, n): p[i] = mathf.Softplus(y[i]) for i < n&^(4*softplusVecs-1)
// (the caller does the rest): its steps (max(y,0) + Log1p(Exp(-|y|))), lane
// by lane, each step done for softplusVecs vectors in turn (as
// sigmoidDelta's expfN: one vector's steps are a long chain of dependent
// instructions).
func softplusFn() *fn {
	f := newFn("softplus", tI32, tI32, tI32)
	const y, p, n = 0, 1, 2
	type vecLocals struct {
		x, m, e, u, xx, k, z uint32
		t                    [3]uint32
	}
	vs := make([]vecLocals, softplusVecs)
	for v := range vs {
		vs[v] = vecLocals{x: f.local(tV128), m: f.local(tV128), e: f.local(tV128), u: f.local(tV128),
			xx: f.local(tV128), k: f.local(tV128), z: f.local(tV128),
			t: [3]uint32{f.local(tV128), f.local(tV128), f.local(tV128)}}
	}
	ec := f.newExpConsts()
	set := f.constLocal
	var lp [len(mathf.LogPoly)]uint32
	for i, c := range mathf.LogPoly {
		lp[i] = set(c)
	}
	sq2 := set(mathf.Sqrt2)
	each := func(step func(L vecLocals)) {
		for _, L := range vs {
			step(L)
		}
	}
	end := f.local(tI32)
	f.endPtr(end, y, n, -4*softplusVecs)
	f.while(y, end, func() {
		for v, L := range vs {
			f.get(y)
			f.vload(uint32(16 * v))
			f.set(L.x)
		}
		each(func(L vecLocals) {
			// m = max(y, 0): pmax, y < 0 ? 0 : y, the reference's
			// comparison (one instruction where max's NaN and signed-zero
			// rules take several)
			f.get(L.x)
			f.get(ec.zero)
			f.simd(f32x4Pmax)
			f.set(L.m)
			// z = -|y|
			f.get(L.x)
			f.simd(f32x4Abs)
			f.simd(f32x4Neg)
			f.set(L.z)
		})
		// e = expf(-|y|), in t[0]
		zs := make([]uint32, len(vs))
		ts := make([][3]uint32, len(vs))
		for v, L := range vs {
			zs[v], ts[v] = L.z, L.t
		}
		f.expfN(ec, zs, ts)
		each(func(L vecLocals) {
			f.get(L.t[0])
			f.set(L.e)
			// u = 1 + e
			f.get(ec.one)
			f.get(L.e)
			f.simd(f32x4Add)
			f.set(L.u)
		})
		each(func(L vecLocals) {
			// u > sqrt2: x = u*0.5 - 1, k = 1; else x = u - 1, k = 0
			f.get(L.u)
			f.get(ec.half)
			f.simd(f32x4Mul)
			f.get(ec.one)
			f.simd(f32x4Sub)
			f.get(L.u)
			f.get(ec.one)
			f.simd(f32x4Sub)
			f.get(L.u)
			f.get(sq2)
			f.simd(f32x4Gt)
			f.tee(L.k)
			f.simd(v128Bitselect)
			f.set(L.xx)
			f.get(ec.one)
			f.get(ec.zero)
			f.get(L.k)
			f.simd(v128Bitselect)
			f.set(L.k)
			// z = x*x
			f.get(L.xx)
			f.get(L.xx)
			f.simd(f32x4Mul)
			f.set(L.z)
		})
		// yy = ((((poly*x)...)*x + c8) * x) * z, in t[0]
		each(func(L vecLocals) {
			f.get(lp[0])
			f.set(L.t[0])
		})
		for i := 1; i < len(mathf.LogPoly); i++ {
			each(func(L vecLocals) {
				f.get(L.t[0])
				f.get(L.xx)
				f.simd(f32x4Mul)
				f.get(lp[i])
				f.simd(f32x4Add)
				f.set(L.t[0])
			})
		}
		each(func(L vecLocals) {
			f.get(L.t[0])
			f.get(L.xx)
			f.simd(f32x4Mul)
			f.get(L.z)
			f.simd(f32x4Mul)
			// yy += ln2lo*k; yy -= 0.5*z
			f.get(ec.ln2lo)
			f.get(L.k)
			f.simd(f32x4Mul)
			f.simd(f32x4Add)
			f.get(ec.half)
			f.get(L.z)
			f.simd(f32x4Mul)
			f.simd(f32x4Sub)
			f.set(L.t[0])
		})
		for v, L := range vs {
			f.get(p)
			// max(y,0), for the final addition
			f.get(L.m)
			// the result for u == 1 (e itself), first operand of the bitselect
			f.get(L.e)
			// l = (x + yy) + ln2hi*k
			f.get(L.xx)
			f.get(L.t[0])
			f.simd(f32x4Add)
			f.get(ec.ln2hi)
			f.get(L.k)
			f.simd(f32x4Mul)
			f.simd(f32x4Add)
			// l * (e / (u - 1))
			f.get(L.e)
			f.get(L.u)
			f.get(ec.one)
			f.simd(f32x4Sub)
			f.simd(f32x4Div)
			f.simd(f32x4Mul)
			// lanes with u == 1 take e
			f.get(L.u)
			f.get(ec.one)
			f.simd(f32x4Eq)
			f.simd(v128Bitselect)
			// max(y,0) + log1p(e)
			f.simd(f32x4Add)
			f.vstore(uint32(16 * v))
		}
		f.addTo(y, 16*softplusVecs)
		f.addTo(p, 16*softplusVecs)
	})
	return f
}

// tanhVecs is the number of vectors of four that tanh interleaves (as
// sigmoidDelta: one vector's expf is a long chain of dependent
// instructions).
const tanhVecs = 4

// tanhFn emits tanh(a, z, n): z[i] = mathf.Tanh(a[i]) for i <
// n&^(4*tanhVecs-1) (the caller does the rest), the encoder's activation:
// each lane computes all three of mathf.Tanh's cases and keeps the one its
// argument selects (|x| > TanhBig: ±1; |x| >= TanhMidX: 1 − 2/(expf(2|x|)+1)
// with x's sign; else the polynomial ((p·z)·x) + x, z = x²), each with the
// reference's operations in its order, so the same bits.
func tanhFn() *fn {
	f := newFn("tanh", tI32, tI32, tI32)
	const a, z, n = 0, 1, 2
	type vecLocals struct {
		x, u, sgn uint32
		t         [3]uint32
	}
	vs := make([]vecLocals, tanhVecs)
	for v := range vs {
		vs[v] = vecLocals{x: f.local(tV128), u: f.local(tV128), sgn: f.local(tV128),
			t: [3]uint32{f.local(tV128), f.local(tV128), f.local(tV128)}}
	}
	ec := f.newExpConsts()
	set := f.constLocal
	var tp [len(mathf.TanhPoly)]uint32
	for i, c := range mathf.TanhPoly {
		tp[i] = set(c)
	}
	signBit := set(float32(math.Copysign(0, -1)))
	two, big, mid := set(2), set(mathf.TanhBig), set(mathf.TanhMidX)
	each := func(step func(L vecLocals)) {
		for _, L := range vs {
			step(L)
		}
	}
	end := f.local(tI32)
	f.endPtr(end, a, n, -4*tanhVecs)
	f.while(a, end, func() {
		for v, L := range vs {
			f.get(a)
			f.vload(uint32(16 * v))
			f.tee(L.x)
			// sgn = x's sign bit; u = |x| + |x|
			f.get(signBit)
			f.simd(v128And)
			f.set(L.sgn)
			f.get(L.x)
			f.simd(f32x4Abs)
			f.get(L.x)
			f.simd(f32x4Abs)
			f.simd(f32x4Add)
			f.set(L.u)
		}
		us := make([]uint32, len(vs))
		ts := make([][3]uint32, len(vs))
		for v, L := range vs {
			us[v], ts[v] = L.u, L.t
		}
		f.expfN(ec, us, ts)
		// t[1] = (1 - 2/(e+1)) with x's sign
		each(func(L vecLocals) {
			f.get(ec.one)
			f.get(two)
			f.get(L.t[0])
			f.get(ec.one)
			f.simd(f32x4Add)
			f.simd(f32x4Div)
			f.simd(f32x4Sub)
			f.get(L.sgn)
			f.simd(v128Xor)
			f.set(L.t[1])
		})
		// the polynomial in z = x*x (t[2]), in t[0]
		each(func(L vecLocals) {
			f.get(L.x)
			f.get(L.x)
			f.simd(f32x4Mul)
			f.set(L.t[2])
			f.get(tp[0])
			f.set(L.t[0])
		})
		for i := 1; i < len(mathf.TanhPoly); i++ {
			each(func(L vecLocals) {
				f.get(L.t[0])
				f.get(L.t[2])
				f.simd(f32x4Mul)
				f.get(tp[i])
				f.simd(f32x4Add)
				f.set(L.t[0])
			})
		}
		for v, L := range vs {
			f.get(z)
			// ±1 where |x| > TanhBig
			f.get(ec.one)
			f.get(L.sgn)
			f.simd(v128Xor)
			// the exp form where |x| >= TanhMidX
			f.get(L.t[1])
			// ((p*z)*x) + x
			f.get(L.t[0])
			f.get(L.t[2])
			f.simd(f32x4Mul)
			f.get(L.x)
			f.simd(f32x4Mul)
			f.get(L.x)
			f.simd(f32x4Add)
			f.get(L.x)
			f.simd(f32x4Abs)
			f.get(mid)
			f.simd(f32x4Ge)
			f.simd(v128Bitselect)
			f.get(L.x)
			f.simd(f32x4Abs)
			f.get(big)
			f.simd(f32x4Gt)
			f.simd(v128Bitselect)
			f.vstore(uint32(16 * v))
		}
		f.addTo(a, 16*tanhVecs)
		f.addTo(z, 16*tanhVecs)
	})
	return f
}
