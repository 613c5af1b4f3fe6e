package simd

import (
	"math"
	"math/rand/v2"

	"github.com/kate-web/kate/internal/kernels"
)

// CheckEncode is Check limited to the two kernels that encoding uses,
// SparseDot and AxpyRows (the encoder's pre-activation from the K x V
// weights, and from their transposed copy: kate's preactivateFrom), on every
// shape its SIMD module tells apart: 1 to 9 rows and larger counts around
// multiples of 4 (whole groups of four rows go to the module, the rest to
// the pure-Go kernel), index lists of every length around the module's
// blocks of 32 entries (0, 1, 31-33, 63-65, 95-97 and longer), repeated
// indices, the first and the last column, rows in order (as encoding
// passes them) and in any order or subset, and inputs of every magnitude
// with zeros of both signs, subnormals, infinities and NaNs. It returns an
// error naming the first output that differs in any bit (two NaNs count as
// equal).
//
// AxpyRows takes the same shapes transposed (1 to 257 columns: the module
// does whole groups of four, blocks of 16 first) with at most 5 indices
// (more in later rounds) into at most 3 rows: it runs over the indices one
// by one, each a whole row. One round costs a few
// milliseconds under WebAssembly where Check costs tens, so an engine that
// only encodes can hold both to the pure-Go reference before it uses them
// (docs/design.md §4.1).
func CheckEncode(ref, got kernels.Set, seed uint64, rounds int) error {
	rng := rand.New(rand.NewPCG(seed, 0x656e63))
	rowCounts := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 127, 128, 129}
	idxLens := []int{0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 95, 96, 97, 160, 301}
	widths := []int{1, 2, 3, 7, 64, 301}
	for round := 0; round < rounds; round++ {
		// Every row count and every index length once per round (the
		// longest lists with the fewest rows in the first round), each on
		// a K x V matrix of a varied width; the last round also on a taller
		// matrix (K = 257).
		for c := range max(len(rowCounts), len(idxLens)) {
			k := rowCounts[c%len(rowCounts)]
			n := idxLens[(len(idxLens)-1-c%len(idxLens)+round)%len(idxLens)]
			v := widths[(c+2*round)%len(widths)]
			if round == rounds-1 && c == 0 {
				k, n, v = 257, 97, 5
			}
			// At most 1,024 weights and 4,096 products per call: a round
			// costs about a millisecond under WebAssembly.
			// TestEncodeKernelsBitIdentical adds encoding's full shapes.
			v = min(v, max(1, 1024/k))
			n = min(n, 4096/k)
			if err := checkSparseDot(ref, got, rng, round, k, n, v); err != nil {
				return err
			}
			// AxpyRows runs over the indices one by one, each a whole
			// row: a few indices into a few rows suffice, and keep the
			// round short.
			if err := checkAxpyRows(ref, got, rng, round, k, min(n, 5+round), min(v, 3)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSparseDot runs SparseDot of ref and got on one K x V matrix (k rows
// of width v) with n indices and compares the sums.
func checkSparseDot(ref, got kernels.Set, rng *rand.Rand, round, k, n, v int) error {
	// Special values in one call of four: more often, an infinity or a
	// NaN in most sums would hide the other bits.
	special := rng.IntN(4) == 0
	wt := make([]float32, k*v)
	for i := range wt {
		wt[i] = encodeValue(rng, special)
	}
	// All the rows in order (encoding's case) on every other call, else a
	// permuted subset.
	var rows []int32
	if rng.IntN(2) == 0 {
		rows = make([]int32, k)
		for j := range rows {
			rows[j] = int32(j)
		}
	} else {
		for _, j := range rng.Perm(k)[:1+rng.IntN(k)] {
			rows = append(rows, int32(j))
		}
	}
	idx, x, a := encodeOperands(rng, special, k, n, v)
	a2 := clone(a)
	ref.SparseDot(a, wt, v, rows, idx, x)
	got.SparseDot(a2, wt, v, rows, idx, x)
	return same("SparseDot (encoding)", round, a, a2)
}

// checkAxpyRows runs AxpyRows of ref and got on one V x K matrix (v rows
// of width k: the transposed weights) with n indices and compares the
// sums.
func checkAxpyRows(ref, got kernels.Set, rng *rand.Rand, round, k, n, v int) error {
	special := rng.IntN(4) == 0
	wT := make([]float32, v*k)
	for i := range wT {
		wT[i] = encodeValue(rng, special)
	}
	idx, x, a := encodeOperands(rng, special, k, n, v)
	a2 := clone(a)
	ref.AxpyRows(a, wT, idx, x)
	got.AxpyRows(a2, wT, idx, x)
	return same("AxpyRows (encoding)", round, a, a2)
}

// encodeOperands returns a document's n indices below v (the first and
// last columns and repeats among them), its values (up to two spare ones
// past n) and k sums to add to, for checkSparseDot and checkAxpyRows.
func encodeOperands(rng *rand.Rand, special bool, k, n, v int) (idx []int32, x, a []float32) {
	idx = make([]int32, n)
	for q := range idx {
		switch rng.IntN(8) {
		case 0:
			idx[q] = 0
		case 1:
			idx[q] = int32(v - 1)
		case 2:
			if q > 0 {
				idx[q] = idx[rng.IntN(q)] // a repeat
				continue
			}
			fallthrough
		default:
			idx[q] = int32(rng.IntN(v))
		}
	}
	x = make([]float32, n+rng.IntN(3))
	for q := range x {
		x[q] = encodeValue(rng, special)
	}
	a = make([]float32, k)
	for j := range a {
		a[j] = encodeValue(rng, special)
	}
	return idx, x, a
}

// encodeValue returns value's float32s and, with special, one time in
// sixteen a special one: a signed zero, a subnormal, the largest finite
// value, an infinity or a NaN.
func encodeValue(rng *rand.Rand, special bool) float32 {
	if !special || rng.IntN(16) > 0 {
		return value(rng)
	}
	specials := []float32{
		float32(math.Copysign(0, -1)), 0, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32 * 3,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	}
	return specials[rng.IntN(len(specials))]
}
