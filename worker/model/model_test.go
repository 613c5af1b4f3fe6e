package model

import (
	"testing"

	"github.com/kate-web/kate/kate"
)

// The bundled default is a valid model file of the documented shape,
// trained on the sample corpus's 2,000 training documents.
func TestDefaultModel(t *testing.T) {
	if len(File) > 1500<<10 {
		t.Errorf("the bundled model is %d bytes, over the 1.5 MB budget", len(File))
	}
	m, err := kate.UnmarshalModel(File)
	if err != nil {
		t.Fatal(err)
	}
	p, info := m.Params(), m.Info()
	if p.Dim != 64 || p.Winners != 16 || m.Vocabulary().Len() != 2000 {
		t.Errorf("dim %d, k %d, V %d; want 64, 16, 2000", p.Dim, p.Winners, m.Vocabulary().Len())
	}
	if !p.Text.Stem || !p.Text.Stopwords {
		t.Errorf("text options %+v, want stemming and stopwords", p.Text)
	}
	if info.Docs != 2000 || info.Seed != 1 {
		t.Errorf("trained on %d documents with seed %d, want 2000 and 1", info.Docs, info.Seed)
	}
	// Encoding a sentence gives a finite, non-constant embedding.
	e := m.Encode([]string{"the space shuttle orbits the moon"})
	lo, hi := e[0], e[0]
	for _, x := range e {
		lo, hi = min(lo, x), max(hi, x)
	}
	if !(lo >= -1 && hi <= 1 && hi > lo) {
		t.Errorf("embedding range [%v, %v]", lo, hi)
	}
}
