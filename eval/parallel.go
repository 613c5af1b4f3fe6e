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
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				parts[i] = f(i)
			}
		}()
	}
	wg.Wait()
	for _, p := range parts {
		*sum += p
	}
}
