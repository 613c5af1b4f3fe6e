package kate

import (
	"strings"
)

// The k-competitive layer (docs/design.md §1.2, §1.3), forward and backward side by
// side.
//
// Forward. Given the encoder activations z (length K) and k:
//
//	P = {j : z_j > 0},  N = {j : z_j < 0}
//	positive winners: the ceil(k/2) largest z_j in P (all of P if it is smaller)
//	negative winners: the floor(k/2) most negative z_j in N (all of N if smaller)
//	Ep = Σ_{positive losers} z_j          En = Σ_{negative losers} |z_j|
//	h_i = z_i + α·Ep   for every positive winner i
//	h_i = z_i − α·En   for every negative winner i
//	h_j = 0            for every loser (and every j with z_j = 0)
//
// Paper's example, k = 2: z = (0.8, 0.2, 0.1, −0.1, −0.3, −0.6) gives
// h = (0.8+0.3α, 0, 0, 0, 0, −0.6−0.4α).
//
// Backward. Given g = ∂L/∂h:
//
// GradFull (the paper's description). Every positive winner i has
// ∂h_i/∂z_i = 1, and every positive loser j feeds every positive winner
// through the alpha connection, ∂h_i/∂z_j = α (likewise for negative losers,
// since −α·|z_j| = α·z_j when z_j < 0). So
//
//	∂L/∂z_i = g_i                          for a winner i
//	∂L/∂z_j = α · Σ_{positive winners} g_i for a positive loser j
//	∂L/∂z_j = α · Σ_{negative winners} g_i for a negative loser j
//	∂L/∂z_j = 0                            where z_j = 0
//
// The gradient reaches the winners first, and the losers — whose output is
// the constant 0 — only through the alpha connections.
//
// GradNone. No gradient passes back through the layer: ∂L/∂z = 0. The
// encoder then learns only through the tied decoder weights.

// GradMode selects how the gradient passes back through the k-competitive
// layer during training.
type GradMode uint8

const (
	// GradFull passes the gradient to the winners and, through the alpha
	// connections, to the losers (the paper's description).
	GradFull GradMode = 0
	// GradNone passes no gradient back through the competition.
	GradNone GradMode = 1
)

// String returns "full" or "none".
func (g GradMode) String() string {
	switch g {
	case GradFull:
		return "full"
	case GradNone:
		return "none"
	}
	return sprintf("GradMode(%d)", uint8(g))
}

// ParseGradMode parses "full" or "none" (case-insensitive).
func ParseGradMode(s string) (GradMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "full":
		return GradFull, nil
	case "none":
		return GradNone, nil
	}
	return 0, errorf("kate: gradient mode %q is not \"full\" or \"none\"", s)
}

// competition holds the outcome of one forward pass of the layer, for use
// by the backward pass. Winner lists are in ascending unit order.
type competition struct {
	posW, negW []int32 // winners
	posL, negL []int32 // losers
	ep, en     float32 // energies of the positive and negative losers
	sel        []int32 // scratch for selection
	asc        []int32 // scratch: the candidates in ascending order
	mark       []bool  // scratch: winners of the side being split
}

func newCompetition(dim int) *competition {
	return &competition{
		posW: make([]int32, 0, dim), negW: make([]int32, 0, dim),
		posL: make([]int32, 0, dim), negL: make([]int32, 0, dim),
		sel: make([]int32, 0, dim), asc: make([]int32, 0, dim), mark: make([]bool, dim),
	}
}

// forward fills h (length K) from z for k winners and amplification alpha.
func (c *competition) forward(z, h []float32, k int, alpha float32) {
	h = h[:len(z)]
	clear(h)
	kp := (k + 1) / 2
	kn := k / 2
	c.posW, c.posL = c.split(z, kp, true, c.posW[:0], c.posL[:0])
	c.negW, c.negL = c.split(z, kn, false, c.negW[:0], c.negL[:0])
	c.ep, c.en = 0, 0
	for _, j := range c.posL {
		c.ep += z[j]
	}
	for _, j := range c.negL {
		c.en -= z[j]
	}
	for _, i := range c.posW {
		h[i] = z[i] + alpha*c.ep
	}
	for _, i := range c.negW {
		h[i] = z[i] - alpha*c.en
	}
}

// split selects, among the units of one sign, the quota with the largest
// magnitude (ties to the lower index) as winners; the rest are losers. Both
// lists come back in ascending unit order.
func (c *competition) split(z []float32, quota int, positive bool, win, lose []int32) ([]int32, []int32) {
	sign := float32(1)
	if !positive {
		sign = -1
	}
	// The candidates in ascending unit order, without a branch per unit
	// (the signs are unpredictable): every unit is written, and the count
	// advances for those of the sign (sign·v > 0 is exact: v > 0 or v < 0).
	cand := c.sel[:len(z)]
	n := 0
	for j, v := range z {
		cand[n] = int32(j)
		if sign*v > 0 {
			n++
		}
	}
	cand = cand[:n]
	if n <= quota {
		return append(win, cand...), lose
	}
	if quota == 0 {
		return win, append(lose, cand...)
	}
	asc := append(c.asc[:0], cand...)
	c.asc = asc
	selectTop(cand, quota, z, sign)
	// The winners are cand[:quota] in some order; emit both lists in
	// ascending unit order by marking the winners, again without a branch
	// per unit (win and lose have room for every unit: capacity K).
	mark := c.mark[:len(z)]
	for _, j := range cand[:quota] {
		mark[j] = true
	}
	nw, nl := len(win), len(lose)
	win, lose = win[:nw+n], lose[:nl+n]
	for _, j := range asc {
		win[nw], lose[nl] = j, j
		w := 0
		if mark[j] {
			w = 1
		}
		mark[j] = false
		nw += w
		nl += 1 - w
	}
	return win[:nw], lose[:nl]
}

// selectTop reorders cand so that its first q entries are the q units that
// rank first by (sign·z descending, unit index ascending): a quickselect.
// The ranking is a strict total order, so the selected set is unique.
func selectTop(cand []int32, q int, z []float32, sign float32) {
	before := func(a, b int32) bool {
		ka, kb := sign*z[a], sign*z[b]
		return ka > kb || (ka == kb && a < b)
	}
	lo, hi := 0, len(cand)-1
	target := q - 1
	for lo < hi {
		p := cand[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for before(cand[i], p) {
				i++
			}
			for before(p, cand[j]) {
				j--
			}
			if i <= j {
				cand[i], cand[j] = cand[j], cand[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return
		}
	}
}

// backward writes dz = ∂L/∂z (length K) from g = ∂L/∂h for the last forward
// pass, in the given mode.
func (c *competition) backward(g, dz []float32, alpha float32, mode GradMode) {
	dz = dz[:len(g)]
	clear(dz)
	if mode == GradNone {
		return
	}
	var sp, sn float32
	for _, i := range c.posW {
		dz[i] = g[i]
		sp += g[i]
	}
	for _, i := range c.negW {
		dz[i] = g[i]
		sn += g[i]
	}
	sp *= alpha
	sn *= alpha
	for _, j := range c.posL {
		dz[j] = sp
	}
	for _, j := range c.negL {
		dz[j] = sn
	}
}

// winners returns the positive and negative winners in ascending order,
// merged (the non-zero entries of h).
func (c *competition) winners(dst []int32) []int32 {
	dst = dst[:0]
	a, b := c.posW, c.negW
	for len(a) > 0 || len(b) > 0 {
		if len(b) == 0 || (len(a) > 0 && a[0] < b[0]) {
			dst = append(dst, a[0])
			a = a[1:]
		} else {
			dst = append(dst, b[0])
			b = b[1:]
		}
	}
	return dst
}
