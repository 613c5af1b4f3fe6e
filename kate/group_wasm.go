//go:build wasm

package kate

// trainGroup is 0 in the WebAssembly build: its chunks run one document
// after another (step), with no grouped kernels of its own to gain from
// groups (group.go).
const trainGroup = 0
