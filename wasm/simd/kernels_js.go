//go:build js && wasm

package simd

import (
	"runtime"
	"syscall/js"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/mathf"
)

// jsKernels calls the exports of an instance of Module that shares this
// program's memory.
type jsKernels struct {
	axpy, decode, sigmoid, grad, softplus, adadelta js.Value
}

// Kernels returns a kernels.Set whose functions call the exports of an
// instance of Module created with this Go program's own memory as env.mem.
// Each kernel checks its slice bounds before the call (and panics, as the
// pure-Go kernels do, when they are violated), so the module never touches
// memory outside the slices.
func Kernels(exports js.Value) kernels.Set {
	k := &jsKernels{
		axpy: exports.Get("axpy"), decode: exports.Get("decodeRows"),
		sigmoid: exports.Get("sigmoidDelta"), grad: exports.Get("gradRows"),
		softplus: exports.Get("softplus"), adadelta: exports.Get("adadeltaSum"),
	}
	return kernels.Set{Axpy: k.Axpy, DecodeRows: k.DecodeRows, SigmoidDelta: k.SigmoidDelta, GradRows: k.GradRows,
		Softplus: k.Softplus, AdadeltaSum: k.AdadeltaSum}
}

func addrF(s []float32) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }
func addrI(s []int32) uintptr   { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }

func boundsPanic(kernel string) {
	panic("simd: " + kernel + ": slice bounds out of range")
}

// Axpy is kernels.Set.Axpy.
func (k *jsKernels) Axpy(a float32, x, y []float32) {
	n := len(x)
	if n == 0 {
		return
	}
	if len(y) < n {
		boundsPanic("Axpy")
	}
	k.axpy.Invoke(a, addrF(x), addrF(y), n)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// checkRows panics unless every row j of rows has wt[j*v:(j+1)*v] (and the
// same range of gw, when given) and h[j] (and g[j]) in bounds.
func checkRows(kernel string, v int, rows []int32, wt, gw, h, g []float32) {
	for _, j := range rows {
		if j < 0 || int(j) >= len(h) || (int(j)+1)*v > len(wt) ||
			(gw != nil && (int(j)+1)*v > len(gw)) || (g != nil && int(j) >= len(g)) {
			boundsPanic(kernel)
		}
	}
}

// DecodeRows is kernels.Set.DecodeRows.
func (k *jsKernels) DecodeRows(y, c, wt []float32, v int, rows []int32, h []float32) {
	if v < 0 || len(y) < v || len(c) < v {
		boundsPanic("DecodeRows")
	}
	if v == 0 {
		return
	}
	checkRows("DecodeRows", v, rows, wt, nil, h, nil)
	k.decode.Invoke(addrF(y), addrF(c), addrF(wt), v, addrI(rows), len(rows), addrF(h))
	runtime.KeepAlive(y)
	runtime.KeepAlive(c)
	runtime.KeepAlive(wt)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(h)
}

// SigmoidDelta is kernels.Set.SigmoidDelta. The module does whole groups of
// four; the last n%4 elements are done here, with the same float32 steps.
func (k *jsKernels) SigmoidDelta(y, p []float32, scale float32) {
	n := len(y)
	if len(p) < n {
		boundsPanic("SigmoidDelta")
	}
	if n4 := n &^ 3; n4 > 0 {
		k.sigmoid.Invoke(addrF(y), addrF(p), n4, scale)
		runtime.KeepAlive(y)
		runtime.KeepAlive(p)
	}
	for i := n &^ 3; i < n; i++ {
		p[i] = mathf.Sigmoid(y[i]) * scale
	}
}

// GradRows is kernels.Set.GradRows.
func (k *jsKernels) GradRows(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
	if v < 0 || len(d) < v {
		boundsPanic("GradRows")
	}
	if v == 0 || len(rows) == 0 {
		for _, j := range rows {
			g[j] = 0
		}
		return
	}
	checkRows("GradRows", v, rows, wt, gw, h, g)
	k.grad.Invoke(addrF(d), addrF(wt), addrF(gw), v, addrI(rows), len(rows), addrF(h), addrF(g))
	runtime.KeepAlive(d)
	runtime.KeepAlive(wt)
	runtime.KeepAlive(gw)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(h)
	runtime.KeepAlive(g)
}

// Softplus is kernels.Set.Softplus. The module does whole groups of four;
// the last n%4 elements are done here, with the same float32 steps.
func (k *jsKernels) Softplus(y, p []float32) {
	n := len(y)
	if len(p) < n {
		boundsPanic("Softplus")
	}
	if n4 := n &^ 3; n4 > 0 {
		k.softplus.Invoke(addrF(y), addrF(p), n4)
		runtime.KeepAlive(y)
		runtime.KeepAlive(p)
	}
	for i := n &^ 3; i < n; i++ {
		p[i] = mathf.Softplus(y[i])
	}
}

// AdadeltaSum is kernels.Set.AdadeltaSum. The module does whole groups of
// four; the last n%4 elements go to the pure-Go kernel.
func (k *jsKernels) AdadeltaSum(theta, acc, upd, g0, g1, g2, g3 []float32, lr, rho, eps float32) {
	n := len(theta)
	if len(acc) < n || len(upd) < n || len(g0) < n || len(g1) < n || len(g2) < n || len(g3) < n {
		boundsPanic("AdadeltaSum")
	}
	n4 := n &^ 3
	if n4 > 0 {
		k.adadelta.Invoke(addrF(theta), addrF(acc), addrF(upd), addrF(g0), addrF(g1), addrF(g2), addrF(g3), n4, lr, rho, eps)
		runtime.KeepAlive(theta)
		runtime.KeepAlive(acc)
		runtime.KeepAlive(upd)
		runtime.KeepAlive(g0)
		runtime.KeepAlive(g1)
		runtime.KeepAlive(g2)
		runtime.KeepAlive(g3)
	}
	if n4 < n {
		goKernels.AdadeltaSum(theta[n4:n], acc[n4:n], upd[n4:n], g0[n4:n], g1[n4:n], g2[n4:n], g3[n4:n], lr, rho, eps)
	}
}

// goKernels does the tails of Softplus and AdadeltaSum.
var goKernels = kernels.Go()
