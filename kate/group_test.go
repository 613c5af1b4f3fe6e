//go:build !wasm

package kate

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// The exact loss's chunks in groups of documents (group.go) give the same
// bits as the documents' steps one after another: each chunk's gradient
// sums (gW, gB, gC) and loss, for groups of 1 to more than a chunk, with
// the gradient through the competition and without it, at a vocabulary
// that is not a multiple of 4 or 8 and one that is; and the workspace's
// per-document buffers are its own again afterwards (Explain and the
// tests read them).
func TestGroupedStepsSameBits(t *testing.T) {
	const per = 11
	defer func(old int) { trainGroup = old }(trainGroup)
	for _, v := range []int{37, 64} {
		for _, mode := range []GradMode{GradFull, GradNone} {
			chunks := func(n int) []*workspace {
				trainGroup = n
				m, xs := smallModel(t, v, 13, 5, 2.5, trainChunks*per, 9)
				m.params.Grad = mode
				tr := newTrainer(m, DefaultConfig())
				tr.serial = true
				tr.chunks(xs, true, 0, trainChunks)
				return tr.ws
			}
			want := chunks(0)
			for _, n := range []int{1, 2, 3, 4, 5, 8, per, 32} {
				got := chunks(n)
				for c := range got {
					for _, b := range []struct {
						what      string
						want, got []float32
					}{{"gW", want[c].gW, got[c].gW}, {"gB", want[c].gB, got[c].gB}, {"gC", want[c].gC, got[c].gC}} {
						for i := range b.want {
							if math.Float32bits(b.want[i]) != math.Float32bits(b.got[i]) {
								t.Fatalf("V=%d, %v, groups of %d: chunk %d: %s[%d] = %v, want %v", v, mode, n, c, b.what, i, b.got[i], b.want[i])
							}
						}
					}
					if want[c].loss != got[c].loss || want[c].loss == 0 {
						t.Fatalf("V=%d, %v, groups of %d: chunk %d: loss %v, want %v (not 0)", v, mode, n, c, got[c].loss, want[c].loss)
					}
					ws := got[c]
					if ws.grp == nil {
						t.Fatalf("groups of %d: chunk %d ran without a group", n, c)
					}
					if &ws.a[0] != &ws.grp.own[0][0] || ws.comp != ws.grp.ownComp || len(ws.h) != 13 {
						t.Fatalf("groups of %d: chunk %d: the per-document buffers are not the workspace's own", n, c)
					}
				}
			}
		}
	}
}

// BenchmarkTrainGroups times training batches (BenchmarkTrain's shape: V =
// 2,000, K = 128, k = 32, batches of 100, the update included) with the
// chunks' documents one after another (group=0) and in groups of 8 to 32
// (group.go), on one goroutine and on all; with -count N the settings
// alternate. It reports docs/s and docs per CPU second.
func BenchmarkTrainGroups(b *testing.B) {
	const v, k, bs = 2000, 128, 100
	defer func(old int) { trainGroup = old }(trainGroup)
	for _, mode := range []string{"serial", "parallel"} {
		for _, n := range []int{0, 8, 16, 32} {
			b.Run(fmt.Sprintf("%s/group=%d", mode, n), func(b *testing.B) {
				trainGroup = n
				t, docs := benchTrainer(b, v, k, 32)
				t.serial = mode == "serial"
				b.ResetTimer()
				start, cpu0 := time.Now(), processCPU()
				for i := 0; i < b.N; i++ {
					lo := (i * bs) % len(docs)
					t.batch(docs[lo:lo+bs], 2, i%10 == 0)
				}
				reportDocs(b, b.N*bs, start)
				reportCPU(b, b.N*bs, cpu0)
			})
		}
	}
}
