//go:build linux && !wasm

package kate

import (
	"math"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// arenaMin is the least K·V for which training moves its K x V buffers into
// an arena of 2 MB pages (useArena): 131,072 weights make 4 MB over the
// eight buffers; the default model (V = 2,000, K = 128) has 256,000.
const arenaMin = 1 << 17

// arenaFunc maps an arena: floatArena, replaced by the tests.
var arenaFunc = floatArena

// arenaState is an arena in use: the function that unmaps it, the model's
// weights on the Go heap, where useArena found them, and the bytes by which
// it lowered the Go memory limit.
type arenaState struct {
	free    func()
	heapW   []float32
	lowered int64
}

// useArena moves the K x V buffers of training (the model's weights, their
// transposed copy, the two Adadelta accumulators and the chunks' four
// gradients: 8·K·V floats, 8 MB for the default model) into one arena backed
// by 2 MB pages (floatArena), until releaseArena, which must run before the
// model leaves TrainVectors. With 4 KB pages these buffers span about 2,000
// pages, as many as the processor's second-level TLB holds, and each batch
// streams through all of them (Adadelta) besides reading rows of them at
// random (the decoder, the encoder and their gradients); in a virtual
// machine every TLB miss is a two-level page walk. The values are copied,
// never computed, so the bits are the same (docs/design.md §2). It does
// nothing for smaller models or when the arena cannot be mapped; elsewhere
// than on Linux it does nothing (arena_other.go).
func (t *trainer) useArena() {
	n := t.m.params.Dim * t.v
	if t.arena != nil || n < arenaMin || len(t.m.wt) != n || len(t.wT) != n {
		return
	}
	arena, free := arenaFunc((4 + len(t.ws)) * n)
	if arena == nil {
		return
	}
	take := func(old []float32) []float32 {
		s := arena[:n:n]
		arena = arena[n:]
		copy(s, old)
		return s
	}
	t.arena = &arenaState{free: free, heapW: t.m.wt}
	// The arena is outside the Go heap: a memory limit (kate train's
	// --max-memory) is lowered by its size while it is mapped, so that the
	// heap buffers it replaces are collected rather than counted twice.
	if lim := debug.SetMemoryLimit(-1); lim < math.MaxInt64 {
		t.arena.lowered = min(int64(len(arena))*4, lim/2)
		debug.SetMemoryLimit(lim - t.arena.lowered)
	}
	t.m.wt = take(t.m.wt)
	t.wT, t.accW, t.updW = take(t.wT), take(t.accW), take(t.updW)
	for _, ws := range t.ws {
		ws.gW = take(ws.gW)
	}
}

// releaseArena copies the weights back to the Go heap and frees the arena,
// if useArena made one; the trainer's other K x V buffers go with it (nil),
// so it cannot train on.
func (t *trainer) releaseArena() {
	a := t.arena
	if a == nil {
		return
	}
	copy(a.heapW, t.m.wt)
	t.m.wt = a.heapW
	t.wT, t.accW, t.updW = nil, nil, nil
	for _, ws := range t.ws {
		ws.gW = nil
	}
	t.arena = nil
	a.free()
	if a.lowered > 0 {
		debug.SetMemoryLimit(debug.SetMemoryLimit(-1) + a.lowered)
	}
}

// floatArena returns n float32s, zero, from memory mapped for the purpose
// and which the kernel is asked to back with 2 MB pages (transparent huge
// pages, madvise(MADV_HUGEPAGE): the setting "madvise" of
// /sys/kernel/mm/transparent_hugepage/enabled honours it, "never" ignores
// it), and the function that unmaps it; nil and nil when it cannot be
// mapped. The memory is outside the Go heap: nothing may keep a slice of
// it after free.
func floatArena(n int) (s []float32, free func()) {
	const huge = 2 << 20
	size := (n*4 + huge - 1) &^ (huge - 1)
	mem, err := syscall.Mmap(-1, 0, size+huge, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil
	}
	// The first 2 MB boundary in the mapping, so that every 2 MB of the
	// arena can be one page.
	off := int((huge - uintptr(unsafe.Pointer(unsafe.SliceData(mem)))%huge) % huge)
	_ = syscall.Madvise(mem[off:off+size], syscall.MADV_HUGEPAGE) // advice only: 4 KB pages work too
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[off])), n), func() { _ = syscall.Munmap(mem) }
}
