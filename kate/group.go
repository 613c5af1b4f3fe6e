package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import "github.com/kate-web/kate/internal/kernels"

// The exact loss's chunk in groups of documents (docs/design.md §2). The
// forward passes of a batch's documents do not depend on each other (the
// weights change only at the update), so a chunk runs the encoder and the
// competition of a group of its documents, decodes the group with one
// kernels.DecodeRowsDocs call, and computes the group's decoder gradient
// with one kernels.GradRowsDocs call, before the backward passes of the
// documents in order. The native kernels read each block of the weights
// once for the group in the decoder, and each row of the weights and of
// the gradient once for four documents in the decoder gradient, instead
// of once per document. Every element of every sum receives the same terms in the same
// order as from step on one document after another (the kernels' own
// contracts; gC, gB and the deferred encoder gradients in the order of the
// documents): the same bits, whatever the group size.

// group is a workspace's state for a group of documents: each document's
// encoder pre-activations, activations, codes, gradients and competition
// (slot i of each array), their winners, and their decoder outputs, turned
// into the output gradients in place.
type group struct {
	n          int // documents the arrays have room for
	a, z, h, g []float32
	dz         []float32
	comps      []*competition
	rows, offs []int32
	y          []float32
	own        [5][]float32 // the workspace's own a, z, h, g, dz
	ownComp    *competition
}

// ensureGroup gives ws room for n documents.
func (ws *workspace) ensureGroup(n, v, k int) *group {
	gr := ws.grp
	if gr != nil && gr.n >= n {
		return gr
	}
	gr = &group{n: n,
		a: make([]float32, n*k), z: make([]float32, n*k), h: make([]float32, n*k),
		g: make([]float32, n*k), dz: make([]float32, n*k),
		rows: make([]int32, 0, n*k), offs: make([]int32, 0, n+1),
		y:   make([]float32, n*v),
		own: [5][]float32{ws.a, ws.z, ws.h, ws.g, ws.dz}, ownComp: ws.comp,
	}
	if ws.grp != nil {
		gr.own, gr.ownComp = ws.grp.own, ws.grp.ownComp
	}
	gr.comps = make([]*competition, n)
	for i := range gr.comps {
		c := newCompetition(k)
		if i > 0 {
			// The keys are scratch of the forward pass: shared.
			c.posK, c.negK, c.sel = gr.comps[0].posK, gr.comps[0].negK, gr.comps[0].sel
		}
		gr.comps[i] = c
	}
	ws.grp = gr
	return gr
}

// slot points ws's per-document buffers at document i of its group.
func (ws *workspace) slot(i, k int) {
	gr := ws.grp
	ws.a, ws.z, ws.h = gr.a[i*k:(i+1)*k], gr.z[i*k:(i+1)*k], gr.h[i*k:(i+1)*k]
	ws.g, ws.dz = gr.g[i*k:(i+1)*k], gr.dz[i*k:(i+1)*k]
	ws.comp = gr.comps[i]
}

// unslot points ws's per-document buffers back at its own.
func (ws *workspace) unslot() {
	gr := ws.grp
	ws.a, ws.z, ws.h, ws.g, ws.dz = gr.own[0], gr.own[1], gr.own[2], gr.own[3], gr.own[4]
	ws.comp = gr.ownComp
}

// groupedSteps runs the steps of the documents docs (the exact loss, the K
// x V layout) in groups of up to n, adding their gradients to ws's buffers
// and their losses to ws.loss when withLoss: the same sums as step on each
// document in order.
func (t *trainer) groupedSteps(ws *workspace, docs []SparseVector, n int, scale float32, withLoss bool) {
	m, v, p := t.m, t.v, t.m.params
	k := p.Dim
	gr := ws.ensureGroup(min(n, len(docs)), v, k)
	for len(docs) > 0 {
		nd := min(n, len(docs))
		grp := docs[:nd]
		docs = docs[nd:]
		// The forward passes, each document's winners listed in turn.
		rows, offs := gr.rows[:0], append(gr.offs[:0], 0)
		for i, x := range grp {
			ws.slot(i, k)
			t.encode(ws, x)
			rows = ws.comp.appendWinners(rows)
			offs = append(offs, int32(len(rows)))
		}
		gr.rows, gr.offs = rows, offs
		y := gr.y[:nd*v]
		kernels.DecodeRowsDocs(y, m.c, m.wt, v, rows, offs, gr.h[:nd*k], k)
		// The output gradients, in place of the outputs, and gC, in the
		// order of the documents.
		for i, x := range grp {
			yi := y[i*v : (i+1)*v]
			outputGrad(ws, yi, yi, x, scale, withLoss) // ws.del, its scratch, is never slotted
		}
		// The decoder gradient of the group, and g at each document's
		// winners.
		gg := gr.g[:nd*k]
		clear(gg)
		kernels.GradRowsDocs(y, m.wt, ws.gW, v, rows, offs, gr.h[:nd*k], gg, k)
		if p.Grad != GradNone {
			for i, x := range grp {
				ws.slot(i, k)
				t.backward(ws, x)
			}
		}
	}
	ws.unslot()
}
