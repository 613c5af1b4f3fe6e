//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// The decoder gradient of a group of documents by rows (AVX2 GradRowsDocs,
// docs/design.md §2). Per document, GradRows streams each of its winner
// rows of the weights and of the gradient: a chunk's documents together
// read all of both (1 MB each at V = 2,000, K = 128) many times over, more
// than a core's L2 holds with the rest of a step. Here each row j of the
// weights and of the gradient is read once for every four of the group's
// documents that have it among their rows (and again in each segment of
// gradSeg pairs), in the order of the documents: every element of the gradient receives the same products in
// the same order as from GradRows document after document (the rows are
// independent of each other), and every dot product is GradRows' own, in
// the canonical 4-lane order: the same bits.

// gradSeg is the number of (document, row) pairs that gradRowsDocsAVX2
// sorts by row at a time (on the stack); a group with more is taken in
// consecutive segments of pairs, which keeps every element's additions in
// the order of the documents.
const gradSeg = 1024

// gradMaxK is the largest k that gradRowsDocsAVX2 sorts by; above it, it
// runs GradRows document after document.
const gradMaxK = 4096

// gradRowsDocsAVX2 is GradRowsDocs. For each row, its documents are taken
// four at a time: each 8 weights and 8 gradient elements are loaded once
// for the four, the gradient receives the four documents' terms in their
// order before it is stored, and the dot products of two documents share
// one accumulator (the first one's four partial sums in the low half, the
// second's in the high half; each 8 products added low half then high
// half, so lane l takes elements l, l+4, ... in order: the canonical
// order).
func gradRowsDocsAVX2(d, wt, gw []float32, v int, rows, offs []int32, h, g []float32, k int) {
	nd := len(offs) - 1
	if nd <= 0 {
		return
	}
	if nd > math.MaxInt32 {
		// pdoc holds the documents' numbers as int32.
		panic("kernels: GradRowsDocs: too many documents")
	}
	d, h, g = d[:nd*v], h[:nd*k], g[:nd*k]
	checkRowsDocs(d, wt, gw, v, rows, offs, h, k)
	if k > gradMaxK {
		GradRowsDocsWith(gradRowsAVX2)(d, wt, gw, v, rows, offs, h, g, k)
		return
	}
	// Declared (and zeroed) before any AVX instruction: Go zeroes memory
	// with legacy SSE stores (see the speed rule in kernels_simd_amd64.go).
	var start [gradMaxK + 1]int32
	var pdoc, order [gradSeg]int32
	i := 0
	p, end := int(offs[0]), int(offs[nd])
	for p < end {
		// The segment: pairs p to e, sorted by row (a stable counting
		// sort: each row's pairs in the order of the documents).
		e := min(end, p+gradSeg)
		cnt := start[:k+1]
		clear(cnt)
		for q := p; q < e; q++ {
			for int(offs[i+1]) <= q {
				i++
			}
			pdoc[q-p] = int32(i)
			cnt[rows[q]+1]++
		}
		for j := range k {
			cnt[j+1] += cnt[j]
		}
		for q := p; q < e; q++ {
			j := rows[q]
			order[cnt[j]] = int32(q - p)
			cnt[j]++
		}
		// cnt[j] is now the end of row j's pairs, the start of row j+1's.
		lo := int32(0)
		for j := range k {
			hi := cnt[j]
			if hi > lo {
				gradRow(d, wt, gw, v, j, order[lo:hi], pdoc[:e-p], h, g, k)
			}
			lo = hi
		}
		p = e
	}
}

// gradRow adds the terms of the documents pdoc[s], s in list (in order),
// to row j of gw and sets their g[doc*k+j]: four documents at a time, then
// two, then one. The caller has checked the bounds; it ends with
// ClearAVXUpperBits.
func gradRow(d, wt, gw []float32, v, j int, list, pdoc []int32, h, g []float32, k int) {
	v8, v4 := v&^7, v&^3
	w, q := wt[j*v:(j+1)*v], gw[j*v:(j+1)*v]
	pw, pq, pd := ptr(w), ptr(q), ptr(d)
	// Declared before any AVX instruction (zeroed with legacy SSE).
	var sums [8]float32
	var ds [4]int
	for len(list) > 0 {
		n := min(4, len(list))
		// The documents past n repeat the last one, in the accumulators
		// only: their products are never added to the gradient.
		for t := range 4 {
			ds[t] = int(pdoc[list[min(t, n-1)]])
		}
		list = list[n:]
		pd0, pd1 := unsafe.Add(pd, uintptr(ds[0]*v)<<2), unsafe.Add(pd, uintptr(ds[1]*v)<<2)
		pd2, pd3 := unsafe.Add(pd, uintptr(ds[2]*v)<<2), unsafe.Add(pd, uintptr(ds[3]*v)<<2)
		h0, h1 := bcAt(h, ds[0]*k+j), bcAt(h, ds[1]*k+j)
		h2, h3 := bcAt(h, ds[2]*k+j), bcAt(h, ds[3]*k+j)
		s01, s23 := zero8(), zero8()
		switch n {
		case 4:
			for c := 0; c < v8; c += 8 {
				wv := ldp(pw, c)
				d0, d1, d2, d3 := ldp(pd0, c), ldp(pd1, c), ldp(pd2, c), ldp(pd3, c)
				p0, p1, p2, p3 := d0.Mul(wv), d1.Mul(wv), d2.Mul(wv), d3.Mul(wv)
				stp(ldp(pq, c).Add(h0.Mul(d0)).Add(h1.Mul(d1)).Add(h2.Mul(d2)).Add(h3.Mul(d3)), pq, c)
				s01 = s01.Add(p0.Select128FromPair(0, 2, p1)).Add(p0.Select128FromPair(1, 3, p1))
				s23 = s23.Add(p2.Select128FromPair(0, 2, p3)).Add(p2.Select128FromPair(1, 3, p3))
			}
		case 3:
			for c := 0; c < v8; c += 8 {
				wv := ldp(pw, c)
				d0, d1, d2 := ldp(pd0, c), ldp(pd1, c), ldp(pd2, c)
				p0, p1, p2 := d0.Mul(wv), d1.Mul(wv), d2.Mul(wv)
				stp(ldp(pq, c).Add(h0.Mul(d0)).Add(h1.Mul(d1)).Add(h2.Mul(d2)), pq, c)
				s01 = s01.Add(p0.Select128FromPair(0, 2, p1)).Add(p0.Select128FromPair(1, 3, p1))
				s23 = s23.Add(p2).Add(swapHalves(p2))
			}
		case 2:
			for c := 0; c < v8; c += 8 {
				wv := ldp(pw, c)
				d0, d1 := ldp(pd0, c), ldp(pd1, c)
				p0, p1 := d0.Mul(wv), d1.Mul(wv)
				stp(ldp(pq, c).Add(h0.Mul(d0)).Add(h1.Mul(d1)), pq, c)
				s01 = s01.Add(p0.Select128FromPair(0, 2, p1)).Add(p0.Select128FromPair(1, 3, p1))
			}
		default:
			for c := 0; c < v8; c += 8 {
				wv := ldp(pw, c)
				d0 := ldp(pd0, c)
				p0 := d0.Mul(wv)
				stp(ldp(pq, c).Add(h0.Mul(d0)), pq, c)
				s01 = s01.Add(p0).Add(swapHalves(p0))
			}
		}
		// The 4-wide tail, then (s0+s1)+(s2+s3): lane 0 the first
		// document of an accumulator, lane 4 the second.
		if v8 < v4 {
			wv := archsimd.LoadFloat32x8SlicePart(w[v8:v4])
			qv := archsimd.LoadFloat32x8SlicePart(q[v8:v4])
			d0 := archsimd.LoadFloat32x8SlicePart(d[ds[0]*v+v8 : ds[0]*v+v4])
			d1 := archsimd.LoadFloat32x8SlicePart(d[ds[1]*v+v8 : ds[1]*v+v4])
			d2 := archsimd.LoadFloat32x8SlicePart(d[ds[2]*v+v8 : ds[2]*v+v4])
			d3 := archsimd.LoadFloat32x8SlicePart(d[ds[3]*v+v8 : ds[3]*v+v4])
			qv = qv.Add(h0.Mul(d0))
			if n > 1 {
				qv = qv.Add(h1.Mul(d1))
			}
			if n > 2 {
				qv = qv.Add(h2.Mul(d2))
			}
			if n > 3 {
				qv = qv.Add(h3.Mul(d3))
			}
			qv.StoreSlicePart(q[v8:v4])
			s01 = s01.Add(d0.Mul(wv).Select128FromPair(0, 2, d1.Mul(wv)))
			s23 = s23.Add(d2.Mul(wv).Select128FromPair(0, 2, d3.Mul(wv)))
		}
		u01, u23 := s01.AddPairsGrouped(s01), s23.AddPairsGrouped(s23)
		u01, u23 = u01.AddPairsGrouped(u01), u23.AddPairsGrouped(u23)
		if v4 == v {
			setBits(g, ds[0]*k+j, u01.AsUint32x8().GetLo().GetElem(0))
			if n > 1 {
				setBits(g, ds[1]*k+j, u01.AsUint32x8().GetHi().GetElem(0))
			}
			if n > 2 {
				setBits(g, ds[2]*k+j, u23.AsUint32x8().GetLo().GetElem(0))
			}
			if n > 3 {
				setBits(g, ds[3]*k+j, u23.AsUint32x8().GetHi().GetElem(0))
			}
			continue
		}
		// The last v%4 elements in scalar code, document after document.
		// A third document alone in its accumulator has its sums in the
		// low half (s23 above).
		u01.Store(&sums)
		s0, s1 := sums[0], sums[4]
		u23.Store(&sums)
		s2, s3 := sums[0], sums[4]
		archsimd.ClearAVXUpperBits()
		ss := [4]float32{s0, s1, s2, s3}
		for t := range n {
			dd, hj, s := d[ds[t]*v:(ds[t]+1)*v], h[ds[t]*k+j], ss[t]
			for c := v4; c < v; c++ {
				// Products converted: no GOAMD64=v3 build fuses them (docs/design.md §6).
				q[c] += float32(hj * dd[c])
				s += float32(dd[c] * w[c])
			}
			g[ds[t]*k+j] = s
		}
	}
	archsimd.ClearAVXUpperBits()
}
