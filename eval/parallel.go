package eval

import (
	"runtime"
	"sync"
)

// parallelFor runs f(i) for i in [0, n) on all cores and adds the results,
// in index order, to *sum (so the total does not depend on the core count).
func parallelFor(n int, f func(i int) float64, sum *float64) {
	parts := make([]float64, n)
	workers := min(n, runtime.GOMAXPROCS(0))
	onWorkers(workers, func(w int) {
		for i := w; i < n; i += workers {
			parts[i] = f(i)
		}
	})
	for _, p := range parts {
		*sum += p
	}
}

// onWorkers runs fn(w) for w in [0, workers) on their own goroutines and
// waits for all of them.
func onWorkers(workers int, fn func(w int)) {
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
