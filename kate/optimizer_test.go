//go:build !wasm

package kate

import (
	"bytes"
	"context"
	"runtime"
	"testing"
)

// TestFusedTransposeSameModel trains the same model with the transposed
// weights written block by block after their update (fuseTranspose, the
// native default) and by one Transpose over the whole matrix after it (the
// WebAssembly build's), on one goroutine and on two, and requires the same
// model file: the transposed copy is copied, never computed (docs/design.md
// §2). K = 44 leaves a block of 4 rows after five of 8.
func TestFusedTransposeSameModel(t *testing.T) {
	texts, _ := synthCorpus(300, 5, 9)
	cfg := DefaultConfig()
	cfg.VocabSize, cfg.Dim, cfg.Winners, cfg.Epochs, cfg.BatchSize, cfg.ValidationDocs = 150, 44, 12, 2, 20, 30
	cfg.Text = TextOptions{}
	train := func(fused bool, procs int) []byte {
		oldFused, oldProcs := fuseTranspose, runtime.GOMAXPROCS(procs)
		defer func() { fuseTranspose = oldFused; runtime.GOMAXPROCS(oldProcs) }()
		fuseTranspose = fused
		m, err := Train(context.Background(), texts, cfg, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	want := train(false, 1)
	for _, procs := range []int{1, 2} {
		if got := train(true, procs); !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS=%d: the model trained with the fused transpose differs", procs)
		}
	}
}
