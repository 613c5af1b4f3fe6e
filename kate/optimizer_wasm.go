//go:build wasm

package kate

// fuseTranspose: under WebAssembly, where one thread updates every block
// and every kernel call crosses into JavaScript, reduceAndUpdate keeps one
// Transpose call over the whole matrix after the update (syncTransposed).
const fuseTranspose = false
