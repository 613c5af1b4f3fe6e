package simd

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/mathf"
)

// Check runs the kernels of ref and got on the same pseudo-random inputs
// (rounds of every kernel, with lengths around multiples of 4 and 16,
// arguments across and beyond the range of exp, and special values) and
// returns an error naming the first output that differs in any bit (two
// NaNs count as equal). It is how the SIMD kernels are held to the pure-Go
// reference.
func Check(ref, got kernels.Set, seed uint64, rounds int) error {
	rng := rand.New(rand.NewPCG(seed, 0x63686b))
	lengths := []int{1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 1999, 2000, 2001}
	pick := func() int { return pickFrom(rng, lengths) }
	trng := rand.New(rand.NewPCG(seed, 0x74616e68))
	for round := 0; round < rounds; round++ {
		// Axpy.
		n := pick()
		a := value(rng)
		x, y := vec(rng, n), vec(rng, n+rng.IntN(3))
		y2 := clone(y)
		ref.Axpy(a, x, y)
		got.Axpy(a, x, y2)
		if err := same("Axpy", round, y, y2); err != nil {
			return err
		}
		// SigmoidDelta, with arguments across the whole range of expf.
		n = pick()
		ys := make([]float32, n)
		for i := range ys {
			ys[i] = expArg(rng)
		}
		scale := value(rng)
		p, p2 := vec(rng, n+rng.IntN(3)), []float32(nil)
		p2 = clone(p)
		ref.SigmoidDelta(ys, p, scale)
		got.SigmoidDelta(ys, p2, scale)
		if err := same("SigmoidDelta", round, p, p2); err != nil {
			return err
		}
		// Softplus, with arguments across the whole range of exp.
		ys = make([]float32, pick())
		for i := range ys {
			ys[i] = expArg(rng)
		}
		sp := vec(rng, len(ys)+rng.IntN(3))
		sp2 := clone(sp)
		ref.Softplus(ys, sp)
		got.Softplus(ys, sp2)
		if err := same("Softplus", round, sp, sp2); err != nil {
			return err
		}
		// Tanh, with arguments around its cases' edges and across exp's
		// range (from a stream of its own: the other kernels' draws stay
		// those of the checks before it).
		ys = make([]float32, pickFrom(trng, lengths))
		for i := range ys {
			ys[i] = tanhArg(trng)
		}
		th0 := vec(trng, len(ys)+trng.IntN(3))
		th1 := clone(th0)
		ref.Tanh(ys, th0)
		got.Tanh(ys, th1)
		if err := same("Tanh", round, th0, th1); err != nil {
			return err
		}
		// KthLargest, on distinct keys (random high bits, some repeated,
		// above a distinct low word, as the competition's rank keys), in
		// random, ascending and descending order.
		if err := checkKthLargest(ref, got, trng, round, pickFrom(trng, lengths)); err != nil {
			return err
		}
		// AdadeltaSum, on gradients of varied size and accumulators >= 0.
		n = pick()
		th, acc, upd := vec(rng, n), vec(rng, n), vec(rng, n+rng.IntN(3))
		for i := range acc {
			acc[i], upd[i] = acc[i]*acc[i], upd[i]*upd[i]
		}
		var gs, gs2 [4][]float32
		for c := range gs {
			gs[c] = vec(rng, n+rng.IntN(3))
			gs2[c] = clone(gs[c])
		}
		th2, acc2, upd2 := clone(th), clone(acc), clone(upd)
		lr, rho, eps := 0.1+float32(float32(rng.Float32())*2), 0.5+float32(rng.Float32()*0.49), float32(math.Pow(10, -3-float64(5*rng.Float64())))
		ref.AdadeltaSum(th, acc, upd, gs[0], gs[1], gs[2], gs[3], lr, rho, eps)
		got.AdadeltaSum(th2, acc2, upd2, gs2[0], gs2[1], gs2[2], gs2[3], lr, rho, eps)
		for _, c := range []struct {
			what      string
			want, got []float32
		}{{"AdadeltaSum (theta)", th, th2}, {"AdadeltaSum (acc)", acc, acc2}, {"AdadeltaSum (upd)", upd, upd2},
			{"AdadeltaSum (g0)", gs[0], gs2[0]}, {"AdadeltaSum (g3)", gs[3], gs2[3]}} {
			if err := same(c.what, round, c.want, c.got); err != nil {
				return err
			}
		}
		// DecodeRows and GradRows on a small K x V matrix.
		v := pick()
		k := 1 + rng.IntN(40)
		wt, h := vec(rng, k*v), vec(rng, k)
		rows := make([]int32, 0, k)
		for j := 0; j < k; j++ {
			if rng.IntN(3) > 0 {
				rows = append(rows, int32(j))
			}
		}
		c := vec(rng, v)
		out, out2 := vec(rng, v), []float32(nil)
		out2 = clone(out)
		ref.DecodeRows(out, c, wt, v, rows, h)
		got.DecodeRows(out2, c, wt, v, rows, h)
		if err := same("DecodeRows", round, out, out2); err != nil {
			return err
		}
		// DecodeRowsDocs: 0 to 5 documents (some without rows) on the
		// same matrix, each with its own h and rows.
		if got.DecodeRowsDocs != nil {
			nd := rng.IntN(6)
			drows, offs := groupRows(rng, nd, k)
			dh := vec(rng, nd*k)
			dy := vec(rng, nd*v+rng.IntN(3))
			dy2 := clone(dy)
			ref.DecodeRowsDocs(dy, c, wt, v, drows, offs, dh, k)
			got.DecodeRowsDocs(dy2, c, wt, v, drows, offs, dh, k)
			if err := same("DecodeRowsDocs", round, dy, dy2); err != nil {
				return err
			}
		}
		d := vec(rng, v)
		gw, g := vec(rng, k*v), vec(rng, k)
		gw2, g2 := clone(gw), clone(g)
		ref.GradRows(d, wt, gw, v, rows, h, g)
		got.GradRows(d, wt, gw2, v, rows, h, g2)
		if err := same("GradRows (gw)", round, gw, gw2); err != nil {
			return err
		}
		if err := same("GradRows (g)", round, g, g2); err != nil {
			return err
		}
		// GradRowsDocs: 0 to 5 documents (some without rows) on the same
		// matrix, each with its own d, h and rows.
		if got.GradRowsDocs != nil {
			nd := rng.IntN(6)
			drows, offs := groupRows(rng, nd, k)
			dd, dh := vec(rng, nd*v), vec(rng, nd*k)
			dg := vec(rng, nd*k+rng.IntN(3))
			dgw := vec(rng, k*v)
			dgw2, dg2 := clone(dgw), clone(dg)
			ref.GradRowsDocs(dd, wt, dgw, v, drows, offs, dh, dg, k)
			got.GradRowsDocs(dd, wt, dgw2, v, drows, offs, dh, dg2, k)
			if err := same("GradRowsDocs (gw)", round, dgw, dgw2); err != nil {
				return err
			}
			if err := same("GradRowsDocs (g)", round, dg, dg2); err != nil {
				return err
			}
		}
		// The sparse kernels on the same matrix: distinct rows in any
		// order, indices in any order (repeats allowed).
		srows := rng.Perm(k)[:rng.IntN(k+1)]
		rows = rows[:0]
		for _, j := range srows {
			rows = append(rows, int32(j))
		}
		idx := make([]int32, rng.IntN(2*v+3))
		for q := range idx {
			idx[q] = int32(rng.IntN(v))
		}
		sx := vec(rng, len(idx)+rng.IntN(3))
		sa := vec(rng, k)
		sa2 := clone(sa)
		ref.SparseDot(sa, wt, v, rows, idx, sx)
		got.SparseDot(sa2, wt, v, rows, idx, sx)
		if err := same("SparseDot", round, sa, sa2); err != nil {
			return err
		}
		gw2 = clone(gw)
		ref.SparseAxpy(gw, v, rows, h, idx, sx)
		got.SparseAxpy(gw2, v, rows, h, idx, sx)
		if err := same("SparseAxpy", round, gw, gw2); err != nil {
			return err
		}
		// SparseAxpyDocs: a few documents, blocks of 1 to 9 rows or 32.
		if got.SparseAxpyDocs != nil {
			nd := rng.IntN(5)
			dIdx, dX := make([][]int32, nd), make([][]float32, nd)
			for i := range nd {
				dIdx[i] = make([]int32, rng.IntN(v+3))
				for q := range dIdx[i] {
					dIdx[i][q] = int32(rng.IntN(v))
				}
				dX[i] = vec(rng, len(dIdx[i])+rng.IntN(3))
			}
			da := vec(rng, nd*k)
			rb := 1 + rng.IntN(9)
			if rng.IntN(3) == 0 {
				rb = 32
			}
			gw2 = clone(gw)
			ref.SparseAxpyDocs(gw, v, rows, rb, da, k, dIdx, dX)
			got.SparseAxpyDocs(gw2, v, rows, rb, da, k, dIdx, dX)
			if err := same("SparseAxpyDocs", round, gw, gw2); err != nil {
				return err
			}
		}
		gw2, g2 = clone(gw), clone(g)
		ref.SparseGrad(sx, wt, gw, v, rows, h, g, idx)
		got.SparseGrad(sx, wt, gw2, v, rows, h, g2, idx)
		if err := same("SparseGrad (gw)", round, gw, gw2); err != nil {
			return err
		}
		if err := same("SparseGrad (g)", round, g, g2); err != nil {
			return err
		}
		// Transpose, of a block of columns and of the whole matrix, and
		// AxpyRows on the transposed matrix.
		lo := rng.IntN(v)
		cols := rng.IntN(v - lo + 1)
		wT := make([]float32, cols*k)
		wT2 := vec(rng, cols*k)
		ref.Transpose(wT, wt[lo:], k, cols, v)
		got.Transpose(wT2, wt[lo:], k, cols, v)
		if err := same("Transpose (block)", round, wT, wT2); err != nil {
			return err
		}
		wT = make([]float32, v*k)
		wT2 = vec(rng, v*k)
		ref.Transpose(wT, wt, k, v, v)
		got.Transpose(wT2, wt, k, v, v)
		if err := same("Transpose", round, wT, wT2); err != nil {
			return err
		}
		// And back (V x K to K x V: the tall case).
		back, back2 := make([]float32, k*v), vec(rng, k*v)
		ref.Transpose(back, wT, v, k, k)
		got.Transpose(back2, wT, v, k, k)
		if err := same("Transpose (back)", round, back, back2); err != nil {
			return err
		}
		if err := same("Transpose (back to the original)", round, wt, back); err != nil {
			return err
		}
		sa = vec(rng, k)
		sa2 = clone(sa)
		ref.AxpyRows(sa, wT, idx, sx)
		got.AxpyRows(sa2, wT, idx, sx)
		if err := same("AxpyRows", round, sa, sa2); err != nil {
			return err
		}
		sy := vec(rng, len(idx)+rng.IntN(3))
		sy2 := clone(sy)
		ref.SparseDecode(sy, c, wT, rows, h, idx)
		got.SparseDecode(sy2, c, wT, rows, h, idx)
		if err := same("SparseDecode", round, sy, sy2); err != nil {
			return err
		}
		// SparseGradT and ScatterAxpy on the V x K layout.
		gwT := vec(rng, v*k)
		gwT2, g2 := clone(gwT), clone(g)
		ref.SparseGradT(sx, wT, gwT, rows, h, g, idx)
		got.SparseGradT(sx, wT, gwT2, rows, h, g2, idx)
		if err := same("SparseGradT (gw)", round, gwT, gwT2); err != nil {
			return err
		}
		if err := same("SparseGradT (g)", round, g, g2); err != nil {
			return err
		}
		gwT2 = clone(gwT)
		ref.ScatterAxpy(gwT, h, idx, sx)
		got.ScatterAxpy(gwT2, h, idx, sx)
		if err := same("ScatterAxpy", round, gwT, gwT2); err != nil {
			return err
		}
	}
	return nil
}

// value returns a float32 of varied magnitude and sign.
func value(rng *rand.Rand) float32 {
	switch rng.IntN(8) {
	case 0:
		return 0
	case 1:
		return float32(rng.NormFloat64() * 1e-4)
	case 2:
		return float32(rng.NormFloat64() * 100)
	}
	return float32(rng.NormFloat64())
}

// expArg returns a sigmoid argument: mostly ordinary values, often values
// at and beyond the clamps of expf, and special values.
func expArg(rng *rand.Rand) float32 {
	edges := []float32{
		0, float32(math.Copysign(0, -1)), mathf.ExpHi, -mathf.ExpHi, mathf.ExpLo, -mathf.ExpLo,
		math.Nextafter32(mathf.ExpHi, 100), math.Nextafter32(-mathf.ExpHi, -100),
		math.Nextafter32(-mathf.ExpLo, 100), math.Nextafter32(-mathf.ExpLo, 0),
		88, -88, 87, -87, 100, -100, 1e-30, -1e-30, 1e-45, 0.5, -0.5,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	}
	switch rng.IntN(6) {
	case 0:
		return edges[rng.IntN(len(edges))]
	case 1:
		return float32(float64(rng.Float64()*220) - 110)
	}
	return float32(rng.NormFloat64() * 4)
}

// tanhArg returns an argument for Tanh: one of the edges of its three
// cases (TanhMidX, TanhBig and their neighbours, signed zeros, NaN), or
// one from expArg, or a small one of the polynomial's range.
func tanhArg(rng *rand.Rand) float32 {
	switch rng.IntN(4) {
	case 0:
		e := []float32{mathf.TanhMidX, mathf.TanhBig, math.Nextafter32(mathf.TanhMidX, 0),
			math.Nextafter32(mathf.TanhBig, 100), math.Nextafter32(mathf.TanhMidX, 1), 0,
			float32(math.Copysign(0, -1)), float32(math.NaN()), 1e-40}
		x := e[rng.IntN(len(e))]
		if rng.IntN(2) == 0 {
			x = -x
		}
		return x
	case 1:
		return expArg(rng)
	}
	return float32(rng.NormFloat64())
}

// checkKthLargest compares ref's and got's KthLargest on n distinct keys
// and a random q: the key returned and the one left at a[q-1].
func checkKthLargest(ref, got kernels.Set, rng *rand.Rand, round, n int) error {
	keys := make([]uint64, n)
	order := rng.IntN(4)
	for i := range keys {
		hi := rng.Uint32()
		if rng.IntN(3) == 0 {
			hi = uint32(rng.IntN(4)) // ties in the value, broken by the low word
		}
		keys[i] = uint64(hi)<<32 | uint64(^uint32(i))
		switch order {
		case 0: // ascending, pairs tied in the high word
			keys[i] = uint64(i/2)<<32 | uint64(i)
		case 1: // descending
			keys[i] = uint64((n-1-i)/2)<<32 | uint64(n-1-i)
		}
	}
	q := 1 + rng.IntN(n)
	a, b := slices.Clone(keys), slices.Clone(keys)
	want, have := ref.KthLargest(a, q), got.KthLargest(b, q)
	if want != have || b[q-1] != have {
		return errors.New("KthLargest: round " + strconv.Itoa(round) + ", " + strconv.Itoa(n) + " keys, q " + strconv.Itoa(q) +
			": got " + strconv.FormatUint(have, 16) + " (a[q-1] " + strconv.FormatUint(b[q-1], 16) + "), want " + strconv.FormatUint(want, 16))
	}
	return nil
}

// pickFrom returns a length for a check: one of lengths, or 1 to 300.
func pickFrom(rng *rand.Rand, lengths []int) int {
	if rng.IntN(4) == 0 {
		return 1 + rng.IntN(300)
	}
	return lengths[rng.IntN(len(lengths))]
}

func vec(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = value(rng)
	}
	return s
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

func same(what string, round int, want, got []float32) error {
	for i := range want {
		w, g := want[i], got[i]
		if math.Float32bits(w) == math.Float32bits(g) || (w != w && g != g) {
			continue
		}
		return errors.New("simd: " + what + " differs in round " + strconv.Itoa(round) + " at element " +
			strconv.Itoa(i) + " of " + strconv.Itoa(len(want)) + ": want " + fmtF(w) + ", got " + fmtF(g))
	}
	return nil
}

func fmtF(f float32) string {
	return strconv.FormatFloat(float64(f), 'g', -1, 32) + " (0x" + strconv.FormatUint(uint64(math.Float32bits(f)), 16) + ")"
}

// groupRows draws the rows of nd documents for DecodeRowsDocs and
// GradRowsDocs: each of the k rows with probability 1/2, in order, and a
// document without rows one time in four; offs[i] to offs[i+1] are
// document i's.
func groupRows(rng *rand.Rand, nd, k int) (rows, offs []int32) {
	offs = []int32{0}
	for range nd {
		for j := 0; j < k; j++ {
			if rng.IntN(2) > 0 {
				rows = append(rows, int32(j))
			}
		}
		if rng.IntN(4) == 0 {
			rows = rows[:offs[len(offs)-1]]
		}
		offs = append(offs, int32(len(rows)))
	}
	return rows, offs
}
