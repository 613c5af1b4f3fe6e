//go:build js && wasm

package simd

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"syscall/js"
	"testing"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
)

// goMemory returns this program's WebAssembly.Memory. Only the JavaScript
// that started the program holds it; wasm_exec.js keeps that object (the
// instance of its Go class) as reference 6 of syscall/js, which the
// package uses internally but does not export. The test builds a
// js.Value for that reference: syscall/js's Value is {[0]func(); ref
// uint64; gcPtr *ref}, and a predefined reference is NaN-boxed as
// (0x7FF80000|typeFlagObject)<<32 | id. The browser bridge does not need
// this: the page passes the memory in.
func goMemory(t testing.TB) js.Value {
	type value struct {
		_     [0]func()
		ref   uint64
		gcPtr *uint64
	}
	if unsafe.Sizeof(value{}) != unsafe.Sizeof(js.Value{}) {
		t.Fatal("syscall/js.Value changed its layout; update goMemory")
	}
	v := value{ref: (0x7FF80000|1)<<32 | 6}
	goObj := *(*js.Value)(unsafe.Pointer(&v))
	mem := goObj.Get("_inst").Get("exports").Get("mem")
	if !mem.InstanceOf(js.Global().Get("WebAssembly").Get("Memory")) {
		t.Fatal("could not find the Go instance's memory")
	}
	return mem
}

// instantiate compiles Modules and instantiates them on this program's
// memory; it returns one object holding the exports of all, and the
// bindImports of the test runner (scripts/go_js_wasm_exec, whose global
// kateSimdImports binds the program's kate_simd imports), so that Kernels
// returns the set that calls them directly, as in the library.
func instantiate(t testing.TB) js.Value {
	t.Helper()
	all := instantiateJS(t)
	g := js.Global().Get("kateSimdImports")
	if g.Type() != js.TypeObject {
		t.Fatal("no kateSimdImports: run the tests with scripts/go_js_wasm_exec")
	}
	all.Set("bindImports", g.Get("bind"))
	return all
}

// instantiateJS is instantiate without bindImports: Kernels then calls the
// kernels through syscall/js.
func instantiateJS(t testing.TB) js.Value {
	t.Helper()
	wa := js.Global().Get("WebAssembly")
	all := js.Global().Get("Object").New()
	for i, b := range Modules() {
		u8 := js.Global().Get("Uint8Array").New(len(b))
		js.CopyBytesToJS(u8, b)
		if !wa.Call("validate", u8).Bool() {
			t.Fatalf("WebAssembly.validate rejects kernel module %d", i)
		}
		mod := wa.Get("Module").New(u8)
		env := js.Global().Get("Object").New()
		env.Set("mem", goMemory(t))
		imports := js.Global().Get("Object").New()
		imports.Set("env", env)
		js.Global().Get("Object").Call("assign", all, wa.Get("Instance").New(mod, imports).Get("exports"))
	}
	return all
}

func TestKernelsBitIdentical(t *testing.T) {
	k := Kernels(instantiate(t))
	if k.Name != "wasm-simd" {
		t.Fatalf("Kernels with the runner's bindImports gave %q, not the direct imports (wasm-simd)", k.Name)
	}
	if err := Check(kernels.Go(), k, 7, 400); err != nil {
		t.Fatal(err)
	}
}

// TestKernelsThroughJS: without bindImports, or when it does not return
// true, Kernels calls the same kernels through syscall/js, with the same
// bits.
func TestKernelsThroughJS(t *testing.T) {
	refuse := instantiateJS(t)
	refuse.Set("bindImports", js.FuncOf(func(js.Value, []js.Value) any { return false }))
	odd := instantiateJS(t)
	odd.Set("bindImports", js.FuncOf(func(js.Value, []js.Value) any { return "true" }))
	for name, exports := range map[string]js.Value{"no bindImports": instantiateJS(t), "refused": refuse, "not a boolean": odd} {
		k := Kernels(exports)
		if k.Name != "wasm-simd-js" {
			t.Fatalf("%s: Kernels gave %q, want wasm-simd-js", name, k.Name)
		}
		if err := Check(kernels.Go(), k, 8, 40); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestBindImportsRefusesIncomplete: the runner's bind (js/src/simd-imports.js)
// refuses an object that lacks a kernel or has one of another arity, and
// leaves the imports bound as they were.
func TestBindImportsRefusesIncomplete(t *testing.T) {
	bind := js.Global().Get("kateSimdImports").Get("bind")
	lacking := instantiateJS(t)
	lacking.Delete("sparseGradT")
	arity := instantiateJS(t)
	arity.Set("axpy", js.Global().Get("Function").New("a", "b", "c", "return 0"))
	for name, e := range map[string]js.Value{"lacking sparseGradT": lacking, "axpy of 3 parameters": arity, "null": js.Null()} {
		if r := bind.Invoke(e); r.Type() != js.TypeBoolean || r.Bool() {
			t.Errorf("%s: bind returned %v, want false", name, r)
		}
	}
	k := Kernels(instantiate(t))
	if err := Check(kernels.Go(), k, 9, 20); err != nil {
		t.Fatal(err)
	}
}

// TestEncodeKernelsBitIdentical holds the SIMD SparseDot and AxpyRows to
// the pure-Go ones with the encoding check, many rounds more than an engine's start-up
// runs.
func TestEncodeKernelsBitIdentical(t *testing.T) {
	k := Kernels(instantiate(t))
	if err := CheckEncode(kernels.Go(), k, 7, 300); err != nil {
		t.Fatal(err)
	}
	// Encoding's own shapes, which the check keeps smaller: K = 128 or
	// more rows over a document's hundreds of terms in a wide vocabulary.
	rng := rand.New(rand.NewPCG(3, 4))
	for i, s := range [][3]int{{128, 301, 2000}, {128, 160, 2000}, {129, 97, 10000}, {130, 1000, 300}, {256, 65, 64}, {4096, 33, 3}} {
		if err := checkSparseDot(kernels.Go(), k, rng, i, s[0], s[1], s[2]); err != nil {
			t.Fatalf("K = %d, %d terms, V = %d: %v", s[0], s[1], s[2], err)
		}
		if err := checkAxpyRows(kernels.Go(), k, rng, i, s[0], s[1], s[2]); err != nil {
			t.Fatalf("K = %d, %d terms, V = %d: %v", s[0], s[1], s[2], err)
		}
	}
}

// TestEncodingKernelAlone encodes texts with only the SIMD SparseDot and
// AxpyRows installed (as an engine that only encodes runs,
// bridge.useEncodeKernels), more texts than a vectorizer encodes before it
// switches to the transposed weights, and requires the pure-Go
// embeddings, bit for bit.
func TestEncodingKernelAlone(t *testing.T) {
	var texts []string
	words := []string{"orbit", "shuttle", "launch", "engine", "wheel", "brake", "game", "team", "season", "church", "god", "faith"}
	for d := 0; d < 200; d++ {
		s := ""
		for w := 0; w < 5+d%17; w++ {
			s += words[(d*5+w*w)%len(words)] + " "
		}
		texts = append(texts, s)
	}
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.VocabSize, cfg.Epochs, cfg.BatchSize, cfg.ValidationDocs = 14, 4, 12, 2, 10, 10
	cfg.Text = kate.TextOptions{}
	m, err := kate.Train(context.Background(), texts, cfg, kate.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, "", "nothing known here", "orbit orbit orbit god")
	want := m.Encode(texts)
	k := Kernels(instantiate(t))
	old := kernels.Use(kernels.Set{Name: "wasm-simd-encode", SparseDot: k.SparseDot, AxpyRows: k.AxpyRows})
	defer kernels.Use(old)
	if got := m.Encode(texts); !slices.Equal(want, got) {
		t.Fatal("the embeddings with the SIMD SparseDot and AxpyRows differ from the pure-Go ones")
	}
}

func BenchmarkCheck(b *testing.B) {
	k := Kernels(instantiate(b))
	for b.Loop() {
		if err := Check(kernels.Go(), k, 1, 2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckEncode(b *testing.B) {
	k := Kernels(instantiate(b))
	for b.Loop() {
		if err := CheckEncode(kernels.Go(), k, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKernelsPanicOutOfBounds(t *testing.T) {
	for _, k := range []kernels.Set{Kernels(instantiate(t)), Kernels(instantiateJS(t))} {
		testPanicOutOfBounds(t, k)
	}
}

func testPanicOutOfBounds(t *testing.T, k kernels.Set) {
	for name, call := range map[string]func(){
		"Axpy":         func() { k.Axpy(1, make([]float32, 8), make([]float32, 7)) },
		"SigmoidDelta": func() { k.SigmoidDelta(make([]float32, 8), make([]float32, 7), 1) },
		"Softplus":     func() { k.Softplus(make([]float32, 8), make([]float32, 7)) },
		"AdadeltaSum": func() {
			f := func(n int) []float32 { return make([]float32, n) }
			k.AdadeltaSum(f(8), f(8), f(8), f(8), f(8), f(7), f(8), 1, 0.9, 1e-6)
		},
		"DecodeRows": func() {
			k.DecodeRows(make([]float32, 4), make([]float32, 4), make([]float32, 8), 4, []int32{2}, make([]float32, 3))
		},
		"DecodeRows (a later row)": func() {
			k.DecodeRows(make([]float32, 4), make([]float32, 4), make([]float32, 32), 4, []int32{0, 1, 2, 3, 4, 8}, make([]float32, 9))
		},
		"DecodeRowsDocs (a row of the second document)": func() {
			k.DecodeRowsDocs(make([]float32, 8), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1, 1, 2}, []int32{0, 2, 4}, make([]float32, 6), 3)
		},
		"DecodeRowsDocs (short outputs)": func() {
			k.DecodeRowsDocs(make([]float32, 7), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 4), 2)
		},
		"DecodeRowsDocs (short h)": func() {
			k.DecodeRowsDocs(make([]float32, 8), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1}, []int32{0, 1, 2}, make([]float32, 3), 2)
		},
		"DecodeRowsDocs (offsets past the rows)": func() {
			k.DecodeRowsDocs(make([]float32, 8), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1}, []int32{0, 1, 3}, make([]float32, 4), 2)
		},
		"DecodeRowsDocs (decreasing offsets)": func() {
			k.DecodeRowsDocs(make([]float32, 12), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1}, []int32{0, 2, 1, 2}, make([]float32, 6), 2)
		},
		"GradRows (a negative row)": func() {
			k.GradRows(make([]float32, 4), make([]float32, 32), make([]float32, 32), 4, []int32{0, 1, 2, -1, 4}, make([]float32, 8), make([]float32, 8))
		},
		"GradRows": func() {
			k.GradRows(make([]float32, 4), make([]float32, 8), make([]float32, 8), 4, []int32{1}, make([]float32, 1), make([]float32, 2))
		},
		"SparseDot (row)": func() {
			k.SparseDot(make([]float32, 3), make([]float32, 8), 4, []int32{0, 1, 2, 1}, []int32{1}, []float32{1})
		},
		"SparseDot (index)": func() {
			k.SparseDot(make([]float32, 4), make([]float32, 16), 4, []int32{0, 1, 2, 3}, []int32{4}, []float32{1})
		},
		"SparseAxpy": func() {
			k.SparseAxpy(make([]float32, 16), 4, []int32{0, 1, 2, 3}, make([]float32, 4), []int32{-1}, []float32{1})
		},
		"SparseGrad": func() {
			k.SparseGrad(make([]float32, 2), make([]float32, 16), make([]float32, 12), 4, []int32{0, 1, 2, 3}, make([]float32, 4), make([]float32, 4), []int32{0, 1})
		},
		"AxpyRows": func() {
			k.AxpyRows(make([]float32, 4), make([]float32, 8), []int32{0, 2}, []float32{1, 1})
		},
		// Longer lists, the bad entry in a group of four of span and in
		// its tail.
		"SparseAxpy (long list, a group)": func() {
			idx := make([]int32, 22)
			idx[9] = 4
			k.SparseAxpy(make([]float32, 16), 4, []int32{0, 1, 2, 3}, make([]float32, 4), idx, make([]float32, 22))
		},
		"SparseAxpyDocs (an index of the second document)": func() {
			k.SparseAxpyDocs(make([]float32, 16), 4, []int32{0, 1, 2, 3}, 2, make([]float32, 8), 4,
				[][]int32{{0, 1}, {2, 4}}, [][]float32{{1, 1}, {1, 1}})
		},
		"SparseAxpyDocs (a row)": func() {
			k.SparseAxpyDocs(make([]float32, 16), 4, []int32{0, 1, 2, 4}, 4, make([]float32, 10), 5,
				[][]int32{{0, 1}, {2, 3}}, [][]float32{{1, 1}, {1, 1}})
		},
		"SparseAxpyDocs (short values)": func() {
			k.SparseAxpyDocs(make([]float32, 16), 4, []int32{0, 1, 2, 3}, 4, make([]float32, 8), 4,
				[][]int32{{0, 1}, {2, 3}}, [][]float32{{1, 1}, {1}})
		},
		"AxpyRows (long list, the tail)": func() {
			idx := make([]int32, 22)
			idx[21] = -1
			k.AxpyRows(make([]float32, 4), make([]float32, 8), idx, make([]float32, 22))
		},
		"GradRows (long list, a group)": func() {
			rows := make([]int32, 40)
			rows[17] = 2
			k.GradRows(make([]float32, 4), make([]float32, 8), make([]float32, 8), 4, rows, make([]float32, 2), make([]float32, 2))
		},
		"DecodeRowsDocs (a negative row)": func() {
			k.DecodeRowsDocs(make([]float32, 8), make([]float32, 4), make([]float32, 8), 4, []int32{0, 1, -1, 1}, []int32{0, 2, 4}, make([]float32, 6), 3)
		},
		"SparseAxpyDocs (a negative index, a group)": func() {
			ix := make([]int32, 9)
			ix[2] = math.MinInt32
			k.SparseAxpyDocs(make([]float32, 16), 4, []int32{0, 1, 2, 3}, 4, make([]float32, 8), 4,
				[][]int32{{0, 1}, ix}, [][]float32{{1, 1}, make([]float32, 9)})
		},
		"SparseAxpyDocs (a negative row)": func() {
			k.SparseAxpyDocs(make([]float32, 16), 4, []int32{0, -1, 2, 3}, 4, make([]float32, 8), 4,
				[][]int32{{0, 1}, {2, 3}}, [][]float32{{1, 1}, {1, 1}})
		},
		"SparseAxpyDocs (rows times v past 2^64)": func() {
			k.SparseAxpyDocs(make([]float32, 16), 1<<62, []int32{0, 1, 2, 3}, 4, make([]float32, 4), 4,
				[][]int32{{0}}, [][]float32{{1}})
		},
		"SparseDot (rows times v past 2^64)": func() {
			k.SparseDot(make([]float32, 4), make([]float32, 16), 1<<62, []int32{0, 1, 2, 3}, []int32{0}, []float32{1})
		},
		"SparseDecode (a negative row)": func() {
			k.SparseDecode(make([]float32, 4), make([]float32, 4), make([]float32, 16), []int32{-1}, make([]float32, 4), []int32{0, 1, 2, 3})
		},
		"SparseGradT (a negative index)": func() {
			k.SparseGradT(make([]float32, 2), make([]float32, 16), make([]float32, 16), []int32{0, 1, 2, 3}, make([]float32, 4), make([]float32, 4), []int32{0, -2})
		},
		"ScatterAxpy (a negative index)": func() {
			k.ScatterAxpy(make([]float32, 16), make([]float32, 4), []int32{-1}, []float32{1})
		},
		"Transpose": func() {
			k.Transpose(make([]float32, 16), make([]float32, 15), 4, 4, 4)
		},
		// rows*cols and (rows-1)*ld+cols wrap around to 64, and the
		// module would be given 8 x 8 (the dimensions cut to 32 bits).
		"Transpose (wrapping dimensions)": func() {
			k.Transpose(make([]float32, 64), make([]float32, 64), 1<<60+8, 1<<60+8, 1<<60+8)
		},
		"SparseGradT": func() {
			k.SparseGradT(make([]float32, 2), make([]float32, 16), make([]float32, 12), []int32{0, 1, 2, 3}, make([]float32, 4), make([]float32, 4), []int32{0, 3})
		},
		"ScatterAxpy": func() {
			k.ScatterAxpy(make([]float32, 16), make([]float32, 4), []int32{4}, []float32{1})
		},
		"SparseDecode": func() {
			k.SparseDecode(make([]float32, 4), make([]float32, 4), make([]float32, 16), []int32{0}, make([]float32, 4), []int32{0, 1, 2, 4})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s (%s): no panic on out-of-bounds slices", name, k.Name)
				}
			}()
			call()
		}()
	}
}

// TestTrainingIdentical trains the same small model with the pure-Go and
// the SIMD kernels, on the exact loss and under reconstruction sampling,
// and requires the same model file, bit for bit.
func TestTrainingIdentical(t *testing.T) {
	words := []string{"apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum",
		"engine", "wheel", "brake", "motor", "piston", "clutch", "gear", "valve", "fuel", "tyre"}
	var texts []string
	for d := 0; d < 120; d++ {
		s := ""
		for w := 0; w < 8+d%13; w++ {
			s += words[(d*7+w*w+d/3)%10+10*(d%2)] + " "
		}
		texts = append(texts, s)
	}
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.VocabSize, cfg.Epochs, cfg.BatchSize, cfg.ValidationDocs = 13, 5, 20, 3, 10, 20
	cfg.Text = kate.TextOptions{}
	// The model's bytes, then every epoch's validation loss (computed with
	// kernels.DecodeRowsDocs; under sampling the one with the competition,
	// the one without deciding the stopping with it).
	train := func(sampling float64) []byte {
		c := cfg
		c.Sampling = sampling
		var losses []float64
		m, err := kate.Train(context.Background(), texts, c, kate.TrainOptions{Progress: func(p kate.Progress) {
			if p.EpochDone {
				losses = append(losses, p.ValLoss)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range losses {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(l))
		}
		return b
	}
	samplings := []float64{0, 0.5}
	var want [][]byte
	for _, r := range samplings {
		want = append(want, train(r))
	}
	if slices.Equal(want[0], want[1]) {
		t.Fatal("sampling did not change the model; the test would not tell the sampled kernels apart")
	}
	old := kernels.Use(Kernels(instantiate(t)))
	defer kernels.Use(old)
	for i, r := range samplings {
		if got := train(r); !slices.Equal(want[i], got) {
			t.Errorf("sampling %v: the model trained with the SIMD kernels differs from the pure-Go one", r)
		}
	}
}

// BenchmarkCall times one call of a kernel on a few elements, so that the
// call's own cost dominates, through the direct kate_simd imports and
// through syscall/js (docs/speed.md, "Fewer crossings into JavaScript"):
//
//	GOOS=js GOARCH=wasm go test -run '^$' -bench Call -exec "$PWD/scripts/go_js_wasm_exec" ./wasm/simd
func BenchmarkCall(b *testing.B) {
	x, y := make([]float32, 16), make([]float32, 16)
	v := 16
	wt, c, h := make([]float32, 128*v), make([]float32, v), make([]float32, 128)
	rows := make([]int32, 32)
	for i := range rows {
		rows[i] = int32(4 * i)
	}
	for _, set := range []kernels.Set{Kernels(instantiate(b)), Kernels(instantiateJS(b))} {
		b.Run(set.Name+"/Axpy16", func(b *testing.B) {
			for b.Loop() {
				set.Axpy(0.5, x, y)
			}
		})
		b.Run(set.Name+"/DecodeRows32x16", func(b *testing.B) {
			for b.Loop() {
				set.DecodeRows(y, c, wt, v, rows, h)
			}
		})
		// Ten parameters: 4 winners of K = 16 over 4 outputs.
		b.Run(set.Name+"/SparseGradT4x4", func(b *testing.B) {
			for b.Loop() {
				set.SparseGradT(y[:4], wt, wt, rows[:4:4], h[:16], c, rows[:4:4])
			}
		})
	}
}

// TestTop holds top to a plain maximum of the elements taken as uint32 on
// every length up to 70 (its four running maxima and the tail) with the
// extremes anywhere, the int32 limits among them: a negative element must
// come out at 2^31 or more, above every bound a kernel checks against.
func TestTop(t *testing.T) {
	if hi := top(nil); hi != -1 {
		t.Fatalf("top(nil) = %d; want -1", hi)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 1; n <= 70; n++ {
		for range 100 {
			s := make([]int32, n)
			for i := range s {
				s[i] = rng.Int32N(1001)
			}
			if rng.IntN(4) == 0 {
				s[rng.IntN(n)] = math.MaxInt32
			}
			neg := rng.IntN(3) == 0
			if neg {
				s[rng.IntN(n)] = -1 - rng.Int32N(2)*(math.MaxInt32-1) // -1 or math.MinInt32+1
			}
			want := 0
			for _, v := range s {
				want = max(want, int(uint32(v)))
			}
			hi := top(s)
			if hi != want || (neg && hi <= math.MaxInt32) || (!neg && hi != int(slices.Max(s))) {
				t.Fatalf("top(%v) = %d, want %d", s, hi, want)
			}
		}
	}
}

// BenchmarkTop measures top on a document's ~90 indices (one op = one
// list).
func BenchmarkTop(b *testing.B) {
	s := make([]int32, 90)
	for i := range s {
		s[i] = int32(i * 21)
	}
	n := 0
	for b.Loop() {
		n += top(s)
	}
	if n < 0 {
		b.Fatal(n)
	}
}

// TestScanTokens vectorizes texts with the module's token scanner
// installed (kernels.Set.ScanTokens, as bridge.useEncodeKernels installs
// it) and requires the vectors of the pure-Go scan, bit for bit, over two
// passes (the second finds every token in the cache), and that the scanner
// was used: kate checks it against its own scan first and would otherwise
// leave it out.
func TestScanTokens(t *testing.T) {
	texts := scanTexts()
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.VocabSize, cfg.Epochs, cfg.BatchSize, cfg.ValidationDocs = 8, 2, 40, 1, 10, 5
	m, err := kate.Train(context.Background(), texts, cfg, kate.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]kate.SparseVector, 0, 2*len(texts))
	ref := m.NewVectorizer()
	for pass := 0; pass < 2; pass++ {
		for _, s := range texts {
			want = append(want, ref.Vector(s))
		}
	}
	scan := Kernels(instantiate(t)).ScanTokens
	if scan == nil {
		t.Fatal("no token scanner: the kernels are not called directly")
	}
	calls := 0
	old := kernels.Use(kernels.Set{Name: "wasm-simd-encode", ScanTokens: func(a *kernels.ScanArgs) {
		calls++
		scan(a)
	}})
	defer kernels.Use(old)
	z := m.NewVectorizer()
	z.Vector("kate checks the scanner on its first use")
	calls = 0
	for pass := 0; pass < 2; pass++ {
		for i, s := range texts {
			got := z.Vector(s)
			w := want[pass*len(texts)+i]
			if !slices.Equal(got.Indices, w.Indices) || !slices.Equal(got.Values, w.Values) {
				t.Fatalf("pass %d, text %d (%q): the scanner's vector %v differs from %v", pass+1, i, s[:min(len(s), 60)], got, w)
			}
		}
	}
	if calls < len(texts) {
		t.Fatalf("the scanner ran %d times for %d texts: kate left it out", calls, 2*len(texts))
	}
}

// scanTexts returns short documents in ASCII, with upper case, digits,
// tokens of 1 to 70 bytes and non-ASCII letters and invalid bytes among
// them.
func scanTexts() []string {
	words := []string{"orbit", "Shuttle", "LAUNCH", "engines", "wheel", "brakes", "game", "team", "season", "church",
		"god", "faith", "international", "internationally", "internet", "café", "naïve", "straße", "1993", "the",
		"abcdefgh", "abcdefghi", "x\xffy", "日本", "orbit\u00e9", "a", "zz", "Ab1", "\xc3"}
	seps := []string{" ", ". ", "\n", ",", "-", "\t", "'", "\u00a0", ""}
	var texts []string
	for d := 0; d < 300; d++ {
		var b []byte
		for w := 0; w < 3+d%23; w++ {
			b = append(b, words[(d*7+w*w+w)%len(words)]...)
			if (d+w)%17 == 0 {
				for range 1 + (d*w)%70 {
					b = append(b, byte('a'+w%26))
				}
			}
			b = append(b, seps[(d+3*w)%len(seps)]...)
		}
		texts = append(texts, string(b))
	}
	return texts
}
