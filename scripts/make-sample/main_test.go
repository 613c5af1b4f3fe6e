package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"short text", 100, "short text"},
		{"alpha beta gamma", 12, "alpha beta"},
		{"alpha beta gamma", 11, "alpha beta"},
		{"alpha beta gamma", 10, "alpha"},
		{"nospaceatall", 5, "nospa"},
		{"héllo wörld again", 12, "héllo wörld"},
		{"keep whole", 0, "keep whole"},
	}
	for _, c := range cases {
		got := cut(c.in, c.max)
		if got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if c.max > 0 && utf8.RuneCountInString(got) > c.max {
			t.Errorf("cut(%q, %d) is longer than the limit", c.in, c.max)
		}
	}
}

func TestSample(t *testing.T) {
	var docs []doc
	for _, split := range []string{"train", "test", "other"} {
		for _, label := range []string{"b", "a"} {
			for i := range 10 {
				docs = append(docs, doc{ID: fmt.Sprintf("%s/%s/%d", split, label, i), Split: split, Label: label})
			}
		}
	}
	docs = append(docs, doc{ID: "train/none/1", Split: "train"}) // no label: skipped
	got := sample(docs, map[string]int{"train": 3, "test": 2})
	again := sample(append([]doc(nil), docs...), map[string]int{"train": 3, "test": 2})
	if len(got) != 10 {
		t.Fatalf("%d documents, want 10", len(got))
	}
	count := map[string]int{}
	for i, d := range got {
		count[d.Split+"/"+d.Label]++
		if d.ID != again[i].ID {
			t.Errorf("not deterministic at %d: %s vs %s", i, d.ID, again[i].ID)
		}
	}
	if count["train/a"] != 3 || count["train/b"] != 3 || count["test/a"] != 2 || count["test/b"] != 2 {
		t.Errorf("counts %v, want 3 per label in train and 2 in test", count)
	}
	if got[0].Split != "train" || got[0].Label != "a" || got[len(got)-1].Split != "test" || got[len(got)-1].Label != "b" {
		t.Errorf("order: first %+v, last %+v", got[0], got[len(got)-1])
	}
}

// TestBundledSample checks the committed sample: balanced over the 20
// groups, both splits, the five fields, texts within the cut, the stripped
// texts without mail headers, small.
func TestBundledSample(t *testing.T) {
	const path = "../../testdata/20news-sample.jsonl.gz"
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 1_700_000 {
		t.Errorf("%s is %d bytes, want at most 1.7 MB", path, st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(zr)
	count := map[string]int{}
	labels := map[string]bool{}
	n, headed := 0, 0
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		n++
		if len(m) != 5 {
			t.Fatalf("document %d has fields %v, want id, split, label, text, text_stripped", n, m)
		}
		split, _ := m["split"].(string)
		label, _ := m["label"].(string)
		text, _ := m["text"].(string)
		id, _ := m["id"].(string)
		stripped, ok := m["text_stripped"].(string)
		if !ok || utf8.RuneCountInString(stripped) > 2500 {
			t.Errorf("%s: text_stripped missing or of %d characters", id, utf8.RuneCountInString(stripped))
		}
		for _, h := range []string{"From: ", "Subject: ", "Path: ", "Newsgroups: ", "Organization: "} {
			if strings.HasPrefix(stripped, h) {
				headed++
			}
		}
		if !strings.Contains(text, "From: ") {
			t.Errorf("%s: text lost its mail headers: %.80q", id, text)
		}
		if !strings.HasPrefix(id, split+"/"+label+"/") {
			t.Errorf("id %q does not match split %q and label %q", id, split, label)
		}
		if text == "" || utf8.RuneCountInString(text) > 2500 {
			t.Errorf("%s: text of %d characters", id, utf8.RuneCountInString(text))
		}
		count[split]++
		labels[label] = true
	}
	// A few posts quote a forwarded mail in the body; no stripped text may
	// start with the post's own headers.
	if headed > 5 {
		t.Errorf("%d stripped texts start with a mail header, want at most 5", headed)
	}
	if len(labels) != 20 || count["train"] != 2000 || count["test"] != 800 {
		t.Errorf("%d labels, %d train and %d test documents; want 20, 2000, 800", len(labels), count["train"], count["test"])
	}
}

// TestDropHeaderBlocks checks that leading header paragraphs go and that
// ordinary text, even with a colon, stays.
func TestDropHeaderBlocks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"From: a@b.edu\nSubject: Re: x\n  continued\n\nHello: world.\n", "Hello: world."},
		{"\n\nPath: a!b\n\nNewsgroups: sci.space\n\nThe body", "The body"},
		{"Note: this line is text\nand this one too", "Note: this line is text\nand this one too"},
		{"From: a@b.edu", ""},
		{"", ""},
	} {
		if got := dropHeaderBlocks(c.in); got != c.want {
			t.Errorf("dropHeaderBlocks(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
