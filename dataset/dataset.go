// Package dataset loads text corpora for training and evaluating KATE
// models.
//
// Load reads three kinds of input:
//
//   - JSON Lines (one JSON object per line), optionally gzip-compressed.
//     The text is read from Options.TextField ("text" by default); the
//     optional fields are "id" (string or number), "split" (string) and
//     Options.LabelField ("label" by default: a string, a number, or a list
//     of strings for multi-label corpora). Blank lines are skipped.
//   - A plain text file with one document per line. Blank lines are skipped;
//     a document's ID is its 1-based line number.
//   - A directory of .txt files. Every .txt file below the directory is one
//     document, in order of its path (sorted by name); its ID is the path
//     relative to the directory, with forward slashes. A file inside a
//     sub-directory takes the name of the top-level sub-directory as its
//     label (DIR/sports/a.txt has label "sports"); files directly in DIR
//     have no label. Hidden files and directories (names starting with
//     ".") are skipped.
//
// Compression is detected from the content (the gzip magic bytes), not the
// file name, for both JSON Lines and plain text. A UTF-8 byte order mark at
// the start of a file is skipped. A file is read as JSON Lines when its name
// (without ".gz") ends in ".jsonl", ".ndjson" or ".json", as plain text when
// it ends in ".txt", and otherwise when its first non-blank character is
// "{".
//
// Load keeps the whole corpus in memory; Scan streams it, one document at a
// time, for corpora of any size. Every size is bounded (MaxLineBytes per
// line; for Load, Options.MaxBytes in total, counting DocOverhead bytes per
// document on top of the bytes read), so an absurd input is a clear error,
// never a huge allocation.
package dataset

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// MaxLineBytes is the longest line (one JSON object or one plain-text
// document) Load accepts: 64 MiB.
const MaxLineBytes = 64 << 20

// maxLine is MaxLineBytes, lowered by tests.
var maxLine = MaxLineBytes

// DefaultMaxBytes is the total amount of (uncompressed) input Load reads
// when Options.MaxBytes is 0: 1 GiB.
const DefaultMaxBytes = 1 << 30

// DocOverhead is what Load counts against Options.MaxBytes for every
// document it keeps, on top of the bytes read: the memory a Doc takes
// besides its text (its fields and ID). A corpus of many short lines is
// thus bounded in memory too, not only in bytes.
const DocOverhead = 128

// utf8BOM is the UTF-8 byte order mark, skipped at the start of a file.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// Doc is one document of a corpus.
type Doc struct {
	// ID identifies the document: the "id" field of a JSON line (its line
	// number when absent), the line number of a plain-text line, or the
	// relative path of a file in a directory.
	ID string
	// Text is the document's raw text.
	Text string
	// Split is the "split" field of a JSON line ("" when absent, and for
	// the other formats).
	Split string
	// Label is the document's label: the label field when it is a string or
	// a number, its first element when it is a list, or the sub-directory
	// name for a directory corpus; "" when there is none.
	Label string
	// Labels holds every label: the list for a multi-label corpus, or the
	// single Label; nil when there is none.
	Labels []string
	// Target is the number in the Options.TargetField field of a JSON line
	// (a JSON number, or a string holding one) and HasTarget whether the
	// line had it; false without a TargetField.
	Target    float64
	HasTarget bool
}

// Options configure Load. The zero value reads the "text" and "label"
// fields, every document and at most DefaultMaxBytes.
type Options struct {
	// TextField is the JSON field holding the text (default "text").
	TextField string
	// LabelField is the JSON field holding the label (default "label").
	LabelField string
	// TargetField, when not empty, is a JSON field holding a number read
	// into Doc.Target (for regression; absent or null leaves HasTarget
	// false, anything but a finite number is an error).
	TargetField string
	// Split, when not empty, keeps only the JSON Lines documents whose
	// "split" field equals it. Documents without a split field are kept
	// only when no document read has one; plain-text and directory corpora
	// have no splits, and Split is ignored for them.
	Split string
	// MaxDocs, when positive, stops reading after that many (kept)
	// documents.
	MaxDocs int
	// MaxBytes bounds the total (uncompressed) bytes read, plus, for Load,
	// DocOverhead per document kept; 0 means DefaultMaxBytes and a negative
	// value means no bound. Going over it is an error.
	MaxBytes int64
}

func (o *Options) defaults() {
	if o.TextField == "" {
		o.TextField = "text"
	}
	if o.LabelField == "" {
		o.LabelField = "label"
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
}

// ErrNoDocuments is wrapped by the error Load returns when the input holds
// no document (or none of the requested split).
var ErrNoDocuments = errors.New("no documents")

// Load reads the corpus at path (a file or a directory; see the package
// documentation for the formats). It errors when the path cannot be read,
// when the input holds no document, when a JSON line is invalid, is not an
// object, lacks the text field or has a field of the wrong type (the error
// names the file and the line number), when a line is longer than
// MaxLineBytes, and when the input is larger than Options.MaxBytes
// (counting DocOverhead bytes per document on top of the bytes read).
func Load(path string, opt Options) ([]Doc, error) {
	return LoadContext(context.Background(), path, opt)
}

// LoadContext is Load that stops with ctx.Err() when ctx is cancelled.
func LoadContext(ctx context.Context, path string, opt Options) ([]Doc, error) {
	var docs []Doc
	opt.defaults()
	err := scan(ctx, path, opt, DocOverhead, func(d Doc) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return docs, nil
}

// Scan reads the corpus at path as Load does, but calls fn with each
// document in order instead of keeping them, so that its memory does not
// grow with the corpus. It returns the first error of fn, or ctx.Err() when
// ctx is cancelled, and errors as Load does (ErrNoDocuments when fn was never
// called). Options.MaxBytes bounds the bytes read (no per-document
// overhead).
//
// With Options.Split set, a JSON Lines document without a split field is
// passed only when no document of the file has one; when such a document
// comes before any with a split field, Scan reads the file a second time to
// find out.
func Scan(ctx context.Context, path string, opt Options, fn func(Doc) error) error {
	opt.defaults()
	return scan(ctx, path, opt, 0, fn)
}

func scan(ctx context.Context, path string, opt Options, perDoc int64, fn func(Doc) error) error {
	st, err := os.Stat(path)
	if err != nil {
		return cleanPathErr(err)
	}
	n := 0
	b := newBudget(opt.MaxBytes)
	b.perDoc = perDoc
	each := func(d Doc) error {
		if perDoc > 0 && !b.charge(perDoc) {
			return b.tooLarge(path)
		}
		n++
		return fn(d)
	}
	if st.IsDir() {
		err = scanDir(ctx, path, opt, b, each)
	} else {
		err = scanFile(ctx, path, opt, b, each)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		if opt.Split != "" {
			return fmt.Errorf("%s: %w with split %q", path, ErrNoDocuments, opt.Split)
		}
		return fmt.Errorf("%s: %w", path, ErrNoDocuments)
	}
	return nil
}

// cleanPathErr turns an *fs.PathError into "path: reason" without the
// operation name.
func cleanPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, fs.ErrNotExist):
			return fmt.Errorf("%s: no such file or directory", pe.Path)
		case errors.Is(pe.Err, fs.ErrPermission):
			return fmt.Errorf("%s: permission denied", pe.Path)
		}
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// budget counts the bytes read against Options.MaxBytes.
type budget struct {
	left   int64 // < 0: unbounded
	limit  int64
	perDoc int64 // charged per document (Load), 0 for Scan
}

func newBudget(max int64) *budget {
	if max < 0 {
		return &budget{left: -1, limit: -1}
	}
	return &budget{left: max, limit: max}
}

var errTooLarge = errors.New("input too large")

// charge takes n bytes from the budget and reports whether they fitted.
func (b *budget) charge(n int64) bool {
	if b.left < 0 {
		return true
	}
	if n > b.left {
		b.left = 0
		return false
	}
	b.left -= n
	return true
}

func (b *budget) tooLarge(path string) error {
	if b.perDoc > 0 {
		return fmt.Errorf("%s: %w: more than %d bytes of data, counting %d bytes per document (raise the limit with Options.MaxBytes, or stream the corpus with Scan)", path, errTooLarge, b.limit, b.perDoc)
	}
	return fmt.Errorf("%s: %w: more than %d bytes of data (raise the limit with Options.MaxBytes)", path, errTooLarge, b.limit)
}

// limitedReader fails with errTooLarge once more than the budget is read.
type limitedReader struct {
	r io.Reader
	b *budget
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.b.left < 0 {
		return l.r.Read(p)
	}
	if int64(len(p)) > l.b.left+1 {
		p = p[:l.b.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.b.left {
		l.b.left = 0
		return n, errTooLarge
	}
	l.b.left -= int64(n)
	return n, err
}

// openMaybeGzip opens path and returns a reader of its (decompressed)
// content, detecting gzip by its magic bytes.
func openMaybeGzip(path string, f io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid gzip data: %v", path, err)
		}
		return zr, nil
	}
	return br, nil
}

func isJSONName(path string) (jsonl, text bool) {
	name := strings.ToLower(filepath.Base(path))
	name = strings.TrimSuffix(name, ".gz")
	switch {
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".json"):
		return true, false
	case strings.HasSuffix(name, ".txt"):
		return false, true
	}
	return false, false
}

// openLines opens a file for reading bounded lines (gunzipped when
// compressed, without a leading byte order mark) and tells whether it holds
// JSON Lines.
func openLines(path string, b *budget) (lr *lineReader, jsonl bool, closeFn func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil, cleanPathErr(err)
	}
	r, err := openMaybeGzip(path, f)
	if err != nil {
		f.Close()
		return nil, false, nil, err
	}
	lr = &lineReader{r: bufio.NewReaderSize(&limitedReader{r: r, b: b}, 64<<10), path: path, budget: b}
	if p, err := lr.r.Peek(len(utf8BOM)); err == nil && bytes.Equal(p, utf8BOM) {
		lr.r.Discard(len(utf8BOM))
	}
	jsonl, text := isJSONName(path)
	if !jsonl && !text {
		// Sniff: JSON Lines when the first non-blank byte is '{'.
		c, err := lr.firstNonBlank()
		if err != nil {
			f.Close()
			return nil, false, nil, err
		}
		jsonl = c == '{'
	}
	return lr, jsonl, func() { f.Close() }, nil
}

func scanFile(ctx context.Context, path string, opt Options, b *budget, fn func(Doc) error) error {
	lr, jsonl, closeFn, err := openLines(path, b)
	if err != nil {
		return err
	}
	defer closeFn()
	if jsonl {
		return scanJSONL(ctx, lr, opt, fn)
	}
	return scanLines(ctx, lr, opt, fn)
}

// lineReader reads bounded lines and counts them.
type lineReader struct {
	r      *bufio.Reader
	path   string
	budget *budget
	line   int // number of the last line returned (1-based)
	buf    []byte
}

// wrap turns a read error into a clear one naming the file (and the line).
func (l *lineReader) wrap(err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return l.budget.tooLarge(l.path)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, new(flate.CorruptInputError)):
		return fmt.Errorf("%s: line %d: corrupt or truncated gzip data: %v", l.path, l.line+1, err)
	}
	return fmt.Errorf("%s: line %d: %v", l.path, l.line+1, err)
}

// next returns the next line without its line ending ("\n" or "\r\n"), or
// io.EOF. The slice is valid until the next call.
func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		if len(l.buf)+len(chunk) > maxLine+2 {
			return nil, fmt.Errorf("%s: line %d is longer than %d bytes", l.path, l.line+1, maxLine)
		}
		if err == bufio.ErrBufferFull {
			l.buf = append(l.buf, chunk...)
			continue
		}
		var line []byte
		if len(l.buf) > 0 {
			l.buf = append(l.buf, chunk...)
			line = l.buf
		} else {
			line = chunk
		}
		if err != nil && err != io.EOF {
			return nil, l.wrap(err)
		}
		if err == io.EOF && len(line) == 0 {
			return nil, io.EOF
		}
		l.line++
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > maxLine {
			return nil, fmt.Errorf("%s: line %d is longer than %d bytes", l.path, l.line, maxLine)
		}
		return line, nil
	}
}

// firstNonBlank peeks at the first non-whitespace byte without consuming
// input (0 when there is none within the first 64 KiB).
func (l *lineReader) firstNonBlank() (byte, error) {
	for n := 1; n <= 64<<10; n *= 2 {
		p, err := l.r.Peek(n)
		for _, c := range p {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v' {
				return c, nil
			}
		}
		if err != nil {
			if err == io.EOF || err == bufio.ErrBufferFull {
				return 0, nil
			}
			return 0, l.wrap(err)
		}
	}
	return 0, nil
}

func isBlank(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0
}

// checkEvery is how many lines are read between checks of the context.
const checkEvery = 1024

func scanLines(ctx context.Context, lr *lineReader, opt Options, fn func(Doc) error) error {
	n := 0
	for opt.MaxDocs <= 0 || n < opt.MaxDocs {
		if lr.line%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if isBlank(line) {
			continue
		}
		if err := fn(Doc{ID: strconv.Itoa(lr.line), Text: string(line)}); err != nil {
			return err
		}
		n++
	}
	return nil
}

func scanJSONL(ctx context.Context, lr *lineReader, opt Options, fn func(Doc) error) error {
	// anySplit: whether some document of the file has a split field; known
	// once one is read, or by reading the file ahead (splitKnown).
	anySplit, splitKnown := false, false
	n := 0
	for opt.MaxDocs <= 0 || n < opt.MaxDocs {
		if lr.line%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if isBlank(line) {
			continue
		}
		d, err := parseJSONLine(line, lr.line, opt)
		if err != nil {
			return fmt.Errorf("%s: line %d: %v", lr.path, lr.line, err)
		}
		if opt.Split != "" {
			if d.Split != "" {
				anySplit, splitKnown = true, true
			} else if !splitKnown {
				if anySplit, err = hasSplitField(ctx, lr.path); err != nil {
					return err
				}
				splitKnown = true
			}
			if d.Split != opt.Split && (d.Split != "" || anySplit) {
				continue
			}
		}
		if err := fn(d); err != nil {
			return err
		}
		n++
	}
	return nil
}

// hasSplitField reads the JSON Lines file at path and reports whether some
// line has a non-null "split" field. Malformed lines are left for the
// caller's own reading to report.
func hasSplitField(ctx context.Context, path string) (bool, error) {
	lr, _, closeFn, err := openLines(path, newBudget(-1))
	if err != nil {
		return false, err
	}
	defer closeFn()
	for {
		if lr.line%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		line, err := lr.next()
		if err != nil {
			return false, nil
		}
		var v struct {
			Split json.RawMessage `json:"split"`
		}
		if json.Unmarshal(line, &v) == nil && len(v.Split) > 0 && !isNull(v.Split) {
			return true, nil
		}
	}
}

// parseJSONLine decodes one JSON object into a Doc.
func parseJSONLine(line []byte, n int, opt Options) (Doc, error) {
	trimmed := bytes.TrimSpace(line)
	if trimmed[0] != '{' {
		return Doc{}, errors.New("invalid JSON: expected an object {...}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return Doc{}, fmt.Errorf("invalid JSON: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	var d Doc
	if raw, ok := fields["split"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &d.Split); err != nil {
			return Doc{}, errors.New(`field "split" is not a string`)
		}
		if opt.Split != "" && d.Split != opt.Split {
			return d, nil // skipped by the caller; do not decode the text
		}
	}
	raw, ok := fields[opt.TextField]
	if !ok {
		return Doc{}, fmt.Errorf("no %q field (fields: %s)", opt.TextField, fieldList(fields))
	}
	if err := json.Unmarshal(raw, &d.Text); err != nil || isNull(raw) {
		return Doc{}, fmt.Errorf("field %q is not a string", opt.TextField)
	}
	d.ID = strconv.Itoa(n)
	if raw, ok := fields["id"]; ok && !isNull(raw) {
		s, err := scalarString(raw)
		if err != nil {
			return Doc{}, errors.New(`field "id" is not a string or a number`)
		}
		d.ID = s
	}
	if raw, ok := fields[opt.LabelField]; ok && !isNull(raw) {
		raw = bytes.TrimSpace(raw)
		if raw[0] == '[' {
			var ls []string
			if err := json.Unmarshal(raw, &ls); err != nil {
				return Doc{}, fmt.Errorf("field %q is not a string, a number or a list of strings", opt.LabelField)
			}
			if len(ls) > 0 {
				d.Labels = ls
				d.Label = ls[0]
			}
		} else {
			s, err := scalarString(raw)
			if err != nil {
				return Doc{}, fmt.Errorf("field %q is not a string, a number or a list of strings", opt.LabelField)
			}
			d.Label = s
			d.Labels = []string{s}
		}
	}
	if opt.TargetField != "" {
		if raw, ok := fields[opt.TargetField]; ok && !isNull(raw) {
			s, err := scalarString(raw)
			v, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Doc{}, fmt.Errorf("field %q is not a finite number", opt.TargetField)
			}
			d.Target, d.HasTarget = v, true
		}
	}
	return d, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// scalarString decodes a JSON string, or returns a JSON number's text.
func scalarString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err != nil {
		return "", err
	}
	return num.String(), nil
}

func fieldList(fields map[string]json.RawMessage) string {
	if len(fields) == 0 {
		return "none"
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, strconv.Quote(k))
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "...")
	}
	return strings.Join(names, ", ")
}

func scanDir(ctx context.Context, root string, opt Options, b *budget, fn func(Doc) error) error {
	type entry struct{ rel, path string }
	var files []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return cleanPathErr(err)
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(d.Name()), ".txt") {
			return nil
		}
		if !d.Type().IsRegular() {
			st, err := os.Stat(p) // a symbolic link: keep it if it leads to a file
			if err != nil || !st.Mode().IsRegular() {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, entry{filepath.ToSlash(rel), p})
		return nil
	})
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: %w (no .txt files in the directory)", root, ErrNoDocuments)
	}
	slices.SortFunc(files, func(a, b entry) int { return strings.Compare(a.rel, b.rel) })
	for i, e := range files {
		if opt.MaxDocs > 0 && i >= opt.MaxDocs {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		text, err := readBounded(e.path, b)
		if err != nil {
			return err
		}
		d := Doc{ID: e.rel, Text: text}
		if i := strings.IndexByte(e.rel, '/'); i > 0 {
			d.Label = e.rel[:i]
			d.Labels = []string{d.Label}
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

// readBounded reads a whole file (gunzipped when compressed) within the
// budget.
func readBounded(path string, b *budget) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", cleanPathErr(err)
	}
	defer f.Close()
	if b.left >= 0 {
		if st, err := f.Stat(); err == nil && st.Size() > b.left {
			return "", b.tooLarge(path)
		}
	}
	r, err := openMaybeGzip(path, f)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(&limitedReader{r: r, b: b})
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return "", b.tooLarge(path)
		}
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return string(bytes.TrimPrefix(data, utf8BOM)), nil
}
