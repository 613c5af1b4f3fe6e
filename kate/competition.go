package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"math"
	"strings"

	"github.com/kate-web/kate/internal/kernels"
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
	posW, negW []int32  // winners
	posL, negL []int32  // losers
	ep, en     float32  // energies of the positive and negative losers
	posK, negK []uint64 // scratch: the candidates' rank keys (rankKey), in unit order
	sel        []uint64 // scratch: one side's keys, reordered by the selection
}

func newCompetition(dim int) *competition {
	return &competition{
		posW: make([]int32, 0, dim), negW: make([]int32, 0, dim),
		posL: make([]int32, 0, dim), negL: make([]int32, 0, dim),
		posK: make([]uint64, dim), negK: make([]uint64, dim), sel: make([]uint64, 0, dim),
	}
}

// forward fills h (length K) from z for k winners and amplification alpha.
func (c *competition) forward(z, h []float32, k int, alpha float32) {
	h = h[:len(z)]
	clear(h)
	// The candidates of each sign, as their keys in ascending unit order,
	// in one pass and without a branch per unit (the signs are
	// unpredictable): every unit's keys are written, and each side's count
	// advances for the units of its sign (v > 0 or v < 0; NaN is neither).
	pos, neg := c.posK[:len(z)], c.negK[:len(z)]
	np, nn := 0, 0
	for j, v := range z {
		pos[np] = rankKey(v, j)
		neg[nn] = rankKey(-v, j)
		if v > 0 {
			np++
		}
		if v < 0 {
			nn++
		}
	}
	c.posW, c.posL = c.split(pos[:np], (k+1)/2, c.posW[:0], c.posL[:0])
	c.negW, c.negL = c.split(neg[:nn], k/2, c.negW[:0], c.negL[:0])
	c.ep, c.en = 0, 0
	for _, j := range c.posL {
		c.ep += z[j]
	}
	for _, j := range c.negL {
		c.en -= z[j]
	}
	for _, i := range c.posW {
		h[i] = z[i] + float32(alpha*c.ep)
	}
	for _, i := range c.negW {
		h[i] = z[i] - float32(alpha*c.en)
	}
}

// rankKey returns the key of unit j, whose value of the side's sign is
// sv > 0: the bits of sv above those of ^j, so that one unit ranks before
// another (sv greater, or equal and j lower) exactly when its key is
// greater (the bits of positive float32 values order as the values do),
// and keyUnit(key) is the unit.
func rankKey(sv float32, j int) uint64 {
	return uint64(math.Float32bits(sv))<<32 | uint64(^uint32(j))
}

// keyUnit returns the unit whose rank key is key (rankKey).
func keyUnit(key uint64) int32 { return int32(^uint32(key)) }

// appendUnits appends to dst the units of keys (rank keys), in order.
func appendUnits(dst []int32, keys []uint64) []int32 {
	for _, key := range keys {
		dst = append(dst, keyUnit(key))
	}
	return dst
}

// split selects, among the candidates of one sign given by their keys
// (rankKey, in ascending unit order), the quota with the largest magnitude
// (ties to the lower index) as winners; the rest are losers. Both lists
// come back in ascending unit order; win and lose have room for every
// unit (capacity K).
func (c *competition) split(keys []uint64, quota int, win, lose []int32) ([]int32, []int32) {
	n := len(keys)
	if quota == 0 {
		return win, appendUnits(lose, keys)
	}
	if n <= quota {
		return appendUnits(win, keys), lose
	}
	nw, nl := len(win), len(lose)
	// The winners are the units whose keys are at least the quota-th
	// greatest; emit both lists in ascending unit order, again without a
	// branch per unit.
	c.sel = append(c.sel[:0], keys...)
	t := kernels.KthLargest(c.sel, quota)
	win, lose = win[:nw+n], lose[:nl+n]
	for _, key := range keys {
		j := keyUnit(key)
		win[nw], lose[nl] = j, j
		w := 0
		if key >= t {
			w = 1
		}
		nw += w
		nl += 1 - w
	}
	return win[:nw], lose[:nl]
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
	return c.appendWinners(dst[:0])
}

// appendWinners appends the winners to dst, as winners lists them.
func (c *competition) appendWinners(dst []int32) []int32 {
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
