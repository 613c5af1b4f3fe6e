package kernels

import "testing"

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
		if y[i] != w[i]+0.5*d[i] {
			t.Errorf("decode y[%d] = %v", i, y[i])
		}
	}
}
