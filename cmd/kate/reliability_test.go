package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The regression tests of issue 13 (reliability) for the command-line
// tool. The full-size reproductions are in ./build.sh stress.

// TestTrainMemoryBound: a corpus of many short lines is refused with a
// clear error once it would need more than --max-memory, not read until
// the process runs out of memory (item 1, at a small scale).
func TestTrainMemoryBound(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "b.txt")
	os.WriteFile(data, bytes.Repeat([]byte("space shuttle\n"), 60000), 0o644)
	out := filepath.Join(dir, "m.kate")
	code, stdout, stderr := kateRun(t, append([]string{"train", "--data", data, "-o", out, "--max-memory", "4MiB"}, smallTrain...)...)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	checkOneLine(t, stderr, "b.txt: not enough memory for this corpus", "--max-memory 4.0 MiB", "--max-docs")
	if _, err := os.Stat(out); err == nil || stdout != "" {
		t.Errorf("a model was written (stdout %q)", stdout)
	}
	// Within the bound it trains.
	if code, _, stderr := kateRun(t, append([]string{"train", "--data", data, "-o", out, "--max-memory", "64MiB", "--max-docs", "5000"}, smallTrain...)...); code != 0 {
		t.Errorf("bounded run: exit %d: %s", code, stderr)
	}
	for _, bad := range []string{"0", "-1", "12XB", "lots", "1GiBB"} {
		code, _, stderr := kateRun(t, append([]string{"train", "--data", data, "-o", out, "--max-memory", bad}, smallTrain...)...)
		if code != exitUsage {
			t.Errorf("--max-memory %s: exit %d", bad, code)
		}
		checkOneLine(t, stderr, "--max-memory")
	}
	code, _, stderr = kateRun(t, "train", "--data", data, "-o", out, "--max-memory", "100MiB", "--dim", "512", "--k", "8", "--vocab", "65536")
	if code != exitUsage {
		t.Errorf("model over the bound: exit %d", code)
	}
	checkOneLine(t, stderr, "not enough for the model alone")
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "512MiB": 512 << 20, "4GiB": 4 << 30, "4g": 4 << 30, "3 KB": 3 << 10, "2T": 2 << 40, "7b": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "MiB", "5 parsecs", "99999999999999999999", "9000000000TiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

// umask returns the process's umask, read from the mode of a new file.
func umask(t *testing.T) os.FileMode {
	p := filepath.Join(t.TempDir(), "probe")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(p)
	return 0o666 &^ st.Mode().Perm()
}

// TestOutputFiles: an existing output keeps its mode, a new one gets the
// umask's, a dangling symbolic link is refused and kept, and the input is
// never the output (item 7).
func TestOutputFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	f := getFixture(t)
	dir := t.TempDir()
	args := func(out string) []string {
		return []string{"encode", "--model", f.model, "--data", f.data, "--max-docs", "3", "-o", out}
	}
	private := filepath.Join(dir, "private.tsv")
	os.WriteFile(private, []byte("old"), 0o600)
	os.Chmod(private, 0o600)
	if code, _, stderr := kateRun(t, args(private)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, _ := os.Stat(private); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced 0600 file has mode %v", st.Mode().Perm())
	}
	fresh := filepath.Join(dir, "fresh.tsv")
	if code, _, stderr := kateRun(t, args(fresh)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o666&^umask(t) {
		t.Errorf("new file has mode %v, umask %v", st.Mode().Perm(), umask(t))
	}

	dangling := filepath.Join(dir, "dangling.tsv")
	if err := os.Symlink(filepath.Join(dir, "nowhere", "x.tsv"), dangling); err != nil {
		t.Skip("no symbolic links:", err)
	}
	code, _, stderr := kateRun(t, args(dangling)...)
	if code != exitUsage {
		t.Errorf("dangling link: exit %d", code)
	}
	checkOneLine(t, stderr, "dangling.tsv: it is a symbolic link to", "which does not exist")
	if st, err := os.Lstat(dangling); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}

	// -o equal to --data, directly or through a link: refused, data kept.
	data := filepath.Join(dir, "corpus.jsonl")
	orig, _ := os.ReadFile(f.data)
	os.WriteFile(data, orig, 0o644)
	link := filepath.Join(dir, "link.kate")
	os.Symlink(data, link)
	for _, out := range []string{data, link} {
		code, _, stderr := kateRun(t, append([]string{"train", "--data", data, "-o", out}, smallTrain...)...)
		if code != exitUsage {
			t.Errorf("-o %s: exit %d", out, code)
		}
		checkOneLine(t, stderr, "it is the input file")
	}
	dataTSV := filepath.Join(dir, "corpus.tsv")
	os.WriteFile(dataTSV, []byte("rocket orbit\n"), 0o644)
	code, _, stderr = kateRun(t, "encode", "--model", f.model, "--data", dataTSV, "-o", dataTSV)
	if code != exitUsage {
		t.Errorf("encode -o = --data: exit %d", code)
	}
	checkOneLine(t, stderr, "it is the input file")
	if now, _ := os.ReadFile(data); !bytes.Equal(now, orig) {
		t.Error("the corpus was modified")
	}
	if now, _ := os.ReadFile(dataTSV); string(now) != "rocket orbit\n" {
		t.Error("the encode input was modified")
	}
	// Nothing left behind: no temporary files.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("left %s", e.Name())
		}
	}
}

// TestSimilarSanitises: IDs and labels from the corpus reach the terminal
// without escape sequences, newlines or tabs (item 8).
func TestSimilarSanitises(t *testing.T) {
	f := getFixture(t)
	data := filepath.Join(t.TempDir(), "evil.jsonl")
	os.WriteFile(data, []byte(`{"id": "\u001b[31mred\nline\u009b2J", "label": "a\tb\u202eevil\u0007", "text": "rocket launch orbit nasa"}`+"\n"+
		`{"id": "ok", "text": "match goal team"}`+"\n"), 0o644)
	code, stdout, stderr := kateRun(t, "similar", "--model", f.model, "--data", data, "-n", "2", "rocket", "orbit")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(stdout, "\n") != 2 || strings.Count(stdout, "\t") != 6 {
		t.Errorf("output is not 2 lines of 4 columns: %q", stdout)
	}
	for _, bad := range []string{"\x1b", "\u009b", "\u202e", "\a"} {
		if strings.Contains(stdout, bad) {
			t.Errorf("output holds %q: %q", bad, stdout)
		}
	}
	if !strings.Contains(stdout, "[31mred line2J [a bevil]") {
		t.Errorf("sanitised ID and label not shown: %q", stdout)
	}
}

// TestEncodeCancel: cancelling stops encode within a batch, writing
// nothing (item 9); the old code finished the whole encode first.
func TestEncodeCancel(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "many.txt")
	os.WriteFile(data, bytes.Repeat([]byte("rocket orbit launch\n"), 3*encodeBatch), 0o644)
	out := filepath.Join(dir, "out.f32")
	ctx := &countdownCtx{Context: context.Background(), n: 3}
	code, _, stderr := kateRunCtx(t, ctx, "encode", "--model", f.model, "--data", data, "-o", out)
	if code != exitInterrupted {
		t.Errorf("exit %d (%s), want %d", code, stderr, exitInterrupted)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files after the interrupt, want only the input", len(entries))
	}
	// Uninterrupted, the streamed output has every row.
	if code, _, stderr := kateRun(t, "encode", "--model", f.model, "--data", data, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, _ := os.Stat(out); st.Size() != int64(3*encodeBatch*f.m.Dim()*4) {
		t.Errorf("%d bytes", st.Size())
	}
}

// TestAlphaRange: --alpha past kate.MaxAlpha is refused before any work
// (item 5).
func TestAlphaRange(t *testing.T) {
	f := getFixture(t)
	out := filepath.Join(t.TempDir(), "m.kate")
	for _, a := range []string{"1e30", "100.5", "-1", "Inf"} {
		code, _, stderr := kateRun(t, append([]string{"train", "--data", f.data, "-o", out, "--alpha", a}, smallTrain...)...)
		if code != exitUsage {
			t.Errorf("--alpha %s: exit %d", a, code)
		}
		checkOneLine(t, stderr, "--alpha", "must be in [0, 100]")
	}
}
