//go:build js && wasm

package simd

import (
	"context"
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
func goMemory(t *testing.T) js.Value {
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

// instantiate compiles Module and instantiates it on this program's memory.
func instantiate(t *testing.T) js.Value {
	t.Helper()
	b := Module()
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	wa := js.Global().Get("WebAssembly")
	if !wa.Call("validate", u8).Bool() {
		t.Fatal("WebAssembly.validate rejects the kernel module")
	}
	mod := wa.Get("Module").New(u8)
	env := js.Global().Get("Object").New()
	env.Set("mem", goMemory(t))
	imports := js.Global().Get("Object").New()
	imports.Set("env", env)
	return wa.Get("Instance").New(mod, imports).Get("exports")
}

func TestKernelsBitIdentical(t *testing.T) {
	k := Kernels(instantiate(t))
	if err := Check(kernels.Go(), k, 7, 400); err != nil {
		t.Fatal(err)
	}
}

func TestKernelsPanicOutOfBounds(t *testing.T) {
	k := Kernels(instantiate(t))
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
		"GradRows": func() {
			k.GradRows(make([]float32, 4), make([]float32, 8), make([]float32, 8), 4, []int32{1}, make([]float32, 1), make([]float32, 2))
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
}

// TestTrainingIdentical trains the same small model with the pure-Go and
// the SIMD kernels and requires the same model file, bit for bit.
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
	train := func() []byte {
		m, err := kate.Train(context.Background(), texts, cfg, kate.TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := train()
	old := kernels.Use(Kernels(instantiate(t)))
	defer kernels.Use(old)
	got := train()
	if !slices.Equal(want, got) {
		t.Fatal("the model trained with the SIMD kernels differs from the pure-Go one")
	}
}
