package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"math"
	mathbits "math/bits"
	"slices"

	"github.com/kate-web/kate/internal/kernels"
)

// Reconstruction sampling (Dauphin, Glorot & Bengio, ICML 2011; docs/design.md §2.1).
// With Config.Sampling > 0 a document reconstructs all of its non-zero
// inputs and a sample of its zero inputs, drawn from the proposal q (half
// document frequency, half uniform) with importance weights 1/(m·q_i), so
// that the sampled loss and its gradient are unbiased estimates of the
// exact ones, at a cost that follows the document's size instead of V.

// minSampleBase: a document is sampled as if it had at least this many
// non-zero inputs (short documents still get a useful sample of zeros).
const minSampleBase = 16

// sampler draws the zero outputs a document reconstructs. It is read-only
// once built, shared by the workspaces.
type sampler struct {
	v     int
	ratio float64
	// Alias table of the proposal q over the V outputs (Vose's method).
	tab []aliasColumn
	q   []float64
}

// aliasColumn is one column of the alias table as draw reads it (one
// cache line holds four): a coin c (the low 32 bits of a draw) keeps the
// column's own output when c·2⁻³² < prob, that is when c < thr =
// ⌈prob·2³²⌉ (c is an integer and prob·2³² exact), else gives alias.
type aliasColumn struct {
	thr   uint64
	alias int32
}

// newSampler builds the proposal from the document frequencies df (length
// V): q_i = (df_i/Σdf + 1/V)/2.
func newSampler(df []uint32, ratio float64) *sampler {
	v := len(df)
	s := &sampler{v: v, ratio: ratio, q: make([]float64, v)}
	total := 0.0
	for _, d := range df {
		total += float64(d)
	}
	for i, d := range df {
		if total > 0 {
			s.q[i] = (float64(d)/total + 1/float64(v)) / 2
		} else {
			s.q[i] = 1 / float64(v)
		}
	}
	prob, alias := aliasTable(s.q)
	s.tab = make([]aliasColumn, v)
	for i, p := range prob {
		s.tab[i] = aliasColumn{thr: uint64(math.Ceil(p * (1 << 32))), alias: alias[i]}
	}
	return s
}

// aliasTable returns the alias table of the distribution q (Vose's
// method, deterministic: stacks in index order): column i keeps output i
// with probability prob[i], else gives alias[i].
func aliasTable(q []float64) (prob []float64, alias []int32) {
	v := len(q)
	prob, alias = make([]float64, v), make([]int32, v)
	scaled := make([]float64, v)
	var small, large []int32
	for i, qi := range q {
		scaled[i] = qi * float64(v)
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		prob[l] = scaled[l]
		alias[l] = g
		scaled[g] = (scaled[g] + scaled[l]) - 1
		if scaled[g] < 1 {
			large = large[:len(large)-1]
			small = append(small, g)
		}
	}
	for _, g := range large {
		prob[g], alias[g] = 1, g
	}
	for _, l := range small {
		prob[l], alias[l] = 1, l
	}
	return prob, alias
}

// draws returns the number of zero outputs drawn for a document with nnz
// non-zero inputs.
func (s *sampler) draws(nnz int) int {
	return int(math.Ceil(s.ratio * float64(max(nnz, minSampleBase))))
}

// draw fills ws.out (the outputs to reconstruct: x's indices, then the
// sampled zeros in increasing order) and ws.ow (their weights: 1 for the
// non-zero inputs, Σ 1/(m·q_i) over the draws of i for the zeros), drawing
// from r.
//
// A draw touches one column of the alias table and the output's count
// (ws.cnt: −1 for x's inputs, else the draws so far); the weight of each
// drawn zero is then summed once per output, w = (1/m)/q_i added as many
// times as i was drawn: the same float64 additions of the same terms in the
// same order as adding w at each draw, so the same weights, with fewer
// scattered reads while the draws run (docs/speed.md, seventh session).
func (s *sampler) draw(ws *workspace, x SparseVector, r *pcg) {
	ws.out = append(ws.out[:0], x.Indices...)
	ws.ow = ws.ow[:0]
	for range x.Indices {
		ws.ow = append(ws.ow, 1)
	}
	cnt := ws.cnt[:s.v]
	for _, i := range x.Indices {
		cnt[i] = -1
	}
	m := s.draws(len(x.Indices))
	inv := 1 / float64(m)
	start := len(ws.out)
	// The m 64-bit draws first, then their outputs.
	ws.us = slices.Grow(ws.us[:0], m)[:m]
	us := ws.us
	r.fill(us)
	tab, v := s.tab[:s.v], uint64(s.v)
	for _, u := range us {
		// One 64-bit draw: the high half picks a column of the alias table,
		// the low half is the coin.
		i := int32((u >> 32) * v >> 32)
		if c := &tab[i]; uint64(uint32(u)) >= c.thr {
			i = c.alias
		}
		switch n := cnt[i]; {
		case n < 0: // a non-zero input: already reconstructed
		case n == 0:
			cnt[i] = 1
			ws.drawn[i>>6] |= 1 << (i & 63)
		default:
			cnt[i] = n + 1
		}
	}
	// The drawn zeros in increasing order, from their bits (cheaper than
	// sorting a list of them): the words are left zero for the next draw.
	for w, bits := range ws.drawn {
		if bits == 0 {
			continue
		}
		ws.drawn[w] = 0
		for ; bits != 0; bits &= bits - 1 {
			ws.out = append(ws.out, int32(w<<6+mathbits.TrailingZeros64(bits)))
		}
	}
	for _, i := range ws.out[start:] {
		w := inv / s.q[i]
		var a float64
		for range cnt[i] {
			a += w
		}
		ws.ow = append(ws.ow, float32(a))
		cnt[i] = 0
	}
	for _, i := range x.Indices {
		cnt[i] = 0
	}
}

// pcg is the generator of math/rand/v2's PCG (a 128-bit LCG with the DXSM
// output function; O'Neill, "PCG: A Family of Simple Fast Space-Efficient
// Statistically Good Algorithms for Random Number Generation", 2014, and
// her pcg-cpp's DXSM): the same stream for the same seeds
// (TestPCGStream), drawn by fill in one loop without calls. Under
// WebAssembly, rand.PCG.Uint64 took ~35 ns a value (two calls, at each of
// which Go saves and restores its live values in memory; 128-bit products
// in four 32-bit ones), a third of a sampled step's draw (docs/speed.md,
// seventh session).
type pcg struct{ hi, lo uint64 }

// Seed sets the state as rand.PCG.Seed(seed1, seed2) does.
func (p *pcg) Seed(seed1, seed2 uint64) { p.hi, p.lo = seed1, seed2 }

// fill sets us to the next len(us) values of the stream (rand.PCG.Uint64).
func (p *pcg) fill(us []uint64) {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	hi, lo := p.hi, p.lo
	for j := range us {
		// state = state·mul + inc (mod 2¹²⁸)
		h, l := mathbits.Mul64(lo, mulLo)
		h += hi*mulLo + lo*mulHi
		l, c := mathbits.Add64(l, incLo, 0)
		h, _ = mathbits.Add64(h, incHi, c)
		hi, lo = h, l
		// DXSM
		h ^= h >> 32
		h *= cheapMul
		h ^= h >> 48
		us[j] = h * (l | 1)
	}
	p.hi, p.lo = hi, lo
}

// samplingSeed separates the sampling streams from the other uses of the seed.
const samplingSeed = 0x73616d70 // "samp"

// useSampling switches the trainer to reconstruction sampling with the
// proposal built from the document frequencies df.
func (t *trainer) useSampling(df []uint32) {
	t.smp = newSampler(df, t.cfg.Sampling)
	t.layoutT = t.wT != nil
	for _, ws := range t.ws {
		ws.initSampling(t.v)
	}
}

func (ws *workspace) initSampling(v int) {
	ws.cnt = make([]int32, v)
	ws.drawn = make([]uint64, (v+63)/64)
}

// seedSampling seeds the workspaces' sampling streams for the next batch:
// chunk c of batch n draws from stream (seed, n·trainChunks+c), whichever
// goroutine runs it.
func (t *trainer) seedSampling() {
	for c, ws := range t.ws {
		ws.pcg.Seed(t.cfg.Seed^samplingSeed, t.nbatch*trainChunks+uint64(c))
	}
	t.nbatch++
}

// sampledDecoder is the decoder part of a training step under reconstruction
// sampling: it reconstructs the outputs t.smp draws (ws.out, weights ws.ow)
// instead of all V, adds their weighted gradient to ws.gC and to the winner
// rows of ws.gW, sets ws.g at the winners, and adds the weighted loss to
// ws.loss when withLoss.
func (t *trainer) sampledDecoder(ws *workspace, x SparseVector, scale float32, withLoss bool) {
	m, v := t.m, t.v
	t.smp.draw(ws, x, &ws.pcg)
	out, ow := ws.out, ws.ow[:len(ws.out)]
	n := len(out)
	ws.ys = slices.Grow(ws.ys[:0], n)[:n]
	ws.ds = slices.Grow(ws.ds[:0], n)[:n]
	ys, ds := ws.ys[:n:n], ws.ds[:n:n]
	// y_s = c_i + Σ_{j in winners, in order} h_j·W[j,i]: the same sums, in
	// the same order, as the exact decoder's outputs, read from the
	// transposed weights (output i's K weights are contiguous there).
	win, h := ws.win, ws.h
	kernels.SparseDecode(ys, m.c, t.wT, win, h, out)
	nnz := len(x.Indices)
	xv := x.Values[:nnz]
	if withLoss {
		// softplus(y_s) into ds, which SigmoidDelta overwrites below: the
		// kernel's values are mathf.Softplus's, bit for bit.
		kernels.Softplus(ys, ds)
		var l float64
		for s, y := range ys {
			e := float64(ds[s])
			if s < nnz {
				e -= float64(float64(xv[s]) * float64(y))
			}
			l += float64(float64(ow[s]) * e)
		}
		ws.loss += l
	}
	// delta_s = (sigmoid(y_s)·scale − x_s·scale)·weight_s.
	kernels.SigmoidDelta(ys, ds, scale)
	for s := range ds {
		p := ds[s]
		if s < nnz {
			p -= float32(xv[s] * scale)
		}
		ds[s] = float32(p * ow[s])
		ws.gC[out[s]] += ds[s]
	}
	// Decoder gradient on the winner rows and g = delta W at the winners
	// (each g_j sums over the outputs in order).
	clear(ws.g)
	if t.layoutT {
		kernels.SparseGradT(ds, t.wT, ws.gW, win, h, ws.g, out)
	} else {
		kernels.SparseGrad(ds, m.wt, ws.gW, v, win, h, ws.g, out)
	}
}
