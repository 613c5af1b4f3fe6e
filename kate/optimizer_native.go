//go:build !wasm

package kate

import "github.com/kate-web/kate/internal/kernels"

// fuseTranspose: reduceAndUpdate writes the transposed weights block by
// block, each right after its update (natively; a variable for the tests).
var fuseTranspose = true

// transposeTo is kernels.TransposeTo (native builds only).
func transposeTo(dst []float32, ldd int, src []float32, rows, cols, lds int) {
	kernels.TransposeTo(dst, ldd, src, rows, cols, lds)
}
