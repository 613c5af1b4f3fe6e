// Package kernels holds the hot float32 kernels of training and encoding
// (docs/design.md §2) and the switch that selects which implementation runs
// them: the pure-Go reference (Go) or a replacement installed with Use (the
// WebAssembly bridge installs the SIMD kernels of wasm/simd this way).
//
// Every reduction uses four interleaved partial sums (lane l takes elements
// l, l+4, l+8, ...), combined as (s0+s1)+(s2+s3), then the tail added in
// order: the same order a 4-lane SIMD kernel uses, so an accelerated kernel
// gives bit-identical results. Element-wise kernels (axpy) have no ordering
// question. No kernel may use fused multiply-add: every product is rounded
// before it is added.
package kernels

import (
	"math"

	"github.com/kate-web/kate/internal/mathf"
)

// Set is a set of float32 kernels used by training and encoding. A
// replacement set (for example WebAssembly SIMD) must give results
// bit-identical to the pure-Go set returned by Go. Each kernel works on
// whole rows so that a replacement reached through a foreign call pays the
// call's cost once per document, not once per row.
type Set struct {
	// Axpy computes y[i] += a*x[i] for i < len(x); len(y) >= len(x).
	Axpy func(a float32, x, y []float32)
	// DecodeRows computes y = c + Σ_{j in rows, in order} h[j]·wt[j*v:(j+1)*v]:
	// the decoder's pre-activation from the units in rows. len(y) = len(c) = v.
	DecodeRows func(y, c, wt []float32, v int, rows []int32, h []float32)
	// SigmoidDelta sets p[i] = sigmoid(y[i]) * scale for every i < len(y).
	SigmoidDelta func(y, p []float32, scale float32)
	// GradRows, for every j in rows: gw[j*v:(j+1)*v] += h[j]·d, and
	// g[j] = d · wt[j*v:(j+1)*v] (dot product in the canonical 4-lane order).
	// len(d) = v.
	GradRows func(d, wt, gw []float32, v int, rows []int32, h, g []float32)
	// Softplus sets p[i] = mathf.Softplus(y[i]) for every i < len(y).
	Softplus func(y, p []float32)
	// AdadeltaSum applies one Adadelta step to every theta[i], i <
	// len(theta), with the gradient ((g0[i]+g1[i])+g2[i])+g3[i] (the four
	// chunk sums of a batch, in order), updating acc and upd, and sets
	// g0..g3 to zero:
	//
	//	A = rho A + (1-rho) g²;  d = g sqrt((D+eps)/(A+eps));
	//	theta -= lr d;  D = rho D + (1-rho) d².
	//
	// Every slice has len(theta) elements or more.
	AdadeltaSum func(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32)
}

// Go returns the portable pure-Go kernels: the reference for any
// accelerated set.
func Go() Set {
	return Set{Axpy: axpyGo, DecodeRows: decodeRowsGo, SigmoidDelta: sigmoidDeltaGo, GradRows: gradRowsGo,
		Softplus: softplusGo, AdadeltaSum: adadeltaSumGo}
}

var active = Go()

// Use replaces the kernels used by training and encoding and returns the
// previous set. It is meant to be called once at start-up; it is not safe to
// call while a model is training or encoding. A nil field keeps the pure-Go
// kernel.
func Use(k Set) Set {
	old := active
	g := Go()
	if k.Axpy == nil {
		k.Axpy = g.Axpy
	}
	if k.DecodeRows == nil {
		k.DecodeRows = g.DecodeRows
	}
	if k.SigmoidDelta == nil {
		k.SigmoidDelta = g.SigmoidDelta
	}
	if k.GradRows == nil {
		k.GradRows = g.GradRows
	}
	if k.Softplus == nil {
		k.Softplus = g.Softplus
	}
	if k.AdadeltaSum == nil {
		k.AdadeltaSum = g.AdadeltaSum
	}
	active = k
	return old
}

// Active returns the kernels in use.
func Active() Set { return active }

// Axpy runs the active set's Axpy.
func Axpy(a float32, x, y []float32) { active.Axpy(a, x, y) }

// DecodeRows runs the active set's DecodeRows.
func DecodeRows(y, c, wt []float32, v int, rows []int32, h []float32) {
	active.DecodeRows(y, c, wt, v, rows, h)
}

// SigmoidDelta runs the active set's SigmoidDelta.
func SigmoidDelta(y, p []float32, scale float32) { active.SigmoidDelta(y, p, scale) }

// GradRows runs the active set's GradRows.
func GradRows(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	active.GradRows(d, wt, gw, v, rows, h, g)
}

// Softplus runs the active set's Softplus.
func Softplus(y, p []float32) { active.Softplus(y, p) }

// AdadeltaSum runs the active set's AdadeltaSum.
func AdadeltaSum(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	active.AdadeltaSum(theta, acc, upd, g0, g1, g2, g3, lr, rho, eps)
}

func axpyGo(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		xs := x[i : i+4 : i+4]
		ys := y[i : i+4 : i+4]
		ys[0] += a * xs[0]
		ys[1] += a * xs[1]
		ys[2] += a * xs[2]
		ys[3] += a * xs[3]
	}
	for ; i < n; i++ {
		y[i] += a * x[i]
	}
}

func decodeRowsGo(y, c, wt []float32, v int, rows []int32, h []float32) {
	copy(y[:v], c[:v])
	for _, j := range rows {
		axpyGo(h[j], wt[int(j)*v:(int(j)+1)*v], y)
	}
}

func axpyDotGo(a float32, d, w, dw []float32) float32 {
	n := len(d)
	w = w[:n]
	dw = dw[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		ds := d[i : i+4 : i+4]
		ws := w[i : i+4 : i+4]
		gs := dw[i : i+4 : i+4]
		gs[0] += a * ds[0]
		gs[1] += a * ds[1]
		gs[2] += a * ds[2]
		gs[3] += a * ds[3]
		s0 += ds[0] * ws[0]
		s1 += ds[1] * ws[1]
		s2 += ds[2] * ws[2]
		s3 += ds[3] * ws[3]
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < n; i++ {
		dw[i] += a * d[i]
		s += d[i] * w[i]
	}
	return s
}

func gradRowsGo(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	d = d[:v]
	for _, j := range rows {
		lo, hi := int(j)*v, (int(j)+1)*v
		g[j] = axpyDotGo(h[j], d, wt[lo:hi], gw[lo:hi])
	}
}

func sigmoidDeltaGo(y, p []float32, scale float32) {
	p = p[:len(y)]
	for i, v := range y {
		p[i] = mathf.Sigmoid(v) * scale
	}
}

func softplusGo(y, p []float32) {
	p = p[:len(y)]
	for i, v := range y {
		p[i] = mathf.Softplus(v)
	}
}

func adadeltaSumGo(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	n := len(theta)
	acc, upd = acc[:n], upd[:n]
	g0, g1, g2, g3 = g0[:n], g1[:n], g2[:n], g3[:n]
	r1 := 1 - rho
	for i := range theta {
		gi := g0[i] + g1[i]
		gi += g2[i]
		gi += g3[i]
		g0[i], g1[i], g2[i], g3[i] = 0, 0, 0, 0
		a := rho*acc[i] + r1*gi*gi
		acc[i] = a
		d := gi * float32(math.Sqrt(float64((upd[i]+eps)/(a+eps))))
		theta[i] -= lr * d
		upd[i] = rho*upd[i] + r1*d*d
	}
}
