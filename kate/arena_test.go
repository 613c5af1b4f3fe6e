//go:build linux && !wasm

package kate

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestArenaSameModel trains a model large enough for the arena (K·V >=
// arenaMin) with the arena's 2 MB pages where the platform has them, and
// with the Go heap only, and requires the same model file; then uses the
// model after TrainVectors freed the arena (its weights must be back on the
// Go heap: reading unmapped memory would crash the test).
func TestArenaSameModel(t *testing.T) {
	const v, k = 1100, 128
	if v*k < arenaMin {
		t.Fatal("the model is too small for the arena")
	}
	words := make([]string, v)
	for i := range words {
		words[i] = fmt.Sprintf("w%d", i)
	}
	vocab, err := NewVocabulary(words)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	xs := make([]SparseVector, 150)
	for d := range xs {
		perm := r.Perm(v)[:5+r.IntN(60)]
		idx, cnt := make([]int32, len(perm)), make([]int32, len(perm))
		for q, i := range perm {
			idx[q], cnt[q] = int32(i), int32(1+r.IntN(3))
		}
		xs[d], _ = countsToVector(idx, cnt)
	}
	cfg := DefaultConfig()
	cfg.Dim, cfg.Epochs, cfg.BatchSize = k, 2, 25
	train := func(arena func(int) ([]float32, func())) ([]byte, int) {
		old := arenaFunc
		defer func() { arenaFunc = old }()
		mapped := 0
		arenaFunc = func(n int) ([]float32, func()) {
			s, free := arena(n)
			if s != nil {
				mapped++
			}
			return s, free
		}
		// A memory limit is lowered by the arena's size while it is
		// mapped, and restored after.
		const limit = 1 << 30
		oldLimit := debug.SetMemoryLimit(limit)
		defer debug.SetMemoryLimit(oldLimit)
		var during int64
		progress := func(Progress) { during = debug.SetMemoryLimit(-1) }
		m, err := TrainVectors(context.Background(), vocab, xs, cfg, TrainOptions{Progress: progress})
		if err != nil {
			t.Fatal(err)
		}
		if got := debug.SetMemoryLimit(-1); got != limit {
			t.Errorf("memory limit %d after training, want %d", got, limit)
		}
		if want := int64(limit - 8*v*k*4); mapped == 1 && during != want {
			t.Errorf("memory limit %d during training in the arena, want %d", during, want)
		} else if mapped == 0 && during != limit {
			t.Errorf("memory limit %d during training on the heap, want %d", during, limit)
		}
		runtime.GC()
		if _, err := m.Topics(10); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), mapped
	}
	heap, n := train(func(int) ([]float32, func()) { return nil, nil })
	if n != 0 {
		t.Fatal("the heap-only run mapped an arena")
	}
	got, n := train(floatArena)
	if n != 1 {
		t.Errorf("training mapped %d arenas, want 1", n)
	}
	if !bytes.Equal(heap, got) {
		t.Error("training in the arena wrote another model than on the Go heap")
	}
}
