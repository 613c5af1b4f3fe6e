package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kate-web/kate/dataset"
)

func init() {
	commands["encode"] = &command{
		summary: "write the embeddings of a corpus (.tsv, .f32 or - for TSV on stdout)",
		usage:   "kate encode --model MODEL --data FILE -o OUT.tsv|OUT.f32|-",
		run:     runEncode,
	}
}

func runEncode(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "encode")
	var modelPath, out string
	fs.StringVar(&modelPath, "model", "", "model `FILE` written by kate train")
	df := addDataFlags(fs)
	fs.StringVar(&out, "o", "", "output `FILE`: .tsv (one row per document, K tab-separated values), .f32 (raw little-endian float32, row-major) or - (TSV on stdout)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("encode", pos); err != nil {
		return err
	}
	if modelPath == "" {
		return usagef("encode", "missing --model MODEL")
	}
	if df.path == "" {
		return usagef("encode", "missing --data FILE")
	}
	var write func(w io.Writer, rows []float32, dim int) error
	switch ext := strings.ToLower(filepath.Ext(out)); {
	case out == "":
		return usagef("encode", "missing -o OUT (.tsv, .f32 or - for stdout)")
	case out == "-" || ext == ".tsv":
		write = writeTSV
	case ext == ".f32":
		write = writeF32
	default:
		return usagef("encode", "output %s: unknown format %q, use .tsv, .f32 or - for stdout", out, ext)
	}
	if out != "-" {
		if err := checkOutputDir(out); err != nil {
			return err
		}
		if err := checkNotInput(out, df.path); err != nil {
			return err
		}
		if err := checkNotInput(out, modelPath); err != nil {
			return err
		}
	}
	m, err := loadModel("encode", modelPath)
	if err != nil {
		return err
	}
	n := 0
	// encodeAll streams the corpus in batches: memory does not grow with the
	// corpus, and Ctrl-C stops within a batch (docs/limits.md).
	encodeAll := func(w io.Writer, wrap func(error) error) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		texts := make([]string, 0, encodeBatch)
		err := df.scanBatches(ctx, "encode", func(batch []dataset.Doc) error {
			texts = texts[:0]
			for _, d := range batch {
				texts = append(texts, d.Text)
			}
			if err := write(bw, m.Encode(texts), m.Dim()); err != nil {
				return wrap(err)
			}
			n += len(batch)
			return nil
		})
		if err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return wrap(err)
		}
		return nil
	}
	if out == "-" {
		return encodeAll(e.stdout, func(err error) error { return &failure{fmt.Errorf("writing to stdout: %v", err)} })
	}
	err = writeFileAtomic(out, func(w io.Writer) error {
		return encodeAll(w, func(err error) error { return &failure{fmt.Errorf("cannot write %s: %v", out, err)} })
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d x %d embeddings to %s\n", n, m.Dim(), out)
	return nil
}

// encodeBatch is the number of documents kate encode and kate similar
// encode at a time.
const encodeBatch = 4096

// writeTSV writes rows (n x dim, row-major) as one line per row of
// tab-separated values, each the shortest decimal that reads back as the
// same float32.
func writeTSV(w io.Writer, rows []float32, dim int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	for i := 0; i < len(rows); i += dim {
		buf = buf[:0]
		for j, v := range rows[i : i+dim] {
			if j > 0 {
				buf = append(buf, '\t')
			}
			buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeF32 writes rows as raw little-endian float32 values, row-major.
func writeF32(w io.Writer, rows []float32, _ int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var b [4]byte
	for _, v := range rows {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		if _, err := bw.Write(b[:]); err != nil {
			return err
		}
	}
	return bw.Flush()
}
