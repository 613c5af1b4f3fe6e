package kate

import "testing"

// BenchmarkEncoderGrad measures encoderGrad alone (V = 2,000, K = 128,
// k = 32; one op = one document) after a real step of each of 100
// documents, on the exact loss: "deferred" as in a chunk (the document's
// dL/da appended for addEncoderGrads), "immediate" with SparseAxpy on the
// K x V gradient.
func BenchmarkEncoderGrad(b *testing.B) {
	const v, k, kk = 2000, 128, 32
	for _, deferred := range []bool{true, false} {
		name := "immediate"
		if deferred {
			name = "deferred"
		}
		b.Run(name, func(b *testing.B) {
			t, docs := benchTrainer(b, v, k, kk)
			docs = docs[:100]
			ws := t.ws[0]
			type state struct{ z, dz []float32 }
			st := make([]state, len(docs))
			for i, x := range docs {
				t.step(ws, x, 1e-6, false)
				st[i] = state{append([]float32(nil), ws.z...), append([]float32(nil), ws.dz...)}
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				d := i % len(docs)
				copy(ws.z, st[d].z)
				copy(ws.dz, st[d].dz)
				ws.deferEnc = deferred
				ws.encDA = ws.encDA[:0]
				t.encoderGrad(ws, docs[d])
			}
		})
	}
}
