package simd

import (
	"encoding/binary"
	"math"
)

// A minimal WebAssembly binary writer: just the sections, instructions and
// encodings the kernel module uses (binary format 1.0 plus the fixed-width
// SIMD proposal, which is part of WebAssembly 2.0).

// Value types.
const (
	tI32  = 0x7f
	tF32  = 0x7d
	tV128 = 0x7b
)

// fn is one function being assembled.
type fn struct {
	name    string
	params  []byte
	nlocals int    // number of locals declared so far (params included)
	locals  []byte // types of the declared locals (after the params)
	code    []byte
}

func newFn(name string, params ...byte) *fn {
	return &fn{name: name, params: params, nlocals: len(params)}
}

// local declares a local of type t and returns its index.
func (f *fn) local(t byte) uint32 {
	f.locals = append(f.locals, t)
	f.nlocals++
	return uint32(f.nlocals - 1)
}

func (f *fn) op(b ...byte) { f.code = append(f.code, b...) }

func (f *fn) uleb(v uint32) { f.code = appendULEB(f.code, v) }

func (f *fn) sleb(v int32) {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			f.code = append(f.code, b)
			return
		}
		f.code = append(f.code, b|0x80)
	}
}

func appendULEB(dst []byte, v uint32) []byte {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(dst, b)
		}
		dst = append(dst, b|0x80)
	}
}

// Locals and constants.
func (f *fn) get(l uint32) { f.op(0x20); f.uleb(l) }
func (f *fn) set(l uint32) { f.op(0x21); f.uleb(l) }
func (f *fn) tee(l uint32) { f.op(0x22); f.uleb(l) }
func (f *fn) i32c(v int32) { f.op(0x41); f.sleb(v) }
func (f *fn) f32c(v float32) {
	f.op(0x43)
	f.code = binary.LittleEndian.AppendUint32(f.code, math.Float32bits(v))
}
func (f *fn) memarg(align, off uint32) { f.uleb(align); f.uleb(off) }

// Control flow. Blocks and loops have no result.
func (f *fn) block()          { f.op(0x02, 0x40) }
func (f *fn) loop()           { f.op(0x03, 0x40) }
func (f *fn) ifThen()         { f.op(0x04, 0x40) }
func (f *fn) end()            { f.op(0x0b) }
func (f *fn) br(depth uint32) { f.op(0x0c); f.uleb(depth) }
func (f *fn) brIf(depth uint32) {
	f.op(0x0d)
	f.uleb(depth)
}

// Scalar memory access (offset in bytes).
func (f *fn) i32load(off uint32)  { f.op(0x28); f.memarg(2, off) }
func (f *fn) f32load(off uint32)  { f.op(0x2a); f.memarg(2, off) }
func (f *fn) f32store(off uint32) { f.op(0x38); f.memarg(2, off) }
func (f *fn) i64load(off uint32)  { f.op(0x29); f.memarg(3, off) }
func (f *fn) i64store(off uint32) { f.op(0x37); f.memarg(3, off) }

// Scalar arithmetic.
const (
	i32Eqz  = 0x45
	i32Eq   = 0x46
	i32GeU  = 0x4f
	i32LtU  = 0x49
	i32Add  = 0x6a
	i32Sub  = 0x6b
	i32Mul  = 0x6c
	i32And  = 0x71
	i32Shl  = 0x74
	f32Add  = 0x92
	f32Mul  = 0x94
	f32Div  = 0x95
	f32Sub  = 0x93
	f32Sqrt = 0x91
	i32ShrU = 0x76
	i64GtU  = 0x56
	// selectOp takes a, b, cond and leaves a if cond != 0, else b.
	selectOp = 0x1b
)

// SIMD instructions (0xfd prefix).
func (f *fn) simd(op uint32) { f.op(0xfd); f.uleb(op) }

// vload and vstore access 16 bytes; the alignment hint is 4 bytes, the
// natural alignment of the float32 slices the kernels work on.
func (f *fn) vload(off uint32)  { f.simd(0x00); f.memarg(2, off) }
func (f *fn) vstore(off uint32) { f.simd(0x0b); f.memarg(2, off) }

// f32x4Const leaves v in all four lanes: f32.const and f32x4.splat, 7 bytes
// where v128.const takes 18 (the module must stay under 4 KB, see
// TestModuleIsWellFormed).
func (f *fn) f32x4Const(v float32) {
	f.f32c(v)
	f.simd(f32x4Splat)
}

// shuffle32 emits i8x16.shuffle taking 32-bit lane l of the result from
// lane lanes[l] of the two operands (0-3 the first, 4-7 the second).
func (f *fn) shuffle32(lanes [4]byte) {
	f.simd(0x0d)
	for _, l := range lanes {
		f.op(4*l, 4*l+1, 4*l+2, 4*l+3)
	}
}
func (f *fn) extract(lane byte) { f.simd(0x1f); f.op(lane) }
func (f *fn) replace(lane byte) { f.simd(0x20); f.op(lane) }

const (
	i32x4Splat    = 0x11
	f32x4Splat    = 0x13
	f32x4Eq       = 0x41
	f32x4Lt       = 0x43
	f32x4Gt       = 0x44
	f32x4Abs      = 0xe0
	f32x4Max      = 0xe9
	v128And       = 0x4e
	v128Bitselect = 0x52
	f32x4Floor    = 0x68
	i32x4Shl      = 0xab
	f32x4Neg      = 0xe1
	f32x4Sqrt     = 0xe3
	f32x4Add      = 0xe4
	f32x4Sub      = 0xe5
	f32x4Mul      = 0xe6
	f32x4Div      = 0xe7
	f32x4Min      = 0xe8
	f32x4Pmin     = 0xea
	f32x4Pmax     = 0xeb
	v128Andnot    = 0x4f
	v128Xor       = 0x51
	f32x4Ge       = 0x46
)

// module assembles functions into a module that imports its memory as
// env.mem and exports every function under its name (also given in the
// name section).
func module(fns []*fn) []byte {
	out := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	section := func(id byte, body []byte) {
		out = append(out, id)
		out = appendULEB(out, uint32(len(body)))
		out = append(out, body...)
	}
	name := func(b []byte, s string) []byte {
		b = appendULEB(b, uint32(len(s)))
		return append(b, s...)
	}
	// Types: one per function (no results).
	var types []byte
	types = appendULEB(types, uint32(len(fns)))
	for _, f := range fns {
		types = append(types, 0x60)
		types = appendULEB(types, uint32(len(f.params)))
		types = append(types, f.params...)
		types = append(types, 0x00)
	}
	section(1, types)
	// Import: memory env.mem, minimum 0 pages.
	var imp []byte
	imp = appendULEB(imp, 1)
	imp = name(imp, "env")
	imp = name(imp, "mem")
	imp = append(imp, 0x02, 0x00, 0x00)
	section(2, imp)
	// Functions: function i has type i.
	var fsec []byte
	fsec = appendULEB(fsec, uint32(len(fns)))
	for i := range fns {
		fsec = appendULEB(fsec, uint32(i))
	}
	section(3, fsec)
	// Exports.
	var exp []byte
	exp = appendULEB(exp, uint32(len(fns)))
	for i, f := range fns {
		exp = name(exp, f.name)
		exp = append(exp, 0x00)
		exp = appendULEB(exp, uint32(i))
	}
	section(7, exp)
	// Code.
	var code []byte
	code = appendULEB(code, uint32(len(fns)))
	for _, f := range fns {
		// The locals as runs of one type (count, type): a kernel that
		// interleaves several vectors declares dozens of v128 locals.
		var runs [][2]uint32
		for _, t := range f.locals {
			if n := len(runs); n > 0 && runs[n-1][1] == uint32(t) {
				runs[n-1][0]++
			} else {
				runs = append(runs, [2]uint32{1, uint32(t)})
			}
		}
		var body []byte
		body = appendULEB(body, uint32(len(runs)))
		for _, r := range runs {
			body = appendULEB(body, r[0])
			body = append(body, byte(r[1]))
		}
		body = append(body, f.code...)
		body = append(body, 0x0b)
		code = appendULEB(code, uint32(len(body)))
		code = append(code, body...)
	}
	section(10, code)
	// Names (custom section "name", function names): profilers show the
	// kernels by name instead of by index.
	var names []byte
	names = appendULEB(names, uint32(len(fns)))
	for i, f := range fns {
		names = appendULEB(names, uint32(i))
		names = name(names, f.name)
	}
	var ns []byte
	ns = name(ns, "name")
	ns = append(ns, 1)
	ns = appendULEB(ns, uint32(len(names)))
	ns = append(ns, names...)
	section(0, ns)
	return out
}
