//go:build goexperiment.simd && amd64

package kernels

import (
	"os"
	"simd/archsimd"

	"github.com/kate-web/kate/internal/mathf"
)

// The native SIMD kernels (docs/design.md §2): AVX2, 8 lanes, written with
// simd/archsimd (GOEXPERIMENT=simd). They give the same bits as the pure-Go
// kernels: element-wise work has no ordering question; a dot product
// multiplies 8 elements at once and adds the low half (elements i..i+3) and
// then the high half (i+4..i+7) to a 4-lane accumulator, which is the
// canonical 4-lane order of the package doc; no fused multiply-add
// anywhere (MulAdd is never used). Each kernel ends with VZEROUPPER
// (ClearAVXUpperBits) so that the scalar SSE code after it pays no
// transition penalty.

func init() {
	if s, ok := Native(); ok && os.Getenv(KernelsEnv) != "go" {
		Use(s)
	}
}

// Native returns the native SIMD kernel set and true when this build has
// one (GOEXPERIMENT=simd on amd64) and the CPU has the instructions it
// needs (AVX2); otherwise an empty Set and false. Kernels it does not
// accelerate are the pure-Go ones. The set is installed at
// start-up unless the environment variable KATE_KERNELS is "go".
func Native() (Set, bool) {
	if !archsimd.X86.AVX2() {
		return Set{}, false
	}
	return complete(Set{Name: "avx2", Axpy: axpyAVX2, DecodeRows: decodeRowsAVX2, SigmoidDelta: sigmoidDeltaAVX2,
		GradRows: gradRowsAVX2, Softplus: softplusAVX2, AdadeltaSum: adadeltaSumAVX2,
		AxpyRows: axpyRowsAVX2, ScatterAxpy: scatterAxpyAVX2}), true
}

type f8 = archsimd.Float32x8
type f4 = archsimd.Float32x4

func ld8(s []float32) f8     { return archsimd.LoadFloat32x8((*[8]float32)(s)) }
func st8(v f8, s []float32)  { v.Store((*[8]float32)(s)) }
func ld4(s []float32) f4     { return archsimd.LoadFloat32x4((*[4]float32)(s)) }
func bc8(a float32) f8       { return archsimd.BroadcastFloat32x8(a) }
func neg8(x, sign f8) f8     { return x.AsUint32x8().Xor(sign.AsUint32x8()).AsFloat32x8() }
func signMask8() f8          { return archsimd.BroadcastUint32x8(0x80000000).AsFloat32x8() }
func hsum4(s f4) (r float32) { var a [4]float32; s.Store(&a); return (a[0] + a[1]) + (a[2] + a[3]) }

func axpyAVX2(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	av := bc8(a)
	i := 0
	for ; i+16 <= n; i += 16 {
		y0 := ld8(y[i:]).Add(av.Mul(ld8(x[i:])))
		y1 := ld8(y[i+8:]).Add(av.Mul(ld8(x[i+8:])))
		st8(y0, y[i:])
		st8(y1, y[i+8:])
	}
	if i+8 <= n {
		st8(ld8(y[i:]).Add(av.Mul(ld8(x[i:]))), y[i:])
		i += 8
	}
	if i < n {
		xs, ys := x[i:n], y[i:n]
		archsimd.LoadFloat32x8SlicePart(ys).Add(av.Mul(archsimd.LoadFloat32x8SlicePart(xs))).StoreSlicePart(ys)
	}
	archsimd.ClearAVXUpperBits()
}

// decodeRowsAVX2 keeps 64 outputs in registers while it adds every row's
// contribution to them, in the order of rows: each y[i] receives the same
// additions in the same order as in the reference.
func decodeRowsAVX2(y, c, wt []float32, v int, rows []int32, h []float32) {
	y, c = y[:v], c[:v]
	for _, j := range rows {
		_ = h[j]
		_ = wt[int(j)*v : (int(j)+1)*v]
	}
	i := 0
	for ; i+64 <= v; i += 64 {
		a0, a1, a2, a3 := ld8(c[i:]), ld8(c[i+8:]), ld8(c[i+16:]), ld8(c[i+24:])
		a4, a5, a6, a7 := ld8(c[i+32:]), ld8(c[i+40:]), ld8(c[i+48:]), ld8(c[i+56:])
		for _, j := range rows {
			hj := bc8(h[j])
			w := wt[int(j)*v+i : int(j)*v+i+64]
			a0 = a0.Add(hj.Mul(ld8(w[0:])))
			a1 = a1.Add(hj.Mul(ld8(w[8:])))
			a2 = a2.Add(hj.Mul(ld8(w[16:])))
			a3 = a3.Add(hj.Mul(ld8(w[24:])))
			a4 = a4.Add(hj.Mul(ld8(w[32:])))
			a5 = a5.Add(hj.Mul(ld8(w[40:])))
			a6 = a6.Add(hj.Mul(ld8(w[48:])))
			a7 = a7.Add(hj.Mul(ld8(w[56:])))
		}
		ys := y[i : i+64]
		st8(a0, ys[0:])
		st8(a1, ys[8:])
		st8(a2, ys[16:])
		st8(a3, ys[24:])
		st8(a4, ys[32:])
		st8(a5, ys[40:])
		st8(a6, ys[48:])
		st8(a7, ys[56:])
	}
	for ; i+8 <= v; i += 8 {
		a := ld8(c[i:])
		for _, j := range rows {
			a = a.Add(bc8(h[j]).Mul(ld8(wt[int(j)*v+i:])))
		}
		st8(a, y[i:])
	}
	if i < v {
		a := archsimd.LoadFloat32x8SlicePart(c[i:])
		for _, j := range rows {
			a = a.Add(bc8(h[j]).Mul(archsimd.LoadFloat32x8SlicePart(wt[int(j)*v+i : (int(j)+1)*v])))
		}
		a.StoreSlicePart(y[i:])
	}
	archsimd.ClearAVXUpperBits()
}

// gradRowsAVX2 takes four rows at a time, sharing the loads of d; each
// row's dot product adds the low and then the high half of every 8
// products to its 4-lane accumulator.
func gradRowsAVX2(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	d = d[:v]
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		_, _, _, _ = g[j0], g[j1], g[j2], g[j3]
		w0, w1, w2, w3 := wt[j0*v:(j0+1)*v], wt[j1*v:(j1+1)*v], wt[j2*v:(j2+1)*v], wt[j3*v:(j3+1)*v]
		q0, q1, q2, q3 := gw[j0*v:(j0+1)*v], gw[j1*v:(j1+1)*v], gw[j2*v:(j2+1)*v], gw[j3*v:(j3+1)*v]
		h0, h1, h2, h3 := bc8(h[j0]), bc8(h[j1]), bc8(h[j2]), bc8(h[j3])
		var s0, s1, s2, s3 f4
		i := 0
		for ; i+8 <= v; i += 8 {
			dv := ld8(d[i:])
			p0 := dv.Mul(ld8(w0[i:]))
			p1 := dv.Mul(ld8(w1[i:]))
			p2 := dv.Mul(ld8(w2[i:]))
			p3 := dv.Mul(ld8(w3[i:]))
			st8(ld8(q0[i:]).Add(h0.Mul(dv)), q0[i:])
			st8(ld8(q1[i:]).Add(h1.Mul(dv)), q1[i:])
			st8(ld8(q2[i:]).Add(h2.Mul(dv)), q2[i:])
			st8(ld8(q3[i:]).Add(h3.Mul(dv)), q3[i:])
			s0 = s0.Add(p0.GetLo()).Add(p0.GetHi())
			s1 = s1.Add(p1.GetLo()).Add(p1.GetHi())
			s2 = s2.Add(p2.GetLo()).Add(p2.GetHi())
			s3 = s3.Add(p3.GetLo()).Add(p3.GetHi())
		}
		if i+4 <= v {
			dv := ld4(d[i:])
			s0 = s0.Add(dv.Mul(ld4(w0[i:])))
			s1 = s1.Add(dv.Mul(ld4(w1[i:])))
			s2 = s2.Add(dv.Mul(ld4(w2[i:])))
			s3 = s3.Add(dv.Mul(ld4(w3[i:])))
			st8q(q0[i:], ld4(q0[i:]).Add(h0.GetLo().Mul(dv)))
			st8q(q1[i:], ld4(q1[i:]).Add(h1.GetLo().Mul(dv)))
			st8q(q2[i:], ld4(q2[i:]).Add(h2.GetLo().Mul(dv)))
			st8q(q3[i:], ld4(q3[i:]).Add(h3.GetLo().Mul(dv)))
			i += 4
		}
		t0, t1, t2, t3 := hsum4(s0), hsum4(s1), hsum4(s2), hsum4(s3)
		if i < v {
			hh0, hh1, hh2, hh3 := h[j0], h[j1], h[j2], h[j3]
			for ; i < v; i++ {
				di := d[i]
				q0[i] += hh0 * di
				q1[i] += hh1 * di
				q2[i] += hh2 * di
				q3[i] += hh3 * di
				t0 += di * w0[i]
				t1 += di * w1[i]
				t2 += di * w2[i]
				t3 += di * w3[i]
			}
		}
		g[j0], g[j1], g[j2], g[j3] = t0, t1, t2, t3
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		_ = g[j]
		w, q := wt[j*v:(j+1)*v], gw[j*v:(j+1)*v]
		hj := bc8(h[j])
		var s f4
		i := 0
		for ; i+8 <= v; i += 8 {
			dv := ld8(d[i:])
			p := dv.Mul(ld8(w[i:]))
			st8(ld8(q[i:]).Add(hj.Mul(dv)), q[i:])
			s = s.Add(p.GetLo()).Add(p.GetHi())
		}
		if i+4 <= v {
			dv := ld4(d[i:])
			s = s.Add(dv.Mul(ld4(w[i:])))
			st8q(q[i:], ld4(q[i:]).Add(hj.GetLo().Mul(dv)))
			i += 4
		}
		t := hsum4(s)
		for ; i < v; i++ {
			q[i] += h[j] * d[i]
			t += d[i] * w[i]
		}
		g[j] = t
	}
	archsimd.ClearAVXUpperBits()
}

func st8q(s []float32, v f4) { v.Store((*[4]float32)(s)) }

// expConsts holds the broadcast constants of exp8.
type expConsts struct {
	hi, lo, log2e, half, ln2hi, ln2lo, one, zero, sign f8
	p0, p1, p2, p3, p4, p5                             f8
	bias                                               archsimd.Int32x8
}

func newExpConsts() expConsts {
	return expConsts{
		hi: bc8(mathf.ExpHi), lo: bc8(mathf.ExpLo), log2e: bc8(mathf.Log2e32), half: bc8(0.5),
		ln2hi: bc8(mathf.Ln2Hi32), ln2lo: bc8(mathf.Ln2Lo32), one: bc8(1), zero: bc8(0), sign: signMask8(),
		p0: bc8(mathf.ExpPoly[0]), p1: bc8(mathf.ExpPoly[1]), p2: bc8(mathf.ExpPoly[2]),
		p3: bc8(mathf.ExpPoly[3]), p4: bc8(mathf.ExpPoly[4]), p5: bc8(mathf.ExpPoly[5]),
		bias: archsimd.BroadcastInt32x8(127),
	}
}

// exp8 is mathf.Exp on 8 lanes, step by step: the clamp above, floor of
// x·log2e + 1/2 (the reference's truncation corrected for negative values
// is a floor on its whole range), the two-part reduction, the polynomial,
// the scaling by 2**n built from exponent bits, and 0 for the lanes under
// the range. A NaN lane gives NaN, as in the reference.
func exp8(x f8, e *expConsts) f8 {
	xc := e.hi.Merge(x, x.Greater(e.hi))
	fl := xc.Mul(e.log2e).Add(e.half).Floor()
	r := xc.Sub(fl.Mul(e.ln2hi))
	r = r.Sub(fl.Mul(e.ln2lo))
	z := r.Mul(r)
	p := e.p0.Mul(r).Add(e.p1)
	p = p.Mul(r).Add(e.p2)
	p = p.Mul(r).Add(e.p3)
	p = p.Mul(r).Add(e.p4)
	p = p.Mul(r).Add(e.p5)
	p = p.Mul(z).Add(r).Add(e.one)
	pow := fl.ConvertToInt32().Add(e.bias).ShiftAllLeft(23).AsFloat32x8()
	return e.zero.Merge(p.Mul(pow), x.Less(e.lo))
}

func sigmoidDeltaAVX2(y, p []float32, scale float32) {
	n := len(y)
	p = p[:n]
	e := newExpConsts()
	sc := bc8(scale)
	sig := func(x f8) f8 {
		return e.one.Div(e.one.Add(exp8(neg8(x, e.sign), &e))).Mul(sc)
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		st8(sig(ld8(y[i:])), p[i:])
	}
	if i < n {
		sig(archsimd.LoadFloat32x8SlicePart(y[i:])).StoreSlicePart(p[i:])
	}
	archsimd.ClearAVXUpperBits()
}

// softplusAVX2 is mathf.Softplus on 8 lanes: max(y, 0) + Log1p(Exp(-|y|)),
// every branch of the reference a select.
func softplusAVX2(y, p []float32) {
	n := len(y)
	p = p[:n]
	e := newExpConsts()
	sqrt2 := bc8(mathf.Sqrt2)
	var lp [len(mathf.LogPoly)]f8
	for k, c := range mathf.LogPoly {
		lp[k] = bc8(c)
	}
	sp := func(v f8) f8 {
		neg := v.Less(e.zero)
		m := e.zero.Merge(v, neg)
		nv := neg8(v, e.sign)
		ay := nv.Merge(v, neg)
		ex := exp8(neg8(ay, e.sign), &e)
		// Log1p(ex)
		u := e.one.Add(ex)
		big := u.Greater(sqrt2)
		x := u.Mul(e.half).Sub(e.one).Merge(u.Sub(e.one), big)
		k := e.one.Merge(e.zero, big)
		z := x.Mul(x)
		t := lp[0].Mul(x).Add(lp[1])
		for c := 2; c < len(lp); c++ {
			t = t.Mul(x).Add(lp[c])
		}
		t = t.Mul(x).Mul(z)
		t = t.Add(e.ln2lo.Mul(k))
		t = t.Sub(e.half.Mul(z))
		l := x.Add(t).Add(e.ln2hi.Mul(k))
		l = l.Mul(ex.Div(u.Sub(e.one)))
		l = ex.Merge(l, u.Equal(e.one))
		return m.Add(l)
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		st8(sp(ld8(y[i:])), p[i:])
	}
	if i < n {
		sp(archsimd.LoadFloat32x8SlicePart(y[i:])).StoreSlicePart(p[i:])
	}
	archsimd.ClearAVXUpperBits()
}

// adadeltaSumAVX2 is the Adadelta step of the reference on 8 lanes. The
// reference's square root in float64 of a float32, rounded back to
// float32, is the correctly rounded float32 square root (float64 has more
// than twice float32's precision), which VSQRTPS gives.
func adadeltaSumAVX2(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	n := len(theta)
	acc, upd = acc[:n], upd[:n]
	g0, g1, g2, g3 = g0[:n], g1[:n], g2[:n], g3[:n]
	vlr, vrho, veps, vr1, zero := bc8(lr), bc8(rho), bc8(eps), bc8(1-rho), bc8(0)
	step := func(th, ac, up, a0, a1, a2, a3 []float32) {
		g := ld8(a0).Add(ld8(a1)).Add(ld8(a2)).Add(ld8(a3))
		st8(zero, a0)
		st8(zero, a1)
		st8(zero, a2)
		st8(zero, a3)
		a := vrho.Mul(ld8(ac)).Add(vr1.Mul(g).Mul(g))
		st8(a, ac)
		u := ld8(up)
		d := g.Mul(u.Add(veps).Div(a.Add(veps)).Sqrt())
		st8(ld8(th).Sub(vlr.Mul(d)), th)
		st8(vrho.Mul(u).Add(vr1.Mul(d).Mul(d)), up)
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		step(theta[i:], acc[i:], upd[i:], g0[i:], g1[i:], g2[i:], g3[i:])
	}
	archsimd.ClearAVXUpperBits()
	if i < n {
		adadeltaSumGo(theta[i:], acc[i:], upd[i:], g0[i:], g1[i:], g2[i:], g3[i:], lr, rho, eps)
	}
}

// axpyRowsAVX2 keeps 32 elements of a in registers while it adds every
// row idx[q] in order.
func axpyRowsAVX2(a, wT []float32, idx []int32, x []float32) {
	k := len(a)
	x = x[:len(idx)]
	for _, i := range idx {
		_ = wT[int(i)*k : (int(i)+1)*k]
	}
	j := 0
	for ; j+32 <= k; j += 32 {
		a0, a1, a2, a3 := ld8(a[j:]), ld8(a[j+8:]), ld8(a[j+16:]), ld8(a[j+24:])
		for q, i := range idx {
			xq := bc8(x[q])
			w := wT[int(i)*k+j : int(i)*k+j+32]
			a0 = a0.Add(xq.Mul(ld8(w[0:])))
			a1 = a1.Add(xq.Mul(ld8(w[8:])))
			a2 = a2.Add(xq.Mul(ld8(w[16:])))
			a3 = a3.Add(xq.Mul(ld8(w[24:])))
		}
		st8(a0, a[j:])
		st8(a1, a[j+8:])
		st8(a2, a[j+16:])
		st8(a3, a[j+24:])
	}
	for ; j+8 <= k; j += 8 {
		s := ld8(a[j:])
		for q, i := range idx {
			s = s.Add(bc8(x[q]).Mul(ld8(wT[int(i)*k+j:])))
		}
		st8(s, a[j:])
	}
	if j < k {
		s := archsimd.LoadFloat32x8SlicePart(a[j:])
		for q, i := range idx {
			s = s.Add(bc8(x[q]).Mul(archsimd.LoadFloat32x8SlicePart(wT[int(i)*k+j : (int(i)+1)*k])))
		}
		s.StoreSlicePart(a[j:])
	}
	archsimd.ClearAVXUpperBits()
}

func scatterAxpyAVX2(gT, d []float32, idx []int32, x []float32) {
	k := len(d)
	x = x[:len(idx)]
	for q, i := range idx {
		axpyNoClear(x[q], d, gT[int(i)*k:(int(i)+1)*k])
	}
	archsimd.ClearAVXUpperBits()
}

// axpyNoClear is axpyAVX2 without the final VZEROUPPER, for callers that
// loop over it.
func axpyNoClear(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	av := bc8(a)
	i := 0
	for ; i+8 <= n; i += 8 {
		st8(ld8(y[i:]).Add(av.Mul(ld8(x[i:]))), y[i:])
	}
	if i < n {
		xs, ys := x[i:n], y[i:n]
		archsimd.LoadFloat32x8SlicePart(ys).Add(av.Mul(archsimd.LoadFloat32x8SlicePart(xs))).StoreSlicePart(ys)
	}
}
