//go:build !wasm

package kate

// fuseTranspose: reduceAndUpdate writes the transposed weights block by
// block, each right after its update (natively; a variable for the tests).
var fuseTranspose = true
