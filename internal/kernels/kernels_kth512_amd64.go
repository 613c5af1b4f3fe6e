//go:build goexperiment.simd && amd64

package kernels

import (
	mbits "math/bits"
	"simd/archsimd"
	"unsafe"
)

// kthMax is the most keys kthLargest512 counts for; above it, the
// quickselect.
const kthMax = 256

// kthLargest512 is KthLargest (the competition's selection, docs/design.md
// §1.2) by counting: the q-th greatest of the distinct keys a is the one
// that exactly q-1 keys exceed, and 8 keys at a time are compared with a
// candidate (512-bit compares, the greater ones counted from the mask);
// it then exchanges that key with a[q-1]. The keys are distinct, so the
// key found is the reference's; a[q-1] holds it, as the reference leaves
// it.
func kthLargest512(a []uint64, q int) uint64 {
	n := len(a)
	if n < 16 || n > kthMax {
		return kthLargestGo(a, q)
	}
	_ = a[q-1]
	n8 := n &^ 7
	pa := unsafe.Pointer(unsafe.SliceData(a))
	ld := func(i int) archsimd.Uint64x8 {
		return archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(pa, uintptr(i)<<3)))
	}
	var tail archsimd.Uint64x8
	if n8 < n {
		tail = archsimd.LoadUint64x8SlicePart(a[n8:]) // zeros past the end: never greater
	}
	want := q - 1
	for i, key := range a {
		kv := archsimd.BroadcastUint64x8(key)
		c := 0
		for m := 0; m < n8; m += 8 {
			c += mbits.OnesCount8(ld(m).Greater(kv).ToBits())
		}
		if n8 < n {
			c += mbits.OnesCount8(tail.Greater(kv).ToBits())
		}
		if c == want {
			archsimd.ClearAVXUpperBits()
			a[i], a[want] = a[want], key
			return key
		}
	}
	archsimd.ClearAVXUpperBits()
	return kthLargestGo(a, q) // keys not distinct: the reference's answer
}
