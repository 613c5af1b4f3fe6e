package kate_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kate-web/kate/kate"
)

// Example runs the README's "Go library" snippet (the lines between the
// two marks; TestReadmeSnippet keeps them identical to the README) on a
// small corpus of three themes.
func Example() {
	ctx := context.Background()
	texts := exampleTexts()
	w := new(bytes.Buffer)
	log.SetOutput(io.Discard) // the snippet logs every epoch
	defer log.SetOutput(os.Stderr)

	// README snippet: start
	cfg := kate.DefaultConfig() // K=128, k=32, alpha=6.26, V=2000, Adadelta, early stopping
	cfg.Epochs = 50
	m, err := kate.Train(ctx, texts, cfg, kate.TrainOptions{
		Progress: func(p kate.Progress) { log.Println(p.Epoch, p.Loss, p.ValLoss, p.DocsPerSecond) },
	})
	emb := m.Encode(texts)                       // n x K, row-major float32: tanh(xW + b), no competition
	best, _ := m.Nearest(emb[:m.Dim()], emb, 5)  // cosine, measured from the empty document's embedding
	topics, _ := m.Topics(10)                    // each hidden unit's best words, label, marks (see Topics)
	why, _ := m.Explain(texts[0], kate.GradFull) // z, h, winners, losers, energies, dL/dh, dL/dz
	_ = m.Save(w)                                // the portable model file; kate.Load(r) reads it
	// README snippet: end

	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("embeddings:", len(emb) == len(texts)*m.Dim())
	fmt.Println("nearest to text 0:", len(best), best[0].Index)
	fmt.Println("topics:", len(topics), len(topics[0].Words))
	fmt.Println("winners:", len(why.PosWinners)+len(why.NegWinners))
	back, err := kate.Load(w)
	fmt.Println("reloaded:", err == nil && back.Dim() == m.Dim())
	// Output:
	// embeddings: true
	// nearest to text 0: 5 0
	// topics: 128 10
	// winners: 32
	// reloaded: true
}

// exampleTexts returns 240 short documents, each drawn from one of three
// themes' words.
func exampleTexts() []string {
	themes := [][]string{
		strings.Fields("rocket orbit launch moon planet satellite telescope astronaut space mission"),
		strings.Fields("goalkeeper match league season striker referee stadium coach football team"),
		strings.Fields("compiler kernel memory process thread cache library function program code"),
	}
	var texts []string
	for d := 0; d < 240; d++ {
		words := themes[d%3]
		var b strings.Builder
		for j := 0; j < 12; j++ {
			b.WriteString(words[(d*7+j*j+d/3)%len(words)])
			b.WriteByte(' ')
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestReadmeSnippet checks that the README's Go snippet is the code Example
// runs, line for line.
func TestReadmeSnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Go library\n\n```go\nimport \"github.com/kate-web/kate/kate\"\n\n")
	if !ok {
		t.Fatal("README.md has no Go library snippet starting with the kate import")
	}
	snippet, _, ok := strings.Cut(after, "```\n")
	if !ok {
		t.Fatal("README.md: the Go library snippet is not closed")
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(src), "\t// README snippet: start\n")
	body, _, _ = strings.Cut(body, "\t// README snippet: end\n")
	var lines []string
	for _, l := range strings.SplitAfter(body, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	if got := strings.Join(lines, ""); got != snippet {
		t.Errorf("README.md's Go snippet differs from Example's:\n--- README\n%s--- Example\n%s", snippet, got)
	}
}

// TestDocMapsEveryFile checks that the file map of the package overview
// (doc.go) lists every source file of the package, and only those.
func TestDocMapsEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if f, ok := strings.CutPrefix(line, "//\t"); ok {
			if name, _, _ := strings.Cut(f, " "); strings.HasSuffix(name, ".go") {
				listed[name] = true
			}
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "doc.go" {
			continue
		}
		if !listed[f] {
			t.Errorf("doc.go's file map does not list %s", f)
		}
		delete(listed, f)
	}
	for f := range listed {
		t.Errorf("doc.go's file map lists %s, which does not exist", f)
	}
}
