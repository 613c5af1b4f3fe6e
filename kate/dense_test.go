package kate

import (
	"math"
	"testing"

	"github.com/kate-web/kate/internal/mathf"
)

// denseStep is the dense reference for one document: what a dense
// framework computes, V·K multiply-adds for the encoder, the decoder, the
// decoder gradient and the encoder gradient, with x and h as full vectors.
// It adds the document's gradient (scaled) to gW (K x V), gB, gC.
func denseStep(m *Model, ws *workspace, xd []float32, scale float32, gW, gB, gC []float32) {
	v, k := m.vocab.Len(), m.params.Dim
	for j := 0; j < k; j++ {
		row := m.wt[j*v : (j+1)*v]
		a := m.b[j]
		for i, xi := range xd {
			a += float32(xi * row[i])
		}
		ws.z[j] = mathf.Tanh(a)
	}
	ws.comp.forward(ws.z, ws.h, m.params.Winners, m.params.Alpha)
	y := ws.y
	copy(y, m.c)
	for j := 0; j < k; j++ {
		hj := ws.h[j]
		row := m.wt[j*v : (j+1)*v]
		for i := range y {
			y[i] += float32(hj * row[i])
		}
	}
	for i := range y {
		ws.del[i] = (mathf.Sigmoid(y[i]) - xd[i]) * scale
		gC[i] += ws.del[i]
	}
	for j := 0; j < k; j++ {
		row := m.wt[j*v : (j+1)*v]
		grow := gW[j*v : (j+1)*v]
		hj := ws.h[j]
		var g float32
		for i, d := range ws.del {
			g += float32(d * row[i])
			grow[i] += float32(hj * d)
		}
		ws.g[j] = g
	}
	ws.comp.backward(ws.g, ws.dz, m.params.Alpha, m.params.Grad)
	for j := 0; j < k; j++ {
		z := ws.z[j]
		da := float32(ws.dz[j] * (1 - float32(z*z)))
		gB[j] += da
		grow := gW[j*v : (j+1)*v]
		for i, xi := range xd {
			grow[i] += float32(xi * da)
		}
	}
}

func TestSparseEqualsDense(t *testing.T) {
	for _, mode := range []GradMode{GradFull, GradNone} {
		m, xs := smallModel(t, 200, 16, 6, 6.26, 10, 11)
		m.params.Grad = mode
		v, k := 200, 16
		sW, sB, sC := analytic(m, xs, mode)
		ws := newWorkspace(v, k)
		dW, dB, dC := make([]float32, k*v), make([]float32, k), make([]float32, v)
		xd := make([]float32, v)
		scale := float32(1 / float64(len(xs)*v))
		for _, x := range xs {
			x.dense(xd)
			denseStep(m, ws, xd, scale, dW, dB, dC)
		}
		cmp := func(name string, a, b []float32) {
			maxAbs := 0.0
			for _, x := range b {
				maxAbs = math.Max(maxAbs, math.Abs(float64(x)))
			}
			if maxAbs == 0 && name != "b" {
				t.Errorf("%v %s: reference gradient is all zero", mode, name)
			}
			for i := range a {
				if d := math.Abs(float64(a[i] - b[i])); d > float64(1e-5*maxAbs)+1e-9 {
					t.Fatalf("%v %s[%d]: sparse %v dense %v", mode, name, i, a[i], b[i])
				}
			}
		}
		cmp("W", sW, dW)
		cmp("b", sB, dB)
		cmp("c", sC, dC)
	}
}
