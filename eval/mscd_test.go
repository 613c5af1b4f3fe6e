package eval

import (
	"math"
	"testing"
)

func TestMSCD(t *testing.T) {
	// Orthogonal topics: 0.
	if m, err := MSCD([]float32{1, 0, 0, 0, 2, 0, 0, 0, 3}, 3, 3); err != nil || m != 0 {
		t.Errorf("orthogonal: %v, %v; want 0", m, err)
	}
	// Parallel (or anti-parallel) topics: 1.
	if m, err := MSCD([]float32{1, 2, -2, -4, 3, 6}, 3, 2); err != nil || math.Abs(m-1) > 1e-12 {
		t.Errorf("parallel: %v, %v; want 1", m, err)
	}
	// By hand: w1 = (1,0), w2 = (1,1), w3 = (0,1):
	// cos² = 1/2, 0, 1/2 -> mean over 3 pairs = 1/3.
	if m, err := MSCD([]float32{1, 0, 1, 1, 0, 1}, 3, 2); err != nil || math.Abs(m-1.0/3) > 1e-12 {
		t.Errorf("by hand: %v, %v; want 1/3", m, err)
	}
	// A zero topic counts as orthogonal to the others.
	if m, err := MSCD([]float32{1, 0, 0, 0}, 2, 2); err != nil || m != 0 {
		t.Errorf("zero topic: %v, %v; want 0", m, err)
	}
	if _, err := MSCD([]float32{1, 2}, 1, 2); err == nil {
		t.Error("one topic: no error")
	}
	if _, err := MSCD([]float32{1, 2, 3}, 2, 2); err == nil {
		t.Error("wrong length: no error")
	}
}
