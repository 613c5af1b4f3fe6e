//go:build !linux || wasm

package kate

// arenaState is empty here: the arena of 2 MB pages is Linux's
// (arena_linux.go), and training keeps its buffers on the Go heap.
type arenaState struct{}

func (t *trainer) useArena()     {}
func (t *trainer) releaseArena() {}
