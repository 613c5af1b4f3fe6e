package kernels

import (
	"math"
	"testing"
)

func TestKernelsLaneOrder(t *testing.T) {
	// GradRows' dot product uses the canonical 4-lane order.
	d := []float32{1e8, 1, -1e8, 1, 1, 1}
	w := []float32{1, 1, 1, 1, 1, 1}
	g := make([]float32, 1)
	gw := make([]float32, 6)
	gradRowsGo(d, w, gw, 6, []int32{0}, []float32{2}, g)
	// lanes s0..s3 = d[0..3]; (s0+s1)+(s2+s3) rounds 1e8+1 to 1e8 and
	// -1e8+1 to -1e8, giving 0; then the tail adds 1 and 1. A sequential sum
	// would give 1e8+1-1e8+... = 3 in exact arithmetic, 2 or 3 in float32.
	var s0, s1, s2, s3 float32 = 1e8, 1, -1e8, 1
	want := ((s0 + s1) + (s2 + s3)) + 1 + 1
	if g[0] != want {
		t.Errorf("dot = %v, want %v", g[0], want)
	}
	for i := range gw {
		if gw[i] != 2*d[i] {
			t.Errorf("gw[%d] = %v", i, gw[i])
		}
	}
	y := make([]float32, 6)
	decodeRowsGo(y, w, d, 6, []int32{0}, []float32{0.5})
	for i := range y {
		if y[i] != w[i]+float32(0.5*d[i]) {
			t.Errorf("decode y[%d] = %v", i, y[i])
		}
	}
}

// AdadeltaSum equals summing the four chunks in order and then one
// Adadelta step, and leaves the chunks zeroed.
func TestAdadeltaSum(t *testing.T) {
	const n = 7
	var lr, rho, eps float32 = 0.5, 0.9, 1e-6
	r1 := 1 - rho
	theta, acc, upd := make([]float32, n), make([]float32, n), make([]float32, n)
	var g [4][]float32
	for c := range g {
		g[c] = make([]float32, n)
	}
	for i := range n {
		theta[i], acc[i], upd[i] = float32(i)-3, float32(i)*0.01, float32(i)*0.002
		for c := range g {
			g[c][i] = float32((i+1)*(c+2)%5) - 2.1
		}
	}
	want := append([]float32(nil), theta...)
	wantAcc, wantUpd := append([]float32(nil), acc...), append([]float32(nil), upd...)
	for i := range n {
		gi := ((g[0][i] + g[1][i]) + g[2][i]) + g[3][i]
		wantAcc[i] = float32(rho*wantAcc[i]) + float32(r1*gi*gi)
		d := gi * float32(math.Sqrt(float64((wantUpd[i]+eps)/(wantAcc[i]+eps))))
		want[i] -= float32(lr * d)
		wantUpd[i] = float32(rho*wantUpd[i]) + float32(r1*d*d)
	}
	adadeltaSumGo(theta, acc, upd, g[0], g[1], g[2], g[3], lr, rho, eps)
	for i := range n {
		if theta[i] != want[i] || acc[i] != wantAcc[i] || upd[i] != wantUpd[i] {
			t.Errorf("element %d: theta %v acc %v upd %v, want %v %v %v", i, theta[i], acc[i], upd[i], want[i], wantAcc[i], wantUpd[i])
		}
		for c := range g {
			if g[c][i] != 0 {
				t.Errorf("chunk %d element %d not zeroed", c, i)
			}
		}
	}
}

// TestTransposeFits: the bounds of Transpose at their edges, and the
// dimensions whose products wrap around, which the pure-Go kernel rejects
// before it slices anything.
func TestTransposeFits(t *testing.T) {
	const big = 1<<60 + 8 // big*big and (big-1)*big+big are 64 modulo 2^64
	for _, c := range []struct {
		nd, ns, rows, cols, ld int
		want                   bool
	}{
		{64, 64, 8, 8, 8, true},
		{63, 64, 8, 8, 8, false},
		{64, 63, 8, 8, 8, false},
		{64, 7*16 + 8, 8, 8, 16, true},
		{64, 7*16 + 7, 8, 8, 16, false},
		{64, 64, 8, 8, 7, false},
		{0, 0, 0, 5, 5, true},
		{0, 0, 5, 0, 0, true},
		{0, 0, -1, 5, 5, false},
		{0, 0, 5, -1, 5, false},
		{0, 3, 1, 5, 5, false},
		{64, 64, big, big, big, false},
		{64, 64, 8, big, big, false},
	} {
		if got := TransposeFits(c.nd, c.ns, c.rows, c.cols, c.ld); got != c.want {
			t.Errorf("TransposeFits(%d, %d, %d, %d, %d) = %v, want %v", c.nd, c.ns, c.rows, c.cols, c.ld, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Transpose: no panic on dimensions whose products wrap around")
		}
	}()
	Go().Transpose(make([]float32, 64), make([]float32, 64), big, big, big)
}
