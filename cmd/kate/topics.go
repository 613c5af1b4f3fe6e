package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

func init() {
	commands["topics"] = &command{
		summary: "print each hidden unit's strongest terms",
		usage:   "kate topics --model MODEL [-n 10]",
		run:     runTopics,
	}
}

func runTopics(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "topics")
	var modelPath string
	var n int
	var weights bool
	fs.StringVar(&modelPath, "model", "", "model `FILE` written by kate train")
	fs.IntVar(&n, "n", 10, "terms per hidden unit")
	fs.BoolVar(&weights, "weights", false, "print each term's weight as term:weight")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("topics", pos); err != nil {
		return err
	}
	if n < 1 {
		return usagef("topics", "-n %d must be at least 1", n)
	}
	m, err := loadModel("topics", modelPath)
	if err != nil {
		return err
	}
	topics, err := m.Topics(n)
	if err != nil {
		return fmt.Errorf("topics: %s", trimKate(err))
	}
	w := bufio.NewWriter(e.stdout)
	width := len(fmt.Sprint(len(topics) - 1))
	for _, t := range topics {
		words := t.Words
		if weights {
			words = make([]string, len(t.Words))
			for i, word := range t.Words {
				words[i] = fmt.Sprintf("%s:%.3f", word, t.Weights[i])
			}
		}
		fmt.Fprintf(w, "%*d  %s\n", width, t.Unit, strings.Join(words, " "))
	}
	if err := w.Flush(); err != nil {
		return &failure{fmt.Errorf("writing to stdout: %v", err)}
	}
	return nil
}
