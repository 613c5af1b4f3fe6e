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
// file name, for both JSON Lines and plain text. A file is read as JSON
// Lines when its name (without ".gz") ends in ".jsonl", ".ndjson" or
// ".json", as plain text when it ends in ".txt", and otherwise when its
// first non-blank character is "{".
//
// Every size is bounded (MaxLineBytes per line, Options.MaxBytes in
// total), so an absurd input is a clear error, never a huge allocation.
package dataset

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
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
	// MaxBytes bounds the total (uncompressed) bytes read; 0 means
	// DefaultMaxBytes and a negative value means no bound. Going over it is
	// an error.
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
// MaxLineBytes, and when the input is larger than Options.MaxBytes.
func Load(path string, opt Options) ([]Doc, error) {
	opt.defaults()
	st, err := os.Stat(path)
	if err != nil {
		return nil, cleanPathErr(err)
	}
	var docs []Doc
	if st.IsDir() {
		docs, err = loadDir(path, opt)
	} else {
		docs, err = loadFile(path, opt)
	}
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		if opt.Split != "" {
			return nil, fmt.Errorf("%s: %w with split %q", path, ErrNoDocuments, opt.Split)
		}
		return nil, fmt.Errorf("%s: %w", path, ErrNoDocuments)
	}
	return docs, nil
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
	left  int64 // < 0: unbounded
	limit int64
}

func newBudget(max int64) *budget {
	if max < 0 {
		return &budget{left: -1, limit: -1}
	}
	return &budget{left: max, limit: max}
}

var errTooLarge = errors.New("input too large")

func (b *budget) tooLarge(path string) error {
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

func loadFile(path string, opt Options) ([]Doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cleanPathErr(err)
	}
	defer f.Close()
	r, err := openMaybeGzip(path, f)
	if err != nil {
		return nil, err
	}
	b := newBudget(opt.MaxBytes)
	lr := &lineReader{r: bufio.NewReaderSize(&limitedReader{r: r, b: b}, 64<<10), path: path, budget: b}
	jsonl, text := isJSONName(path)
	if !jsonl && !text {
		// Sniff: JSON Lines when the first non-blank byte is '{'.
		c, err := lr.firstNonBlank()
		if err != nil {
			return nil, err
		}
		jsonl = c == '{'
	}
	if jsonl {
		return readJSONL(lr, opt)
	}
	return readLines(lr, opt)
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

func readLines(lr *lineReader, opt Options) ([]Doc, error) {
	var docs []Doc
	for opt.MaxDocs <= 0 || len(docs) < opt.MaxDocs {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if isBlank(line) {
			continue
		}
		docs = append(docs, Doc{ID: strconv.Itoa(lr.line), Text: string(line)})
	}
	return docs, nil
}

func readJSONL(lr *lineReader, opt Options) ([]Doc, error) {
	var docs []Doc
	sawSplit := false // some document has a split field
	kept := 0         // documents that count against MaxDocs
	for opt.MaxDocs <= 0 || kept < opt.MaxDocs {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if isBlank(line) {
			continue
		}
		d, err := parseJSONLine(line, lr.line, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", lr.path, lr.line, err)
		}
		if opt.Split != "" {
			if d.Split != "" && !sawSplit {
				sawSplit = true
				// Documents without a split read so far no longer qualify.
				docs = slices.DeleteFunc(docs, func(x Doc) bool { return x.Split == "" })
				kept = len(docs)
			}
			if d.Split != opt.Split && (d.Split != "" || sawSplit) {
				continue
			}
		}
		docs = append(docs, d)
		kept++
	}
	if opt.Split != "" && sawSplit {
		docs = slices.DeleteFunc(docs, func(x Doc) bool { return x.Split == "" })
	}
	return docs, nil
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

func loadDir(root string, opt Options) ([]Doc, error) {
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
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: %w (no .txt files in the directory)", root, ErrNoDocuments)
	}
	slices.SortFunc(files, func(a, b entry) int { return strings.Compare(a.rel, b.rel) })
	b := newBudget(opt.MaxBytes)
	var docs []Doc
	for _, e := range files {
		if opt.MaxDocs > 0 && len(docs) >= opt.MaxDocs {
			break
		}
		text, err := readBounded(e.path, b)
		if err != nil {
			return nil, err
		}
		d := Doc{ID: e.rel, Text: text}
		if i := strings.IndexByte(e.rel, '/'); i > 0 {
			d.Label = e.rel[:i]
			d.Labels = []string{d.Label}
		}
		docs = append(docs, d)
	}
	return docs, nil
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
	return string(data), nil
}
