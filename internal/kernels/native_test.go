package kernels_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
	"github.com/kate-web/kate/wasm/simd"
)

// native returns the native SIMD kernels, or skips the test in a build
// without them (./build.sh test runs the package both with and without
// GOEXPERIMENT=simd).
func native(t *testing.T) kernels.Set {
	t.Helper()
	k, ok := kernels.Native()
	if !ok {
		t.Skip("no native SIMD kernels in this build (GOEXPERIMENT=simd on amd64 with AVX2)")
	}
	return k
}

// eachNative runs f on the native set (Native) and, where the CPU has
// AVX-512, on the AVX2 set too (AVX2), each as a subtest, or skips the
// test in a build without native kernels.
func eachNative(t *testing.T, f func(t *testing.T, k kernels.Set)) {
	t.Helper()
	k := native(t)
	sets := []kernels.Set{k}
	if a, _ := kernels.AVX2(); a.Name != k.Name {
		sets = append(sets, a)
	} else {
		t.Log("no AVX-512 on this CPU: the 512-bit kernels are not tested")
	}
	for _, s := range sets {
		t.Run(s.Name, func(t *testing.T) { f(t, s) })
	}
}

// TestNativeKernelsIdentical holds every native SIMD kernel to the pure-Go
// reference bit for bit on random inputs (the checker the WebAssembly
// kernels are held to: lengths around multiples of 4, 8 and 16, odd
// lengths and tails, exp's whole range and its edges).
func TestNativeKernelsIdentical(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		if err := simd.Check(kernels.Go(), k, 11, 300); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNativeInstalled: a build with native kernels runs them unless
// KATE_KERNELS=go.
func TestNativeInstalled(t *testing.T) {
	k := native(t)
	want := k.Name
	switch os.Getenv(kernels.KernelsEnv) {
	case "go":
		want = "go"
	case "avx2":
		want = "avx2"
	}
	if got := kernels.Name(); got != want {
		t.Errorf("active kernels %q, want %q", got, want)
	}
}

// special returns n values mixing ordinary numbers with zeros of both
// signs, subnormals, huge values, infinities and NaN.
func special(rng *rand.Rand, n int) []float32 {
	edges := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-39, -3e-39, 3e38, -3e38, 1e20, -1e20,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, -1, 0.5}
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(3) == 0 {
			s[i] = edges[rng.IntN(len(edges))]
		} else {
			s[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
		}
	}
	return s
}

// ordinary returns n normally distributed values of magnitudes 1e-4 to
// 1e4, whose sums round differently in a different order.
func ordinary(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
	}
	return s
}

func sameBits(t *testing.T, what string, n int, want, got []float32) {
	t.Helper()
	for i := range want {
		w, g := want[i], got[i]
		if math.Float32bits(w) != math.Float32bits(g) && !(w != w && g != g) {
			t.Fatalf("%s (n=%d): element %d of %d: want %v (%#x), got %v (%#x)", what, n, i, len(want), w, math.Float32bits(w), g, math.Float32bits(g))
		}
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// TestNativeSpecialValues runs the native kernels on inputs full of
// special values (signed zeros, subnormals, overflow, infinities, NaN),
// every length from 0 to 70, and compares with pure Go bit for bit.
func TestNativeSpecialValues(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		g := kernels.Go()
		rng := rand.New(rand.NewPCG(5, 6))
		for n := 0; n <= 70; n++ {
			for rep := 0; rep < 4; rep++ {
				a := special(rng, 1)[0]
				x, y := special(rng, n), special(rng, n+2)
				y2 := clone(y)
				g.Axpy(a, x, y)
				k.Axpy(a, x, y2)
				sameBits(t, "Axpy", n, y, y2)

				scale := special(rng, 1)[0]
				p, p2 := special(rng, n+1), []float32(nil)
				p2 = clone(p)
				g.SigmoidDelta(x, p, scale)
				k.SigmoidDelta(x, p2, scale)
				sameBits(t, "SigmoidDelta", n, p, p2)
				g.Softplus(x, p)
				k.Softplus(x, p2)
				sameBits(t, "Softplus", n, p, p2)
				g.Tanh(x, p)
				k.Tanh(x, p2)
				sameBits(t, "Tanh", n, p, p2)
				xt := clone(x)
				k.Tanh(xt, xt) // in place
				sameBits(t, "Tanh in place", n, p[:n], xt)

				th, acc, upd := special(rng, n), special(rng, n), special(rng, n)
				var gs, gs2 [4][]float32
				for c := range gs {
					gs[c] = special(rng, n)
					gs2[c] = clone(gs[c])
				}
				th2, acc2, upd2 := clone(th), clone(acc), clone(upd)
				g.AdadeltaSum(th, acc, upd, gs[0], gs[1], gs[2], gs[3], 1, 0.95, 1e-6)
				k.AdadeltaSum(th2, acc2, upd2, gs2[0], gs2[1], gs2[2], gs2[3], 1, 0.95, 1e-6)
				sameBits(t, "AdadeltaSum theta", n, th, th2)
				sameBits(t, "AdadeltaSum acc", n, acc, acc2)
				sameBits(t, "AdadeltaSum upd", n, upd, upd2)
				for c := range gs {
					sameBits(t, "AdadeltaSum g", n, gs[c], gs2[c])
				}

				// A 5-row matrix of width n: the dense row kernels, four rows
				// at a time and one alone.
				const rows = 5
				wt, h, c := special(rng, rows*n), special(rng, rows), special(rng, n)
				rs := []int32{4, 0, 2, 1, 3}[:rng.IntN(rows+1)]
				out, out2 := special(rng, n), []float32(nil)
				out2 = clone(out)
				g.DecodeRows(out, c, wt, n, rs, h)
				k.DecodeRows(out2, c, wt, n, rs, h)
				sameBits(t, "DecodeRows", n, out, out2)
				gw, gg := special(rng, rows*n), special(rng, rows)
				gw2, gg2 := clone(gw), clone(gg)
				g.GradRows(x, wt, gw, n, rs, h, gg)
				k.GradRows(x, wt, gw2, n, rs, h, gg2)
				sameBits(t, "GradRows gw", n, gw, gw2)
				sameBits(t, "GradRows g", n, gg, gg2)

				// The V x K kernels with K = n and 5 rows of wT.
				idx := []int32{3, 1, 1, 4, 0, 2}[:rng.IntN(7)]
				xs := special(rng, len(idx))
				av := special(rng, n)
				av2 := clone(av)
				g.AxpyRows(av, wt, idx, xs)
				k.AxpyRows(av2, wt, idx, xs)
				sameBits(t, "AxpyRows", n, av, av2)
				gw2 = clone(gw)
				g.ScatterAxpy(gw, c, idx, xs)
				k.ScatterAxpy(gw2, c, idx, xs)
				sameBits(t, "ScatterAxpy", n, gw, gw2)
			}
		}
	})
}

// TestNativeAxpyRowsWide holds the native AxpyRows to pure Go bit for bit
// at widths K up to 300 (the 512-bit form keeps 128 outputs in registers,
// then 64, 16 and a partial tail), on special and ordinary values, rows
// repeated and in any order.
func TestNativeAxpyRowsWide(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		g := kernels.Go()
		rng := rand.New(rand.NewPCG(13, 14))
		for _, n := range []int{0, 15, 16, 17, 63, 64, 65, 127, 128, 129, 143, 144, 191, 192, 200, 255, 256, 257, 300} {
			for rep := 0; rep < 3; rep++ {
				vals := ordinary
				if rep == 0 {
					vals = special
				}
				const rows = 7
				wT := vals(rng, rows*n)
				idx := make([]int32, rng.IntN(12))
				for q := range idx {
					idx[q] = int32(rng.IntN(rows))
				}
				xs := vals(rng, len(idx))
				a := vals(rng, n)
				a2 := clone(a)
				g.AxpyRows(a, wT, idx, xs)
				k.AxpyRows(a2, wT, idx, xs)
				sameBits(t, "AxpyRows", n, a, a2)
			}
		}
	})
}

// TestNativeDecodeRowsDocs holds the native DecodeRowsDocs (blocks of
// 1,024 outputs, every document in turn within a block) to the pure-Go
// loop over DecodeRows bit for bit, on special values, with widths on
// both sides of one and two blocks and their 64- and 8-wide tails, 0 to 5
// documents (some without rows) and rows in any order, repeated ones
// included.
func TestNativeDecodeRowsDocs(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		g := kernels.Go()
		rng := rand.New(rand.NewPCG(7, 8))
		for _, v := range []int{0, 5, 64, 71, 1000, 1024, 1025, 1031, 1088, 2000, 2048, 2053, 3079} {
			for rep := 0; rep < 3; rep++ {
				nk := 1 + rng.IntN(9)
				wt, c := special(rng, nk*v), special(rng, v)
				nd := rng.IntN(6)
				var rows []int32
				offs := []int32{0}
				for range nd {
					for range rng.IntN(2 * nk) {
						rows = append(rows, int32(rng.IntN(nk)))
					}
					offs = append(offs, int32(len(rows)))
				}
				h := special(rng, nd*nk)
				y := special(rng, nd*v+rng.IntN(3))
				y2 := clone(y)
				g.DecodeRowsDocs(y, c, wt, v, rows, offs, h, nk)
				k.DecodeRowsDocs(y2, c, wt, v, rows, offs, h, nk)
				sameBits(t, "DecodeRowsDocs", v, y, y2)
			}
		}
	})
}

// TestNativeGradRowsDocs holds the native GradRowsDocs (the pairs sorted
// by row, each row's documents four at a time, two documents' partial
// sums per accumulator) to the pure-Go loop over GradRows bit for bit:
// special values and ordinary ones (whose sums tell any change of order),
// widths that are not multiples of 4 or 8, 0 to 12 documents (some without
// rows), rows repeated and in any order, one to five documents on a row,
// and groups of more pairs than one segment holds (a document with 1,100
// rows among them).
func TestNativeGradRowsDocs(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		g := kernels.Go()
		rng := rand.New(rand.NewPCG(9, 10))
		for _, v := range []int{0, 1, 3, 4, 5, 8, 12, 13, 64, 71, 255, 256, 257, 263, 515, 1000, 2003} {
			for rep := 0; rep < 4; rep++ {
				nk := 1 + rng.IntN(40)
				nd := rng.IntN(13)
				offs := []int32{int32(rng.IntN(3))}
				rows := make([]int32, offs[0])
				for i := range nd {
					nr := rng.IntN(2 * nk)
					if i == 3 && rep == 3 {
						nr = 1100
					}
					for range nr {
						rows = append(rows, int32(rng.IntN(nk)))
					}
					offs = append(offs, int32(len(rows)))
				}
				vals := ordinary
				if rep == 0 {
					vals = special
				}
				d, wt := vals(rng, nd*v+rng.IntN(3)), vals(rng, nk*v)
				h := vals(rng, nd*nk)
				gw, gg := vals(rng, nk*v), vals(rng, nd*nk+rng.IntN(3))
				gw2, gg2 := clone(gw), clone(gg)
				g.GradRowsDocs(d, wt, gw, v, rows, offs, h, gg, nk)
				k.GradRowsDocs(d, wt, gw2, v, rows, offs, h, gg2, nk)
				sameBits(t, fmt.Sprintf("GradRowsDocs gw (%d docs, %d rows)", nd, nk), v, gw, gw2)
				sameBits(t, fmt.Sprintf("GradRowsDocs g (%d docs, %d rows)", nd, nk), v, gg, gg2)
			}
		}
		// k above gradMaxK (4,096): the native kernel runs its GradRows
		// document after document.
		const v, nk = 13, 4097
		rows, offs := []int32{4096, 0, 17, 4096, 3}, []int32{0, 2, 5}
		d, wt, h := ordinary(rng, 2*v), ordinary(rng, nk*v), ordinary(rng, 2*nk)
		gw, gg := ordinary(rng, nk*v), ordinary(rng, 2*nk)
		gw2, gg2 := clone(gw), clone(gg)
		g.GradRowsDocs(d, wt, gw, v, rows, offs, h, gg, nk)
		k.GradRowsDocs(d, wt, gw2, v, rows, offs, h, gg2, nk)
		sameBits(t, "GradRowsDocs gw (k = 4,097)", v, gw, gw2)
		sameBits(t, "GradRowsDocs g (k = 4,097)", v, gg, gg2)
	})
}

// TestGradRowsDocsReference: the pure-Go GradRowsDocs is GradRows on each
// document in turn (offsets starting past 0, documents without rows), and
// a set given to Use without one gets the loop over its own GradRows.
func TestGradRowsDocsReference(t *testing.T) {
	g := kernels.Go()
	rng := rand.New(rand.NewPCG(11, 12))
	const v, nk = 37, 9
	rows := []int32{5, 0, 3, 8, 8, 1, 2, 7}
	offs := []int32{1, 4, 4, 8}
	d, wt, h := special(rng, 3*v), special(rng, nk*v), special(rng, 3*nk)
	gw, gg := special(rng, nk*v), special(rng, 3*nk)
	gw2, gg2 := clone(gw), clone(gg)
	g.GradRowsDocs(d, wt, gw, v, rows, offs, h, gg, nk)
	for i := range 3 {
		g.GradRows(d[i*v:(i+1)*v], wt, gw2, v, rows[offs[i]:offs[i+1]], h[i*nk:(i+1)*nk], gg2[i*nk:(i+1)*nk])
	}
	sameBits(t, "GradRowsDocs gw", v, gw2, gw)
	sameBits(t, "GradRowsDocs g", v, gg2, gg)
	calls := 0
	old := kernels.Use(kernels.Set{GradRows: func(d, wt, gw []float32, v int, rows []int32, h, g []float32) { calls++ }})
	defer kernels.Use(old)
	kernels.GradRowsDocs(d, wt, gw, v, rows, offs, h, gg, nk)
	if calls != 3 {
		t.Errorf("GradRowsDocs of a set without one called its GradRows %d times, want 3", calls)
	}
}

// TestNativeTranspose holds the native Transpose (8 x 8 blocks through
// registers, scalar strips) to pure Go on shapes on both sides of
// multiples of 8 and 16, blocks of a wider matrix (ld > cols) included.
func TestNativeTranspose(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		g := kernels.Go()
		rng := rand.New(rand.NewPCG(17, 18))
		for _, rows := range []int{1, 15, 16, 17, 32, 47, 128, 130} {
			for _, cols := range []int{1, 8, 16, 31, 100, 2003} {
				ld := cols + rng.IntN(40)
				src := special(rng, (rows-1)*ld+cols)
				dst, dst2 := special(rng, rows*cols), []float32(nil)
				dst2 = clone(dst)
				g.Transpose(dst, src, rows, cols, ld)
				k.Transpose(dst2, src, rows, cols, ld)
				sameBits(t, fmt.Sprintf("Transpose %d x %d, ld %d", rows, cols, ld), rows*cols, dst, dst2)
			}
		}
	})
}

// TestNativeBounds: the native kernels panic, as the pure-Go ones do, on
// slices too short for their arguments, instead of touching memory
// outside them.
func TestNativeBounds(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		for name, call := range map[string]func(){
			"Axpy": func() { k.Axpy(1, make([]float32, 17), make([]float32, 16)) },
			"DecodeRows": func() {
				k.DecodeRows(make([]float32, 70), make([]float32, 70), make([]float32, 139), 70, []int32{1}, make([]float32, 2))
			},
			"DecodeRows h": func() {
				k.DecodeRows(make([]float32, 8), make([]float32, 8), make([]float32, 24), 8, []int32{2}, make([]float32, 2))
			},
			"DecodeRowsDocs": func() {
				k.DecodeRowsDocs(make([]float32, 2*1030), make([]float32, 1030), make([]float32, 2*1030-1), 1030, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), 2)
			},
			"DecodeRowsDocs h": func() {
				// A row of the second document beyond k, inside h.
				k.DecodeRowsDocs(make([]float32, 16), make([]float32, 8), make([]float32, 24), 8, []int32{0, 2}, []int32{0, 1, 2}, make([]float32, 6), 2)
			},
			"DecodeRowsDocs y": func() {
				k.DecodeRowsDocs(make([]float32, 15), make([]float32, 8), make([]float32, 16), 8, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), 2)
			},
			"DecodeRowsDocs offs": func() {
				k.DecodeRowsDocs(make([]float32, 16), make([]float32, 8), make([]float32, 16), 8, []int32{0, 1}, []int32{0, 2, 1}, make([]float32, 4), 2)
			},
			"GradRowsDocs gw": func() {
				// The second document's row 1 ends past gw.
				k.GradRowsDocs(make([]float32, 2*1030), make([]float32, 2*1030), make([]float32, 2*1030-1), 1030, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), make([]float32, 4), 2)
			},
			"GradRowsDocs wt": func() {
				k.GradRowsDocs(make([]float32, 16), make([]float32, 15), make([]float32, 16), 8, []int32{1, 0}, []int32{0, 1, 2}, make([]float32, 4), make([]float32, 4), 2)
			},
			"GradRowsDocs h": func() {
				// A row of the second document beyond k, inside h.
				k.GradRowsDocs(make([]float32, 16), make([]float32, 24), make([]float32, 24), 8, []int32{0, 2}, []int32{0, 1, 2}, make([]float32, 6), make([]float32, 6), 2)
			},
			"GradRowsDocs g": func() {
				k.GradRowsDocs(make([]float32, 16), make([]float32, 16), make([]float32, 16), 8, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), make([]float32, 3), 2)
			},
			"GradRowsDocs d": func() {
				k.GradRowsDocs(make([]float32, 15), make([]float32, 16), make([]float32, 16), 8, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), make([]float32, 4), 2)
			},
			"GradRowsDocs offs": func() {
				k.GradRowsDocs(make([]float32, 16), make([]float32, 16), make([]float32, 16), 8, []int32{0, 1}, []int32{0, 2, 1}, make([]float32, 4), make([]float32, 4), 2)
			},
			"GradRowsDocs negative row": func() {
				k.GradRowsDocs(make([]float32, 16), make([]float32, 16), make([]float32, 16), 8, []int32{0, -1}, []int32{0, 1, 2}, make([]float32, 4), make([]float32, 4), 2)
			},
			"GradRows": func() {
				k.GradRows(make([]float32, 9), make([]float32, 36), make([]float32, 35), 9, []int32{0, 1, 2, 3}, make([]float32, 4), make([]float32, 4))
			},
			"SigmoidDelta": func() { k.SigmoidDelta(make([]float32, 9), make([]float32, 8), 1) },
			"Softplus":     func() { k.Softplus(make([]float32, 9), make([]float32, 8)) },
			"AdadeltaSum": func() {
				n := make([]float32, 16)
				k.AdadeltaSum(n, n, n, n, n, n, make([]float32, 15), 1, 0.9, 1e-6)
			},
			"AxpyRows":      func() { k.AxpyRows(make([]float32, 40), make([]float32, 79), []int32{0, 1}, []float32{1, 1}) },
			"ScatterAxpy":   func() { k.ScatterAxpy(make([]float32, 16), make([]float32, 8), []int32{2}, []float32{1}) },
			"Transpose":     func() { k.Transpose(make([]float32, 64), make([]float32, 63), 8, 8, 8) },
			"Transpose ld":  func() { k.Transpose(make([]float32, 64), make([]float32, 16*7+7), 8, 8, 16) },
			"Transpose dst": func() { k.Transpose(make([]float32, 63), make([]float32, 64), 8, 8, 8) },
			// rows*cols and (rows-1)*ld+cols wrap around to 64.
			"Transpose wraps": func() {
				k.Transpose(make([]float32, 64), make([]float32, 64), 1<<60+8, 1<<60+8, 1<<60+8)
			},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic on out-of-bounds slices", name)
					}
				}()
				call()
			}()
		}
	})
}

// TestTrainingIdenticalNative trains the same model with the pure-Go and
// the native SIMD kernels, on the exact loss and under reconstruction
// sampling, and requires the same model file, bit for bit. The
// vocabularies (150 terms: not a multiple of 4; 156: a multiple of 4, not
// of 8), the 44 units and the 12 winners take the kernels through their
// 64- and 8-wide blocks, their tails and their groups of four rows and
// single rows.
func TestTrainingIdenticalNative(t *testing.T) {
	eachNative(t, func(t *testing.T, k kernels.Set) {
		rng := rand.New(rand.NewPCG(3, 4))
		words := make([]string, 300)
		for i := range words {
			words[i] = "w" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + "x"
		}
		var texts []string
		for d := 0; d < 400; d++ {
			topic := d % 5
			s := ""
			for w := 0; w < 20+rng.IntN(60); w++ {
				i := topic*60 + int(rng.ExpFloat64()*12)%60
				if rng.IntN(4) == 0 {
					i = rng.IntN(len(words))
				}
				s += words[i] + " "
			}
			texts = append(texts, s)
		}
		cfg := kate.DefaultConfig()
		cfg.Dim, cfg.Winners, cfg.Epochs, cfg.BatchSize, cfg.ValidationDocs = 44, 12, 2, 20, 40
		cfg.Text = kate.TextOptions{}
		for _, vocab := range []int{150, 156} {
			cfg.VocabSize = vocab
			trainIdentical(t, k, texts, cfg)
		}
	})
}

func trainIdentical(t *testing.T, k kernels.Set, texts []string, cfg kate.Config) {
	train := func(sampling float64) []byte {
		c := cfg
		c.Sampling = sampling
		m, err := kate.Train(context.Background(), texts, c, kate.TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	samplings := []float64{0, 0.5}
	old := kernels.Use(kernels.Go())
	defer kernels.Use(old)
	var want [][]byte
	for _, r := range samplings {
		want = append(want, train(r))
	}
	if slices.Equal(want[0], want[1]) {
		t.Fatal("sampling did not change the model; the test would not tell the sampled kernels apart")
	}
	kernels.Use(k)
	for i, r := range samplings {
		if got := train(r); !slices.Equal(want[i], got) {
			t.Errorf("V=%d, sampling %v: the model trained with the native SIMD kernels differs from the pure-Go one", cfg.VocabSize, r)
		}
	}
}
