// Package admit admits work by its memory need within a fixed total, first
// come first served: the WebAssembly engine runs its trainings through it,
// so that concurrent trainings queue instead of running the engine out of
// memory (docs/limits.md).
package admit

import (
	"context"
	"errors"
	"sync"
)

// ErrTooLarge is returned by Acquire for a need larger than the whole limit:
// waiting would never admit it.
var ErrTooLarge = errors.New("admit: need larger than the limit")

// Ledger counts the memory in use against a limit. The zero value is not
// usable; use New. It is safe for concurrent use.
type Ledger struct {
	mu      sync.Mutex
	limit   int64
	used    int64
	queue   []*waiter // in arrival order
	changed chan struct{}
}

type waiter struct{ need int64 }

// New returns a ledger of limit bytes.
func New(limit int64) *Ledger {
	return &Ledger{limit: limit, changed: make(chan struct{})}
}

// Limit returns the ledger's limit in bytes.
func (l *Ledger) Limit() int64 { return l.limit }

// Used returns the bytes currently admitted.
func (l *Ledger) Used() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// Acquire waits until need bytes fit in the limit and no earlier caller is
// still waiting, then counts them as used. It returns ErrTooLarge at once
// when need exceeds the whole limit, and ctx.Err() when ctx ends first.
// waiting, when not nil, is called once if the caller has to wait.
func (l *Ledger) Acquire(ctx context.Context, need int64, waiting func()) error {
	if need > l.limit {
		return ErrTooLarge
	}
	w := &waiter{need: need}
	l.mu.Lock()
	l.queue = append(l.queue, w)
	told := false
	for {
		if l.queue[0] == w && l.used+need <= l.limit {
			l.queue = l.queue[1:]
			l.used += need
			l.broadcast() // the next in line may fit too
			l.mu.Unlock()
			return nil
		}
		ch := l.changed
		l.mu.Unlock()
		if !told && waiting != nil {
			told = true
			waiting()
		}
		select {
		case <-ch:
		case <-ctx.Done():
			l.mu.Lock()
			for i, x := range l.queue {
				if x == w {
					l.queue = append(l.queue[:i], l.queue[i+1:]...)
					break
				}
			}
			l.broadcast()
			l.mu.Unlock()
			return ctx.Err()
		}
		l.mu.Lock()
	}
}

// Release returns n bytes admitted by Acquire.
func (l *Ledger) Release(n int64) {
	l.mu.Lock()
	l.used -= n
	l.broadcast()
	l.mu.Unlock()
}

// broadcast wakes every waiter; l.mu is held.
func (l *Ledger) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}
