//go:build wasm

package kate

// fuseTranspose: under WebAssembly, where one thread updates every block
// and every kernel call crosses into JavaScript, reduceAndUpdate keeps one
// Transpose call over the whole matrix after the update (syncTransposed).
const fuseTranspose = false

// transposeTo is never called under WebAssembly (fuseTranspose is false),
// whose kernels have no TransposeTo.
func transposeTo(dst []float32, ldd int, src []float32, rows, cols, lds int) {
	panic("kate: transposeTo is native only")
}
