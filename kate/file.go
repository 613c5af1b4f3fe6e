package kate

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The model file (all integers and floats little-endian):
//
//	magic      8 bytes  "KATEMODL"
//	version    uint32   FormatVersion
//	V, K, k    uint32 x 3
//	alpha      float32
//	grad       uint8    (0 full, 1 none)
//	flags      uint8    (bit 0 stem, bit 1 stopwords)
//	reserved   uint16   (0)
//	seed       uint64
//	epochs     uint32   (epochs run)
//	bestEpoch  uint32
//	valLoss    float64
//	docs       uint32   (training documents)
//	vocabBytes uint32   (length of the vocabulary block)
//	extraBytes uint32   (length of the sections block; version 2 only)
//	vocabulary V x (uint8 length, UTF-8 bytes)
//	Wt         K*V float32 (row j = the V weights of hidden unit j)
//	b          K float32
//	c          V float32
//	sections   extraBytes bytes (version 2 only), see below
//	checksum   uint32   CRC-32 (IEEE) of every byte before it
//
// The sections block holds optional, tagged sections, each
//
//	tag        4 bytes  (ASCII, e.g. "DFRQ")
//	length     uint32   (bytes of the payload)
//	payload    length bytes
//
// in increasing order of tag, each tag at most once. Known sections are
// decoded and checked (see sectionCodecs); unknown ones are kept verbatim
// and written back by Save, so a newer writer's sections survive an older
// reader. Version 1 files (no extraBytes field, no sections) are read as
// models without the optional data; Save always writes version 2.
//
// Every size is checked against the bytes actually present before anything
// is allocated, so a truncated or corrupted file is an error, never a crash
// or a huge allocation.

var modelMagic = [8]byte{'K', 'A', 'T', 'E', 'M', 'O', 'D', 'L'}

// headerBytesV1 is the size of a version 1 header; version 2 adds the
// uint32 extraBytes.
const (
	headerBytesV1 = 8 + 4 + 12 + 4 + 4 + 8 + 4 + 4 + 8 + 4 + 4
	headerBytes   = headerBytesV1 + 4
)

// headerSize returns the header size of a file of the given version.
func headerSize(version uint32) int {
	if version == 1 {
		return headerBytesV1
	}
	return headerBytes
}

// section is one optional section of the model file.
type section struct {
	tag  [4]byte
	data []byte
}

// sectionCodec encodes and decodes one known section. encode returns nil
// when the model has nothing to store; decode checks the payload (its size
// before anything is allocated) and sets the model's field.
type sectionCodec struct {
	tag    [4]byte
	encode func(m *Model) []byte
	decode func(m *Model, data []byte) error
}

// sectionCodecs are the known sections, in increasing order of tag.
var sectionCodecs = []sectionCodec{
	{tag: [4]byte{'D', 'F', 'R', 'Q'}, encode: encodeDocFreq, decode: decodeDocFreq},
	{tag: [4]byte{'S', 'C', 'H', 'D'}, encode: encodeSchedule, decode: decodeSchedule},
	{tag: [4]byte{'T', 'O', 'P', 'W'}, encode: encodeTopics, decode: decodeTopics},
}

// scheduleField is one field of the SCHD section: its name and where its
// value lives (exactly one of i, i64, f is set).
type scheduleField struct {
	name string
	i    *int
	i64  *int64
	f    *float64
}

// scheduleFields name the training schedule's fields in the SCHD section,
// one "name=value" line each (docs/design.md §5). A reader skips names it
// does not know, so later fields need no new format version.
func scheduleFields(c *Config) []scheduleField {
	return []scheduleField{
		{name: "vocab", i: &c.VocabSize}, {name: "epochs", i: &c.Epochs},
		{name: "batch", i: &c.BatchSize}, {name: "validation", i: &c.ValidationDocs},
		{name: "lr", f: &c.LearningRate}, {name: "rho", f: &c.Rho}, {name: "eps", f: &c.Eps},
		{name: "reduce-patience", i: &c.ReducePatience}, {name: "reduce-factor", f: &c.ReduceFactor},
		{name: "min-lr", f: &c.MinLR}, {name: "stop-patience", i: &c.StopPatience},
		{name: "min-delta", f: &c.MinDelta}, {name: "min-inputs", i64: &c.MinInputs},
		{name: "loss-every", i: &c.LossEvery}, {name: "sampling", f: &c.Sampling},
	}
}

// encodeSchedule stores the training schedule as text lines.
func encodeSchedule(m *Model) []byte {
	c := m.info.Schedule
	if c.Epochs == 0 {
		return nil
	}
	var out []byte
	for _, f := range scheduleFields(&c) {
		out = append(out, f.name...)
		out = append(out, '=')
		switch {
		case f.i != nil:
			out = strconv.AppendInt(out, int64(*f.i), 10)
		case f.i64 != nil:
			out = strconv.AppendInt(out, *f.i64, 10)
		default:
			out = strconv.AppendFloat(out, *f.f, 'g', -1, 64)
		}
		out = append(out, '\n')
	}
	return out
}

func decodeSchedule(m *Model, data []byte) error {
	c := Config{Params: m.params}
	c.Seed = m.info.Seed
	fields := scheduleFields(&c)
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return formatErr("schedule line %q has no '='", line)
		}
		for _, f := range fields {
			if f.name != name {
				continue
			}
			var err error
			switch {
			case f.i != nil:
				var v int64
				v, err = strconv.ParseInt(val, 10, 32)
				*f.i = int(v)
			case f.i64 != nil:
				*f.i64, err = strconv.ParseInt(val, 10, 64)
			default:
				*f.f, err = strconv.ParseFloat(val, 64)
			}
			if err != nil {
				return formatErr("schedule field %s=%q is not a number", name, val)
			}
		}
	}
	m.info.Schedule = c
	return nil
}

// encodeDocFreq stores the per-term document frequencies of the training
// corpus, V uint32.
func encodeDocFreq(m *Model) []byte {
	if m.df == nil {
		return nil
	}
	out := make([]byte, 0, 4*len(m.df))
	for _, f := range m.df {
		out = binary.LittleEndian.AppendUint32(out, f)
	}
	return out
}

func decodeDocFreq(m *Model, data []byte) error {
	v := m.vocab.Len()
	if len(data) != 4*v {
		return formatErr("document-frequency section has %d bytes, want %d", len(data), 4*v)
	}
	df := make([]uint32, v)
	for i := range df {
		df[i] = binary.LittleEndian.Uint32(data[4*i:])
		if int64(df[i]) > int64(m.info.Docs) {
			return formatErr("document frequency %d of term %d exceeds the %d training documents", df[i], i, m.info.Docs)
		}
	}
	m.df = df
	return nil
}

// sectionsOf returns the model's sections in increasing order of tag: the
// known ones it has data for and the unknown ones it was loaded with.
func (m *Model) sectionsOf() []section {
	var out []section
	for _, c := range sectionCodecs {
		if d := c.encode(m); d != nil {
			out = append(out, section{c.tag, d})
		}
	}
	out = append(out, m.extra...)
	sort.Slice(out, func(a, b int) bool { return bytes.Compare(out[a].tag[:], out[b].tag[:]) < 0 })
	return out
}

// decodeSections parses the sections block into m.
func decodeSections(m *Model, data []byte) error {
	le := binary.LittleEndian
	var prev []byte
	for len(data) > 0 {
		if len(data) < 8 {
			return formatErr("truncated section header")
		}
		var tag [4]byte
		copy(tag[:], data)
		n := uint64(le.Uint32(data[4:]))
		if n > uint64(len(data)-8) {
			return formatErr("section %q announces %d bytes, %d remain", tag[:], n, len(data)-8)
		}
		if prev != nil && bytes.Compare(prev, tag[:]) >= 0 {
			return formatErr("section %q out of order or repeated", tag[:])
		}
		prev = data[:4]
		payload := data[8 : 8+n]
		known := false
		for _, c := range sectionCodecs {
			if c.tag == tag {
				known = true
				if err := c.decode(m, payload); err != nil {
					return err
				}
			}
		}
		if !known {
			m.extra = append(m.extra, section{tag, bytes.Clone(payload)})
		}
		data = data[8+n:]
	}
	return nil
}

// littleEndian is whether this machine stores numbers as the model file
// does (WebAssembly, amd64, arm64 do).
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeFloats fills dst from src, len(dst) little-endian float32 values,
// and reports whether all of them are finite. On a little-endian machine it
// copies the bytes and then checks the exponent bits, which under
// WebAssembly takes a fraction of the time of decoding one value at a time
// (a model's load is part of a page's first embedding, docs/design.md §4).
func decodeFloats(dst []float32, src []byte) bool {
	if len(dst) == 0 {
		return true
	}
	const exp = 0x7f800000 // all exponent bits set: Inf or NaN
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), src)
		for _, u := range unsafe.Slice((*uint32)(unsafe.Pointer(&dst[0])), len(dst)) {
			if u&exp == exp {
				return false
			}
		}
		return true
	}
	for i := range dst {
		u := binary.LittleEndian.Uint32(src[4*i:])
		if u&exp == exp {
			return false
		}
		dst[i] = math.Float32frombits(u)
	}
	return true
}

func formatErr(format string, a ...any) error {
	return errorf("%w: %s", ErrFormat, sprintf(format, a...))
}

// MarshalBinary returns the model file's bytes. The same model always gives
// the same bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	v, k := m.vocab.Len(), m.params.Dim
	vocabBytes := 0
	for _, w := range m.vocab.words {
		if len(w) > 255 {
			return nil, errorf("kate: vocabulary term %q is longer than 255 bytes", w)
		}
		vocabBytes += 1 + len(w)
	}
	secs := m.sectionsOf()
	extraBytes := 0
	for _, sc := range secs {
		extraBytes += 8 + len(sc.data)
	}
	size := headerBytes + vocabBytes + 4*(k*v+k+v) + extraBytes + 4
	if size > MaxModelBytes {
		return nil, errorf("kate: the model file would have %d bytes, more than %d", size, MaxModelBytes)
	}
	out := make([]byte, 0, size)
	le := binary.LittleEndian
	out = append(out, modelMagic[:]...)
	out = le.AppendUint32(out, FormatVersion)
	out = le.AppendUint32(out, uint32(v))
	out = le.AppendUint32(out, uint32(k))
	out = le.AppendUint32(out, uint32(m.params.Winners))
	out = le.AppendUint32(out, math.Float32bits(m.params.Alpha))
	flags := byte(0)
	if m.params.Text.Stem {
		flags |= 1
	}
	if m.params.Text.Stopwords {
		flags |= 2
	}
	out = append(out, byte(m.params.Grad), flags, 0, 0)
	out = le.AppendUint64(out, m.info.Seed)
	out = le.AppendUint32(out, uint32(m.info.Epochs))
	out = le.AppendUint32(out, uint32(m.info.BestEpoch))
	out = le.AppendUint64(out, math.Float64bits(m.info.ValLoss))
	out = le.AppendUint32(out, uint32(m.info.Docs))
	out = le.AppendUint32(out, uint32(vocabBytes))
	out = le.AppendUint32(out, uint32(extraBytes))
	for _, w := range m.vocab.words {
		out = append(out, byte(len(w)))
		out = append(out, w...)
	}
	for _, s := range [][]float32{m.wt, m.b, m.c} {
		for _, f := range s {
			out = le.AppendUint32(out, math.Float32bits(f))
		}
	}
	for _, sc := range secs {
		out = append(out, sc.tag[:]...)
		out = le.AppendUint32(out, uint32(len(sc.data)))
		out = append(out, sc.data...)
	}
	out = le.AppendUint32(out, crc32.ChecksumIEEE(out))
	return out, nil
}

// Save writes the model file to w.
func (m *Model) Save(w io.Writer) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Load reads a model file from r (at most MaxModelBytes). It errors, wrapping
// ErrFormat, when the data is not a valid model file.
func Load(r io.Reader) (*Model, error) {
	// Read the header first and then exactly the size it announces, so an
	// absurd or truncated file is rejected before a large read.
	head := make([]byte, headerBytes)
	n, err := io.ReadFull(r, head)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return UnmarshalModel(head[:n])
	}
	if err != nil {
		return nil, err
	}
	// A version 1 header is shorter, but a whole version 1 file is always
	// longer than a version 2 header.
	want, err := announcedSize(head)
	if err != nil {
		return nil, err
	}
	data, err := readAnnounced(r, head, want)
	if err == io.EOF {
		return UnmarshalModel(data) // truncated
	}
	if err != nil {
		return nil, err
	}
	var extra [1]byte
	if k, _ := r.Read(extra[:]); k > 0 {
		return nil, formatErr("trailing bytes after the model")
	}
	return UnmarshalModel(data)
}

// readAnnounced reads the rest of a file of want bytes that starts with
// head, in chunks: its buffer grows (by doubling, at most to want) only as
// bytes actually arrive, so a short file announcing a large size costs
// little memory. It returns io.EOF with the bytes read when r ends early.
func readAnnounced(r io.Reader, head []byte, want uint64) ([]byte, error) {
	data := make([]byte, len(head), min(want, 64<<10))
	copy(data, head)
	for uint64(len(data)) < want {
		if len(data) == cap(data) {
			data = append(make([]byte, 0, min(want, 2*uint64(cap(data)))), data...)
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, io.EOF
		}
		if err != nil {
			return data, err
		}
	}
	return data, nil
}

// announcedSize checks a header's magic, version and sizes and returns the
// file size it announces.
func announcedSize(data []byte) (uint64, error) {
	if len(data) < 8 || !bytes.Equal(data[:8], modelMagic[:]) {
		return 0, formatErr("not a KATE model (bad magic)")
	}
	le := binary.LittleEndian
	if len(data) < 12 {
		return 0, formatErr("truncated header (%d bytes)", len(data))
	}
	ver := le.Uint32(data[8:])
	if ver != 1 && ver != FormatVersion {
		return 0, formatErr("format version %d, this library reads versions 1 to %d", ver, FormatVersion)
	}
	hb := headerSize(ver)
	if len(data) < hb {
		return 0, formatErr("truncated header (%d bytes)", len(data))
	}
	v64 := uint64(le.Uint32(data[12:]))
	k64 := uint64(le.Uint32(data[16:]))
	vocabBytes := uint64(le.Uint32(data[headerBytesV1-4:]))
	extraBytes := uint64(0)
	if ver >= 2 {
		extraBytes = uint64(le.Uint32(data[headerBytesV1:]))
	}
	if v64 == 0 || v64 > MaxVocabulary || k64 == 0 || k64 > MaxDim || v64*k64 > MaxWeights {
		return 0, formatErr("implausible sizes V=%d K=%d", v64, k64)
	}
	want := uint64(hb) + vocabBytes + 4*(k64*v64+k64+v64) + extraBytes + 4
	if want > MaxModelBytes {
		return 0, formatErr("announces %d bytes, more than %d", want, MaxModelBytes)
	}
	return want, nil
}

// UnmarshalModel decodes a model file. It errors, wrapping ErrFormat, when
// the data is truncated, corrupted (checksum), of another format version,
// larger than MaxModelBytes, or describes an invalid model.
func UnmarshalModel(data []byte) (*Model, error) {
	if len(data) > MaxModelBytes {
		return nil, formatErr("larger than %d bytes", MaxModelBytes)
	}
	want, err := announcedSize(data)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	hb := headerSize(le.Uint32(data[8:]))
	v64 := uint64(le.Uint32(data[12:]))
	k64 := uint64(le.Uint32(data[16:]))
	kk := le.Uint32(data[20:])
	vocabBytes := uint64(le.Uint32(data[headerBytesV1-4:]))
	extraBytes := want - (uint64(hb) + vocabBytes + 4*(k64*v64+k64+v64) + 4)
	if uint64(len(data)) < want {
		return nil, formatErr("truncated: %d bytes, the header announces %d", len(data), want)
	}
	if uint64(len(data)) > want {
		return nil, formatErr("%d trailing bytes", uint64(len(data))-want)
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != le.Uint32(data[len(data)-4:]) {
		return nil, formatErr("checksum mismatch (corrupted file)")
	}
	v, k := int(v64), int(k64)
	p := Params{
		Dim: k, Winners: int(kk), Alpha: math.Float32frombits(le.Uint32(data[24:])),
		Grad: GradMode(data[28]),
		Text: TextOptions{Stem: data[29]&1 != 0, Stopwords: data[29]&2 != 0},
	}
	if data[29]&^3 != 0 || data[30] != 0 || data[31] != 0 {
		return nil, formatErr("unknown flags")
	}
	if err := p.Validate(v); err != nil {
		return nil, errorf("%w: %v", ErrFormat, err)
	}
	info := TrainInfo{
		Seed: le.Uint64(data[32:]), Epochs: int(le.Uint32(data[40:])), BestEpoch: int(le.Uint32(data[44:])),
		ValLoss: math.Float64frombits(le.Uint64(data[48:])), Docs: int(le.Uint32(data[56:])),
	}
	pos := hb
	vend := pos + int(vocabBytes)
	// The words are slices of one string holding the whole block (one
	// allocation instead of V; the length bytes in it are a few percent).
	block := string(data[pos:vend])
	words := make([]string, 0, v)
	for len(words) < v {
		if pos >= vend {
			return nil, formatErr("vocabulary block too short")
		}
		n := int(data[pos])
		pos++
		if n == 0 || pos+n > vend {
			return nil, formatErr("bad vocabulary entry %d", len(words))
		}
		w := block[pos-hb : pos-hb+n]
		if !utf8.ValidString(w) {
			return nil, formatErr("vocabulary entry %d is not UTF-8", len(words))
		}
		words = append(words, w)
		pos += n
	}
	if pos != vend {
		return nil, formatErr("vocabulary block has %d extra bytes", vend-pos)
	}
	vocab, err := NewVocabulary(words)
	if err != nil {
		return nil, errorf("%w: %v", ErrFormat, err)
	}
	m := newModelShell(p, vocab)
	m.info = info
	for _, s := range [][]float32{m.wt, m.b, m.c} {
		if !decodeFloats(s, data[pos:pos+4*len(s)]) {
			return nil, formatErr("non-finite weight")
		}
		pos += 4 * len(s)
	}
	if err := decodeSections(m, data[pos:pos+int(extraBytes)]); err != nil {
		return nil, err
	}
	return m, nil
}
