package kate

import (
	"context"
	"testing"
	"time"
)

// BenchmarkReplicaBatch measures one batch of 100 documents at V=2000,
// K=128 on replica 1 of 2 (chunks 2 and 3), with an exchange that answers
// at once with a copy of the message: compute, the message's packing and
// reading, and the update, as sub-benchmark parts.
func BenchmarkReplicaBatch(b *testing.B) {
	for _, part := range []string{"whole", "chunks", "share", "update"} {
		b.Run(part, func(b *testing.B) {
			t, docs := benchTrainer(b, 2000, 128, 32)
			t.serial = true
			var peer []byte
			t.ex = &exchanger{rep: &Replica{Index: 1, Count: 2, Exchange: func(_ context.Context, msg []byte) ([][]byte, error) {
				peer = append(peer[:0], msg...)
				return [][]byte{peer, nil}, nil
			}}}
			ctx := context.Background()
			var d time.Duration
			b.ResetTimer()
			for i := range b.N {
				batch := docs[(i*100)%1900 : (i*100)%1900+100]
				t0 := time.Now()
				t.chunks(batch, false, 2, 4)
				t1 := time.Now()
				if err := t.shareGradients(ctx, 2, 4); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				t.update(0.5)
				t3 := time.Now()
				switch part {
				case "whole":
					d += t3.Sub(t0)
				case "chunks":
					d += t1.Sub(t0)
				case "share":
					d += t2.Sub(t1)
				case "update":
					d += t3.Sub(t2)
				}
			}
			b.ReportMetric(float64(d.Microseconds())/float64(b.N), "µs/batch")
		})
	}
}
