//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"unsafe"
)

// The decoder with 512-bit vectors (docs/design.md §2), chosen at start-up
// when the CPU has AVX-512 (Native): the AVX2 decoder's sums, 16 outputs
// per vector instead of 8. Every output receives the same products in the
// same order (element-wise work has no ordering question): the same bits.

type f16 = archsimd.Float32x16

func ldp16(p unsafe.Pointer, i int) f16 {
	return archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(p, uintptr(i)<<2)))
}
func stp16(v f16, p unsafe.Pointer, i int) { v.Store((*[16]float32)(unsafe.Add(p, uintptr(i)<<2))) }

// bcAt16 broadcasts s[i] for an int32 index, read as an integer.
func bcAt16(s []float32, i int32) f16 {
	return archsimd.BroadcastUint32x16(*(*uint32)(unsafe.Pointer(&s[i]))).AsFloat32x16()
}

func decodeRows512(y, c, wt []float32, v int, rows []int32, h []float32) {
	decodeRowsBy(decodeSpan512, y, c, wt, v, rows, h)
}

func decodeRowsDocs512(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
	decodeRowsDocsBy(decodeSpan512, y, c, wt, v, rows, offs, h, k)
}

// decodeSpan512 is decodeSpan with 64 outputs in four 512-bit registers,
// then 16, then a partial tail (hi = v only).
func decodeSpan512(y, c, wt []float32, v int, rows []int32, h []float32, lo, hi int) {
	pwt, pc, py := ptr(wt), ptr(c), ptr(y)
	i := lo
	for ; i+64 <= hi; i += 64 {
		a0, a1, a2, a3 := ldp16(pc, i), ldp16(pc, i+16), ldp16(pc, i+32), ldp16(pc, i+48)
		for _, j := range rows {
			hj := bcAt16(h, j)
			w := unsafe.Add(pwt, uintptr(int(j)*v+i)<<2)
			a0 = a0.Add(hj.Mul(ldp16(w, 0)))
			a1 = a1.Add(hj.Mul(ldp16(w, 16)))
			a2 = a2.Add(hj.Mul(ldp16(w, 32)))
			a3 = a3.Add(hj.Mul(ldp16(w, 48)))
		}
		stp16(a0, py, i)
		stp16(a1, py, i+16)
		stp16(a2, py, i+32)
		stp16(a3, py, i+48)
	}
	for ; i+16 <= hi; i += 16 {
		a := ldp16(pc, i)
		for _, j := range rows {
			a = a.Add(bcAt16(h, j).Mul(ldp16(pwt, int(j)*v+i)))
		}
		stp16(a, py, i)
	}
	if i < hi {
		a := archsimd.LoadFloat32x16SlicePart(c[i:hi])
		for _, j := range rows {
			a = a.Add(bcAt16(h, j).Mul(archsimd.LoadFloat32x16SlicePart(wt[int(j)*v+i : int(j)*v+hi])))
		}
		a.StoreSlicePart(y[i:hi])
	}
}

// axpyRows512 is axpyRowsAVX2 with 128 elements of a in eight 512-bit
// registers (K = 128 in one pass over the document's rows), then 64, 16
// and a partial tail; each a[j] gets the same products in the same order.
func axpyRows512(a, wT []float32, idx []int32, x []float32) {
	k := len(a)
	x = x[:len(idx)]
	for _, i := range idx {
		_ = wT[int(i)*k : (int(i)+1)*k]
	}
	pwT, pa := ptr(wT), ptr(a)
	j := 0
	for ; j+128 <= k; j += 128 {
		a0, a1, a2, a3 := ldp16(pa, j), ldp16(pa, j+16), ldp16(pa, j+32), ldp16(pa, j+48)
		a4, a5, a6, a7 := ldp16(pa, j+64), ldp16(pa, j+80), ldp16(pa, j+96), ldp16(pa, j+112)
		for q, i := range idx {
			xq := bcAt16(x, int32(q))
			w := unsafe.Add(pwT, uintptr(int(i)*k+j)<<2)
			a0 = a0.Add(xq.Mul(ldp16(w, 0)))
			a1 = a1.Add(xq.Mul(ldp16(w, 16)))
			a2 = a2.Add(xq.Mul(ldp16(w, 32)))
			a3 = a3.Add(xq.Mul(ldp16(w, 48)))
			a4 = a4.Add(xq.Mul(ldp16(w, 64)))
			a5 = a5.Add(xq.Mul(ldp16(w, 80)))
			a6 = a6.Add(xq.Mul(ldp16(w, 96)))
			a7 = a7.Add(xq.Mul(ldp16(w, 112)))
		}
		stp16(a0, pa, j)
		stp16(a1, pa, j+16)
		stp16(a2, pa, j+32)
		stp16(a3, pa, j+48)
		stp16(a4, pa, j+64)
		stp16(a5, pa, j+80)
		stp16(a6, pa, j+96)
		stp16(a7, pa, j+112)
	}
	for ; j+64 <= k; j += 64 {
		a0, a1, a2, a3 := ldp16(pa, j), ldp16(pa, j+16), ldp16(pa, j+32), ldp16(pa, j+48)
		for q, i := range idx {
			xq := bcAt16(x, int32(q))
			w := unsafe.Add(pwT, uintptr(int(i)*k+j)<<2)
			a0 = a0.Add(xq.Mul(ldp16(w, 0)))
			a1 = a1.Add(xq.Mul(ldp16(w, 16)))
			a2 = a2.Add(xq.Mul(ldp16(w, 32)))
			a3 = a3.Add(xq.Mul(ldp16(w, 48)))
		}
		stp16(a0, pa, j)
		stp16(a1, pa, j+16)
		stp16(a2, pa, j+32)
		stp16(a3, pa, j+48)
	}
	for ; j+16 <= k; j += 16 {
		s := ldp16(pa, j)
		for q, i := range idx {
			s = s.Add(bcAt16(x, int32(q)).Mul(ldp16(pwT, int(i)*k+j)))
		}
		stp16(s, pa, j)
	}
	if j < k {
		s := archsimd.LoadFloat32x16SlicePart(a[j:])
		for q, i := range idx {
			s = s.Add(bcAt16(x, int32(q)).Mul(archsimd.LoadFloat32x16SlicePart(wT[int(i)*k+j : (int(i)+1)*k])))
		}
		s.StoreSlicePart(a[j:])
	}
	archsimd.ClearAVXUpperBits()
}
