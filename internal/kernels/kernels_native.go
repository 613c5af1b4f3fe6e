//go:build !wasm

package kernels

// nativeKernels are the kernels that only native training uses
// (docs/design.md §2), embedded in Set: their fields are Set's in a native
// build and absent from the WebAssembly build (kernels_wasm.go), where
// every field of Set costs code wherever a Set is copied.
type nativeKernels struct {
	// TransposeTo is Transpose into a block of a larger matrix: it sets
	// dst[c*ldd+r] = src[r*lds+c] for every r < rows and c < cols, where
	// ldd >= rows and lds >= cols are the distances between the rows of
	// dst and of src. Native training writes the transposed copy of the
	// weights by blocks of rows, each right after its update. dst and src
	// do not overlap; it panics when a leading dimension is below the
	// block's size.
	TransposeTo func(dst []float32, ldd int, src []float32, rows, cols, lds int)
}

// goNative returns the pure-Go native-only kernels.
func goNative() nativeKernels {
	return nativeKernels{TransposeTo: transposeToGo}
}

// completeNative fills the nil native-only kernels of k with g's.
func completeNative(k *Set, g Set) {
	if k.TransposeTo == nil {
		k.TransposeTo = g.TransposeTo
	}
}

// TransposeTo runs the active set's TransposeTo.
func TransposeTo(dst []float32, ldd int, src []float32, rows, cols, lds int) {
	active.TransposeTo(dst, ldd, src, rows, cols, lds)
}

func transposeToGo(dst []float32, ldd int, src []float32, rows, cols, lds int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ldd < rows || lds < cols {
		panic("kernels: TransposeTo: a leading dimension is below the block's size")
	}
	src = src[:(rows-1)*lds+cols]
	dst = dst[:(cols-1)*ldd+rows]
	for c := range cols {
		for r := range rows {
			dst[c*ldd+r] = src[r*lds+c]
		}
	}
}
