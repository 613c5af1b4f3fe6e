package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestBlocksCoversEveryIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, tc := range [][2]int{{0, 4}, {1, 4}, {4, 4}, {5, 4}, {100, 7}, {1000, 64}, {10, 0}} {
			n, grain := tc[0], tc[1]
			hits := make([]int32, n)
			var calls atomic.Int32
			Blocks(n, grain, func(lo, hi int) {
				calls.Add(1)
				if lo >= hi || (grain > 0 && hi-lo > grain && !(lo == 0 && hi == n)) {
					t.Errorf("n=%d grain=%d: bad block [%d, %d)", n, grain, lo, hi)
				}
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("GOMAXPROCS=%d n=%d grain=%d: index %d done %d times", procs, n, grain, i, h)
				}
			}
			if n == 0 && calls.Load() != 0 {
				t.Errorf("n=0: fn called %d times", calls.Load())
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestRunCallsEveryWorkerOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7} {
		seen := make([]int32, max(workers, 1))
		Run(workers, func(w int) { atomic.AddInt32(&seen[w], 1) })
		for w := range workers {
			if seen[w] != 1 {
				t.Errorf("workers=%d: worker %d ran %d times", workers, w, seen[w])
			}
		}
		if workers == 0 && seen[0] != 0 {
			t.Error("workers=0: fn was called")
		}
	}
}

func TestWorkers(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	want := map[int]int{0: 1, 1: 1, 2: 2, 9: 2}
	if runtime.GOARCH == "wasm" {
		want = map[int]int{0: 1, 1: 1, 2: 1, 9: 1}
	}
	for n, w := range want {
		if got := Workers(n); got != w {
			t.Errorf("Workers(%d) = %d, want %d", n, got, w)
		}
	}
}
