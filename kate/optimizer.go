package kate

import (
	"math"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
)

// This file holds the optimizer: the reduction of the chunks' gradients and
// the Adadelta update (docs/design.md §1.4).

func (t *trainer) reduceAndUpdate(lr float32) {
	m := t.m
	v := t.v
	rho := float32(t.cfg.Rho)
	eps := float32(t.cfg.Eps)
	w0 := t.ws[0]
	k := m.params.Dim
	parallel.Blocks(k, 8, func(lo, hi int) {
		a, b := lo*v, hi*v
		for c := 1; c < trainChunks; c++ {
			kernels.Axpy(1, t.ws[c].gW[a:b], w0.gW[a:b])
		}
		adadelta(m.wt[a:b], w0.gW[a:b], t.accW[a:b], t.updW[a:b], lr, rho, eps)
	})
	for c := 1; c < trainChunks; c++ {
		kernels.Axpy(1, t.ws[c].gB, w0.gB)
		kernels.Axpy(1, t.ws[c].gC, w0.gC)
	}
	if m.params.Grad != GradNone {
		adadelta(m.b, w0.gB, t.accB, t.updB, lr, rho, eps)
	}
	adadelta(m.c, w0.gC, t.accC, t.updC, lr, rho, eps)
}

// adadelta applies one Adadelta step to theta with gradient g:
//
//	A = rho A + (1-rho) g²;  d = g sqrt((D+eps)/(A+eps));
//	theta -= lr d;  D = rho D + (1-rho) d².
func adadelta(theta, g, acc, upd []float32, lr, rho, eps float32) {
	n := len(theta)
	g, acc, upd = g[:n], acc[:n], upd[:n]
	r1 := 1 - rho
	for i := range theta {
		gi := g[i]
		a := rho*acc[i] + r1*gi*gi
		acc[i] = a
		d := gi * float32(math.Sqrt(float64((upd[i]+eps)/(a+eps))))
		theta[i] -= lr * d
		upd[i] = rho*upd[i] + r1*d*d
	}
}
