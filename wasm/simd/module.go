// Package simd provides WebAssembly SIMD versions of the training kernels
// (internal/kernels), for the browser build.
//
// The kernels live in a small WebAssembly module, assembled by this package
// (see Module), that imports the Go program's own linear memory and works on
// Go slices by address, so that a kernel call costs one call from Go into
// JavaScript and no copying. Every kernel gives results bit-identical to the
// pure-Go kernels of kernels.Go: the same four-lane reduction order, no
// fused multiply-add, and the same float32 exp (Cephes expf, built from the
// constants of internal/mathf), so that a model trained in the browser
// equals one trained natively.
package simd

import (
	_ "embed"

	"github.com/kate-web/kate/internal/mathf"
)

// kernelsWasm is the kernel module as build assembles it, kept in
// kernels.wasm so that the program does not assemble it at start-up: the
// assembler's functions are large and straight-line, and a browser's
// optimizing compiler spent ~150 ms of processor time on them during
// initialize() (docs/design.md §4). TestModuleFileIsCurrent keeps the file
// equal to build's output; go test ./wasm/simd -run TestModuleFileIsCurrent
// -update rewrites it.
//
//go:embed kernels.wasm
var kernelsWasm string

// sparseWasm is the sparse kernel module (buildSparse), kept like
// kernelsWasm.
//
//go:embed sparse.wasm
var sparseWasm string

// decoderWasm is the module of the decoder's sigmoid and the loss's
// softplus (buildDecoder), kept like kernelsWasm.
//
//go:embed decoder.wasm
var decoderWasm string

// lossWasm is the module of the loss's softplus (buildLoss), kept like
// kernelsWasm.
//
//go:embed loss.wasm
var lossWasm string

// Modules returns the bytes of the kernel modules (new slices each call):
// the dense kernels (axpy, decodeRows, gradRows, adadeltaSum,
// decodeRowsDocs), the sparse ones (sparseDot, sparseAxpy, sparseGrad,
// sparseDecode, axpyRows, transpose, transposeTall, scatterAxpy), the
// decoder's sigmoid (sigmoidDelta) with sparseGradT and the token scanner
// (scanTokens), and the loss's softplus. Each imports its memory as env.mem
// (the Go instance's exported "mem") and exports its functions by those
// names; their parameters are byte addresses into that memory, element
// counts and float32 scalars. There are four so that each stays under the
// 4 KB a browser compiles synchronously on a page's thread; Kernels takes
// an object holding the exports of all.
func Modules() [][]byte {
	return [][]byte{[]byte(kernelsWasm), []byte(sparseWasm), []byte(decoderWasm), []byte(lossWasm)}
}

// build assembles the kernel module (kernels.wasm).
func build() []byte {
	return module([]*fn{axpyFn(), decodeRowsFn(), gradRowsFn(), adadeltaSumFn(), decodeRowsDocsFn()})
}

// buildDecoder assembles the module of the exp-based kernels, the
// decoder's sigmoid and the loss's softplus (decoder.wasm): they interleave
// several vectors (sigmoidVecs, softplusVecs), which took more bytes than
// kernels.wasm had left under 4 KB; the token scanner (scanTokensFn); the
// chunk's encoder gradient (sparseAxpyDocsFn); and the competition's
// selection (kthLargestFn).
func buildDecoder() []byte {
	return module([]*fn{sigmoidDeltaFn(), sparseGradTFn(), scanTokensFn(), sparseAxpyDocsFn(), kthLargestFn()})
}

// buildLoss assembles the module of the loss's softplus (loss.wasm): it
// interleaves softplusVecs vectors, more bytes than decoder.wasm had left
// under 4 KB with the token scanner; and the encoder's tanh (tanhFn), for
// which kernels.wasm had no room.
func buildLoss() []byte {
	return module([]*fn{softplusFn(), tanhFn()})
}

// while emits a loop that runs body while local i < local end (unsigned).
func (f *fn) while(i, end uint32, body func()) {
	f.block()
	f.loop()
	f.get(i)
	f.get(end)
	f.op(i32GeU)
	f.brIf(1)
	body()
	f.br(0)
	f.end()
	f.end()
}

// addTo emits l += c for an i32 local.
func (f *fn) addTo(l uint32, c int32) {
	f.get(l)
	f.i32c(c)
	f.op(i32Add)
	f.set(l)
}

// rowBounds emits the prologue shared by the row kernels: vb = v*4 (a
// row's length in bytes), e4 and eAll the byte offsets ending the 4-lane
// part and the whole of a row (zero is a local holding 0), and rend and
// rend4 the addresses ending the rows list and its part of whole groups of
// four.
func (f *fn) rowBounds(v, rows, nrows, zero, vb, e4, eAll, rend, rend4 uint32) {
	f.get(v)
	f.i32c(2)
	f.op(i32Shl)
	f.set(vb)
	f.endPtr(e4, zero, v, ^3)
	f.endPtr(eAll, zero, v, -1)
	f.endPtr(rend, rows, nrows, -1)
	f.endPtr(rend4, rows, nrows, ^3)
}

// endPtr emits l = base + (n & mask) << 2.
func (f *fn) endPtr(l, base, n uint32, mask int32) {
	f.get(base)
	f.get(n)
	if mask != -1 {
		f.i32c(mask)
		f.op(i32And)
	}
	f.i32c(2)
	f.op(i32Shl)
	f.op(i32Add)
	f.set(l)
}

// addr emits a + b (two i32 locals) on the stack.
func (f *fn) addr(a, b uint32) {
	f.get(a)
	f.get(b)
	f.op(i32Add)
}

// axpy(a f32, x, y, n): y[i] += a*x[i] for i < n.
func axpyFn() *fn {
	f := newFn("axpy", tF32, tI32, tI32, tI32)
	const a, x, y, n = 0, 1, 2, 3
	end, end16, end4 := f.local(tI32), f.local(tI32), f.local(tI32)
	va := f.local(tV128)
	f.endPtr(end, x, n, -1)
	f.endPtr(end16, x, n, ^15)
	f.endPtr(end4, x, n, ^3)
	f.get(a)
	f.simd(f32x4Splat)
	f.set(va)
	vec := func(off uint32) {
		f.get(y)
		f.get(y)
		f.vload(off)
		f.get(va)
		f.get(x)
		f.vload(off)
		f.simd(f32x4Mul)
		f.simd(f32x4Add)
		f.vstore(off)
	}
	f.while(x, end16, func() {
		for k := uint32(0); k < 4; k++ {
			vec(16 * k)
		}
		f.addTo(x, 64)
		f.addTo(y, 64)
	})
	f.while(x, end4, func() {
		vec(0)
		f.addTo(x, 16)
		f.addTo(y, 16)
	})
	f.while(x, end, func() {
		f.get(y)
		f.get(y)
		f.f32load(0)
		f.get(a)
		f.get(x)
		f.f32load(0)
		f.op(f32Mul)
		f.op(f32Add)
		f.f32store(0)
		f.addTo(x, 4)
		f.addTo(y, 4)
	})
	return f
}

// decodeRows(y, c, wt, v, rows, nrows, h): y = c + Σ_r h[rows[r]]·wt[rows[r]*v:].
// Rows are taken four at a time: each pass streams four weight rows and
// reads y (c in the first pass) and writes it once, and every element
// still gets its products added one by one in the order of rows, as the Go
// kernel does.
func decodeRowsFn() *fn {
	f := newFn("decodeRows", tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const y, c, wt, v, rows, nrows, h = 0, 1, 2, 3, 4, 5, 6
	vb, i, e4, eAll, r, rend, rend4, src := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	zero := f.local(tI32) // stays 0: base for byte offsets
	type rowLocals struct{ w, a, av uint32 }
	var rl [4]rowLocals
	for k := range rl {
		rl[k] = rowLocals{w: f.local(tI32), a: f.local(tF32), av: f.local(tV128)}
	}
	f.rowBounds(v, rows, nrows, zero, vb, e4, eAll, rend, rend4)
	// pass adds the products of the next nr rows to y, reading src.
	pass := func(nr int) {
		for k := 0; k < nr; k++ {
			L := rl[k]
			// j = rows[r+k]; w = wt + j*vb; a = h[j]
			f.get(r)
			f.i32load(uint32(4 * k))
			f.tee(L.w) // j, for now
			f.i32c(2)
			f.op(i32Shl)
			f.get(h)
			f.op(i32Add)
			f.f32load(0)
			f.tee(L.a)
			f.simd(f32x4Splat)
			f.set(L.av)
			f.get(L.w)
			f.get(vb)
			f.op(i32Mul)
			f.get(wt)
			f.op(i32Add)
			f.set(L.w)
		}
		f.i32c(0)
		f.set(i)
		f.while(i, e4, func() {
			f.addr(y, i)
			f.addr(src, i)
			f.vload(0)
			for k := 0; k < nr; k++ {
				L := rl[k]
				f.get(L.av)
				f.addr(L.w, i)
				f.vload(0)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
			}
			f.vstore(0)
			f.addTo(i, 16)
		})
		f.while(i, eAll, func() {
			f.addr(y, i)
			f.addr(src, i)
			f.f32load(0)
			for k := 0; k < nr; k++ {
				L := rl[k]
				f.get(L.a)
				f.addr(L.w, i)
				f.f32load(0)
				f.op(f32Mul)
				f.op(f32Add)
			}
			f.f32store(0)
			f.addTo(i, 4)
		})
		f.get(y)
		f.set(src)
		f.addTo(r, int32(4*nr))
	}
	f.get(c)
	f.set(src)
	f.get(rows)
	f.set(r)
	f.while(r, rend4, func() { pass(4) })
	f.while(r, rend, func() { pass(1) })
	// No rows: y = c.
	f.get(nrows)
	f.op(i32Eqz)
	f.ifThen()
	pass(0)
	f.end()
	return f
}

// decodeBlockBytes is the width of decodeRowsDocs's column blocks in
// bytes: 1,024 outputs, whose weights (4 KB a row, 512 KB for 128 rows)
// stay in the L2 cache while every document of the call adds its rows'
// products to them, and whose outputs (4 KB a document) stay in L1.
const decodeBlockBytes = 4096

// decodeRowsDocs(y, c, wt, v, rows, offs, nd, h, k): for each document d <
// nd, y[d*v:] = c + Σ_r h[d*k+rows[r]]·wt[rows[r]*v:] over r from offs[d] to
// offs[d+1] — decodeRows for each document — done by blocks of
// decodeBlockBytes of the outputs, every document in turn within a block,
// so that a block of the weights is read from memory once for all the
// documents. Each output still gets its products added one by one in the
// order of its document's rows, four rows per pass, as decodeRows does, so
// the bits are decodeRows'.
func decodeRowsDocsFn() *fn {
	f := newFn("decodeRowsDocs", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const y, c, wt, v, rows, offs, nd, h, k = 0, 1, 2, 3, 4, 5, 6, 7, 8
	vb, e4, b0, bv, be, op, opEnd := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	yd, hd, r, rend, rend4, src, i := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	type rowLocals struct{ w, a, av uint32 }
	var rl [4]rowLocals
	for j := range rl {
		rl[j] = rowLocals{w: f.local(tI32), a: f.local(tF32), av: f.local(tV128)}
	}
	// vb = v*4; e4 = (v&^3)*4; opEnd = offs + nd*4; k = k*4 (bytes)
	f.get(v)
	f.i32c(2)
	f.op(i32Shl)
	f.set(vb)
	f.get(v)
	f.i32c(^3)
	f.op(i32And)
	f.i32c(2)
	f.op(i32Shl)
	f.set(e4)
	f.endPtr(opEnd, offs, nd, -1)
	f.get(k)
	f.i32c(2)
	f.op(i32Shl)
	f.set(k)
	// minTo emits l = min(b0 + decodeBlockBytes, end).
	minTo := func(l, end uint32) {
		f.get(b0)
		f.i32c(decodeBlockBytes)
		f.op(i32Add)
		f.tee(l)
		f.get(end)
		f.get(l)
		f.get(end)
		f.op(i32LtU)
		f.op(selectOp)
		f.set(l)
	}
	// pass adds the products of the next nr rows of the document to its
	// outputs b0 to be, reading src.
	pass := func(nr int) {
		for j := 0; j < nr; j++ {
			L := rl[j]
			// row = rows[r+j]; w = wt + row*vb; a = h[d*k+row]
			f.get(r)
			f.i32load(uint32(4 * j))
			f.tee(L.w) // row, for now
			f.i32c(2)
			f.op(i32Shl)
			f.get(hd)
			f.op(i32Add)
			f.f32load(0)
			f.tee(L.a)
			f.simd(f32x4Splat)
			f.set(L.av)
			f.get(L.w)
			f.get(vb)
			f.op(i32Mul)
			f.get(wt)
			f.op(i32Add)
			f.set(L.w)
		}
		f.get(b0)
		f.set(i)
		f.while(i, bv, func() {
			f.addr(yd, i)
			f.addr(src, i)
			f.vload(0)
			for j := 0; j < nr; j++ {
				L := rl[j]
				f.get(L.av)
				f.addr(L.w, i)
				f.vload(0)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
			}
			f.vstore(0)
			f.addTo(i, 16)
		})
		f.while(i, be, func() {
			f.addr(yd, i)
			f.addr(src, i)
			f.f32load(0)
			for j := 0; j < nr; j++ {
				L := rl[j]
				f.get(L.a)
				f.addr(L.w, i)
				f.f32load(0)
				f.op(f32Mul)
				f.op(f32Add)
			}
			f.f32store(0)
			f.addTo(i, 4)
		})
		f.get(yd)
		f.set(src)
		f.addTo(r, int32(4*nr))
	}
	f.i32c(0)
	f.set(b0)
	f.while(b0, vb, func() {
		minTo(be, vb)
		minTo(bv, e4)
		f.get(offs)
		f.set(op)
		f.get(y)
		f.set(yd)
		f.get(h)
		f.set(hd)
		f.while(op, opEnd, func() {
			// r, rend: the document's rows; rend4 ends its groups of four.
			f.get(op)
			f.i32load(0)
			f.i32c(2)
			f.op(i32Shl)
			f.get(rows)
			f.op(i32Add)
			f.tee(r)
			f.get(op)
			f.i32load(4)
			f.i32c(2)
			f.op(i32Shl)
			f.get(rows)
			f.op(i32Add)
			f.tee(rend)
			f.get(r)
			f.op(i32Sub)
			f.i32c(^15)
			f.op(i32And)
			f.get(r)
			f.op(i32Add)
			f.set(rend4)
			f.get(c)
			f.set(src)
			f.while(r, rend4, func() { pass(4) })
			f.while(r, rend, func() { pass(1) })
			// No rows: the outputs are c.
			f.get(src)
			f.get(c)
			f.op(i32Eq)
			f.ifThen()
			pass(0)
			f.end()
			f.addTo(op, 4)
			f.get(yd)
			f.get(vb)
			f.op(i32Add)
			f.set(yd)
			f.get(hd)
			f.get(k)
			f.op(i32Add)
			f.set(hd)
		})
		f.addTo(b0, decodeBlockBytes)
	})
	return f
}

// expConsts holds the locals with the splatted constants of expf.
type expConsts struct {
	hi, lo, log2e, half, ln2hi, ln2lo, one, zero, magic uint32
	poly                                                [len(mathf.ExpPoly)]uint32
}

// constLocal returns a new v128 local set to v in all four lanes.
func (f *fn) constLocal(v float32) uint32 {
	l := f.local(tV128)
	f.f32x4Const(v)
	f.set(l)
	return l
}

func (f *fn) newExpConsts() *expConsts {
	e := &expConsts{}
	set := f.constLocal
	e.hi, e.lo, e.log2e, e.half = set(mathf.ExpHi), set(mathf.ExpLo), set(mathf.Log2e32), set(0.5)
	e.ln2hi, e.ln2lo, e.one, e.zero = set(mathf.Ln2Hi32), set(mathf.Ln2Lo32), set(1), set(0)
	e.magic = set(1.5*(1<<23) + 127)
	for k, c := range mathf.ExpPoly {
		e.poly[k] = set(c)
	}
	return e
}

// expf4 leaves expf(x) of the four lanes of local x on the stack, with
// scratch v128 locals t (3 of them): the steps of kate's expf, lane-wise.
func (f *fn) expf4(e *expConsts, x uint32, t [3]uint32) {
	f.expfN(e, []uint32{x}, [][3]uint32{t})
	f.get(t[0])
}

// expfN sets t[v][0] to expf(x) of the four lanes of local xs[v] for every
// v, with t[v] as scratch: the steps of kate's expf, lane-wise, each step
// emitted for every vector in turn, so that the processor works on
// independent vectors while each one's long chain of dependent
// instructions waits (V8 keeps the order of the instructions).
func (f *fn) expfN(e *expConsts, xs []uint32, t [][3]uint32) {
	each := func(step func(x, xc, fl, r uint32)) {
		for v, x := range xs {
			step(x, t[v][0], t[v][1], t[v][2])
		}
	}
	// xc = hi < x ? hi : x (pmin: one instruction where min's NaN and
	// signed-zero rules take several; a NaN lane stays NaN, as in the
	// reference); the lanes with x < lo are set to 0 at the end.
	each(func(x, xc, fl, r uint32) {
		f.get(x)
		f.get(e.hi)
		f.simd(f32x4Pmin)
		f.set(xc)
	})
	// fl = floor(xc*log2e + 0.5)
	each(func(x, xc, fl, r uint32) {
		f.get(xc)
		f.get(e.log2e)
		f.simd(f32x4Mul)
		f.get(e.half)
		f.simd(f32x4Add)
		f.simd(f32x4Floor)
		f.set(fl)
	})
	// r = (xc - fl*ln2hi) - fl*ln2lo
	each(func(x, xc, fl, r uint32) {
		f.get(xc)
		f.get(fl)
		f.get(e.ln2hi)
		f.simd(f32x4Mul)
		f.simd(f32x4Sub)
		f.get(fl)
		f.get(e.ln2lo)
		f.simd(f32x4Mul)
		f.simd(f32x4Sub)
		f.set(r)
	})
	// p = ((((c0*r+c1)*r+c2)*r+c3)*r+c4)*r + c5, in xc (no longer needed)
	each(func(x, xc, fl, r uint32) {
		f.get(e.poly[0])
		f.set(xc)
	})
	for k := 1; k < len(mathf.ExpPoly); k++ {
		each(func(x, xc, fl, r uint32) {
			f.get(xc)
			f.get(r)
			f.simd(f32x4Mul)
			f.get(e.poly[k])
			f.simd(f32x4Add)
			f.set(xc)
		})
	}
	// p = p*(r*r) + r + 1
	each(func(x, xc, fl, r uint32) {
		f.get(xc)
		f.get(r)
		f.get(r)
		f.simd(f32x4Mul)
		f.simd(f32x4Mul)
		f.get(r)
		f.simd(f32x4Add)
		f.get(e.one)
		f.simd(f32x4Add)
		f.set(xc)
	})
	// times 2**n, n = int(fl), built from the exponent bits: the float
	// fl + (1.5·2**23 + 127) is exact, and its bits are those of 1.5·2**23
	// plus n + 127; shifted left by 23 they give (n+127) << 23, as the
	// reference's, since the bits of 1.5·2**23 leave the word (one addition
	// where i32x4.trunc_sat and an i32x4.add take several instructions).
	// Lanes out of range (x < lo, or NaN, whose p is NaN) do not use it.
	each(func(x, xc, fl, r uint32) {
		f.get(xc)
		f.get(fl)
		f.get(e.magic)
		f.simd(f32x4Add)
		f.i32c(23)
		f.simd(i32x4Shl)
		f.simd(f32x4Mul)
		f.set(xc)
	})
	// lanes with x < lo are 0
	each(func(x, xc, fl, r uint32) {
		f.get(xc)
		f.get(x)
		f.get(e.lo)
		f.simd(f32x4Lt)
		f.simd(v128Andnot)
		f.set(xc)
	})
}

// sigmoidVecs is the number of vectors of four that sigmoidDelta
// interleaves.
const sigmoidVecs = 4

// sigmoidDelta(y, p, n, scale): p[i] = sigmoid(y[i]) * scale for i < n&^7
// (the caller does the last n%8 elements), eight at a time: two vectors
// whose steps are interleaved (expfN).
func sigmoidDeltaFn() *fn {
	f := newFn("sigmoidDelta", tI32, tI32, tI32, tF32)
	const y, p, n, scale = 0, 1, 2, 3
	end8 := f.local(tI32)
	var xs []uint32
	var t [][3]uint32
	for range sigmoidVecs {
		xs = append(xs, f.local(tV128))
		t = append(t, [3]uint32{f.local(tV128), f.local(tV128), f.local(tV128)})
	}
	vs := f.local(tV128)
	e := f.newExpConsts()
	f.get(scale)
	f.simd(f32x4Splat)
	f.set(vs)
	f.endPtr(end8, y, n, -4*sigmoidVecs)
	f.while(y, end8, func() {
		for v, x := range xs {
			f.get(y)
			f.vload(uint32(16 * v))
			f.simd(f32x4Neg)
			f.set(x)
		}
		f.expfN(e, xs, t)
		// p = (1 / (1 + expf(-x))) * scale
		for v := range xs {
			f.get(p)
			f.get(e.one)
			f.get(e.one)
			f.get(t[v][0])
			f.simd(f32x4Add)
			f.simd(f32x4Div)
			f.get(vs)
			f.simd(f32x4Mul)
			f.vstore(uint32(16 * v))
		}
		f.addTo(y, 16*sigmoidVecs)
		f.addTo(p, 16*sigmoidVecs)
	})
	return f
}

// gradRows(d, wt, gw, v, rows, nrows, h, g): for every j in rows,
// gw[j*v:] += h[j]·d and g[j] = d·wt[j*v:] with four partial sums (lane l
// takes elements l, l+4, ...) combined as (s0+s1)+(s2+s3), then the tail in
// order. Rows are processed four at a time, sharing the loads of d.
func gradRowsFn() *fn {
	f := newFn("gradRows", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const d, wt, gw, v, rows, nrows, h, g = 0, 1, 2, 3, 4, 5, 6, 7
	vb, i, e4, eAll, r, rend, rend4 := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	zero := f.local(tI32)
	dv := f.local(tV128)
	ds := f.local(tF32)
	type rowLocals struct{ j, w, q, av, acc, a, s uint32 }
	var rl [4]rowLocals
	for k := range rl {
		rl[k] = rowLocals{
			j: f.local(tI32), w: f.local(tI32), q: f.local(tI32),
			av: f.local(tV128), acc: f.local(tV128), a: f.local(tF32), s: f.local(tF32),
		}
	}
	f.rowBounds(v, rows, nrows, zero, vb, e4, eAll, rend, rend4)
	group := func(nr int) {
		for k := 0; k < nr; k++ {
			L := rl[k]
			f.get(r)
			f.i32load(uint32(4 * k))
			f.set(L.j)
			// w = wt + j*vb; q = gw + j*vb
			f.get(L.j)
			f.get(vb)
			f.op(i32Mul)
			f.tee(L.w)
			f.get(gw)
			f.op(i32Add)
			f.set(L.q)
			f.get(L.w)
			f.get(wt)
			f.op(i32Add)
			f.set(L.w)
			// a = h[j]
			f.get(h)
			f.get(L.j)
			f.i32c(2)
			f.op(i32Shl)
			f.op(i32Add)
			f.f32load(0)
			f.tee(L.a)
			f.simd(f32x4Splat)
			f.set(L.av)
			f.i32c(0)
			f.simd(i32x4Splat)
			f.set(L.acc)
		}
		f.i32c(0)
		f.set(i)
		f.while(i, e4, func() {
			f.addr(d, i)
			f.vload(0)
			f.set(dv)
			for k := 0; k < nr; k++ {
				L := rl[k]
				// acc += d * w
				f.get(L.acc)
				f.get(dv)
				f.addr(L.w, i)
				f.vload(0)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.set(L.acc)
				// gw += a * d
				f.addr(L.q, i)
				f.addr(L.q, i)
				f.vload(0)
				f.get(L.av)
				f.get(dv)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.vstore(0)
			}
			f.addTo(i, 16)
		})
		for k := 0; k < nr; k++ {
			L := rl[k]
			f.get(L.acc)
			f.extract(0)
			f.get(L.acc)
			f.extract(1)
			f.op(f32Add)
			f.get(L.acc)
			f.extract(2)
			f.get(L.acc)
			f.extract(3)
			f.op(f32Add)
			f.op(f32Add)
			f.set(L.s)
		}
		f.while(i, eAll, func() {
			f.addr(d, i)
			f.f32load(0)
			f.set(ds)
			for k := 0; k < nr; k++ {
				L := rl[k]
				f.addr(L.q, i)
				f.addr(L.q, i)
				f.f32load(0)
				f.get(L.a)
				f.get(ds)
				f.op(f32Mul)
				f.op(f32Add)
				f.f32store(0)
				f.get(L.s)
				f.get(ds)
				f.addr(L.w, i)
				f.f32load(0)
				f.op(f32Mul)
				f.op(f32Add)
				f.set(L.s)
			}
			f.addTo(i, 4)
		})
		for k := 0; k < nr; k++ {
			L := rl[k]
			f.get(g)
			f.get(L.j)
			f.i32c(2)
			f.op(i32Shl)
			f.op(i32Add)
			f.get(L.s)
			f.f32store(0)
		}
		f.addTo(r, int32(4*nr))
	}
	f.get(rows)
	f.set(r)
	f.while(r, rend4, func() { group(4) })
	f.while(r, rend, func() { group(1) })
	return f
}
