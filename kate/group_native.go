//go:build !wasm

package kate

// trainGroup is the number of a chunk's documents whose forward passes run
// before their backward passes on the exact loss (group.go; docs/design.md
// §2): natively, a whole chunk of the default batch. A cache setting: no
// bits depend on it.
var trainGroup = 32
