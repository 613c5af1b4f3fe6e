// simd-imports.js — the import module "kate_simd" of kate.wasm: the Go
// program calls the SIMD kernels (wasm/simd, instances over its own memory)
// through these imports, a WebAssembly call each, instead of through
// syscall/js (wasm/simd/imports_js.go; docs/speed.md, "Fewer crossings into
// JavaScript"). The kernel modules can only be instantiated once the Go
// instance exists (they import its memory), so each import forwards to the
// function bound later by bind(exports). The Go side calls
// exports.bindImports(exports) before it uses them, and falls back to
// syscall/js when that does not return true.
//
// Also imported by scripts/go-wasm-exec.mjs, the runner of the Go tests
// under Node, so that the tests go through the same imports.

/** The kernels' export names and their number of parameters. */
const KERNELS = {
  axpy: 4, decodeRows: 7, sigmoidDelta: 4, gradRows: 8, softplus: 3, adadeltaSum: 11,
  sparseDot: 11, sparseAxpy: 11, sparseGrad: 11, sparseGradT: 10, sparseDecode: 9,
  axpyRows: 6, transpose: 5, transposeTall: 5, scatterAxpy: 6, decodeRowsDocs: 9, scanTokens: 1,
  tanh: 3, sparseAxpyDocs: 8, kthLargest: 3,
};

function unbound() {
  throw new Error('kate: a SIMD kernel was called before the kernel modules were bound (bindImports)');
}

/**
 * Returns { imports, bind } for one Go instance: imports is the object to
 * give as importObject.kate_simd; bind(exports) points every import at
 * exports' function of the same name and returns true, or returns false
 * (and changes nothing) when one is missing or takes another number of
 * parameters.
 */
export function simdImports() {
  // One variable per kernel, read by a forwarder of fixed arity (V8 calls
  // the export from it without an arguments object).
  let axpy = unbound, decodeRows = unbound, sigmoidDelta = unbound, gradRows = unbound;
  let softplus = unbound, adadeltaSum = unbound, sparseDot = unbound, sparseAxpy = unbound;
  let sparseGrad = unbound, sparseGradT = unbound, sparseDecode = unbound, axpyRows = unbound;
  let transpose = unbound, transposeTall = unbound, scatterAxpy = unbound, decodeRowsDocs = unbound;
  let scanTokens = unbound, tanh = unbound, sparseAxpyDocs = unbound, kthLargest = unbound;
  const imports = {
    axpy: (a, b, c, d) => axpy(a, b, c, d),
    decodeRows: (a, b, c, d, e, f, g) => decodeRows(a, b, c, d, e, f, g),
    sigmoidDelta: (a, b, c, d) => sigmoidDelta(a, b, c, d),
    gradRows: (a, b, c, d, e, f, g, h) => gradRows(a, b, c, d, e, f, g, h),
    softplus: (a, b, c) => softplus(a, b, c),
    adadeltaSum: (a, b, c, d, e, f, g, h, i, j, k) => adadeltaSum(a, b, c, d, e, f, g, h, i, j, k),
    sparseDot: (a, b, c, d, e, f, g, h, i, j, k) => sparseDot(a, b, c, d, e, f, g, h, i, j, k),
    sparseAxpy: (a, b, c, d, e, f, g, h, i, j, k) => sparseAxpy(a, b, c, d, e, f, g, h, i, j, k),
    sparseGrad: (a, b, c, d, e, f, g, h, i, j, k) => sparseGrad(a, b, c, d, e, f, g, h, i, j, k),
    sparseGradT: (a, b, c, d, e, f, g, h, i, j) => sparseGradT(a, b, c, d, e, f, g, h, i, j),
    sparseDecode: (a, b, c, d, e, f, g, h, i) => sparseDecode(a, b, c, d, e, f, g, h, i),
    axpyRows: (a, b, c, d, e, f) => axpyRows(a, b, c, d, e, f),
    transpose: (a, b, c, d, e) => transpose(a, b, c, d, e),
    transposeTall: (a, b, c, d, e) => transposeTall(a, b, c, d, e),
    scatterAxpy: (a, b, c, d, e, f) => scatterAxpy(a, b, c, d, e, f),
    decodeRowsDocs: (a, b, c, d, e, f, g, h, i) => decodeRowsDocs(a, b, c, d, e, f, g, h, i),
    scanTokens: (a) => scanTokens(a),
    tanh: (a, b, c) => tanh(a, b, c),
    sparseAxpyDocs: (a, b, c, d, e, f, g, h) => sparseAxpyDocs(a, b, c, d, e, f, g, h),
    kthLargest: (a, b, c) => kthLargest(a, b, c),
  };
  const bind = (exports) => {
    if (!exports) return false;
    for (const [name, n] of Object.entries(KERNELS)) {
      const f = exports[name];
      if (typeof f !== 'function' || f.length !== n) return false;
    }
    ({
      axpy, decodeRows, sigmoidDelta, gradRows, softplus, adadeltaSum, sparseDot, sparseAxpy,
      sparseGrad, sparseGradT, sparseDecode, axpyRows, transpose, transposeTall, scatterAxpy,
      decodeRowsDocs, scanTokens, tanh, sparseAxpyDocs, kthLargest,
    } = exports);
    return true;
  };
  return { imports, bind };
}
