//go:build js && wasm

package simd

// The kernel modules' functions as direct imports of the Go program
// (module "kate_simd"): a call costs a WebAssembly call into a small
// JavaScript function that calls the module's export, tens of nanoseconds,
// where a call through syscall/js (js.Value.Invoke: each argument boxed,
// stored in memory, read back into a JavaScript array, Reflect.apply) took
// 0.3–1.5 µs (docs/speed.md, "Fewer crossings into JavaScript"). The host
// that instantiates the program must supply the module: the library does
// (js/src/simd-imports.js), and so does the repository's test runner
// (scripts/go_js_wasm_exec), whose global kateSimdImports binds them. A
// host without it fails to instantiate the program with a LinkError naming
// kate_simd. Every address is a byte offset into the program's memory and
// every parameter an i32 unless it is a float32; the slices behind them are
// checked, and kept alive, by the callers in kernels_js.go.

//go:wasmimport kate_simd axpy
func impAxpy(a float32, x, y, n uint32)

//go:wasmimport kate_simd decodeRows
func impDecodeRows(y, c, wt, v, rows, nrows, h uint32)

//go:wasmimport kate_simd sigmoidDelta
func impSigmoidDelta(y, p, n uint32, scale float32)

//go:wasmimport kate_simd gradRows
func impGradRows(d, wt, gw, v, rows, nrows, h, g uint32)

//go:wasmimport kate_simd softplus
func impSoftplus(y, p, n uint32)

//go:wasmimport kate_simd tanh
func impTanh(a, z, n uint32)

//go:wasmimport kate_simd sparseAxpyDocs
func impSparseAxpyDocs(gw, rs, rows, nrows, da, kb, docs, nd uint32)

//go:wasmimport kate_simd kthLargest
func impKthLargest(a, n, q uint32)

//go:wasmimport kate_simd adadeltaSum
func impAdadeltaSum(theta, acc, upd, g0, g1, g2, g3, n uint32, lr, rho, eps float32)

//go:wasmimport kate_simd sparseDot
func impSparseDot(x, wt, gw, rs, cs, rows, nrows, h, g, idx, n uint32)

//go:wasmimport kate_simd sparseAxpy
func impSparseAxpy(x, wt, gw, rs, cs, rows, nrows, h, g, idx, n uint32)

//go:wasmimport kate_simd sparseGrad
func impSparseGrad(x, wt, gw, rs, cs, rows, nrows, h, g, idx, n uint32)

//go:wasmimport kate_simd sparseGradT
func impSparseGradT(x, wT, gwT, kb, rows, nrows, h, g, idx, n uint32)

//go:wasmimport kate_simd sparseDecode
func impSparseDecode(y, c, wT, k, rows, nrows, h, idx, n uint32)

//go:wasmimport kate_simd axpyRows
func impAxpyRows(a, wT, idx, x, n, k uint32)

//go:wasmimport kate_simd transpose
func impTranspose(dst, src, rows, cols, ld uint32)

//go:wasmimport kate_simd transposeTall
func impTransposeTall(dst, src, rows, cols, ld uint32)

//go:wasmimport kate_simd scatterAxpy
func impScatterAxpy(g, d, idx, x, n, k uint32)

//go:wasmimport kate_simd decodeRowsDocs
func impDecodeRowsDocs(y, c, wt, v, rows, offs, nd, h, k uint32)

//go:wasmimport kate_simd scanTokens
func impScanTokens(args uint32)
