// Command liar writes a 4 KiB model file whose header announces a model
// of 65,536 terms x 512 dimensions (128 MiB of weights): the input of the
// stress check that Load rejects it without allocating the announced size
// (issue 13, item 4; see scripts/stress/stress.sh).
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/kate-web/kate/kate"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: liar OUT.kate")
		os.Exit(2)
	}
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.Epochs, cfg.Text = 4, 2, 1, kate.TextOptions{}
	m, err := kate.Train(context.Background(), []string{"alpha beta", "beta gamma"}, cfg, kate.TrainOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var b bytes.Buffer
	if err := m.Save(&b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	data := append(b.Bytes(), make([]byte, 4096)...)[:4096]
	binary.LittleEndian.PutUint32(data[12:], 1<<16) // V
	binary.LittleEndian.PutUint32(data[16:], 512)   // K
	if err := os.WriteFile(os.Args[1], data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
