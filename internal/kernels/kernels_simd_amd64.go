//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
	"os"
	"simd/archsimd"
	"unsafe"

	"github.com/kate-web/kate/internal/mathf"
)

// The native SIMD kernels (docs/design.md §2): AVX2, 8 lanes, written with
// simd/archsimd (GOEXPERIMENT=simd). They give the same bits as the pure-Go
// kernels: element-wise work has no ordering question; a dot product
// multiplies 8 elements at once and adds the low half (elements i..i+3) and
// then the high half (i+4..i+7) to a 4-lane accumulator, which is the
// canonical 4-lane order of the package doc, and combines the lanes as
// (s0+s1)+(s2+s3) with two horizontal adds; no fused multiply-add anywhere
// (MulAdd is never used).
//
// Speed rule: no legacy (non-VEX) SSE instruction may run while the upper
// halves of the vector registers are dirty, between a kernel's first AVX
// instruction and its VZEROUPPER (archsimd.ClearAVXUpperBits): on this
// project's CPU each such instruction costs on the order of a microsecond
// (the first version of ScatterAxpy, one scalar load per row between AVX
// loops, ran 40 times slower than this one). Go compiles scalar float32
// code, and the zero value of a vector type, to legacy SSE, so inside the
// AVX part scalars are broadcast from their bits (an integer load), zero
// vectors come from BroadcastUint32x4(0), and tails that need scalar float
// code run after ClearAVXUpperBits.

func init() {
	env := os.Getenv(KernelsEnv)
	if env == "go" {
		return
	}
	s, ok := Native()
	if env == "avx2" {
		s, ok = AVX2()
	}
	if ok {
		Use(s)
	}
}

// Native returns the native SIMD kernel set and true when this build has
// one (GOEXPERIMENT=simd on amd64) and the CPU has the instructions it
// needs (AVX2); otherwise an empty Set and false. On a CPU with AVX-512 it
// is the AVX2 set with the 512-bit decoder and encoder kernels and
// selection ("avx512": the same bits); otherwise AVX2(). Kernels it does not accelerate are the
// pure-Go ones. The set is installed at start-up unless the environment
// variable KATE_KERNELS is "go" (the pure-Go set) or "avx2" (AVX2()).
func Native() (Set, bool) {
	s, ok := AVX2()
	if !ok || !archsimd.X86.AVX512() {
		return s, ok
	}
	s.Name = "avx512"
	s.DecodeRows, s.DecodeRowsDocs = decodeRows512, decodeRowsDocs512
	s.AxpyRows, s.KthLargest = axpyRows512, kthLargest512
	return s, true
}

// AVX2 returns the AVX2 kernel set and true when this build has native
// kernels and the CPU has AVX2; otherwise an empty Set and false.
func AVX2() (Set, bool) {
	if !archsimd.X86.AVX2() {
		return Set{}, false
	}
	return complete(Set{Name: "avx2", Axpy: axpyAVX2, DecodeRows: decodeRowsAVX2, SigmoidDelta: sigmoidDeltaAVX2,
		GradRows: gradRowsAVX2, Softplus: softplusAVX2, AdadeltaSum: adadeltaSumAVX2,
		AxpyRows: axpyRowsAVX2, ScatterAxpy: scatterAxpyAVX2, Transpose: transposeAVX2,
		DecodeRowsDocs: decodeRowsDocsAVX2, GradRowsDocs: gradRowsDocsAVX2, Tanh: tanhAVX2}), true
}

type f8 = archsimd.Float32x8

// ldp and stp load and store 8 floats at element i of the slice whose
// first element p points to; the callers have checked the bounds (a slice
// expression) before the loop.
func ldp(p unsafe.Pointer, i int) f8 {
	return archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(p, uintptr(i)<<2)))
}
func stp(v f8, p unsafe.Pointer, i int) { v.Store((*[8]float32)(unsafe.Add(p, uintptr(i)<<2))) }
func ptr(s []float32) unsafe.Pointer    { return unsafe.Pointer(unsafe.SliceData(s)) }

// bits broadcasts the float32 whose bits are u (an integer move: no legacy
// SSE).
func bits(u uint32) f8 { return archsimd.BroadcastUint32x8(u).AsFloat32x8() }

// bcAt broadcasts s[i], read as an integer.
func bcAt(s []float32, i int) f8 { return bits(*(*uint32)(unsafe.Pointer(&s[i]))) }

// bcAt32 broadcasts s[i] for an int32 index.
func bcAt32(s []float32, i int32) f8 { return bits(*(*uint32)(unsafe.Pointer(&s[i]))) }

// setBits stores the float32 whose bits are u at s[i] (an integer store).
func setBits(s []float32, i int, u uint32) { *(*uint32)(unsafe.Pointer(&s[i])) = u }

func axpyAVX2(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	av := bits(math.Float32bits(a))
	axpyLoop(av, x, y)
	archsimd.ClearAVXUpperBits()
}

// axpyLoop computes y += a·x on 8 lanes, the tail with masked loads and
// stores; len(y) == len(x).
func axpyLoop(av f8, x, y []float32) {
	n := len(x)
	px, py := ptr(x), ptr(y)
	i := 0
	for ; i+16 <= n; i += 16 {
		y0 := ldp(py, i).Add(av.Mul(ldp(px, i)))
		y1 := ldp(py, i+8).Add(av.Mul(ldp(px, i+8)))
		stp(y0, py, i)
		stp(y1, py, i+8)
	}
	if i+8 <= n {
		stp(ldp(py, i).Add(av.Mul(ldp(px, i))), py, i)
		i += 8
	}
	if i < n {
		xs, ys := x[i:n], y[i:n]
		archsimd.LoadFloat32x8SlicePart(ys).Add(av.Mul(archsimd.LoadFloat32x8SlicePart(xs))).StoreSlicePart(ys)
	}
}

// decodeRowsAVX2 keeps 64 outputs in registers while it adds every row's
// contribution to them, in the order of rows: each y[i] receives the same
// additions in the same order as in the reference.
func decodeRowsAVX2(y, c, wt []float32, v int, rows []int32, h []float32) {
	decodeRowsBy(decodeSpan, y, c, wt, v, rows, h)
}

// spanFunc is decodeSpan's signature: the decoder over the outputs lo to
// hi of one document (decodeSpan, or decodeSpan512 with AVX-512).
type spanFunc func(y, c, wt []float32, v int, rows []int32, h []float32, lo, hi int)

// decodeRowsBy is DecodeRows through span, after the bounds checks that
// span relies on.
func decodeRowsBy(span spanFunc, y, c, wt []float32, v int, rows []int32, h []float32) {
	y, c = y[:v], c[:v]
	for _, j := range rows {
		_ = h[j]
		_ = wt[int(j)*v : (int(j)+1)*v]
	}
	span(y, c, wt, v, rows, h, 0, v)
	archsimd.ClearAVXUpperBits()
}

// decodeBlock is the width, in outputs, of decodeRowsDocsAVX2's blocks:
// 4 KB of each of the K rows of the weights (512 KB at K = 128), which
// stay in the core's L2 while every document of the call reads them.
// A multiple of 64, so only the last block has the 8-wide and partial
// tails.
const decodeBlock = 1024

// decodeRowsDocsAVX2 is DecodeRowsDocs: blocks of the outputs, every
// document in turn within a block, each with decodeRowsAVX2's passes, so
// every output gets the same products added in the same order as
// DecodeRows gives it (the same bits); the block of the weights is read
// from memory once for all the documents instead of once per document.
func decodeRowsDocsAVX2(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
	decodeRowsDocsBy(decodeSpan, y, c, wt, v, rows, offs, h, k)
}

// decodeRowsDocsBy is DecodeRowsDocs through span, by blocks of
// decodeBlock outputs, after the bounds checks that span relies on.
func decodeRowsDocsBy(span spanFunc, y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
	nd := len(offs) - 1
	if nd <= 0 {
		return
	}
	c = c[:v]
	checkRowsDocs(y, wt, nil, v, rows, offs, h, k)
	for b0 := 0; b0 < v; b0 += decodeBlock {
		b1 := min(b0+decodeBlock, v)
		for i := range nd {
			span(y[i*v:(i+1)*v], c, wt, v, rows[offs[i]:offs[i+1]], h[i*k:(i+1)*k], b0, b1)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// checkRowsDocs panics unless, for every document i < len(offs)-1, its v
// values of y (y[i*v:(i+1)*v]) and its k values of h exist, offs[i] <=
// offs[i+1] <= len(rows), and each of its rows j (rows[offs[i]:offs[i+1]])
// is below k, with a whole row j of v values in wt and, when gw is not
// nil, in gw: the bounds that the grouped kernels' pointer arithmetic
// relies on (DecodeRowsDocs, GradRowsDocs). Each document's slices are
// taken one by one, so no product of the sizes can wrap around unseen.
func checkRowsDocs(y, wt, gw []float32, v int, rows, offs []int32, h []float32, k int) {
	for i := 0; i+1 < len(offs); i++ {
		_ = y[i*v : (i+1)*v]
		hd := h[i*k : (i+1)*k]
		for _, j := range rows[offs[i]:offs[i+1]] {
			_ = hd[j]
			_ = wt[int(j)*v : (int(j)+1)*v]
			if gw != nil {
				_ = gw[int(j)*v : (int(j)+1)*v]
			}
		}
	}
}

// decodeSpan sets the outputs lo to hi of y (len v) to c plus the
// products of rows, in order: 64 outputs in eight registers, then 8, then
// a partial tail (hi = v only). lo is a multiple of 8 and hi one or v;
// the caller has checked h[j] and wt's rows for every row, and ends with
// ClearAVXUpperBits.
func decodeSpan(y, c, wt []float32, v int, rows []int32, h []float32, lo, hi int) {
	pwt, pc, py := ptr(wt), ptr(c), ptr(y)
	i := lo
	for ; i+64 <= hi; i += 64 {
		a0, a1, a2, a3 := ldp(pc, i), ldp(pc, i+8), ldp(pc, i+16), ldp(pc, i+24)
		a4, a5, a6, a7 := ldp(pc, i+32), ldp(pc, i+40), ldp(pc, i+48), ldp(pc, i+56)
		for _, j := range rows {
			hj := bcAt32(h, j)
			w := unsafe.Add(pwt, uintptr(int(j)*v+i)<<2)
			a0 = a0.Add(hj.Mul(ldp(w, 0)))
			a1 = a1.Add(hj.Mul(ldp(w, 8)))
			a2 = a2.Add(hj.Mul(ldp(w, 16)))
			a3 = a3.Add(hj.Mul(ldp(w, 24)))
			a4 = a4.Add(hj.Mul(ldp(w, 32)))
			a5 = a5.Add(hj.Mul(ldp(w, 40)))
			a6 = a6.Add(hj.Mul(ldp(w, 48)))
			a7 = a7.Add(hj.Mul(ldp(w, 56)))
		}
		stp(a0, py, i)
		stp(a1, py, i+8)
		stp(a2, py, i+16)
		stp(a3, py, i+24)
		stp(a4, py, i+32)
		stp(a5, py, i+40)
		stp(a6, py, i+48)
		stp(a7, py, i+56)
	}
	for ; i+8 <= hi; i += 8 {
		a := ldp(pc, i)
		for _, j := range rows {
			a = a.Add(bcAt32(h, j).Mul(ldp(pwt, int(j)*v+i)))
		}
		stp(a, py, i)
	}
	if i < hi {
		a := archsimd.LoadFloat32x8SlicePart(c[i:hi])
		for _, j := range rows {
			a = a.Add(bcAt32(h, j).Mul(archsimd.LoadFloat32x8SlicePart(wt[int(j)*v+i : int(j)*v+hi])))
		}
		a.StoreSlicePart(y[i:hi])
	}
}

// gradRowsAVX2 takes four rows at a time, sharing the loads of d; each
// row's dot product adds the low and then the high half of every 8
// products to the low half of an 8-lane accumulator (lanes 0..3 are the
// canonical four partial sums; lanes 4..7 are never read), then one group
// of 4 products; two horizontal adds give the four rows'
// (s0+s1)+(s2+s3). The last v%4 elements, if any, are added in scalar
// code after ClearAVXUpperBits. (Only 256-bit vectors are used: Go moves
// 128-bit vectors between registers with legacy SSE instructions.)
func gradRowsAVX2(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	d = d[:v]
	v8, v4 := v&^7, v&^3
	pd := ptr(d)
	var sums [4]float32
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		_, _, _, _ = g[j0], g[j1], g[j2], g[j3]
		w0, w1, w2, w3 := wt[j0*v:(j0+1)*v], wt[j1*v:(j1+1)*v], wt[j2*v:(j2+1)*v], wt[j3*v:(j3+1)*v]
		q0, q1, q2, q3 := gw[j0*v:(j0+1)*v], gw[j1*v:(j1+1)*v], gw[j2*v:(j2+1)*v], gw[j3*v:(j3+1)*v]
		h0, h1, h2, h3 := bcAt(h, j0), bcAt(h, j1), bcAt(h, j2), bcAt(h, j3)
		pw0, pw1, pw2, pw3 := ptr(w0), ptr(w1), ptr(w2), ptr(w3)
		pq0, pq1, pq2, pq3 := ptr(q0), ptr(q1), ptr(q2), ptr(q3)
		s0, s1, s2, s3 := zero8(), zero8(), zero8(), zero8()
		for i := 0; i < v8; i += 8 {
			dv := ldp(pd, i)
			p0 := dv.Mul(ldp(pw0, i))
			p1 := dv.Mul(ldp(pw1, i))
			p2 := dv.Mul(ldp(pw2, i))
			p3 := dv.Mul(ldp(pw3, i))
			stp(ldp(pq0, i).Add(h0.Mul(dv)), pq0, i)
			stp(ldp(pq1, i).Add(h1.Mul(dv)), pq1, i)
			stp(ldp(pq2, i).Add(h2.Mul(dv)), pq2, i)
			stp(ldp(pq3, i).Add(h3.Mul(dv)), pq3, i)
			s0 = s0.Add(p0).Add(swapHalves(p0))
			s1 = s1.Add(p1).Add(swapHalves(p1))
			s2 = s2.Add(p2).Add(swapHalves(p2))
			s3 = s3.Add(p3).Add(swapHalves(p3))
		}
		if v8 < v4 {
			dv := archsimd.LoadFloat32x8SlicePart(d[v8:v4])
			s0 = s0.Add(dv.Mul(archsimd.LoadFloat32x8SlicePart(w0[v8:v4])))
			s1 = s1.Add(dv.Mul(archsimd.LoadFloat32x8SlicePart(w1[v8:v4])))
			s2 = s2.Add(dv.Mul(archsimd.LoadFloat32x8SlicePart(w2[v8:v4])))
			s3 = s3.Add(dv.Mul(archsimd.LoadFloat32x8SlicePart(w3[v8:v4])))
			archsimd.LoadFloat32x8SlicePart(q0[v8:v4]).Add(h0.Mul(dv)).StoreSlicePart(q0[v8:v4])
			archsimd.LoadFloat32x8SlicePart(q1[v8:v4]).Add(h1.Mul(dv)).StoreSlicePart(q1[v8:v4])
			archsimd.LoadFloat32x8SlicePart(q2[v8:v4]).Add(h2.Mul(dv)).StoreSlicePart(q2[v8:v4])
			archsimd.LoadFloat32x8SlicePart(q3[v8:v4]).Add(h3.Mul(dv)).StoreSlicePart(q3[v8:v4])
		}
		t := s0.AddPairsGrouped(s1).AddPairsGrouped(s2.AddPairsGrouped(s3))
		if v4 == v {
			setBits(g, j0, t.AsUint32x8().GetLo().GetElem(0))
			setBits(g, j1, t.AsUint32x8().GetLo().GetElem(1))
			setBits(g, j2, t.AsUint32x8().GetLo().GetElem(2))
			setBits(g, j3, t.AsUint32x8().GetLo().GetElem(3))
			continue
		}
		t.StoreSlicePart(sums[:])
		archsimd.ClearAVXUpperBits()
		hh := [4]float32{h[j0], h[j1], h[j2], h[j3]}
		ws := [4][]float32{w0, w1, w2, w3}
		qs := [4][]float32{q0, q1, q2, q3}
		for k := range 4 {
			s, w, q, hk := sums[k], ws[k], qs[k], hh[k]
			for i := v4; i < v; i++ {
				q[i] += hk * d[i]
				s += d[i] * w[i]
			}
			sums[k] = s
		}
		g[j0], g[j1], g[j2], g[j3] = sums[0], sums[1], sums[2], sums[3]
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		_ = g[j]
		w, q := wt[j*v:(j+1)*v], gw[j*v:(j+1)*v]
		hj := bcAt(h, j)
		pw, pq := ptr(w), ptr(q)
		s := zero8()
		for i := 0; i < v8; i += 8 {
			dv := ldp(pd, i)
			p := dv.Mul(ldp(pw, i))
			stp(ldp(pq, i).Add(hj.Mul(dv)), pq, i)
			s = s.Add(p).Add(swapHalves(p))
		}
		if v8 < v4 {
			dv := archsimd.LoadFloat32x8SlicePart(d[v8:v4])
			s = s.Add(dv.Mul(archsimd.LoadFloat32x8SlicePart(w[v8:v4])))
			archsimd.LoadFloat32x8SlicePart(q[v8:v4]).Add(hj.Mul(dv)).StoreSlicePart(q[v8:v4])
		}
		t := s.AddPairsGrouped(s).AddPairsGrouped(s.AddPairsGrouped(s))
		if v4 == v {
			setBits(g, j, t.AsUint32x8().GetLo().GetElem(0))
			continue
		}
		t.StoreSlicePart(sums[:])
		archsimd.ClearAVXUpperBits()
		sj, hk := sums[0], h[j]
		for i := v4; i < v; i++ {
			q[i] += hk * d[i]
			sj += d[i] * w[i]
		}
		g[j] = sj
	}
	archsimd.ClearAVXUpperBits()
}

// swapHalves returns x with its two 128-bit halves exchanged.
func swapHalves(x f8) f8 { return x.Select128FromPair(1, 0, x) }

func zero8() f8 { return archsimd.BroadcastUint32x8(0).AsFloat32x8() }

// expTab holds the constants of exp8, each in 8 lanes.
var expTab = func() (t [expN][8]float32) {
	for k, c := range [expN]float32{mathf.ExpHi, mathf.ExpLo, mathf.Log2e32, 0.5, mathf.Ln2Hi32, mathf.Ln2Lo32, 1,
		mathf.ExpPoly[0], mathf.ExpPoly[1], mathf.ExpPoly[2], mathf.ExpPoly[3], mathf.ExpPoly[4], mathf.ExpPoly[5]} {
		for l := range t[k] {
			t[k][l] = c
		}
	}
	return t
}()

const (
	eHi = iota
	eLo
	eLog2e
	eHalf
	eLn2Hi
	eLn2Lo
	eOne
	eP0
	eP1
	eP2
	eP3
	eP4
	eP5
	expN
)

func ec(k int) f8 { return archsimd.LoadFloat32x8(&expTab[k]) }

// exp8 is mathf.Exp on 8 lanes, step by step: the clamp above, floor of
// x·log2e + 1/2 (the reference's truncation corrected for negative values
// is a floor on its whole range), the two-part reduction, the polynomial,
// the scaling by 2**n built from exponent bits, and 0 for the lanes under
// the range. A NaN lane gives NaN, as in the reference.
func exp8(x f8) f8 {
	hi := ec(eHi)
	xc := hi.Merge(x, x.Greater(hi))
	fl := xc.Mul(ec(eLog2e)).Add(ec(eHalf)).Floor()
	r := xc.Sub(fl.Mul(ec(eLn2Hi)))
	r = r.Sub(fl.Mul(ec(eLn2Lo)))
	z := r.Mul(r)
	p := ec(eP0).Mul(r).Add(ec(eP1))
	p = p.Mul(r).Add(ec(eP2))
	p = p.Mul(r).Add(ec(eP3))
	p = p.Mul(r).Add(ec(eP4))
	p = p.Mul(r).Add(ec(eP5))
	p = p.Mul(z).Add(r).Add(ec(eOne))
	pow := fl.ConvertToInt32().Add(archsimd.BroadcastInt32x8(127)).ShiftAllLeft(23).AsFloat32x8()
	zero := x.AsUint32x8().Xor(x.AsUint32x8()).AsFloat32x8()
	return zero.Merge(p.Mul(pow), x.Less(ec(eLo)))
}

// neg8 flips the sign bit of every lane (the reference's unary minus).
func neg8(x f8) f8 {
	return x.AsUint32x8().Xor(archsimd.BroadcastUint32x8(0x80000000)).AsFloat32x8()
}

// exp8x2 is exp8 on two vectors, each step done for both in turn: each
// exp8 is one long chain of dependent instructions, and the processor
// overlaps two chains where it would wait on one (the compiler keeps the
// order of independent vector instructions).
func exp8x2(x, y f8) (f8, f8) {
	hi := ec(eHi)
	xc := hi.Merge(x, x.Greater(hi))
	yc := hi.Merge(y, y.Greater(hi))
	log2e, half := ec(eLog2e), ec(eHalf)
	xf := xc.Mul(log2e).Add(half).Floor()
	yf := yc.Mul(log2e).Add(half).Floor()
	ln2hi, ln2lo := ec(eLn2Hi), ec(eLn2Lo)
	xr := xc.Sub(xf.Mul(ln2hi))
	yr := yc.Sub(yf.Mul(ln2hi))
	xr = xr.Sub(xf.Mul(ln2lo))
	yr = yr.Sub(yf.Mul(ln2lo))
	p0, p1 := ec(eP0), ec(eP1)
	xp := p0.Mul(xr).Add(p1)
	yp := p0.Mul(yr).Add(p1)
	for k := eP2; k <= eP5; k++ {
		c := ec(k)
		xp = xp.Mul(xr).Add(c)
		yp = yp.Mul(yr).Add(c)
	}
	one := ec(eOne)
	xp = xp.Mul(xr.Mul(xr)).Add(xr).Add(one)
	yp = yp.Mul(yr.Mul(yr)).Add(yr).Add(one)
	bias := archsimd.BroadcastInt32x8(127)
	xp = xp.Mul(xf.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	yp = yp.Mul(yf.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	lo := ec(eLo)
	zero := x.AsUint32x8().Xor(x.AsUint32x8()).AsFloat32x8()
	return zero.Merge(xp, x.Less(lo)), zero.Merge(yp, y.Less(lo))
}

// exp8x4 is exp8 on four vectors, each step done for all four in turn
// (see exp8x2).
func exp8x4(a, b, c, d f8) (f8, f8, f8, f8) {
	hi := ec(eHi)
	ac := hi.Merge(a, a.Greater(hi))
	bc := hi.Merge(b, b.Greater(hi))
	cc := hi.Merge(c, c.Greater(hi))
	dc := hi.Merge(d, d.Greater(hi))
	log2e, half := ec(eLog2e), ec(eHalf)
	af := ac.Mul(log2e).Add(half).Floor()
	bf := bc.Mul(log2e).Add(half).Floor()
	cf := cc.Mul(log2e).Add(half).Floor()
	df := dc.Mul(log2e).Add(half).Floor()
	ln2hi := ec(eLn2Hi)
	ar := ac.Sub(af.Mul(ln2hi))
	br := bc.Sub(bf.Mul(ln2hi))
	cr := cc.Sub(cf.Mul(ln2hi))
	dr := dc.Sub(df.Mul(ln2hi))
	ln2lo := ec(eLn2Lo)
	ar = ar.Sub(af.Mul(ln2lo))
	br = br.Sub(bf.Mul(ln2lo))
	cr = cr.Sub(cf.Mul(ln2lo))
	dr = dr.Sub(df.Mul(ln2lo))
	p0, p1 := ec(eP0), ec(eP1)
	ap := p0.Mul(ar).Add(p1)
	bp := p0.Mul(br).Add(p1)
	cp := p0.Mul(cr).Add(p1)
	dp := p0.Mul(dr).Add(p1)
	for k := eP2; k <= eP5; k++ {
		q := ec(k)
		ap = ap.Mul(ar).Add(q)
		bp = bp.Mul(br).Add(q)
		cp = cp.Mul(cr).Add(q)
		dp = dp.Mul(dr).Add(q)
	}
	one := ec(eOne)
	ap = ap.Mul(ar.Mul(ar)).Add(ar).Add(one)
	bp = bp.Mul(br.Mul(br)).Add(br).Add(one)
	cp = cp.Mul(cr.Mul(cr)).Add(cr).Add(one)
	dp = dp.Mul(dr.Mul(dr)).Add(dr).Add(one)
	bias := archsimd.BroadcastInt32x8(127)
	ap = ap.Mul(af.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	bp = bp.Mul(bf.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	cp = cp.Mul(cf.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	dp = dp.Mul(df.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8())
	lo := ec(eLo)
	zero := a.AsUint32x8().Xor(a.AsUint32x8()).AsFloat32x8()
	return zero.Merge(ap, a.Less(lo)), zero.Merge(bp, b.Less(lo)), zero.Merge(cp, c.Less(lo)), zero.Merge(dp, d.Less(lo))
}

func sigmoidDeltaAVX2(y, p []float32, scale float32) {
	n := len(y)
	p = p[:n]
	sc := bits(math.Float32bits(scale))
	py, pp := ptr(y), ptr(p)
	i := 0
	for ; i+32 <= n; i += 32 {
		a, b, c, d := exp8x4(neg8(ldp(py, i)), neg8(ldp(py, i+8)), neg8(ldp(py, i+16)), neg8(ldp(py, i+24)))
		one := ec(eOne)
		stp(one.Div(one.Add(a)).Mul(sc), pp, i)
		stp(one.Div(one.Add(b)).Mul(sc), pp, i+8)
		stp(one.Div(one.Add(c)).Mul(sc), pp, i+16)
		stp(one.Div(one.Add(d)).Mul(sc), pp, i+24)
	}
	for ; i+16 <= n; i += 16 {
		a, b := exp8x2(neg8(ldp(py, i)), neg8(ldp(py, i+8)))
		one := ec(eOne)
		stp(one.Div(one.Add(a)).Mul(sc), pp, i)
		stp(one.Div(one.Add(b)).Mul(sc), pp, i+8)
	}
	for ; i+8 <= n; i += 8 {
		one := ec(eOne)
		stp(one.Div(one.Add(exp8(neg8(ldp(py, i))))).Mul(sc), pp, i)
	}
	if i < n {
		one := ec(eOne)
		one.Div(one.Add(exp8(neg8(archsimd.LoadFloat32x8SlicePart(y[i:]))))).Mul(sc).StoreSlicePart(p[i:])
	}
	archsimd.ClearAVXUpperBits()
}

// logTab holds the coefficients of mathf.Log1p's polynomial and √2, each
// in 8 lanes.
var logTab = func() (t [len(mathf.LogPoly) + 1][8]float32) {
	for k := range t {
		c := float32(mathf.Sqrt2)
		if k < len(mathf.LogPoly) {
			c = mathf.LogPoly[k]
		}
		for l := range t[k] {
			t[k][l] = c
		}
	}
	return t
}()

// softplus8 is mathf.Softplus on 8 lanes: max(y, 0) + Log1p(Exp(-|y|)),
// every branch of the reference a select.
func softplus8(v f8) f8 {
	zero := v.AsUint32x8().Xor(v.AsUint32x8()).AsFloat32x8()
	one, half := ec(eOne), ec(eHalf)
	neg := v.Less(zero)
	m := zero.Merge(v, neg)
	ay := neg8(v).Merge(v, neg)
	ex := exp8(neg8(ay))
	// Log1p(ex)
	u := one.Add(ex)
	big := u.Greater(archsimd.LoadFloat32x8(&logTab[len(mathf.LogPoly)]))
	x := u.Mul(half).Sub(one).Merge(u.Sub(one), big)
	k := one.Merge(zero, big)
	z := x.Mul(x)
	t := archsimd.LoadFloat32x8(&logTab[0]).Mul(x).Add(archsimd.LoadFloat32x8(&logTab[1]))
	for c := 2; c < len(mathf.LogPoly); c++ {
		t = t.Mul(x).Add(archsimd.LoadFloat32x8(&logTab[c]))
	}
	t = t.Mul(x).Mul(z)
	t = t.Add(ec(eLn2Lo).Mul(k))
	t = t.Sub(half.Mul(z))
	l := x.Add(t).Add(ec(eLn2Hi).Mul(k))
	l = l.Mul(ex.Div(u.Sub(one)))
	l = ex.Merge(l, u.Equal(one))
	return m.Add(l)
}

// softplus8x2 is softplus8 on two vectors, each step done for both in turn
// (see exp8x2).
func softplus8x2(a, b f8) (f8, f8) {
	zero := a.AsUint32x8().Xor(a.AsUint32x8()).AsFloat32x8()
	one, half := ec(eOne), ec(eHalf)
	na, nb := a.Less(zero), b.Less(zero)
	ma, mb := zero.Merge(a, na), zero.Merge(b, nb)
	ea, eb := exp8x2(neg8(neg8(a).Merge(a, na)), neg8(neg8(b).Merge(b, nb)))
	// Log1p(e)
	ua, ub := one.Add(ea), one.Add(eb)
	sq2 := archsimd.LoadFloat32x8(&logTab[len(mathf.LogPoly)])
	biga, bigb := ua.Greater(sq2), ub.Greater(sq2)
	xa := ua.Mul(half).Sub(one).Merge(ua.Sub(one), biga)
	xb := ub.Mul(half).Sub(one).Merge(ub.Sub(one), bigb)
	ka, kb := one.Merge(zero, biga), one.Merge(zero, bigb)
	za, zb := xa.Mul(xa), xb.Mul(xb)
	c0, c1 := archsimd.LoadFloat32x8(&logTab[0]), archsimd.LoadFloat32x8(&logTab[1])
	ta := c0.Mul(xa).Add(c1)
	tb := c0.Mul(xb).Add(c1)
	for c := 2; c < len(mathf.LogPoly); c++ {
		q := archsimd.LoadFloat32x8(&logTab[c])
		ta = ta.Mul(xa).Add(q)
		tb = tb.Mul(xb).Add(q)
	}
	ta = ta.Mul(xa).Mul(za)
	tb = tb.Mul(xb).Mul(zb)
	lo, hi := ec(eLn2Lo), ec(eLn2Hi)
	ta = ta.Add(lo.Mul(ka)).Sub(half.Mul(za))
	tb = tb.Add(lo.Mul(kb)).Sub(half.Mul(zb))
	la := xa.Add(ta).Add(hi.Mul(ka))
	lb := xb.Add(tb).Add(hi.Mul(kb))
	la = la.Mul(ea.Div(ua.Sub(one)))
	lb = lb.Mul(eb.Div(ub.Sub(one)))
	la = ea.Merge(la, ua.Equal(one))
	lb = eb.Merge(lb, ub.Equal(one))
	return ma.Add(la), mb.Add(lb)
}

func softplusAVX2(y, p []float32) {
	n := len(y)
	p = p[:n]
	py, pp := ptr(y), ptr(p)
	i := 0
	for ; i+16 <= n; i += 16 {
		a, b := softplus8x2(ldp(py, i), ldp(py, i+8))
		stp(a, pp, i)
		stp(b, pp, i+8)
	}
	for ; i+8 <= n; i += 8 {
		stp(softplus8(ldp(py, i)), pp, i)
	}
	if i < n {
		softplus8(archsimd.LoadFloat32x8SlicePart(y[i:])).StoreSlicePart(p[i:])
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
	blr, brho, beps, br1 := math.Float32bits(lr), math.Float32bits(rho), math.Float32bits(eps), math.Float32bits(1-rho)
	n8 := n &^ 7
	if n8 > 0 {
		vlr, vrho, veps, vr1 := bits(blr), bits(brho), bits(beps), bits(br1)
		zero := vlr.AsUint32x8().Xor(vlr.AsUint32x8()).AsFloat32x8()
		pth, pac, pup := ptr(theta), ptr(acc), ptr(upd)
		p0, p1, p2, p3 := ptr(g0), ptr(g1), ptr(g2), ptr(g3)
		for i := 0; i < n8; i += 8 {
			g := ldp(p0, i).Add(ldp(p1, i)).Add(ldp(p2, i)).Add(ldp(p3, i))
			stp(zero, p0, i)
			stp(zero, p1, i)
			stp(zero, p2, i)
			stp(zero, p3, i)
			a := vrho.Mul(ldp(pac, i)).Add(vr1.Mul(g).Mul(g))
			stp(a, pac, i)
			u := ldp(pup, i)
			d := g.Mul(u.Add(veps).Div(a.Add(veps)).Sqrt())
			stp(ldp(pth, i).Sub(vlr.Mul(d)), pth, i)
			stp(vrho.Mul(u).Add(vr1.Mul(d).Mul(d)), pup, i)
		}
		archsimd.ClearAVXUpperBits()
	}
	if n8 < n {
		adadeltaSumGo(theta[n8:], acc[n8:], upd[n8:], g0[n8:], g1[n8:], g2[n8:], g3[n8:], lr, rho, eps)
	}
}

// axpyRowsAVX2 keeps 64 elements of a in registers (eight independent
// chains of additions, as decodeRowsAVX2) while it adds every row idx[q]
// in order, then 32 and 8 at a time.
func axpyRowsAVX2(a, wT []float32, idx []int32, x []float32) {
	k := len(a)
	x = x[:len(idx)]
	for _, i := range idx {
		_ = wT[int(i)*k : (int(i)+1)*k]
	}
	pwT, pa := ptr(wT), ptr(a)
	j := 0
	for ; j+64 <= k; j += 64 {
		a0, a1, a2, a3 := ldp(pa, j), ldp(pa, j+8), ldp(pa, j+16), ldp(pa, j+24)
		a4, a5, a6, a7 := ldp(pa, j+32), ldp(pa, j+40), ldp(pa, j+48), ldp(pa, j+56)
		for q, i := range idx {
			xq := bcAt(x, q)
			w := unsafe.Add(pwT, uintptr(int(i)*k+j)<<2)
			a0 = a0.Add(xq.Mul(ldp(w, 0)))
			a1 = a1.Add(xq.Mul(ldp(w, 8)))
			a2 = a2.Add(xq.Mul(ldp(w, 16)))
			a3 = a3.Add(xq.Mul(ldp(w, 24)))
			a4 = a4.Add(xq.Mul(ldp(w, 32)))
			a5 = a5.Add(xq.Mul(ldp(w, 40)))
			a6 = a6.Add(xq.Mul(ldp(w, 48)))
			a7 = a7.Add(xq.Mul(ldp(w, 56)))
		}
		stp(a0, pa, j)
		stp(a1, pa, j+8)
		stp(a2, pa, j+16)
		stp(a3, pa, j+24)
		stp(a4, pa, j+32)
		stp(a5, pa, j+40)
		stp(a6, pa, j+48)
		stp(a7, pa, j+56)
	}
	for ; j+32 <= k; j += 32 {
		a0, a1, a2, a3 := ldp(pa, j), ldp(pa, j+8), ldp(pa, j+16), ldp(pa, j+24)
		for q, i := range idx {
			xq := bcAt(x, q)
			w := unsafe.Add(pwT, uintptr(int(i)*k+j)<<2)
			a0 = a0.Add(xq.Mul(ldp(w, 0)))
			a1 = a1.Add(xq.Mul(ldp(w, 8)))
			a2 = a2.Add(xq.Mul(ldp(w, 16)))
			a3 = a3.Add(xq.Mul(ldp(w, 24)))
		}
		stp(a0, pa, j)
		stp(a1, pa, j+8)
		stp(a2, pa, j+16)
		stp(a3, pa, j+24)
	}
	for ; j+8 <= k; j += 8 {
		s := ldp(pa, j)
		for q, i := range idx {
			s = s.Add(bcAt(x, q).Mul(ldp(pwT, int(i)*k+j)))
		}
		stp(s, pa, j)
	}
	if j < k {
		s := archsimd.LoadFloat32x8SlicePart(a[j:])
		for q, i := range idx {
			s = s.Add(bcAt(x, q).Mul(archsimd.LoadFloat32x8SlicePart(wT[int(i)*k+j : (int(i)+1)*k])))
		}
		s.StoreSlicePart(a[j:])
	}
	archsimd.ClearAVXUpperBits()
}

func scatterAxpyAVX2(gT, d []float32, idx []int32, x []float32) {
	k := len(d)
	x = x[:len(idx)]
	for q, i := range idx {
		axpyLoop(bcAt(x, q), d, gT[int(i)*k:(int(i)+1)*k])
	}
	archsimd.ClearAVXUpperBits()
}

// transposeAVX2 moves 8 x 8 blocks through registers (two rounds of
// in-lane shuffles, then a swap of 128-bit halves), then copies the
// remaining strips (rows and columns past the last multiple of 8) with
// scalar code after ClearAVXUpperBits. A transpose moves values without
// arithmetic, so any order gives the reference's result.
func transposeAVX2(dst, src []float32, rows, cols, ld int) {
	if !TransposeFits(len(dst), len(src), rows, cols, ld) {
		panic("kernels: Transpose: dimensions out of range of the slices")
	}
	if rows == 0 || cols == 0 {
		return
	}
	src = src[:(rows-1)*ld+cols]
	dst = dst[:rows*cols]
	r8, c8 := rows&^7, cols&^7
	if r8 > 0 && c8 > 0 {
		ps, pd := ptr(src), ptr(dst)
		for c0 := 0; c0 < c8; c0 += 8 {
			for r0 := 0; r0 < r8; r0 += 8 {
				s := r0*ld + c0
				a0, a1 := ldp(ps, s), ldp(ps, s+ld)
				a2, a3 := ldp(ps, s+2*ld), ldp(ps, s+3*ld)
				a4, a5 := ldp(ps, s+4*ld), ldp(ps, s+5*ld)
				a6, a7 := ldp(ps, s+6*ld), ldp(ps, s+7*ld)
				// t: pairs of rows, two columns each; u: four rows, one
				// column (in each 128-bit half: columns c and c+4).
				t0, t1 := a0.SelectFromPairGrouped(0, 1, 4, 5, a1), a0.SelectFromPairGrouped(2, 3, 6, 7, a1)
				t2, t3 := a2.SelectFromPairGrouped(0, 1, 4, 5, a3), a2.SelectFromPairGrouped(2, 3, 6, 7, a3)
				t4, t5 := a4.SelectFromPairGrouped(0, 1, 4, 5, a5), a4.SelectFromPairGrouped(2, 3, 6, 7, a5)
				t6, t7 := a6.SelectFromPairGrouped(0, 1, 4, 5, a7), a6.SelectFromPairGrouped(2, 3, 6, 7, a7)
				u0, u1 := t0.SelectFromPairGrouped(0, 2, 4, 6, t2), t0.SelectFromPairGrouped(1, 3, 5, 7, t2)
				u2, u3 := t1.SelectFromPairGrouped(0, 2, 4, 6, t3), t1.SelectFromPairGrouped(1, 3, 5, 7, t3)
				v0, v1 := t4.SelectFromPairGrouped(0, 2, 4, 6, t6), t4.SelectFromPairGrouped(1, 3, 5, 7, t6)
				v2, v3 := t5.SelectFromPairGrouped(0, 2, 4, 6, t7), t5.SelectFromPairGrouped(1, 3, 5, 7, t7)
				d := c0*rows + r0
				stp(u0.Select128FromPair(0, 2, v0), pd, d)
				stp(u1.Select128FromPair(0, 2, v1), pd, d+rows)
				stp(u2.Select128FromPair(0, 2, v2), pd, d+2*rows)
				stp(u3.Select128FromPair(0, 2, v3), pd, d+3*rows)
				stp(u0.Select128FromPair(1, 3, v0), pd, d+4*rows)
				stp(u1.Select128FromPair(1, 3, v1), pd, d+5*rows)
				stp(u2.Select128FromPair(1, 3, v2), pd, d+6*rows)
				stp(u3.Select128FromPair(1, 3, v3), pd, d+7*rows)
			}
		}
		archsimd.ClearAVXUpperBits()
	}
	// The strips: rows r8.. (every column) and columns c8.. (rows < r8).
	for c := range cols {
		r := r8
		if c >= c8 {
			r = 0
		}
		for ; r < rows; r++ {
			dst[c*rows+r] = src[r*ld+c]
		}
	}
}
