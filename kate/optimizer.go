package kate

import (
	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
)

// This file holds the optimizer: the reduction of the chunks' gradients and
// the Adadelta update (docs/design.md §1.4, §2).

// reduceAndUpdate sums the chunks' gradients in order (((chunk 0 + chunk 1)
// + chunk 2) + chunk 3), applies Adadelta, and leaves every chunk's gradient
// buffers zeroed for the next batch: one pass over each parameter block
// (kernels.AdadeltaSum) instead of a clear, three sums and an update.
func (t *trainer) reduceAndUpdate(lr float32) {
	m := t.m
	v := t.v
	rho := float32(t.cfg.Rho)
	eps := float32(t.cfg.Eps)
	ws := t.ws[:trainChunks:trainChunks]
	k := m.params.Dim
	// Adadelta is element-wise: over t.wT (V x K) under t.layoutT it takes
	// the same steps as over m.wt.
	theta, rowLen, rows := m.wt, v, k
	if t.layoutT {
		theta, rowLen, rows = t.wT, k, v
	}
	// update steps the rows [lo, hi) of theta.
	update := func(lo, hi int) {
		a, b := lo*rowLen, hi*rowLen
		kernels.AdadeltaSum(theta[a:b], t.accW[a:b], t.updW[a:b], ws[0].gW[a:b], ws[1].gW[a:b], ws[2].gW[a:b], ws[3].gW[a:b], lr, rho, eps)
	}
	grain := max(1, 8*v/rowLen)
	if t.layoutT {
		// Under layoutT the rows are the vocabulary's terms, most frequent
		// first (BuildCorpus ranks them by count): the blocks go from the
		// last rows to the first, so that the update, which streams all of
		// the weights, acc, upd and the four gradients through the cache,
		// ends on the rows the next batch reads and adds to most, and
		// leaves them in the core's cache. Adadelta is element-wise: the
		// same bits in any order.
		nb := (rows + grain - 1) / grain
		parallel.Blocks(nb, 1, func(lo, hi int) {
			for q := lo; q < hi; q++ {
				blk := nb - 1 - q
				update(blk*grain, min(rows, (blk+1)*grain))
			}
		})
	} else {
		parallel.Blocks(rows, grain, update)
	}
	if m.params.Grad != GradNone {
		kernels.AdadeltaSum(m.b, t.accB, t.updB, ws[0].gB, ws[1].gB, ws[2].gB, ws[3].gB, lr, rho, eps)
	} else {
		for _, w := range ws {
			clear(w.gB)
		}
	}
	kernels.AdadeltaSum(m.c, t.accC, t.updC, ws[0].gC, ws[1].gC, ws[2].gC, ws[3].gC, lr, rho, eps)
	if t.layoutT {
		// Nothing reads the K x V weights until the epoch ends (the encoder
		// and the sampled decoder read t.wT): settle copies them then,
		// instead of a full transpose after every batch.
		t.wtStale = true
	} else {
		t.syncTransposed()
	}
}

// settle brings the model's weights m.wt up to date with the master copy
// t.wT under t.layoutT (a no-op otherwise): it must run before anything
// reads m.wt after a batch (the validation loss, the epoch's snapshot, the
// trained model).
func (t *trainer) settle() {
	if t.wtStale {
		t.syncWeights()
		t.wtStale = false
	}
}

// syncWeights copies t.wT into the model's weights (K x V), in blocks of
// rows on the workers.
func (t *trainer) syncWeights() {
	k, v := t.m.params.Dim, t.v
	parallel.Blocks(k, 8, func(lo, hi int) {
		// Rows lo..hi of wt are columns lo..hi of wT.
		kernels.Transpose(t.m.wt[lo*v:hi*v], t.wT[lo:], v, hi-lo, k)
	})
}

// syncTransposed copies the weights into t.wT (V x K), in blocks of columns
// on the workers.
func (t *trainer) syncTransposed() {
	k, v := t.m.params.Dim, t.v
	parallel.Blocks(v, 64, func(lo, hi int) {
		// Columns lo..hi of wt are rows lo..hi of wT: the K x (hi-lo)
		// block whose rows are v apart in wt.
		kernels.Transpose(t.wT[lo*k:hi*k], t.m.wt[lo:], k, hi-lo, v)
	})
}
