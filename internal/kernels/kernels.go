// Package kernels holds the hot float32 kernels of training and encoding
// (docs/design.md §2) and the switch that selects which implementation runs
// them: the pure-Go reference (Go) or a replacement installed with Use (the
// WebAssembly bridge installs the SIMD kernels of wasm/simd this way). A
// native build with GOEXPERIMENT=simd on amd64 installs its AVX2 kernels
// (Native; with 512-bit decoder and encoder kernels where the CPU has
// AVX-512) at start-up when the CPU has AVX2, unless the environment
// variable KATE_KERNELS is "go" (or "avx2": the AVX2 set, AVX2); Name
// tells which set runs.
//
// Every reduction uses four interleaved partial sums (lane l takes elements
// l, l+4, l+8, ...), combined as (s0+s1)+(s2+s3), then the tail added in
// order: the same order a 4-lane SIMD kernel uses, so an accelerated kernel
// gives bit-identical results. Element-wise kernels (axpy) have no ordering
// question. No kernel may use fused multiply-add: every product is rounded
// before it is added. The pure-Go kernels convert each product explicitly,
// y[i] += float32(a * x[i]), because the Go spec otherwise lets a compiler
// fuse it (arm64, GOAMD64=v3 do); scripts/check-nofma.sh checks that none
// is fused (docs/design.md §6).
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
	// Name names the set: "go" for the pure-Go reference, "avx2" and
	// "avx512" for the native SIMD kernels, "wasm-simd" for WebAssembly SIMD. Use names an
	// unnamed set "custom".
	Name string
	// Crossing reports that every call of the set's kernels crosses into
	// another runtime (WebAssembly's SIMD kernels are JavaScript calls), so
	// that a caller does better with fewer, larger calls.
	Crossing bool
	// Axpy computes y[i] += a*x[i] for i < len(x); len(y) >= len(x).
	Axpy func(a float32, x, y []float32)
	// DecodeRows computes y = c + Σ_{j in rows, in order} h[j]·wt[j*v:(j+1)*v]:
	// the decoder's pre-activation from the units in rows. len(y) = len(c) = v.
	DecodeRows func(y, c, wt []float32, v int, rows []int32, h []float32)
	// DecodeRowsDocs is DecodeRows over several documents: for each
	// document i < len(offs)-1, DecodeRows(y[i*v:(i+1)*v], c, wt, v,
	// rows[offs[i]:offs[i+1]], h[i*k:(i+1)*k]). The exact validation
	// loss's decoder (docs/design.md §1.4): an accelerated set reads a
	// block of the weights once for all the documents. offs is
	// non-decreasing from offs[0] >= 0 to at most len(rows), len(y) >=
	// (len(offs)-1)*v, len(h) >= (len(offs)-1)*k and every row is below k.
	// A nil field in a set given to Use becomes the loop above over that
	// set's DecodeRows, which is what a replacement must give, bit for bit.
	DecodeRowsDocs func(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int)
	// SigmoidDelta sets p[i] = sigmoid(y[i]) * scale for every i < len(y).
	// p may be y itself.
	SigmoidDelta func(y, p []float32, scale float32)
	// GradRows, for every j in rows: gw[j*v:(j+1)*v] += h[j]·d, and
	// g[j] = d · wt[j*v:(j+1)*v] (dot product in the canonical 4-lane order).
	// len(d) = v.
	GradRows func(d, wt, gw []float32, v int, rows []int32, h, g []float32)
	// GradRowsDocs is GradRows over several documents: for each document
	// i < len(offs)-1 in order, GradRows(d[i*v:(i+1)*v], wt, gw, v,
	// rows[offs[i]:offs[i+1]], h[i*k:(i+1)*k], g[i*k:(i+1)*k]). The exact
	// loss's decoder gradient of a group of a chunk's documents
	// (docs/design.md §2): an accelerated set reads a row of the weights
	// and of the gradient once for several of the documents that have it
	// among their rows (the native one: four at a time), while every
	// element of gw still receives the documents' terms in their order
	// and every g[j] the canonical 4-lane sum. offs is non-decreasing
	// from offs[0] >= 0 to at most len(rows), len(d) >= (len(offs)-1)*v,
	// len(h), len(g) >= (len(offs)-1)*k and every row is below k. A nil
	// field in a set given to Use becomes the loop above over that set's
	// GradRows, which is what a replacement must give, bit for bit.
	GradRowsDocs func(d, wt, gw []float32, v int, rows, offs []int32, h, g []float32, k int)
	// Softplus sets p[i] = mathf.Softplus(y[i]) for every i < len(y).
	Softplus func(y, p []float32)
	// KthLargest returns the q-th greatest of the distinct keys a (1 <= q
	// <= len(a)) and reorders a so that it is a[q-1]: the k-competitive
	// layer's selection (docs/design.md §1.2), whose result the reordering
	// does not change (the keys are distinct). A replacement must return
	// the same key and leave it at a[q-1].
	KthLargest func(a []uint64, q int) uint64
	// Tanh sets z[i] = mathf.Tanh(a[i]) for every i < len(a): the
	// encoder's activation (docs/design.md §1.2). len(z) >= len(a); z
	// may be a itself.
	Tanh func(a, z []float32)
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
	// SparseDot, for every j in rows: a[j] += Σ_q x[q]·wt[j*v+idx[q]], the
	// products added one by one in the order of idx (the encoder's
	// pre-activation over the non-zero inputs). len(x) >= len(idx), and
	// every idx[q] < v.
	SparseDot func(a, wt []float32, v int, rows, idx []int32, x []float32)
	// SparseAxpy, for every j in rows and q < len(idx):
	// gw[j*v+idx[q]] += d[j]·x[q] (the encoder's gradient). len(x) >=
	// len(idx), and every idx[q] < v.
	SparseAxpy func(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32)
	// SparseAxpyDocs is SparseAxpy over several documents, by blocks of
	// rows: for each block of rb > 0 consecutive entries of rows, and each
	// document i < len(idx) in order, SparseAxpy(gw, v, block, da[i*k:],
	// idx[i], x[i]). The exact loss's encoder gradient of a chunk
	// (docs/design.md §1.4): a block of gw's rows stays in the cache while
	// every document is added to it. len(x) = len(idx), len(da) >=
	// len(idx)*k and every entry of rows is below k. A nil field in a set
	// given to Use becomes the loop above over that set's SparseAxpy, which
	// is what a replacement must give, bit for bit.
	SparseAxpyDocs func(gw []float32, v int, rows []int32, rb int, da []float32, k int, idx [][]int32, x [][]float32)
	// SparseGrad, for every j in rows: g[j] += Σ_s d[s]·wt[j*v+idx[s]], the
	// products added one by one in the order of idx, and
	// gw[j*v+idx[s]] += h[j]·d[s] (the decoder's gradient on the outputs
	// idx only, for reconstruction sampling). len(d) >= len(idx), and every
	// idx[s] < v.
	SparseGrad func(d, wt, gw []float32, v int, rows []int32, h, g []float32, idx []int32)
	// SparseDecode sets y[s] = c[idx[s]] + Σ_{j in rows, in order}
	// h[j]·wT[idx[s]*k+j] for every s < len(idx): the decoder's
	// pre-activation on the outputs idx only, from the transposed weights
	// wT (V x K, k = len(h)), each output's K weights contiguous. len(y) >=
	// len(idx), every row < k and every (idx[s]+1)*k <= len(wT).
	SparseDecode func(y, c, wT []float32, rows []int32, h []float32, idx []int32)
	// AxpyRows computes a += x[q]·wT[idx[q]*k:(idx[q]+1)*k] for every
	// q < len(idx) in order, k = len(a): the encoder's pre-activation from
	// the transposed weights (V x K), each a[j] getting the same products in
	// the same order as SparseDot over all rows of the K x V weights.
	// len(x) >= len(idx), and every (idx[q]+1)*k <= len(wT).
	AxpyRows func(a, wT []float32, idx []int32, x []float32)
	// SparseGradT is SparseGrad on transposed (V x K) weights and gradient:
	// for every s < len(idx) in order and every j in rows,
	// g[j] += d[s]·wT[idx[s]*k+j] and gwT[idx[s]*k+j] += h[j]·d[s], k =
	// len(h) (each g[j] takes its products in the order of idx, as in
	// SparseGrad). len(d) >= len(idx), every row < k and every
	// (idx[s]+1)*k <= len(wT), len(gwT).
	SparseGradT func(d, wT, gwT []float32, rows []int32, h, g []float32, idx []int32)
	// ScatterAxpy computes gT[idx[q]*k+j] += d[j]·x[q] for every q <
	// len(idx) in order and j < k = len(d): the encoder's gradient x ⊗ d
	// added to the rows idx of a V x K gradient. len(x) >= len(idx), and
	// every (idx[q]+1)*k <= len(gT).
	ScatterAxpy func(gT, d []float32, idx []int32, x []float32)
	// Transpose sets dst[c*rows+r] = src[r*ld+c] for every r < rows and
	// c < cols: dst (rows*cols elements) receives the transpose of the
	// rows x cols block of src whose rows are ld >= cols apart. dst and src
	// do not overlap.
	Transpose func(dst, src []float32, rows, cols, ld int)
	// ScanTokens, when not nil, runs kate's token scan over a text from
	// the argument block args (ScanArgs) until the next token it leaves
	// to kate's own code (not ASCII, longer than 64 bytes, or not in the
	// token table) or the end. It is not a numeric kernel: there is no
	// pure-Go one (kate's Vectorizer is), Use keeps it nil when it is nil,
	// and kate holds the first one it meets to its own scan before it uses
	// it (docs/speed.md, "Encoding new text (seventh session)").
	ScanTokens func(args *ScanArgs)
}

// ScanArgs is the argument block of Set.ScanTokens, in the program's
// memory: addresses and counts as 32-bit values (WebAssembly's memory),
// each field at byte offset 4 × its position. Pos and NSeen are read, and
// written back where the scan stopped.
type ScanArgs struct {
	// Text and N: the text's bytes; Pos: where the scan starts (in) and
	// stopped (out).
	Text, N, Pos uint32
	// Class: 256 bytes, a byte's lower case (an ASCII letter or digit), 0
	// (an ASCII separator) or 0xff (not ASCII).
	Class uint32
	// Slots, Mask, Keys: the token table (kate's tokenTable: Mask+1 slots
	// of 24 bytes, head uint64, hash, off, size uint32, id int32; Keys the
	// bytes past the 8th of long tokens); Slots 0 when it is empty.
	Slots, Mask, Keys uint32
	// Counts (int32 per term), Seen (int32, room for every term) and
	// NSeen: each id found is counted, and appended to Seen the first time.
	Counts, Seen, NSeen uint32
}

// Go returns the portable pure-Go kernels: the reference for any
// accelerated set.
func Go() Set {
	return Set{Name: "go", Axpy: axpyGo, DecodeRows: decodeRowsGo, SigmoidDelta: sigmoidDeltaGo, GradRows: gradRowsGo,
		Softplus: softplusGo, Tanh: tanhGo, KthLargest: kthLargestGo, AdadeltaSum: adadeltaSumGo,
		SparseDot: sparseDotGo, SparseAxpy: sparseAxpyGo, SparseGrad: sparseGradGo, SparseDecode: sparseDecodeGo,
		AxpyRows: axpyRowsGo, Transpose: transposeGo, SparseGradT: sparseGradTGo, ScatterAxpy: scatterAxpyGo,
		SparseAxpyDocs: SparseAxpyDocsWith(sparseAxpyGo), DecodeRowsDocs: DecodeRowsDocsWith(decodeRowsGo),
		GradRowsDocs: GradRowsDocsWith(gradRowsGo)}
}

// GradRowsDocsWith returns the GradRowsDocs that calls grad (a GradRows)
// for each document: the reference.
func GradRowsDocsWith(grad func(d, wt, gw []float32, v int, rows []int32, h, g []float32)) func(d, wt, gw []float32, v int, rows, offs []int32, h, g []float32, k int) {
	return func(d, wt, gw []float32, v int, rows, offs []int32, h, g []float32, k int) {
		for i := 0; i+1 < len(offs); i++ {
			grad(d[i*v:(i+1)*v], wt, gw, v, rows[offs[i]:offs[i+1]], h[i*k:(i+1)*k], g[i*k:(i+1)*k])
		}
	}
}

// DecodeRowsDocsWith returns the DecodeRowsDocs that calls decode (a
// DecodeRows) for each document: the reference.
func DecodeRowsDocsWith(decode func(y, c, wt []float32, v int, rows []int32, h []float32)) func(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
	return func(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
		for i := 0; i+1 < len(offs); i++ {
			decode(y[i*v:(i+1)*v], c, wt, v, rows[offs[i]:offs[i+1]], h[i*k:(i+1)*k])
		}
	}
}

// SparseAxpyDocsWith returns the SparseAxpyDocs that calls axpy (a
// SparseAxpy) for each block of rows and document: the reference order.
func SparseAxpyDocsWith(axpy func(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32)) func(gw []float32, v int, rows []int32, rb int, da []float32, k int, idx [][]int32, x [][]float32) {
	return func(gw []float32, v int, rows []int32, rb int, da []float32, k int, idx [][]int32, x [][]float32) {
		if rb <= 0 || len(x) != len(idx) {
			panic("kernels: SparseAxpyDocs: bad block size or document lists")
		}
		for j := 0; j < len(rows); j += rb {
			block := rows[j:min(j+rb, len(rows))]
			for i, ix := range idx {
				axpy(gw, v, block, da[i*k:], ix, x[i])
			}
		}
	}
}

var active = Go()

// Use replaces the kernels used by training and encoding and returns the
// previous set. It is meant to be called once at start-up; it is not safe to
// call while a model is training or encoding. A nil field keeps the pure-Go
// kernel.
func Use(k Set) Set {
	old := active
	active = complete(k)
	return old
}

// complete fills the nil fields of k with the pure-Go kernels and names an
// unnamed set "custom".
func complete(k Set) Set {
	g := Go()
	if k.Name == "" {
		k.Name = "custom"
	}
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
	if k.Tanh == nil {
		k.Tanh = g.Tanh
	}
	if k.KthLargest == nil {
		k.KthLargest = g.KthLargest
	}
	if k.AdadeltaSum == nil {
		k.AdadeltaSum = g.AdadeltaSum
	}
	if k.SparseDot == nil {
		k.SparseDot = g.SparseDot
	}
	if k.SparseAxpy == nil {
		k.SparseAxpy = g.SparseAxpy
	}
	if k.SparseAxpyDocs == nil {
		k.SparseAxpyDocs = SparseAxpyDocsWith(k.SparseAxpy)
	}
	if k.DecodeRowsDocs == nil {
		k.DecodeRowsDocs = DecodeRowsDocsWith(k.DecodeRows)
	}
	if k.GradRowsDocs == nil {
		k.GradRowsDocs = GradRowsDocsWith(k.GradRows)
	}
	if k.SparseGrad == nil {
		k.SparseGrad = g.SparseGrad
	}
	if k.SparseDecode == nil {
		k.SparseDecode = g.SparseDecode
	}
	if k.AxpyRows == nil {
		k.AxpyRows = g.AxpyRows
	}
	if k.Transpose == nil {
		k.Transpose = g.Transpose
	}
	if k.SparseGradT == nil {
		k.SparseGradT = g.SparseGradT
	}
	if k.ScatterAxpy == nil {
		k.ScatterAxpy = g.ScatterAxpy
	}
	return k
}

// Active returns the kernels in use.
func Active() Set { return active }

// Name returns the name of the kernels in use (Set.Name).
func Name() string { return active.Name }

// KernelsEnv is the environment variable that, set to "go", keeps the
// pure-Go kernels in a build that has native SIMD kernels (Native), and set
// to "avx2" keeps the AVX2 set (AVX2) on a CPU with AVX-512.
const KernelsEnv = "KATE_KERNELS"

// Axpy runs the active set's Axpy.
func Axpy(a float32, x, y []float32) { active.Axpy(a, x, y) }

// DecodeRows runs the active set's DecodeRows.
func DecodeRows(y, c, wt []float32, v int, rows []int32, h []float32) {
	active.DecodeRows(y, c, wt, v, rows, h)
}

// DecodeRowsDocs runs the active set's DecodeRowsDocs.
func DecodeRowsDocs(y, c, wt []float32, v int, rows, offs []int32, h []float32, k int) {
	active.DecodeRowsDocs(y, c, wt, v, rows, offs, h, k)
}

// SigmoidDelta runs the active set's SigmoidDelta.
func SigmoidDelta(y, p []float32, scale float32) { active.SigmoidDelta(y, p, scale) }

// GradRows runs the active set's GradRows.
func GradRows(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	active.GradRows(d, wt, gw, v, rows, h, g)
}

// GradRowsDocs runs the active set's GradRowsDocs.
func GradRowsDocs(d, wt, gw []float32, v int, rows, offs []int32, h, g []float32, k int) {
	active.GradRowsDocs(d, wt, gw, v, rows, offs, h, g, k)
}

// Softplus runs the active set's Softplus.
func Softplus(y, p []float32) { active.Softplus(y, p) }

// Tanh runs the active set's Tanh.
func Tanh(a, z []float32) { active.Tanh(a, z) }

// KthLargest runs the active set's KthLargest.
func KthLargest(a []uint64, q int) uint64 { return active.KthLargest(a, q) }

// AdadeltaSum runs the active set's AdadeltaSum.
func AdadeltaSum(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	active.AdadeltaSum(theta, acc, upd, g0, g1, g2, g3, lr, rho, eps)
}

// ScanTokens returns the active set's token scanner, or nil.
func ScanTokens() func(args *ScanArgs) { return active.ScanTokens }

// SparseDot runs the active set's SparseDot.
func SparseDot(a, wt []float32, v int, rows, idx []int32, x []float32) {
	active.SparseDot(a, wt, v, rows, idx, x)
}

// SparseAxpy runs the active set's SparseAxpy.
func SparseAxpy(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32) {
	active.SparseAxpy(gw, v, rows, d, idx, x)
}

// SparseAxpyDocs runs the active set's SparseAxpyDocs.
func SparseAxpyDocs(gw []float32, v int, rows []int32, rb int, da []float32, k int, idx [][]int32, x [][]float32) {
	active.SparseAxpyDocs(gw, v, rows, rb, da, k, idx, x)
}

// SparseGrad runs the active set's SparseGrad.
func SparseGrad(d, wt, gw []float32, v int, rows []int32, h, g []float32, idx []int32) {
	active.SparseGrad(d, wt, gw, v, rows, h, g, idx)
}

// SparseDecode runs the active set's SparseDecode.
func SparseDecode(y, c, wT []float32, rows []int32, h []float32, idx []int32) {
	active.SparseDecode(y, c, wT, rows, h, idx)
}

// AxpyRows runs the active set's AxpyRows.
func AxpyRows(a, wT []float32, idx []int32, x []float32) { active.AxpyRows(a, wT, idx, x) }

// SparseGradT runs the active set's SparseGradT.
func SparseGradT(d, wT, gwT []float32, rows []int32, h, g []float32, idx []int32) {
	active.SparseGradT(d, wT, gwT, rows, h, g, idx)
}

// ScatterAxpy runs the active set's ScatterAxpy.
func ScatterAxpy(gT, d []float32, idx []int32, x []float32) { active.ScatterAxpy(gT, d, idx, x) }

// Transpose runs the active set's Transpose.
func Transpose(dst, src []float32, rows, cols, ld int) { active.Transpose(dst, src, rows, cols, ld) }

func axpyGo(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		xs := x[i : i+4 : i+4]
		ys := y[i : i+4 : i+4]
		ys[0] += float32(a * xs[0])
		ys[1] += float32(a * xs[1])
		ys[2] += float32(a * xs[2])
		ys[3] += float32(a * xs[3])
	}
	for ; i < n; i++ {
		y[i] += float32(a * x[i])
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
		gs[0] += float32(a * ds[0])
		gs[1] += float32(a * ds[1])
		gs[2] += float32(a * ds[2])
		gs[3] += float32(a * ds[3])
		s0 += float32(ds[0] * ws[0])
		s1 += float32(ds[1] * ws[1])
		s2 += float32(ds[2] * ws[2])
		s3 += float32(ds[3] * ws[3])
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < n; i++ {
		dw[i] += float32(a * d[i])
		s += float32(d[i] * w[i])
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

// kthLargestGo returns the q-th greatest of the distinct keys a (1 <= q <=
// len(a)), reordering a: a quickselect whose partition moves every key
// without a branch on the comparison (a Lomuto partition whose boundary
// advances by the comparison's outcome): the keys' order is unpredictable,
// and a mispredicted branch per comparison cost more than the comparisons
// themselves. Distinct keys make the selected set unique: the winners are
// the keys >= the result, however the selection reordered a (the rank keys
// of the competition's units, kate's rankKey).
func kthLargestGo(a []uint64, q int) uint64 {
	target := q - 1 // in a, which shrinks around it
	for len(a) > 1 {
		// The middle key as the pivot, moved to the end.
		last := len(a) - 1
		m := last / 2
		a[m], a[last] = a[last], a[m]
		p := a[last]
		s := 0 // a[:s] > p
		for i, x := range a[:last] {
			y := a[s]
			a[i] = y
			a[s] = x
			if x > p {
				s++
			}
		}
		a[s], a[last] = p, a[s]
		switch {
		case target < s:
			a = a[:s]
		case target > s:
			a = a[s+1:]
			target -= s + 1
		default:
			return p
		}
	}
	return a[0]
}

func tanhGo(a, z []float32) {
	z = z[:len(a)]
	for i, v := range a {
		z[i] = mathf.Tanh(v)
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
		a := float32(rho*acc[i]) + float32(r1*gi*gi)
		acc[i] = a
		d := gi * float32(math.Sqrt(float64((upd[i]+eps)/(a+eps))))
		theta[i] -= float32(lr * d)
		upd[i] = float32(rho*upd[i]) + float32(r1*d*d)
	}
}

// The sparse kernels below take four rows at a time to share the loads of
// idx and x; every sum still takes its products one after the other in the
// documented order.

func sparseDotGo(a, wt []float32, v int, rows, idx []int32, x []float32) {
	x = x[:len(idx)]
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		w0 := wt[j0*v : (j0+1)*v : (j0+1)*v]
		w1 := wt[j1*v : (j1+1)*v : (j1+1)*v]
		w2 := wt[j2*v : (j2+1)*v : (j2+1)*v]
		w3 := wt[j3*v : (j3+1)*v : (j3+1)*v]
		s0, s1, s2, s3 := a[j0], a[j1], a[j2], a[j3]
		for q, i := range idx {
			xq := x[q]
			s0 += float32(xq * w0[i])
			s1 += float32(xq * w1[i])
			s2 += float32(xq * w2[i])
			s3 += float32(xq * w3[i])
		}
		a[j0], a[j1], a[j2], a[j3] = s0, s1, s2, s3
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		w := wt[j*v : (j+1)*v : (j+1)*v]
		s := a[j]
		for q, i := range idx {
			s += float32(x[q] * w[i])
		}
		a[j] = s
	}
}

func sparseAxpyGo(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32) {
	x = x[:len(idx)]
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		g0 := gw[j0*v : (j0+1)*v : (j0+1)*v]
		g1 := gw[j1*v : (j1+1)*v : (j1+1)*v]
		g2 := gw[j2*v : (j2+1)*v : (j2+1)*v]
		g3 := gw[j3*v : (j3+1)*v : (j3+1)*v]
		d0, d1, d2, d3 := d[j0], d[j1], d[j2], d[j3]
		for q, i := range idx {
			xq := x[q]
			g0[i] += float32(d0 * xq)
			g1[i] += float32(d1 * xq)
			g2[i] += float32(d2 * xq)
			g3[i] += float32(d3 * xq)
		}
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		g := gw[j*v : (j+1)*v : (j+1)*v]
		dj := d[j]
		for q, i := range idx {
			g[i] += float32(dj * x[q])
		}
	}
}

func sparseGradGo(d, wt, gw []float32, v int, rows []int32, h, g []float32, idx []int32) {
	d = d[:len(idx)]
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		h0, h1, h2, h3 := h[j0], h[j1], h[j2], h[j3]
		w0 := wt[j0*v : (j0+1)*v : (j0+1)*v]
		w1 := wt[j1*v : (j1+1)*v : (j1+1)*v]
		w2 := wt[j2*v : (j2+1)*v : (j2+1)*v]
		w3 := wt[j3*v : (j3+1)*v : (j3+1)*v]
		q0 := gw[j0*v : (j0+1)*v : (j0+1)*v]
		q1 := gw[j1*v : (j1+1)*v : (j1+1)*v]
		q2 := gw[j2*v : (j2+1)*v : (j2+1)*v]
		q3 := gw[j3*v : (j3+1)*v : (j3+1)*v]
		s0, s1, s2, s3 := g[j0], g[j1], g[j2], g[j3]
		for s, i := range idx {
			ds := d[s]
			s0 += float32(ds * w0[i])
			q0[i] += float32(h0 * ds)
			s1 += float32(ds * w1[i])
			q1[i] += float32(h1 * ds)
			s2 += float32(ds * w2[i])
			q2[i] += float32(h2 * ds)
			s3 += float32(ds * w3[i])
			q3[i] += float32(h3 * ds)
		}
		g[j0], g[j1], g[j2], g[j3] = s0, s1, s2, s3
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		hj := h[j]
		w := wt[j*v : (j+1)*v : (j+1)*v]
		q := gw[j*v : (j+1)*v : (j+1)*v]
		s := g[j]
		for k, i := range idx {
			ds := d[k]
			s += float32(ds * w[i])
			q[i] += float32(hj * ds)
		}
		g[j] = s
	}
}

func sparseDecodeGo(y, c, wT []float32, rows []int32, h []float32, idx []int32) {
	k := len(h)
	y = y[:len(idx)]
	for s, i := range idx {
		w := wT[int(i)*k : (int(i)+1)*k : (int(i)+1)*k]
		ys := c[i]
		for _, j := range rows {
			ys += float32(h[j] * w[j])
		}
		y[s] = ys
	}
}

func axpyRowsGo(a, wT []float32, idx []int32, x []float32) {
	k := len(a)
	x = x[:len(idx)]
	for q, i := range idx {
		axpyGo(x[q], wT[int(i)*k:(int(i)+1)*k], a)
	}
}

// TransposeFits reports whether Transpose(dst, src, rows, cols, ld) with
// len(dst) = nd and len(src) = ns stays inside both slices: rows >= 0,
// 0 <= cols <= ld, rows*cols <= nd and, when rows > 0, (rows-1)*ld+cols <=
// ns, each product compared without computing it (a product that wraps
// around could otherwise pass a check and let an accelerated kernel write
// outside dst).
func TransposeFits(nd, ns, rows, cols, ld int) bool {
	if rows < 0 || cols < 0 || ld < cols {
		return false
	}
	if rows == 0 || cols == 0 {
		return true
	}
	return rows <= nd/cols && rows-1 <= (ns-cols)/ld && ns >= cols
}

func transposeGo(dst, src []float32, rows, cols, ld int) {
	if !TransposeFits(len(dst), len(src), rows, cols, ld) {
		panic("kernels: Transpose: dimensions out of range of the slices")
	}
	if rows == 0 || cols == 0 {
		return
	}
	src = src[:(rows-1)*ld+cols]
	dst = dst[:rows*cols]
	// Blocks of 16 rows: each pass over the columns writes 16 consecutive
	// elements of dst.
	for r0 := 0; r0 < rows; r0 += 16 {
		r1 := min(r0+16, rows)
		for c := range cols {
			d := dst[c*rows+r0 : c*rows+r1]
			for r := range d {
				d[r] = src[(r0+r)*ld+c]
			}
		}
	}
}

func sparseGradTGo(d, wT, gwT []float32, rows []int32, h, g []float32, idx []int32) {
	k := len(h)
	d = d[:len(idx)]
	for s, i := range idx {
		w := wT[int(i)*k : (int(i)+1)*k : (int(i)+1)*k]
		q := gwT[int(i)*k : (int(i)+1)*k : (int(i)+1)*k]
		ds := d[s]
		for _, j := range rows {
			g[j] += float32(ds * w[j])
			q[j] += float32(h[j] * ds)
		}
	}
}

func scatterAxpyGo(gT, d []float32, idx []int32, x []float32) {
	k := len(d)
	x = x[:len(idx)]
	for q, i := range idx {
		g := gT[int(i)*k : (int(i)+1)*k : (int(i)+1)*k]
		xq := x[q]
		for j, dj := range d {
			g[j] += float32(dj * xq)
		}
	}
}
