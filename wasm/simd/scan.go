package simd

// The token scanner of kate's Vectorizer (kernels.Set.ScanTokens): plain
// WebAssembly, not SIMD, in this package because it is assembled and
// called like the kernels. Go's WebAssembly code takes every jump through
// its function's dispatch loop (a br_table), about 45 instructions per
// byte of the scan; this loop is a few (docs/speed.md, "Encoding new text
// (seventh session)").

// More scalar instructions for the scanner.
const (
	i32Load8U = 0x2d
	i32Store  = 0x36
	i64Load   = 0x29
	i32Ne     = 0x47
	i32GtU    = 0x4b
	i32GeS    = 0x4e
	i32Or     = 0x72
	i32Xor    = 0x73
	i64Ne     = 0x52
	i64Sub    = 0x7d
	i64And    = 0x83
	i64Shl    = 0x86
	i64ExtU   = 0xad
	i64Or     = 0x84
	tI64      = 0x7e
)

// labels tracks the enclosing blocks of a function being assembled, so
// that a branch names its target instead of counting depths.
type labels struct {
	f     *fn
	stack []string
}

func (l *labels) open(name string, op func()) { op(); l.stack = append(l.stack, name) }
func (l *labels) block(name string)           { l.open(name, l.f.block) }
func (l *labels) loop(name string)            { l.open(name, l.f.loop) }
func (l *labels) ifThen()                     { l.open("", l.f.ifThen) }
func (l *labels) end()                        { l.f.end(); l.stack = l.stack[:len(l.stack)-1] }

func (l *labels) depth(name string) uint32 {
	for i := len(l.stack) - 1; i >= 0; i-- {
		if l.stack[i] == name {
			return uint32(len(l.stack) - 1 - i)
		}
	}
	panic("simd: no label " + name)
}

func (l *labels) br(name string)   { l.f.br(l.depth(name)) }
func (l *labels) brIf(name string) { l.f.brIf(l.depth(name)) }

// The fields of kernels.ScanArgs, by byte offset.
const (
	scanText   = 0
	scanN      = 4
	scanPos    = 8
	scanClass  = 12
	scanSlots  = 16
	scanMask   = 20
	scanKeys   = 24
	scanCounts = 28
	scanSeen   = 32
	scanNSeen  = 36
)

// scanTokensFn assembles scanTokens(args): kernels.Set.ScanTokens on the
// kernels.ScanArgs at address args. From text[Pos] on, it skips ASCII
// separators and, for each run of ASCII letters and digits (lowered by the
// byte classes Class, its first 8 bytes gathered into a word, hashed with
// 32-bit FNV-1a) that an
// ASCII separator or the end of the text ends, finds the token in the
// token table (Slots: 24-byte slots {head u64, hash, off, size u32, id
// i32}, Mask + 1 of them; Keys: the bytes past the 8th of long tokens) and
// counts its id (Counts[id]++, appended to Seen[NSeen] the first time)
// unless it is negative. It stops at the end of the text (Pos = N) or at
// the start of a token it leaves to Go: one with a byte of class 0xff (not
// ASCII), longer than 64 bytes, or not in the table (Pos = its start).
func scanTokensFn() *fn {
	f := newFn("scanTokens", tI32)
	const args = 0
	text, n, p, cls, slots, mask, keys := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	counts, seen, nseen, c, s, h, ln, i := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	sp, sz, id, j, off, ca, cv := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	head := f.local(tI64)
	L := &labels{f: f}
	field := func(l, offset uint32) {
		f.get(args)
		f.i32load(offset)
		f.set(l)
	}
	for _, x := range [][2]uint32{{text, scanText}, {n, scanN}, {p, scanPos}, {cls, scanClass}, {slots, scanSlots}, {mask, scanMask}, {keys, scanKeys}, {counts, scanCounts}, {seen, scanSeen}, {nseen, scanNSeen}} {
		field(x[0], x[1])
	}
	load8 := func(off uint32) { f.op(i32Load8U); f.memarg(0, off) }
	// c = cls[text[p]]
	classAt := func(q uint32) {
		f.get(cls)
		f.addr(text, q)
		load8(0)
		f.op(i32Add)
		load8(0)
	}
	class := func() {
		classAt(p)
		f.set(c)
	}
	stopAt := func(l uint32) { // p = l; br stop
		f.get(l)
		f.set(p)
		L.br("stop")
	}
	L.block("stop")
	L.block("done")
	L.loop("outer")
	f.get(p)
	f.get(n)
	f.op(i32GeU)
	L.brIf("done")
	class()
	f.get(c)
	f.op(i32Eqz)
	L.ifThen()
	f.addTo(p, 1)
	L.br("outer")
	L.end()
	f.get(c)
	f.i32c(0xff)
	f.op(i32Eq)
	L.brIf("stop")
	// An ASCII token from s.
	f.get(p)
	f.set(s)
	f.i32c(tokenHashOffset)
	f.set(h)
	f.op(0x42) // i64.const 0
	f.sleb(0)
	f.set(head)
	L.block("tokend")
	L.loop("tok")
	// head |= c << 8*(p-s) for the first 8 bytes
	f.get(p)
	f.get(s)
	f.op(i32Sub)
	f.tee(j)
	f.i32c(8)
	f.op(i32LtU)
	L.ifThen()
	f.get(head)
	f.get(c)
	f.op(i64ExtU)
	f.get(j)
	f.i32c(3)
	f.op(i32Shl)
	f.op(i64ExtU)
	f.op(i64Shl)
	f.op(i64Or)
	f.set(head)
	L.end()
	// h = (h ^ c) * prime
	f.get(h)
	f.get(c)
	f.op(i32Xor)
	f.i32c(16777619)
	f.op(i32Mul)
	f.set(h)
	f.addTo(p, 1)
	f.get(p)
	f.get(n)
	f.op(i32Eq)
	L.brIf("tokend")
	class()
	f.get(c)
	f.op(i32Eqz)
	L.brIf("tokend")
	f.get(c)
	f.i32c(0xff)
	f.op(i32Eq)
	L.brIf("tokend")
	L.br("tok")
	L.end()
	L.end()
	f.get(p)
	f.get(s)
	f.op(i32Sub)
	f.set(ln)
	// Go's path for a token going on with a non-ASCII byte, a token longer
	// than 64 bytes, or an empty table. (At the end of the text c is the
	// last byte's class, not 0xff.)
	f.get(c)
	f.i32c(0xff)
	f.op(i32Eq)
	f.get(ln)
	f.i32c(64)
	f.op(i32GtU)
	f.op(i32Or)
	f.get(slots)
	f.op(i32Eqz)
	f.op(i32Or)
	L.ifThen()
	stopAt(s)
	L.end()
	// Probe from h & mask.
	f.get(h)
	f.get(mask)
	f.op(i32And)
	f.set(i)
	L.loop("probe")
	f.get(slots)
	f.get(i)
	f.i32c(24)
	f.op(i32Mul)
	f.op(i32Add)
	f.tee(sp)
	f.i32load(16)
	f.tee(sz)
	f.op(i32Eqz)
	L.ifThen()
	stopAt(s) // not in the table
	L.end()
	L.block("next")
	f.get(sp)
	f.op(i64Load)
	f.memarg(0, 0)
	f.get(head)
	f.op(i64Ne)
	L.brIf("next")
	f.get(sz)
	f.get(ln)
	f.i32c(1)
	f.op(i32Add)
	f.op(i32Ne)
	L.brIf("next")
	f.get(ln)
	f.i32c(8)
	f.op(i32GtU)
	L.ifThen()
	f.get(sp)
	f.i32load(8)
	f.get(h)
	f.op(i32Ne)
	L.brIf("next")
	// off = keys + slot.off - 8: key byte j-8 is at off + j.
	f.get(keys)
	f.get(sp)
	f.i32load(12)
	f.op(i32Add)
	f.i32c(8)
	f.op(i32Sub)
	f.set(off)
	f.i32c(8)
	f.set(j)
	L.block("eq")
	L.loop("cmp")
	f.get(j)
	f.get(ln)
	f.op(i32GeU)
	L.brIf("eq")
	f.addr(off, j)
	load8(0)
	f.get(s)
	f.get(j)
	f.op(i32Add)
	f.set(sz) // sz is free here: the text's index of the token's byte j
	classAt(sz)
	f.op(i32Ne)
	L.brIf("next")
	f.addTo(j, 1)
	L.br("cmp")
	L.end()
	L.end()
	L.end() // if ln > 8
	// Found: count id unless it is negative.
	f.get(sp)
	f.i32load(20)
	f.tee(id)
	f.i32c(0)
	f.op(i32GeS)
	L.ifThen()
	f.get(counts)
	f.get(id)
	f.i32c(2)
	f.op(i32Shl)
	f.op(i32Add)
	f.tee(ca)
	f.i32load(0)
	f.tee(cv)
	f.op(i32Eqz)
	L.ifThen()
	f.get(seen)
	f.get(nseen)
	f.i32c(2)
	f.op(i32Shl)
	f.op(i32Add)
	f.get(id)
	f.op(i32Store)
	f.memarg(2, 0)
	f.addTo(nseen, 1)
	L.end()
	f.get(ca)
	f.get(cv)
	f.i32c(1)
	f.op(i32Add)
	f.op(i32Store)
	f.memarg(2, 0)
	L.end()
	L.br("outer")
	L.end() // next
	f.get(i)
	f.i32c(1)
	f.op(i32Add)
	f.get(mask)
	f.op(i32And)
	f.set(i)
	L.br("probe")
	L.end() // probe
	L.end() // outer
	L.end() // done
	L.end() // stop
	f.get(args)
	f.get(p)
	f.op(i32Store)
	f.memarg(2, scanPos)
	f.get(args)
	f.get(nseen)
	f.op(i32Store)
	f.memarg(2, scanNSeen)
	return f
}

// The constants of 32-bit FNV-1a (kate's tokenHash), the offset as an
// int32.
const tokenHashOffset = -2128831035 // 2166136261
