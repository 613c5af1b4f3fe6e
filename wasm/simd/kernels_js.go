//go:build js && wasm

package simd

import (
	"math"
	"runtime"
	"syscall/js"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/mathf"
)

// jsKernels calls the exports of an instance of Module that shares this
// program's memory: through the program's kate_simd imports (imports_js.go)
// when direct, else through syscall/js.
type jsKernels struct {
	direct                                          bool
	axpy, decode, sigmoid, grad, softplus, adadelta js.Value
	tanh                                            js.Value
	sdot, saxpy, sgrad, sgradT, sdecode             js.Value
	axpyRows, transpose, transposeTall, scatterAxpy js.Value
}

// Kernels returns a kernels.Set whose functions call the exports of
// instances of Modules created with this Go program's own memory as
// env.mem: exports holds the exports of all the modules.
//
// When exports also holds a function bindImports, Kernels calls
// exports.bindImports(exports): a host that supplied the program's
// kate_simd imports (imports_js.go) points them at exports' functions and
// returns true, and the set then calls the kernels through those imports
// (named "wasm-simd"). Otherwise, or when it returns anything but true, the
// set calls them through syscall/js, ten times slower per call but needing
// nothing of the host ("wasm-simd-js"). Either way the results are the same
// bits, which Check verifies of the set returned.
//
// Each kernel checks its slice bounds before the call (and panics, as the
// pure-Go kernels do, when they are violated), so the module never touches
// memory outside the slices.
func Kernels(exports js.Value) kernels.Set {
	k := &jsKernels{
		axpy: exports.Get("axpy"), decode: exports.Get("decodeRows"),
		sigmoid: exports.Get("sigmoidDelta"), grad: exports.Get("gradRows"),
		softplus: exports.Get("softplus"), adadelta: exports.Get("adadeltaSum"), tanh: exports.Get("tanh"),
		sdot: exports.Get("sparseDot"), saxpy: exports.Get("sparseAxpy"),
		sgrad: exports.Get("sparseGrad"), sgradT: exports.Get("sparseGradT"), sdecode: exports.Get("sparseDecode"),
		axpyRows: exports.Get("axpyRows"), transpose: exports.Get("transpose"),
		scatterAxpy: exports.Get("scatterAxpy"), transposeTall: exports.Get("transposeTall"),
	}
	if b := exports.Get("bindImports"); b.Type() == js.TypeFunction {
		r := exports.Call("bindImports", exports)
		k.direct = r.Type() == js.TypeBoolean && r.Bool()
	}
	name := "wasm-simd-js"
	if k.direct {
		name = "wasm-simd"
	}
	return kernels.Set{Name: name, Crossing: true, Axpy: k.Axpy, DecodeRows: k.DecodeRows, SigmoidDelta: k.SigmoidDelta, GradRows: k.GradRows,
		Softplus: k.Softplus, Tanh: k.Tanh, AdadeltaSum: k.AdadeltaSum,
		SparseDot: k.SparseDot, SparseAxpy: k.SparseAxpy, SparseGrad: k.SparseGrad, SparseDecode: k.SparseDecode,
		AxpyRows: k.AxpyRows, Transpose: k.Transpose, SparseGradT: k.SparseGradT, ScatterAxpy: k.ScatterAxpy,
		SparseAxpyDocs: k.SparseAxpyDocs, DecodeRowsDocs: k.DecodeRowsDocs, ScanTokens: k.scanTokens(),
		KthLargest: k.kthLargest()}
}

// scanTokens returns the token scanner (scanTokensFn) when the kernels are
// called directly, else nil: through syscall/js a call would cost more
// than the scan it saves.
func (k *jsKernels) scanTokens() func(*kernels.ScanArgs) {
	if !k.direct {
		return nil
	}
	return func(args *kernels.ScanArgs) {
		impScanTokens(uint32(uintptr(unsafe.Pointer(args))))
	}
}

// kthLargest returns the module's selection when the kernels are called
// directly, else the pure-Go one: through syscall/js a call would cost
// more than the selection.
func (k *jsKernels) kthLargest() func([]uint64, int) uint64 {
	if !k.direct {
		return kernels.Go().KthLargest
	}
	return func(a []uint64, q int) uint64 {
		if q < 1 || q > len(a) {
			boundsPanic("KthLargest")
		}
		impKthLargest(uint32(uintptr(unsafe.Pointer(unsafe.SliceData(a)))), uint32(len(a)), uint32(q))
		runtime.KeepAlive(a)
		return a[q-1]
	}
}

func addrF(s []float32) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }
func addrI(s []int32) uintptr   { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }

// pF and pI are addrF and addrI as the i32 of a kate_simd import (the
// program's memory is at most 4 GiB).
func pF(s []float32) uint32 { return uint32(addrF(s)) }
func pI(s []int32) uint32   { return uint32(addrI(s)) }

func boundsPanic(kernel string) {
	panic("simd: " + kernel + ": slice bounds out of range")
}

// Axpy is kernels.Set.Axpy.
func (k *jsKernels) Axpy(a float32, x, y []float32) {
	n := len(x)
	if n == 0 {
		return
	}
	if len(y) < n {
		boundsPanic("Axpy")
	}
	if k.direct {
		impAxpy(a, pF(x), pF(y), uint32(n))
	} else {
		k.axpy.Invoke(a, addrF(x), addrF(y), n)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// checkRows panics unless every row j of rows has wt[j*v:(j+1)*v] (and the
// same range of gw, when given) and h[j] (and g[j]) in bounds.
func checkRows(kernel string, v int, rows []int32, wt, gw, h, g []float32) {
	hi := top(rows)
	if hi >= len(h) || (hi+1)*v > len(wt) ||
		(gw != nil && (hi+1)*v > len(gw)) || (g != nil && hi >= len(g)) {
		boundsPanic(kernel)
	}
}

// DecodeRows is kernels.Set.DecodeRows.
func (k *jsKernels) DecodeRows(y, c, wt []float32, v int, rows []int32, h []float32) {
	if v < 0 || len(y) < v || len(c) < v {
		boundsPanic("DecodeRows")
	}
	if v == 0 {
		return
	}
	checkRows("DecodeRows", v, rows, wt, nil, h, nil)
	if k.direct {
		impDecodeRows(pF(y), pF(c), pF(wt), uint32(v), pI(rows), uint32(len(rows)), pF(h))
	} else {
		k.decode.Invoke(addrF(y), addrF(c), addrF(wt), v, addrI(rows), len(rows), addrF(h))
	}
	runtime.KeepAlive(y)
	runtime.KeepAlive(c)
	runtime.KeepAlive(wt)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(h)
}

// DecodeRowsDocs is kernels.Set.DecodeRowsDocs. Through the direct
// imports it checks every document's rows, then calls the module's
// decodeRowsDocs once (blocks of the outputs, every document in turn
// within a block); through syscall/js it is the loop over DecodeRows.
func (k *jsKernels) DecodeRowsDocs(y, c, wt []float32, v int, rows, offs []int32, h []float32, kk int) {
	if !k.direct {
		kernels.DecodeRowsDocsWith(k.DecodeRows)(y, c, wt, v, rows, offs, h, kk)
		return
	}
	nd := len(offs) - 1
	if nd <= 0 {
		return
	}
	if v < 0 || kk < 0 || kk > len(h) || len(y) < nd*v || len(c) < v || len(h) < nd*kk || offs[0] < 0 || int(offs[nd]) > len(rows) {
		boundsPanic("DecodeRowsDocs")
	}
	for i := range nd {
		if offs[i] > offs[i+1] {
			boundsPanic("DecodeRowsDocs")
		}
	}
	if v == 0 {
		return
	}
	if hi := top(rows[offs[0]:offs[nd]]); hi >= kk || (hi+1)*v > len(wt) {
		boundsPanic("DecodeRowsDocs")
	}
	// Every document's rows are below kk and their weight rows in wt, its
	// outputs y[i*v:(i+1)*v] and its h[i*kk:(i+1)*kk] in the slices.
	impDecodeRowsDocs(pF(y), pF(c), pF(wt), uint32(v), pI(rows), pI(offs), uint32(nd), pF(h), uint32(kk))
	runtime.KeepAlive(y)
	runtime.KeepAlive(c)
	runtime.KeepAlive(wt)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(offs)
	runtime.KeepAlive(h)
}

// SigmoidDelta is kernels.Set.SigmoidDelta. The module does whole groups of
// eight; the last n%8 elements are done here, with the same float32 steps.
func (k *jsKernels) SigmoidDelta(y, p []float32, scale float32) {
	n := len(y)
	if len(p) < n {
		boundsPanic("SigmoidDelta")
	}
	if n8 := n &^ (4*sigmoidVecs - 1); n8 > 0 {
		if k.direct {
			impSigmoidDelta(pF(y), pF(p), uint32(n8), scale)
		} else {
			k.sigmoid.Invoke(addrF(y), addrF(p), n8, scale)
		}
		runtime.KeepAlive(y)
		runtime.KeepAlive(p)
	}
	for i := n &^ (4*sigmoidVecs - 1); i < n; i++ {
		p[i] = mathf.Sigmoid(y[i]) * scale
	}
}

// GradRows is kernels.Set.GradRows.
func (k *jsKernels) GradRows(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	if v < 0 || len(d) < v {
		boundsPanic("GradRows")
	}
	if v == 0 || len(rows) == 0 {
		for _, j := range rows {
			g[j] = 0
		}
		return
	}
	checkRows("GradRows", v, rows, wt, gw, h, g)
	if k.direct {
		impGradRows(pF(d), pF(wt), pF(gw), uint32(v), pI(rows), uint32(len(rows)), pF(h), pF(g))
	} else {
		k.grad.Invoke(addrF(d), addrF(wt), addrF(gw), v, addrI(rows), len(rows), addrF(h), addrF(g))
	}
	runtime.KeepAlive(d)
	runtime.KeepAlive(wt)
	runtime.KeepAlive(gw)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(h)
	runtime.KeepAlive(g)
}

// Softplus is kernels.Set.Softplus. The module does whole groups of four;
// the last n%4 elements are done here, with the same float32 steps.
func (k *jsKernels) Softplus(y, p []float32) {
	n := len(y)
	if len(p) < n {
		boundsPanic("Softplus")
	}
	if nv := n &^ (4*softplusVecs - 1); nv > 0 {
		if k.direct {
			impSoftplus(pF(y), pF(p), uint32(nv))
		} else {
			k.softplus.Invoke(addrF(y), addrF(p), nv)
		}
		runtime.KeepAlive(y)
		runtime.KeepAlive(p)
	}
	for i := n &^ (4*softplusVecs - 1); i < n; i++ {
		p[i] = mathf.Softplus(y[i])
	}
}

// Tanh is kernels.Set.Tanh. The module does whole groups of 4*tanhVecs;
// the rest are done here, with the same float32 steps.
func (k *jsKernels) Tanh(a, z []float32) {
	n := len(a)
	if len(z) < n {
		boundsPanic("Tanh")
	}
	if nv := n &^ (4*tanhVecs - 1); nv > 0 {
		if k.direct {
			impTanh(pF(a), pF(z), uint32(nv))
		} else {
			k.tanh.Invoke(addrF(a), addrF(z), nv)
		}
		runtime.KeepAlive(a)
		runtime.KeepAlive(z)
	}
	for i := n &^ (4*tanhVecs - 1); i < n; i++ {
		z[i] = mathf.Tanh(a[i])
	}
}

// AdadeltaSum is kernels.Set.AdadeltaSum. The module does whole groups of
// four; the last n%4 elements go to the pure-Go kernel.
func (k *jsKernels) AdadeltaSum(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	n := len(theta)
	if len(acc) < n || len(upd) < n || len(g0) < n || len(g1) < n || len(g2) < n || len(g3) < n {
		boundsPanic("AdadeltaSum")
	}
	n4 := n &^ 3
	if n4 > 0 {
		if k.direct {
			impAdadeltaSum(pF(theta), pF(acc), pF(upd), pF(g0), pF(g1), pF(g2), pF(g3), uint32(n4), lr, rho, eps)
		} else {
			k.adadelta.Invoke(addrF(theta), addrF(acc), addrF(upd), addrF(g0), addrF(g1), addrF(g2), addrF(g3), n4, lr, rho, eps)
		}
		runtime.KeepAlive(theta)
		runtime.KeepAlive(acc)
		runtime.KeepAlive(upd)
		runtime.KeepAlive(g0)
		runtime.KeepAlive(g1)
		runtime.KeepAlive(g2)
		runtime.KeepAlive(g3)
	}
	if n4 < n {
		goKernels.AdadeltaSum(theta[n4:n], acc[n4:n], upd[n4:n], g0[n4:n], g1[n4:n], g2[n4:n], g3[n4:n], lr, rho, eps)
	}
}

// checkSparse panics unless every row j of rows has row j of every matrix
// in mats (j*v to (j+1)*v) and element j of every vector in vecs in bounds,
// and every idx[q] is in [0, v) with n (the values indexed like idx) at
// least len(idx).
func checkSparse(kernel string, v int, rows, idx []int32, n int, mats, vecs [][]float32) {
	if v <= 0 || v > math.MaxInt32 || n < len(idx) {
		boundsPanic(kernel)
	}
	if top(idx) >= v {
		boundsPanic(kernel)
	}
	hi := top(rows)
	if hi > math.MaxInt32 {
		boundsPanic(kernel)
	}
	for _, m := range mats {
		if (hi+1)*v > len(m) {
			boundsPanic(kernel)
		}
	}
	for _, s := range vecs {
		if hi >= len(s) {
			boundsPanic(kernel)
		}
	}
}

// top returns the greatest element of s taken as uint32, or -1 when s is
// empty: a negative element is 2^31 or more, above every bound a slice can
// set in WebAssembly's 4 GiB memory (fewer than 2^31 float32 or int32
// elements), so that one check hi >= bound (or (hi+1)*n > len with n >= 1)
// catches indices below 0 and past the end alike. It keeps four maxima, so
// that the comparisons of consecutive elements do not wait on each other
// (under WebAssembly a quarter of the time of one running maximum), and
// takes one comparison an element where the least and the greatest took
// two: the bounds checks of every kernel call scan the call's index lists
// with it (docs/speed.md, "Go around the kernels").
func top(s []int32) int {
	if len(s) == 0 {
		return -1
	}
	h0 := uint32(s[0])
	h1, h2, h3 := h0, h0, h0
	i := 0
	for ; i+4 <= len(s); i += 4 {
		q := s[i : i+4 : i+4]
		h0 = max(h0, uint32(q[0]))
		h1 = max(h1, uint32(q[1]))
		h2 = max(h2, uint32(q[2]))
		h3 = max(h3, uint32(q[3]))
	}
	for ; i < len(s); i++ {
		h0 = max(h0, uint32(s[i]))
	}
	return int(max(h0, h1, h2, h3))
}

// SparseDot is kernels.Set.SparseDot. The module takes whole groups of four
// rows; the last len(rows)%4 go to the pure-Go kernel (each row's sum is
// independent of the others).
func (k *jsKernels) SparseDot(a, wt []float32, v int, rows, idx []int32, x []float32) {
	if len(rows) == 0 || len(idx) == 0 {
		return
	}
	checkSparse("SparseDot", v, rows, idx, len(x), [][]float32{wt}, [][]float32{a})
	r4 := len(rows) &^ 3
	if r4 > 0 {
		if k.direct {
			impSparseDot(pF(x), pF(wt), 0, uint32(4*v), 4, pI(rows), uint32(r4), 0, pF(a), pI(idx), uint32(len(idx)))
		} else {
			k.sdot.Invoke(addrF(x), addrF(wt), 0, 4*v, 4, addrI(rows), r4, 0, addrF(a), addrI(idx), len(idx))
		}
		runtime.KeepAlive(x)
		runtime.KeepAlive(wt)
		runtime.KeepAlive(rows)
		runtime.KeepAlive(a)
		runtime.KeepAlive(idx)
	}
	if r4 < len(rows) {
		goKernels.SparseDot(a, wt, v, rows[r4:], idx, x)
	}
}

// SparseAxpy is kernels.Set.SparseAxpy; the last len(rows)%4 rows go to
// the pure-Go kernel.
func (k *jsKernels) SparseAxpy(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32) {
	if len(rows) == 0 || len(idx) == 0 {
		return
	}
	checkSparse("SparseAxpy", v, rows, idx, len(x), [][]float32{gw}, [][]float32{d})
	r4 := len(rows) &^ 3
	if r4 > 0 {
		if k.direct {
			impSparseAxpy(pF(x), 0, pF(gw), uint32(4*v), 4, pI(rows), uint32(r4), pF(d), 0, pI(idx), uint32(len(idx)))
		} else {
			k.saxpy.Invoke(addrF(x), 0, addrF(gw), 4*v, 4, addrI(rows), r4, addrF(d), 0, addrI(idx), len(idx))
		}
		runtime.KeepAlive(x)
		runtime.KeepAlive(gw)
		runtime.KeepAlive(rows)
		runtime.KeepAlive(d)
		runtime.KeepAlive(idx)
	}
	if r4 < len(rows) {
		goKernels.SparseAxpy(gw, v, rows[r4:], d, idx, x)
	}
}

// SparseAxpyDocs is kernels.Set.SparseAxpyDocs. Through the direct imports
// it checks rows and each document's indices once, then makes one call of
// the module's sparseAxpyDocs for the whole chunk (blocks of four rows,
// every document in turn; the last len(rows)%4 rows go to the pure-Go
// kernel); through syscall/js it is the loop over SparseAxpy.
func (k *jsKernels) SparseAxpyDocs(gw []float32, v int, rows []int32, rb int, da []float32, kk int, idx [][]int32, x [][]float32) {
	if !k.direct {
		kernels.SparseAxpyDocsWith(k.SparseAxpy)(gw, v, rows, rb, da, kk, idx, x)
		return
	}
	if rb <= 0 || len(x) != len(idx) || v <= 0 || v > math.MaxInt32 || kk < 0 || kk > math.MaxInt32 || len(da) < len(idx)*kk {
		boundsPanic("SparseAxpyDocs")
	}
	if len(rows) == 0 || len(idx) == 0 {
		return
	}
	if hi := top(rows); hi >= kk || (hi+1)*v > len(gw) {
		boundsPanic("SparseAxpyDocs")
	}
	for i, ix := range idx {
		if len(x[i]) < len(ix) {
			boundsPanic("SparseAxpyDocs")
		}
		if top(ix) >= v {
			boundsPanic("SparseAxpyDocs")
		}
	}
	// Every row below kk, every da[i*kk:] holds kk values, every index is
	// below v: the calls below stay inside the slices. The rows are
	// independent, so the module's blocks of four rows (sparseAxpyDocsFn)
	// give the bits of blocks of rb; the last len(rows)%4 rows go to the
	// pure-Go kernel.
	if r4 := len(rows) &^ 3; r4 > 0 {
		docs := make([]uint32, 0, 3*len(idx))
		for i, ix := range idx {
			docs = append(docs, pI(ix), pF(x[i]), uint32(len(ix)))
		}
		impSparseAxpyDocs(pF(gw), uint32(4*v), pI(rows), uint32(r4), pF(da), uint32(4*kk),
			uint32(uintptr(unsafe.Pointer(unsafe.SliceData(docs)))), uint32(len(idx)))
		runtime.KeepAlive(docs)
	}
	if tail := rows[len(rows)&^3:]; len(tail) > 0 {
		for i, ix := range idx {
			goKernels.SparseAxpy(gw, v, tail, da[i*kk:], ix, x[i])
		}
	}
	runtime.KeepAlive(gw)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(da)
	runtime.KeepAlive(idx)
	runtime.KeepAlive(x)
}

// SparseGrad is kernels.Set.SparseGrad; the last len(rows)%4 rows go to
// the pure-Go kernel.
func (k *jsKernels) SparseGrad(d, wt, gw []float32, v int, rows []int32, h, g []float32, idx []int32) {
	if len(rows) == 0 || len(idx) == 0 {
		return
	}
	checkSparse("SparseGrad", v, rows, idx, len(d), [][]float32{wt, gw}, [][]float32{h, g})
	r4 := len(rows) &^ 3
	if r4 > 0 {
		if k.direct {
			impSparseGrad(pF(d), pF(wt), pF(gw), uint32(4*v), 4, pI(rows), uint32(r4), pF(h), pF(g), pI(idx), uint32(len(idx)))
		} else {
			k.sgrad.Invoke(addrF(d), addrF(wt), addrF(gw), 4*v, 4, addrI(rows), r4, addrF(h), addrF(g), addrI(idx), len(idx))
		}
		runtime.KeepAlive(d)
		runtime.KeepAlive(wt)
		runtime.KeepAlive(gw)
		runtime.KeepAlive(rows)
		runtime.KeepAlive(h)
		runtime.KeepAlive(g)
		runtime.KeepAlive(idx)
	}
	if r4 < len(rows) {
		goKernels.SparseGrad(d, wt, gw, v, rows[r4:], h, g, idx)
	}
}

// SparseDecode is kernels.Set.SparseDecode. The module takes whole groups
// of four outputs; the last len(idx)%4 go to the pure-Go kernel.
func (k *jsKernels) SparseDecode(y, c, wT []float32, rows []int32, h []float32, idx []int32) {
	n, kk := len(idx), len(h)
	if n == 0 {
		return
	}
	if len(y) < n {
		boundsPanic("SparseDecode")
	}
	if top(rows) >= kk {
		boundsPanic("SparseDecode")
	}
	if hi := top(idx); hi >= len(c) || (hi+1)*kk > len(wT) {
		boundsPanic("SparseDecode")
	}
	n4 := n &^ 3
	if n4 > 0 {
		if k.direct {
			impSparseDecode(pF(y), pF(c), pF(wT), uint32(kk), pI(rows), uint32(len(rows)), pF(h), pI(idx), uint32(n4))
		} else {
			k.sdecode.Invoke(addrF(y), addrF(c), addrF(wT), kk, addrI(rows), len(rows), addrF(h), addrI(idx), n4)
		}
		runtime.KeepAlive(y)
		runtime.KeepAlive(c)
		runtime.KeepAlive(wT)
		runtime.KeepAlive(rows)
		runtime.KeepAlive(h)
		runtime.KeepAlive(idx)
	}
	if n4 < n {
		goKernels.SparseDecode(y[n4:], c, wT, rows, h, idx[n4:])
	}
}

// AxpyRows is kernels.Set.AxpyRows. The module does the columns of whole
// groups of four; the last len(a)%4 are done here, with the same products
// in the same order.
func (k *jsKernels) AxpyRows(a, wT []float32, idx []int32, x []float32) {
	n, kk := len(idx), len(a)
	if n == 0 || kk == 0 {
		return
	}
	if len(x) < n {
		boundsPanic("AxpyRows")
	}
	if hi := top(idx); (hi+1)*kk > len(wT) {
		boundsPanic("AxpyRows")
	}
	k4 := kk &^ 3
	if k4 > 0 {
		if k.direct {
			impAxpyRows(pF(a), pF(wT), pI(idx), pF(x), uint32(n), uint32(kk))
		} else {
			k.axpyRows.Invoke(addrF(a), addrF(wT), addrI(idx), addrF(x), n, kk)
		}
		runtime.KeepAlive(a)
		runtime.KeepAlive(wT)
		runtime.KeepAlive(idx)
		runtime.KeepAlive(x)
	}
	for j := k4; j < kk; j++ {
		s := a[j]
		for q, i := range idx {
			s += x[q] * wT[int(i)*kk+j]
		}
		a[j] = s
	}
}

// Transpose is kernels.Set.Transpose. The module does the whole blocks of
// 4 x 4; the last rows%4 rows and cols%4 columns are done here.
func (k *jsKernels) Transpose(dst, src []float32, rows, cols, ld int) {
	if !kernels.TransposeFits(len(dst), len(src), rows, cols, ld) {
		boundsPanic("Transpose")
	}
	if rows == 0 || cols == 0 {
		return
	}
	r4, c4 := rows&^3, cols&^3
	if r4 > 0 && c4 > 0 {
		// The module's inner loop runs along the shorter side.
		switch {
		case k.direct && rows > cols:
			impTransposeTall(pF(dst), pF(src), uint32(rows), uint32(cols), uint32(ld))
		case k.direct:
			impTranspose(pF(dst), pF(src), uint32(rows), uint32(cols), uint32(ld))
		case rows > cols:
			k.transposeTall.Invoke(addrF(dst), addrF(src), rows, cols, ld)
		default:
			k.transpose.Invoke(addrF(dst), addrF(src), rows, cols, ld)
		}
		runtime.KeepAlive(dst)
		runtime.KeepAlive(src)
	}
	for r := range rows {
		c := c4
		if r >= r4 {
			c = 0
		}
		for ; c < cols; c++ {
			dst[c*rows+r] = src[r*ld+c]
		}
	}
}

// SparseGradT is kernels.Set.SparseGradT (the module's sparseGradT); the
// last len(rows)%4 rows go to the pure-Go kernel.
func (k *jsKernels) SparseGradT(d, wT, gwT []float32, rows []int32, h, g []float32, idx []int32) {
	kk := len(h)
	if len(rows) == 0 || len(idx) == 0 {
		return
	}
	if len(d) < len(idx) || len(g) < kk {
		boundsPanic("SparseGradT")
	}
	if top(rows) >= kk {
		boundsPanic("SparseGradT")
	}
	if hi := top(idx); (hi+1)*kk > len(wT) || (hi+1)*kk > len(gwT) {
		boundsPanic("SparseGradT")
	}
	r4 := len(rows) &^ 3
	if r4 > 0 {
		if k.direct {
			impSparseGradT(pF(d), pF(wT), pF(gwT), uint32(4*kk), pI(rows), uint32(r4), pF(h), pF(g), pI(idx), uint32(len(idx)))
		} else {
			k.sgradT.Invoke(addrF(d), addrF(wT), addrF(gwT), 4*kk, addrI(rows), r4, addrF(h), addrF(g), addrI(idx), len(idx))
		}
		runtime.KeepAlive(d)
		runtime.KeepAlive(wT)
		runtime.KeepAlive(gwT)
		runtime.KeepAlive(rows)
		runtime.KeepAlive(h)
		runtime.KeepAlive(g)
		runtime.KeepAlive(idx)
	}
	if r4 < len(rows) {
		goKernels.SparseGradT(d, wT, gwT, rows[r4:], h, g, idx)
	}
}

// ScatterAxpy is kernels.Set.ScatterAxpy. The module does the columns of
// whole groups of four; the last len(d)%4 are done here, with the same
// products in the same order.
func (k *jsKernels) ScatterAxpy(gT, d []float32, idx []int32, x []float32) {
	n, kk := len(idx), len(d)
	if n == 0 || kk == 0 {
		return
	}
	if len(x) < n {
		boundsPanic("ScatterAxpy")
	}
	if hi := top(idx); (hi+1)*kk > len(gT) {
		boundsPanic("ScatterAxpy")
	}
	k4 := kk &^ 3
	if k4 > 0 {
		if k.direct {
			impScatterAxpy(pF(gT), pF(d), pI(idx), pF(x), uint32(n), uint32(kk))
		} else {
			k.scatterAxpy.Invoke(addrF(gT), addrF(d), addrI(idx), addrF(x), n, kk)
		}
		runtime.KeepAlive(gT)
		runtime.KeepAlive(d)
		runtime.KeepAlive(idx)
		runtime.KeepAlive(x)
	}
	for j := k4; j < kk; j++ {
		dj := d[j]
		for q, i := range idx {
			gT[int(i)*kk+j] += dj * x[q]
		}
	}
}

// goKernels does the tails of Softplus, AdadeltaSum and the sparse kernels.
var goKernels = kernels.Go()
