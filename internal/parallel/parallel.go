// Package parallel is the one goroutine fan-out of the Go packages: the
// training step, encoding, the topic ranking and the evaluation spread
// their work with it. Under WebAssembly (one thread) and with GOMAXPROCS 1
// the work runs inline, in order.
package parallel

import (
	"runtime"
	"sync"
)

// Workers returns the number of goroutines worth starting for n
// independent parts: min(n, GOMAXPROCS), 1 under WebAssembly, at least 1.
func Workers(n int) int {
	if runtime.GOARCH == "wasm" {
		return 1
	}
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// Run calls fn(w) for every w in [0, workers), each on its own goroutine
// (inline when workers is 1), and returns when all have returned.
func Run(workers int, fn func(w int)) {
	if workers <= 1 {
		if workers == 1 {
			fn(0)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w)
		}()
	}
	wg.Wait()
}

// Blocks calls fn(lo, hi) over [0, n) in blocks of grain items (the last
// may be shorter), handed out in order to Workers goroutines as they become
// free; with n <= grain, or one worker, it calls fn(0, n) inline. fn must
// be safe to call concurrently on disjoint blocks.
func Blocks(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(1, grain)
	blocks := (n + grain - 1) / grain
	workers := Workers(blocks)
	if workers == 1 || n <= grain {
		fn(0, n)
		return
	}
	var mu sync.Mutex
	next := 0
	Run(workers, func(int) {
		for {
			mu.Lock()
			b := next
			next++
			mu.Unlock()
			if b >= blocks {
				return
			}
			fn(b*grain, min(n, (b+1)*grain))
		}
	})
}
