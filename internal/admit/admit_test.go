package admit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLedger(t *testing.T) {
	l := New(100)
	ctx := context.Background()
	if err := l.Acquire(ctx, 101, nil); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("need over the limit: %v", err)
	}
	if err := l.Acquire(ctx, 60, nil); err != nil {
		t.Fatal(err)
	}
	// A second 60 waits until the first is released; a 30 arriving after
	// it waits too (first come, first served) although it would fit.
	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	waited := make(chan struct{}, 2)
	for _, need := range []int64{60, 30} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Acquire(ctx, need, func() { waited <- struct{}{} }); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, need)
			mu.Unlock()
		}()
		<-waited // queued in this order
	}
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	if len(order) != 0 {
		t.Errorf("admitted %v while 60 of 100 are used", order)
	}
	mu.Unlock()
	l.Release(60)
	wg.Wait()
	if len(order) != 2 || order[0] != 60 || l.Used() != 90 {
		t.Errorf("order %v, used %d", order, l.Used())
	}
	// A cancelled waiter leaves the queue and the others go on.
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- l.Acquire(cctx, 50, nil) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := l.Acquire(ctx, 10, nil); err != nil || l.Used() != 100 {
		t.Errorf("after the cancel: %v, used %d", err, l.Used())
	}
}
