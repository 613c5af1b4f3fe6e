package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
)

// This file holds one gradient step: the forward and backward pass of a
// document and a batch split into fixed chunks (docs/design.md §1.3, §2, §6).

// trainChunks is the fixed number of parts a batch is split into, each with
// its own gradient buffer, summed in order: the result does not depend on
// how many goroutines (or none) process the parts.
const trainChunks = 4

type trainer struct {
	m   *Model
	cfg Config
	v   int
	// wT is m.wt transposed (V x K), refreshed after every update: the
	// encoder reads a document's rows of it contiguously (K values per
	// non-zero input) instead of K values at stride V (docs/design.md §2).
	// nil in the one-off trainers of Explain and the tests: the encoder
	// then gathers from m.wt (the same sums).
	wT []float32
	// layoutT: the weights W, their Adadelta accumulators and the chunks'
	// gradient buffers are kept V x K (wT is the master copy and m.wt is
	// refreshed from it after each update), so that the sparse gradients
	// of reconstruction sampling (the encoder's and the sampled decoder's)
	// are added along contiguous rows instead of at stride V. Every element
	// receives the same additions in the same order as in the K x V
	// layout: the same bits.
	layoutT bool
	// wtStale: under layoutT, m.wt lags t.wT since the last update (see
	// settle).
	wtStale bool
	// Adadelta accumulators, laid out like wt, b, c.
	accW, updW, accB, updB, accC, updC []float32
	ws                                 []*workspace
	rng                                *rand.Rand
	// serial forces one goroutine (benchmarks, determinism tests).
	serial bool
	// smp draws the outputs to reconstruct under reconstruction sampling
	// (nil: the exact loss); nbatch counts the batches, for its streams.
	smp    *sampler
	nbatch uint64
	// ex: this run is one of several replicas (replica.go); nil alone.
	ex *exchanger
	// arena: natively, the memory of 2 MB pages holding the K x V buffers
	// during TrainVectors (arena_linux.go); nil otherwise.
	arena *arenaState
}

// workspace is the per-chunk state of a training step: gradient buffers and
// scratch for one document.
type workspace struct {
	gW, gB, gC             []float32 // gradient sums over the chunk
	a, z, h, g, dz, y, del []float32
	comp                   *competition
	win                    []int32
	loss                   float64
	// Reconstruction sampling (sampling.go): the outputs to reconstruct and
	// their weights, their pre-activations and deltas, the draws by output,
	// and the chunk's random stream.
	out    []int32
	ow     []float32
	ys, ds []float32
	cnt    []int32  // draws of each output, −1 for the document's inputs (all zero between documents)
	drawn  []uint64 // bit i: output i drawn as a zero (all zero between documents)
	pcg    pcg
	us     []uint64 // a document's draws from pcg
	// deferEnc (set by chunks on the exact loss): encoderGrad appends each
	// document's dL/da (K values) to encDA, and addEncoderGrads adds the
	// chunk's encoder gradient to gW at its end.
	deferEnc bool
	encDA    []float32
	// encIdx and encX: addEncoderGrads' lists of the chunk's documents'
	// indices and values (kept for their capacity).
	encIdx [][]int32
	encX   [][]float32
	// grp: the state of a group of documents (group.go), nil until the
	// first grouped chunk.
	grp *group
}

func newWorkspace(v, k int) *workspace {
	return &workspace{
		gW: make([]float32, k*v), gB: make([]float32, k), gC: make([]float32, v),
		a: make([]float32, k), z: make([]float32, k), h: make([]float32, k),
		g: make([]float32, k), dz: make([]float32, k),
		y: make([]float32, v), del: make([]float32, v),
		comp: newCompetition(k), win: make([]int32, 0, k),
	}
}

func newTrainer(m *Model, cfg Config) *trainer {
	v, k := m.vocab.Len(), m.params.Dim
	t := &trainer{
		m: m, cfg: cfg, v: v,
		accW: make([]float32, k*v), updW: make([]float32, k*v),
		accB: make([]float32, k), updB: make([]float32, k),
		accC: make([]float32, v), updC: make([]float32, v),
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x73687566)), // "shuf"
		wT:  make([]float32, v*k),
	}
	t.syncTransposed()
	for range trainChunks {
		t.ws = append(t.ws, newWorkspace(v, k))
	}
	return t
}

// step runs the forward and backward pass of one document, adding its
// gradient (scaled by scale = 1/(B·V)) to ws's buffers, and its loss to
// ws.loss when withLoss.
func (t *trainer) step(ws *workspace, x SparseVector, scale float32, withLoss bool) {
	t.encode(ws, x)
	ws.win = ws.comp.winners(ws.win)
	if t.smp != nil {
		t.sampledDecoder(ws, x, scale, withLoss)
	} else {
		t.exactDecoder(ws, x, scale, withLoss)
	}
	t.backward(ws, x)
}

// encode runs the encoder and the competition of one document into ws: a =
// x W + b, z = tanh(a), and h from the k-competitive layer (ws.comp keeps
// its lists for the backward pass).
func (t *trainer) encode(ws *workspace, x SparseVector) {
	m := t.m
	preactivateFrom(ws.a, m.wt, t.wT, m.b, t.v, x)
	kernels.Tanh(ws.a, ws.z)
	ws.comp.forward(ws.z, ws.h, m.params.Winners, m.params.Alpha)
}

// backward runs one document's backward pass from ws.g (dL/dh at the
// winners) through the competition, then tanh, then the encoder (nothing
// under GradNone).
func (t *trainer) backward(ws *workspace, x SparseVector) {
	p := t.m.params
	if p.Grad == GradNone {
		return
	}
	ws.comp.backward(ws.g, ws.dz, p.Alpha, p.Grad)
	t.encoderGrad(ws, x)
}

// exactDecoder is the decoder part of a training step on the exact loss: it
// reconstructs all V outputs, adds the gradient to ws.gC and to the winner
// rows of ws.gW, sets ws.g at the winners (g = delta W), and adds the loss
// to ws.loss when withLoss.
func (t *trainer) exactDecoder(ws *workspace, x SparseVector, scale float32, withLoss bool) {
	m, v := t.m, t.v
	// Decoder pre-activation over the winners only: y = h W^T + c.
	kernels.DecodeRows(ws.y, m.c, m.wt, v, ws.win, ws.h)
	outputGrad(ws, ws.y, ws.del, x, scale, withLoss)
	// Decoder gradient on the winner rows and g = delta W at the winners.
	clear(ws.g)
	kernels.GradRows(ws.del, m.wt, ws.gW, v, ws.win, ws.h, ws.g)
}

// outputGrad sets del (len V; it may be y itself) to the output gradient
// (sigmoid(y) − x)·scale of one document from its pre-activations y, adds
// it to ws.gC, and adds the document's loss to ws.loss when withLoss (with
// ws.del as scratch, before del is written).
func outputGrad(ws *workspace, y, del []float32, x SparseVector, scale float32, withLoss bool) {
	if withLoss {
		ws.loss += docLoss(y, ws.del, x)
	}
	kernels.SigmoidDelta(y, del, scale)
	for q, i := range x.Indices {
		del[i] -= float32(x.Values[q] * scale)
	}
	kernels.Axpy(1, del, ws.gC)
}

// encoderGrad adds the encoder part of the weight gradient, x ⊗ dL/da with
// dL/da = dL/dz·(1−z²), to ws.gW (K x V, or V x K under t.layoutT; under
// ws.deferEnc at the chunk's end, addEncoderGrads), and dL/da to ws.gB.
func (t *trainer) encoderGrad(ws *workspace, x SparseVector) {
	idx, val := x.Indices, x.Values
	val = val[:len(idx)]
	da := ws.a // the pre-activations are no longer needed
	// The units with a non-zero gradient are listed only for SparseAxpy on
	// the K x V gradient (below); the deferred and the V x K forms use
	// every unit's da, those with dz = 0 as exact zeros.
	list := !ws.deferEnc && !t.layoutT
	rows := ws.win[:0]
	for j, dz := range ws.dz {
		if dz == 0 {
			da[j] = 0
			continue
		}
		z := ws.z[j]
		d := float32(dz * (1 - float32(z*z)))
		da[j] = d
		ws.gB[j] += d
		if list {
			rows = append(rows, int32(j))
		}
	}
	switch {
	case ws.deferEnc:
		// x ⊗ da is added at the chunk's end (addEncoderGrads).
		ws.encDA = append(ws.encDA, da...)
	case t.layoutT:
		// x_q·da added to row i_q of the V x K gradient (kernels.ScatterAxpy):
		// the units with dz = 0 add exact zeros, which change no bits
		// (a gradient sum that starts at +0 is never -0).
		kernels.ScatterAxpy(ws.gW, da, idx, val)
	default:
		// x_q·da_j added to gW[j, i_q] for each unit listed
		// (kernels.SparseAxpy: each entry receives exactly one addition).
		kernels.SparseAxpy(ws.gW, t.v, rows, da, idx, val)
		ws.win = rows
	}
}

// encRowBlock is the number of rows of the K x V gradient to which
// addEncoderGrads adds the chunk's documents at a time: 8 rows of V = 2,000
// are 64 KB. Under a kernel set whose every call crosses into another
// runtime (kernels.Set.Crossing: WebAssembly's SIMD kernels, where each call
// also checks the document's indices against its slices, so that 8 rows per
// call trained at 0.85x the speed of 32 in Chromium even with the direct
// imports of docs/design.md §1.4), it is encRowBlockJS; the direct
// WebAssembly kernel (one call per chunk) takes blocks of four rows
// whatever it is given. None changes any bits (the rows are independent).
var encRowBlock, encRowBlockJS = 8, 32

// addEncoderGrads adds the encoder gradients x ⊗ dL/da of the chunk's
// documents docs, deferred by encoderGrad, to the K x V gradient ws.gW: for
// each block of encRowBlock rows, every document in order
// (kernels.SparseAxpy), so that the block's rows stay in the cache while
// the chunk's documents are added to them, instead of all K rows (1 MB at
// V = 2,000) being scattered into by each document. Every element of gW
// thus receives the chunk's decoder terms, then its encoder terms in the
// order of the documents (docs/design.md §2): the same additions on every
// platform and number of workers. The units whose dL/da is 0 add exact
// zeros, which change no bits (a gradient sum that starts at +0 is never
// -0).
func (t *trainer) addEncoderGrads(ws *workspace, docs []SparseVector) {
	k := len(ws.gB)
	rb := encRowBlock
	if kernels.Active().Crossing {
		rb = encRowBlockJS
	}
	ws.encIdx, ws.encX = ws.encIdx[:0], ws.encX[:0]
	for _, x := range docs {
		ws.encIdx = append(ws.encIdx, x.Indices)
		ws.encX = append(ws.encX, x.Values)
	}
	// For each block of rb rows, every document in order: one call, so
	// that a kernel set whose calls cross into JavaScript checks each
	// document's indices once, not once per block.
	kernels.SparseAxpyDocs(ws.gW, t.v, unitRows[:k], rb, ws.encDA, k, ws.encIdx, ws.encX)
	clear(ws.encIdx)
	clear(ws.encX)
	ws.encDA = ws.encDA[:0]
	ws.deferEnc = false
}

// gradW returns the weight gradient summed in ws, K x V (a transposed copy
// under t.layoutT).
func (t *trainer) gradW(ws *workspace) []float32 {
	if !t.layoutT {
		return ws.gW
	}
	k := t.m.params.Dim
	g := make([]float32, len(ws.gW))
	kernels.Transpose(g, ws.gW, t.v, k, k)
	return g
}

// docLoss returns Σ_i softplus(y_i) − x_i·y_i, the binary cross-entropy of
// one document summed over the V outputs, from the pre-activation y, using
// sp (len(y)) as scratch.
func docLoss(y, sp []float32, x SparseVector) float64 {
	sp = sp[:len(y)]
	kernels.Softplus(y, sp)
	var s float64
	for _, v := range sp {
		s += float64(v)
	}
	for q, i := range x.Indices {
		s -= float64(float64(x.Values[q]) * float64(y[i]))
	}
	return s
}

// batch runs one gradient step over docs and returns the summed loss when
// withLoss.
func (t *trainer) batch(docs []SparseVector, lr float32, withLoss bool) float64 {
	t.chunks(docs, withLoss, 0, trainChunks)
	return t.update(lr)
}

// sharedBatch is batch for one of several replicas: it computes this
// replica's chunks, exchanges the chunks' gradients with the other
// replicas (replica.go), and applies the same update.
func (t *trainer) sharedBatch(ctx context.Context, docs []SparseVector, lr float32, withLoss bool) (float64, error) {
	e := t.ex
	lo, hi := e.chunks()
	t0 := time.Now()
	t.chunks(docs, withLoss, lo, hi)
	t1 := time.Now()
	if err := t.shareGradients(ctx, lo, hi); err != nil {
		return 0, err
	}
	e.compute += t1.Sub(t0)
	e.wait += time.Since(t1)
	e.rounds++
	l := t.update(lr)
	if e.last {
		// Replica 0 ended the others' part (Replica.Dismiss).
		if e.rep.Index != 0 {
			return 0, ErrDismissed
		}
		t.ex = nil
	}
	return l, nil
}

// chunks runs the forward and backward passes of chunks [lo, hi) of the
// batch docs (of trainChunks), adding their gradients to their workspaces.
func (t *trainer) chunks(docs []SparseVector, withLoss bool, lo, hi int) {
	scale := float32(1 / (float64(len(docs)) * float64(t.v)))
	if t.smp != nil {
		t.seedSampling()
	}
	per := (len(docs) + trainChunks - 1) / trainChunks
	run := func(c int) {
		ws := t.ws[c]
		ws.loss = 0 // the gradient buffers were zeroed by the last update
		lo := min(len(docs), c*per)
		hi := min(len(docs), lo+per)
		// The exact loss defers the encoder gradient to the chunk's end
		// (addEncoderGrads); sampling's V x K layout adds it along rows, and
		// its K x V reference (the tests') per document, the same bits.
		ws.deferEnc = t.smp == nil && !t.layoutT && t.m.params.Grad != GradNone
		if trainGroup > 0 && t.smp == nil && !t.layoutT {
			// Natively, the exact loss's documents in groups (group.go).
			t.groupedSteps(ws, docs[lo:hi], trainGroup, scale, withLoss)
		} else {
			for _, x := range docs[lo:hi] {
				t.step(ws, x, scale, withLoss)
			}
		}
		if ws.deferEnc {
			t.addEncoderGrads(ws, docs[lo:hi])
		}
	}
	workers := parallel.Workers(hi - lo)
	if t.serial {
		workers = 1
	}
	parallel.Run(workers, func(w int) {
		for c := lo + w; c < hi; c += workers {
			run(c)
		}
	})
}

// update sums the chunks' losses and gradients in order (into chunk 0),
// applies Adadelta, and returns the summed loss.
func (t *trainer) update(lr float32) float64 {
	loss := 0.0
	for c := range trainChunks {
		loss += t.ws[c].loss
	}
	t.reduceAndUpdate(lr)
	return loss
}
