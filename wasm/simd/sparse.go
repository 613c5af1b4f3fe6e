package simd

// The sparse kernels (kernels.Set.SparseDot, SparseAxpy, SparseGrad and
// SparseDecode) gather and scatter single elements (at stride V in the
// K x V weights, or within the rows of the V x K transpose): the encoder's
// forward pass and gradient over a document's non-zero inputs, and the
// decoder's on the outputs drawn by reconstruction sampling
// (docs/design.md §2, §2.1). Their four lanes are four rows (or, in
// sparseDecode, four outputs) whose sums are independent, so each lane adds
// its products one after the other, in the order of the pure-Go kernel.
// They live in a second module (sparse.wasm) so that each module stays
// under the 4 KB of synchronous compilation.

// buildSparse assembles the sparse kernel module (sparse.wasm).
func buildSparse() []byte {
	return module([]*fn{
		sparseRowsFn("sparseDot", true, false),
		sparseRowsFn("sparseAxpy", false, true),
		sparseRowsFn("sparseGrad", true, true),
		scatterAxpyFn(),
		sparseDecodeFn(),
		axpyRowsFn(),
		transposeFn("transpose", true),
		transposeFn("transposeTall", false),
	})
}

// gather4 leaves on the stack the four float32 at addresses base[l]+off[l]
// (i32 locals; off may repeat one local), lane l from address l.
func (f *fn) gather4(base, off [4]uint32) {
	for l := range 4 {
		f.addr(base[l], off[l])
		f.f32load(0)
		if l == 0 {
			f.simd(f32x4Splat)
		} else {
			f.replace(byte(l))
		}
	}
}

// scatter4 stores lane l of the v128 local v at address base[l]+off.
func (f *fn) scatter4(base [4]uint32, off, v uint32) {
	for l := range 4 {
		f.addr(base[l], off)
		f.get(v)
		f.extract(byte(l))
		f.f32store(0)
	}
}

// sparseRowsFn emits name(x, wt, gw, rs, cs, rows, nrows, h, g, idx, n):
// for the rows of rows[:nrows&^3] (the caller does the last nrows%4), four
// at a time, and q < n in order, with element (j, i) of wt and gw at byte
// offset j*rs + i*cs (rs = 4V, cs = 4 for K x V; rs = 4, cs = 4K for the
// V x K transpose):
//
//	dot:  g[j] += x[q]·wt(j, idx[q])
//	axpy: gw(j, idx[q]) += h[j]·x[q]
//
// SparseDot is dot alone (g = a), SparseAxpy axpy alone (h = d), SparseGrad
// and SparseGradT both (x = d).
func sparseRowsFn(name string, dot, axpy bool) *fn {
	f := newFn(name, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const x, wt, gw, rs, cs, rows, nrows, h, g, idx, n = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
	r, rend4, p, xp, pend, off := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	pb, xb, nend := f.local(tI32), f.local(tI32), f.local(tI32)
	xv, acc, hv, t := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	var j, w, q [4]uint32 // byte offsets j*4, row starts in wt and gw
	for l := range 4 {
		j[l], w[l], q[l] = f.local(tI32), f.local(tI32), f.local(tI32)
	}
	f.endPtr(rend4, rows, nrows, ^3)
	f.endPtr(nend, idx, n, -1)
	hg := [4]uint32{h, h, h, h}
	gg := [4]uint32{g, g, g, g}
	// group runs one group of four rows over the block of idx from pb (x
	// from xb) to pend.
	group := func() {
		for l := range 4 {
			// j4 = rows[r+l]*4; w = wt + j*rs; q = gw + j*rs
			f.get(r)
			f.i32load(uint32(4 * l))
			f.tee(w[l])
			f.i32c(2)
			f.op(i32Shl)
			f.set(j[l])
			f.get(w[l])
			f.get(rs)
			f.op(i32Mul)
			f.tee(q[l])
			f.get(wt)
			f.op(i32Add)
			f.set(w[l])
			f.get(q[l])
			f.get(gw)
			f.op(i32Add)
			f.set(q[l])
		}
		if dot {
			f.gather4(gg, j)
			f.set(acc)
		}
		if axpy {
			f.gather4(hg, j)
			f.set(hv)
		}
		f.get(pb)
		f.set(p)
		f.get(xb)
		f.set(xp)
		f.while(p, pend, func() {
			f.get(p)
			f.i32load(0)
			f.get(cs)
			f.op(i32Mul)
			f.set(off)
			f.get(xp)
			f.f32load(0)
			f.simd(f32x4Splat)
			f.set(xv)
			offs := [4]uint32{off, off, off, off}
			if dot {
				// acc += x·w
				f.get(acc)
				f.get(xv)
				f.gather4(w, offs)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.set(acc)
			}
			if axpy {
				// gw += h·x
				f.gather4(q, offs)
				f.get(hv)
				f.get(xv)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.set(t)
				f.scatter4(q, off, t)
			}
			f.addTo(p, 4)
			f.addTo(xp, 4)
		})
		if dot {
			for l := range 4 {
				f.addr(g, j[l])
				f.get(acc)
				f.extract(byte(l))
				f.f32store(0)
			}
		}
		f.addTo(r, 16)
	}
	// idx in blocks of sparseBlock entries: every group of rows runs over
	// one block before the next block, so that the block's columns (rows of
	// the V x K layout) stay in the cache; each sum still takes its
	// products in the order of idx (g[j] carries it from block to block).
	f.get(idx)
	f.set(pb)
	f.get(x)
	f.set(xb)
	f.while(pb, nend, func() {
		f.minEnd(pend, pb, 4*sparseBlock, nend)
		f.get(rows)
		f.set(r)
		f.while(r, rend4, group)
		f.get(pend)
		f.set(pb)
		f.addTo(xb, 4*sparseBlock)
	})
	return f
}

// minEnd emits l = min(p + c, end) (unsigned; p, end i32 locals).
func (f *fn) minEnd(l, p uint32, c int32, end uint32) {
	f.get(p)
	f.i32c(c)
	f.op(i32Add)
	f.tee(l)
	f.get(end)
	f.get(l)
	f.get(end)
	f.op(i32LtU)
	f.op(selectOp)
	f.set(l)
}

// sparseBlock is the number of entries of idx the sparse row kernels take
// per pass over the rows.
const sparseBlock = 32

// sparseDecodeFn emits sparseDecode(y, c, wT, k, rows, nrows, h, idx, n):
// for s < n&^3 (the caller does the last n%4), four outputs at a time,
// y[s] = c[idx[s]] + Σ_{j in rows, in order} h[j]·wT[idx[s]*k+j].
func sparseDecodeFn() *fn {
	f := newFn("sparseDecode", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const y, c, wT, k, rows, nrows, h, idx, n = 0, 1, 2, 3, 4, 5, 6, 7, 8
	kb, r, rend, p, pend4, jj := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	acc := f.local(tV128)
	var ci, off [4]uint32 // idx[s+l]*4 (into c), idx[s+l]*kb + wT (row starts)
	for l := range 4 {
		ci[l], off[l] = f.local(tI32), f.local(tI32)
	}
	f.get(k)
	f.i32c(2)
	f.op(i32Shl)
	f.set(kb)
	f.endPtr(rend, rows, nrows, -1)
	f.endPtr(pend4, idx, n, ^3)
	f.get(idx)
	f.set(p)
	f.while(p, pend4, func() {
		f.indices4(p, ci, off, kb, wT)
		f.gather4([4]uint32{c, c, c, c}, ci)
		f.set(acc)
		f.get(rows)
		f.set(r)
		f.while(r, rend, func() {
			// jj = rows[r]*4; acc += h[rows[r]]·wT[off+jj]
			f.get(r)
			f.i32load(0)
			f.i32c(2)
			f.op(i32Shl)
			f.set(jj)
			f.get(acc)
			f.addr(h, jj)
			f.f32load(0)
			f.simd(f32x4Splat)
			f.gather4(off, [4]uint32{jj, jj, jj, jj})
			f.simd(f32x4Mul)
			f.simd(f32x4Add)
			f.set(acc)
			f.addTo(r, 4)
		})
		// y[s..s+3] = acc
		f.get(y)
		f.get(acc)
		f.vstore(0)
		f.addTo(y, 16)
		f.addTo(p, 16)
	})
	return f
}

// axpyRowsFn emits axpyRows(a, wT, idx, x, n, k): a[j] += x[q]·wT[idx[q]*k+j]
// for q < n in order and j < k&^3 (the caller does the last k%4), sixteen
// and then four columns at a time with the sums in locals.
func axpyRowsFn() *fn {
	f := newFn("axpyRows", tI32, tI32, tI32, tI32, tI32, tI32)
	const a, wT, idx, x, n, k = 0, 1, 2, 3, 4, 5
	kb, jb, e16, e4, p, xp, pend, base, zero := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	xv := f.local(tV128)
	var acc [4]uint32
	for l := range acc {
		acc[l] = f.local(tV128)
	}
	f.get(k)
	f.i32c(2)
	f.op(i32Shl)
	f.set(kb)
	f.endPtr(e16, zero, k, ^15)
	f.endPtr(e4, zero, k, ^3)
	f.endPtr(pend, idx, n, -1)
	block := func(nv int) {
		for l := 0; l < nv; l++ {
			f.addr(a, jb)
			f.vload(uint32(16 * l))
			f.set(acc[l])
		}
		f.get(idx)
		f.set(p)
		f.get(x)
		f.set(xp)
		f.while(p, pend, func() {
			// base = wT + idx[q]*kb + jb
			f.get(p)
			f.i32load(0)
			f.get(kb)
			f.op(i32Mul)
			f.get(wT)
			f.op(i32Add)
			f.get(jb)
			f.op(i32Add)
			f.set(base)
			f.get(xp)
			f.f32load(0)
			f.simd(f32x4Splat)
			f.set(xv)
			for l := 0; l < nv; l++ {
				f.get(acc[l])
				f.get(xv)
				f.get(base)
				f.vload(uint32(16 * l))
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.set(acc[l])
			}
			f.addTo(p, 4)
			f.addTo(xp, 4)
		})
		for l := 0; l < nv; l++ {
			f.addr(a, jb)
			f.get(acc[l])
			f.vstore(uint32(16 * l))
		}
		f.addTo(jb, int32(16*nv))
	}
	f.while(jb, e16, func() { block(4) })
	f.while(jb, e4, func() { block(1) })
	return f
}

// transposeFn emits name(dst, src, rows, cols, ld): dst[c*rows+r] =
// src[r*ld+c] for r < rows&^3 and c < cols&^3 (the caller does the rest),
// in blocks of 4 x 4 transposed with shuffles. The inner loop runs along
// the shorter side, so that the cache lines it touches stay in the cache
// from one pass to the next: along the rows (colsOuter: the K x V weights
// to V x K) or along the columns (the V x K weights back to K x V).
func transposeFn(name string, colsOuter bool) *fn {
	f := newFn(name, tI32, tI32, tI32, tI32, tI32)
	const dst, src, rows, cols, ld = 0, 1, 2, 3, 4
	rend, cend, zero, r, c, s0, d0 := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	var cb, rb [4]uint32 // l*ld*4 and l*rows*4
	for l := 1; l < 4; l++ {
		cb[l], rb[l] = f.local(tI32), f.local(tI32)
	}
	var v, t [4]uint32
	for l := range 4 {
		v[l], t[l] = f.local(tV128), f.local(tV128)
	}
	for l := 1; l < 4; l++ {
		f.get(ld)
		f.i32c(int32(4 * l))
		f.op(i32Mul)
		f.set(cb[l])
		f.get(rows)
		f.i32c(int32(4 * l))
		f.op(i32Mul)
		f.set(rb[l])
	}
	f.endPtr(rend, zero, rows, ^3)
	f.endPtr(cend, zero, cols, ^3)
	// r and c are byte offsets: r = row*4, c = col*4.
	block := func() {
		// s0 = src + r*ld + c; d0 = dst + c*rows + r
		f.get(r)
		f.get(ld)
		f.op(i32Mul)
		f.get(src)
		f.op(i32Add)
		f.get(c)
		f.op(i32Add)
		f.set(s0)
		f.get(c)
		f.get(rows)
		f.op(i32Mul)
		f.get(dst)
		f.op(i32Add)
		f.get(r)
		f.op(i32Add)
		f.set(d0)
		// Rows row..row+3 of src at columns col..col+3.
		for l := range 4 {
			f.get(s0)
			if l > 0 {
				f.get(cb[l])
				f.op(i32Add)
			}
			f.vload(0)
			f.set(v[l])
		}
		// t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2, t3 the same of c, d.
		for h := range 2 {
			for m, lanes := range [2][4]byte{{0, 4, 1, 5}, {2, 6, 3, 7}} {
				f.get(v[2*h])
				f.get(v[2*h+1])
				f.shuffle32(lanes)
				f.set(t[2*h+m])
			}
		}
		// Column col+l of src (a_l b_l c_l d_l) to dst row col+l.
		for l := range 4 {
			f.get(d0)
			if l > 0 {
				f.get(rb[l])
				f.op(i32Add)
			}
			f.get(t[l/2])
			f.get(t[2+l/2])
			if l%2 == 0 {
				f.shuffle32([4]byte{0, 1, 4, 5})
			} else {
				f.shuffle32([4]byte{2, 3, 6, 7})
			}
			f.vstore(0)
		}
	}
	outer, oend, inner, iend := c, cend, r, rend
	if !colsOuter {
		outer, oend, inner, iend = r, rend, c, cend
	}
	f.while(outer, oend, func() {
		f.i32c(0)
		f.set(inner)
		f.while(inner, iend, func() {
			block()
			f.addTo(inner, 16)
		})
		f.addTo(outer, 16)
	})
	return f
}

// scatterAxpyFn emits scatterAxpy(g, d, idx, x, n, k): g[idx[q]*k+j] +=
// d[j]·x[q] for q < n in order and j < k&^3 (the caller does the last k%4).
func scatterAxpyFn() *fn {
	f := newFn("scatterAxpy", tI32, tI32, tI32, tI32, tI32, tI32)
	const g, d, idx, x, n, k = 0, 1, 2, 3, 4, 5
	kb, jb, e4, p, xp, pend, base, zero := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	xv := f.local(tV128)
	f.get(k)
	f.i32c(2)
	f.op(i32Shl)
	f.set(kb)
	f.endPtr(e4, zero, k, ^3)
	f.endPtr(pend, idx, n, -1)
	f.get(idx)
	f.set(p)
	f.get(x)
	f.set(xp)
	f.while(p, pend, func() {
		// base = g + idx[q]*kb; xv = x[q]
		f.get(p)
		f.i32load(0)
		f.get(kb)
		f.op(i32Mul)
		f.get(g)
		f.op(i32Add)
		f.set(base)
		f.get(xp)
		f.f32load(0)
		f.simd(f32x4Splat)
		f.set(xv)
		f.i32c(0)
		f.set(jb)
		f.while(jb, e4, func() {
			f.addr(base, jb)
			f.addr(base, jb)
			f.vload(0)
			f.addr(d, jb)
			f.vload(0)
			f.get(xv)
			f.simd(f32x4Mul)
			f.simd(f32x4Add)
			f.vstore(0)
			f.addTo(jb, 16)
		})
		f.addTo(p, 4)
		f.addTo(xp, 4)
	})
	return f
}

// sparseGradTFn emits sparseGradT(x, wT, gwT, kb, rows, nrows, h, g, idx,
// n), kernels.Set.SparseGradT on the V x K layout (kb = 4K, a row's bytes):
// for the rows j of rows[:nrows&^3] (the caller does the last nrows%4),
// four at a time, and q < n in order,
//
//	g[j] += x[q]·wT[idx[q]*K+j];  gwT[idx[q]*K+j] += h[j]·x[q]
//
// The four rows' sums and h are scalar locals and every product is an
// f32 operation of its own, the same operations as a lane of the vector
// form (sparseGrad), so the bits are the same; it takes no shuffles to
// gather and scatter lanes, and V8 keeps its few values in registers
// (docs/speed.md, "The sampled path's kernels"). idx is taken in blocks of
// sparseBlock entries, as in sparseGrad.
func sparseGradTFn() *fn {
	f := newFn("sparseGradT", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const x, wT, gwT, kb, rows, nrows, h, g, idx, n = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
	r, rend4, p, xp, pend, pb, xb, nend := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	bw, bq := f.local(tI32), f.local(tI32)
	ds := f.local(tF32)
	var j, s, hj [4]uint32 // row indices, the rows' sums, h at the rows
	for l := range 4 {
		j[l], s[l], hj[l] = f.local(tI32), f.local(tF32), f.local(tF32)
	}
	f.endPtr(rend4, rows, nrows, ^3)
	f.endPtr(nend, idx, n, -1)
	// at emits base + j*4 (V8 makes it one lea).
	at := func(base, j uint32) {
		f.get(base)
		f.get(j)
		f.i32c(2)
		f.op(i32Shl)
		f.op(i32Add)
	}
	group := func() {
		for l := range 4 {
			f.get(r)
			f.i32load(uint32(4 * l))
			f.set(j[l])
			at(g, j[l])
			f.f32load(0)
			f.set(s[l])
			at(h, j[l])
			f.f32load(0)
			f.set(hj[l])
		}
		f.get(pb)
		f.set(p)
		f.get(xb)
		f.set(xp)
		f.while(p, pend, func() {
			// bw = wT + idx[q]*kb, bq = gwT + idx[q]*kb, ds = x[q]
			f.get(p)
			f.i32load(0)
			f.get(kb)
			f.op(i32Mul)
			f.tee(bq)
			f.get(wT)
			f.op(i32Add)
			f.set(bw)
			f.get(bq)
			f.get(gwT)
			f.op(i32Add)
			f.set(bq)
			f.get(xp)
			f.f32load(0)
			f.set(ds)
			for l := range 4 {
				// s += ds·w
				f.get(s[l])
				f.get(ds)
				at(bw, j[l])
				f.f32load(0)
				f.op(f32Mul)
				f.op(f32Add)
				f.set(s[l])
				// q += h·ds
				at(bq, j[l])
				at(bq, j[l])
				f.f32load(0)
				f.get(hj[l])
				f.get(ds)
				f.op(f32Mul)
				f.op(f32Add)
				f.f32store(0)
			}
			f.addTo(p, 4)
			f.addTo(xp, 4)
		})
		for l := range 4 {
			at(g, j[l])
			f.get(s[l])
			f.f32store(0)
		}
		f.addTo(r, 16)
	}
	f.get(idx)
	f.set(pb)
	f.get(x)
	f.set(xb)
	f.while(pb, nend, func() {
		f.minEnd(pend, pb, 4*sparseBlock, nend)
		f.get(rows)
		f.set(r)
		f.while(r, rend4, group)
		f.get(pend)
		f.set(pb)
		f.addTo(xb, 4*sparseBlock)
	})
	return f
}

// sparseAxpyDocsFn emits sparseAxpyDocs(gw, rs, rows, nrows, da, kb, docs,
// nd): the exact loss's deferred encoder gradient of a chunk
// (kernels.Set.SparseAxpyDocs) in one call. For each group of four rows of
// rows[:nrows&^3] (the caller does the last nrows%4), and each document
// e < nd in order, with docs[3e:3e+3] = (the address of its indices, of
// its values, its number of entries n):
//
//	gw(j, idx[q]) += da[e*kb/4 + j]·x[q] for the group's rows j and q < n in order
//
// (element (j, i) of gw at byte offset j*rs + 4i): the additions of
// sparseAxpy on each document in turn, by blocks of four rows, so the same
// bits. A block of four rows of V = 2,000 is 32 KB: it stays in the L1
// cache while the chunk's documents are added to it, where a block of 32
// rows (256 KB) did not (docs/speed.md, eighth session).
func sparseAxpyDocsFn() *fn {
	f := newFn("sparseAxpyDocs", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32)
	const gw, rs, rows, nrows, da, kb, docs, nd = 0, 1, 2, 3, 4, 5, 6, 7
	r, rend4, dp, dend, dd, p, pend, xp, off := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32),
		f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	hv, t := f.local(tV128), f.local(tV128)
	var j, q [4]uint32 // byte offsets j*4, row starts in gw
	for l := range 4 {
		j[l], q[l] = f.local(tI32), f.local(tI32)
	}
	f.endPtr(rend4, rows, nrows, ^3)
	// dend = docs + nd*12
	f.get(nd)
	f.i32c(12)
	f.op(i32Mul)
	f.get(docs)
	f.op(i32Add)
	f.set(dend)
	f.get(rows)
	f.set(r)
	f.while(r, rend4, func() {
		// j4 = rows[r+l]*4; q = gw + j*rs
		f.indices4(r, j, q, rs, gw)
		f.get(docs)
		f.set(dp)
		f.get(da)
		f.set(dd)
		f.while(dp, dend, func() {
			// hv = the document's da at the group's rows
			f.gather4([4]uint32{dd, dd, dd, dd}, j)
			f.set(hv)
			f.get(dp)
			f.i32load(0)
			f.set(p)
			f.get(dp)
			f.i32load(4)
			f.set(xp)
			f.get(dp)
			f.i32load(8)
			f.i32c(2)
			f.op(i32Shl)
			f.get(p)
			f.op(i32Add)
			f.set(pend)
			f.while(p, pend, func() {
				f.get(p)
				f.i32load(0)
				f.i32c(2)
				f.op(i32Shl)
				f.set(off)
				// gw += h·x
				f.gather4(q, [4]uint32{off, off, off, off})
				f.get(hv)
				f.get(xp)
				f.f32load(0)
				f.simd(f32x4Splat)
				f.simd(f32x4Mul)
				f.simd(f32x4Add)
				f.set(t)
				f.scatter4(q, off, t)
				f.addTo(p, 4)
				f.addTo(xp, 4)
			})
			f.addTo(dp, 12)
			f.get(dd)
			f.get(kb)
			f.op(i32Add)
			f.set(dd)
		})
		f.addTo(r, 16)
	})
	return f
}

// kthLargestFn emits kthLargest(a, n, q): reorders the n distinct uint64
// keys at a so that a[q-1] is the q-th greatest (1 <= q <= n), by the
// quickselect of kernels.Set.KthLargest: the middle key of the range as
// the pivot, moved to its end, and a Lomuto partition that advances its
// boundary by the comparison's outcome (i64.gt_u and select), without a
// branch on it. The competition's selection (docs/design.md §1.2): Go's
// WebAssembly code spent ~9 ns a partition step (bounds checks, 64-bit
// index arithmetic).
func kthLargestFn() *fn {
	f := newFn("kthLargest", tI32, tI32, tI32)
	const a, n, q = 0, 1, 2
	hi, last, s, i, t := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	p, x := f.local(tI64), f.local(tI64)
	// hi = a + n*8 (lo is a); t = a + (q-1)*8
	f.get(n)
	f.i32c(3)
	f.op(i32Shl)
	f.get(a)
	f.op(i32Add)
	f.set(hi)
	f.get(q)
	f.i32c(1)
	f.op(i32Sub)
	f.i32c(3)
	f.op(i32Shl)
	f.get(a)
	f.op(i32Add)
	f.set(t)
	f.block()
	f.loop()
	// while hi - lo > 8
	f.get(hi)
	f.get(a)
	f.op(i32Sub)
	f.i32c(8)
	f.op(i32GtU)
	f.op(i32Eqz)
	f.brIf(1)
	// last = hi - 8; the middle key m = lo + ((hi-lo-8) >> 4) << 3 to
	// last: p = a[m]; a[m] = a[last]; a[last] = p
	f.get(hi)
	f.i32c(8)
	f.op(i32Sub)
	f.set(last)
	f.get(hi)
	f.get(a)
	f.op(i32Sub)
	f.i32c(8)
	f.op(i32Sub)
	f.i32c(4)
	f.op(i32ShrU)
	f.i32c(3)
	f.op(i32Shl)
	f.get(a)
	f.op(i32Add)
	f.tee(s) // m, for now
	f.i64load(0)
	f.set(p)
	f.get(s)
	f.get(last)
	f.i64load(0)
	f.i64store(0)
	f.get(last)
	f.get(p)
	f.i64store(0)
	f.get(a)
	f.tee(s)
	f.set(i)
	f.while(i, last, func() {
		// x = a[i]; a[i] = a[s]; a[s] = x; s += x > p ? 8 : 0
		f.get(i)
		f.i64load(0)
		f.set(x)
		f.get(i)
		f.get(s)
		f.i64load(0)
		f.i64store(0)
		f.get(s)
		f.get(x)
		f.i64store(0)
		f.get(s)
		f.get(x)
		f.get(p)
		f.op(i64GtU)
		f.i32c(3)
		f.op(i32Shl)
		f.op(i32Add)
		f.set(s)
		f.addTo(i, 8)
	})
	// a[last] = a[s]; a[s] = p
	f.get(last)
	f.get(s)
	f.i64load(0)
	f.i64store(0)
	f.get(s)
	f.get(p)
	f.i64store(0)
	// t < s: hi = s; t > s: lo = s + 8; else a[t] is the key
	f.get(t)
	f.get(s)
	f.op(i32Eq)
	f.brIf(1)
	f.get(t)
	f.get(s)
	f.op(i32LtU)
	f.ifThen()
	f.get(s)
	f.set(hi)
	f.end()
	f.get(s)
	f.get(t)
	f.op(i32LtU)
	f.ifThen()
	f.get(s)
	f.i32c(8)
	f.op(i32Add)
	f.set(a)
	f.end()
	f.br(0)
	f.end()
	f.end()
	return f
}

// indices4 reads the four int32 indices at the address in local p and
// sets, for each l < 4, scaled[l] to index l times 4 (a byte offset into
// a float32 vector) and start[l] to index l times stride plus base (the
// start of its row); stride and base are locals.
func (f *fn) indices4(p uint32, scaled, start [4]uint32, stride, base uint32) {
	for l := range 4 {
		f.get(p)
		f.i32load(uint32(4 * l))
		f.tee(start[l])
		f.i32c(2)
		f.op(i32Shl)
		f.set(scaled[l])
		f.get(start[l])
		f.get(stride)
		f.op(i32Mul)
		f.get(base)
		f.op(i32Add)
		f.set(start[l])
	}
}
