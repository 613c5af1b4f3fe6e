//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/kate-web/kate/kate"
)

// Data-parallel training in the browser (docs/design.md §2.2): the
// library runs one engine per Web Worker, each training a replica, and
// passes train a JavaScript exchange object that reaches the others
// through MessagePorts (js/src/replica.js).

// replicaFromJS reads train's replica argument: undefined or null for a run
// alone, else { index, count, dismiss, buffer(n) Uint8Array,
// exchange(Uint8Array) Promise<Uint8Array[]> }: exchange posts this
// replica's message (written into an array from buffer) to every other one
// and resolves with the others' messages of the same round (indexed by
// replica); dismiss is kate.Replica.Dismiss.
func replicaFromJS(v js.Value) (*kate.Replica, error) {
	if v.IsUndefined() || v.IsNull() {
		return nil, nil
	}
	if v.Type() != js.TypeObject || v.Get("index").Type() != js.TypeNumber || v.Get("count").Type() != js.TypeNumber ||
		v.Get("exchange").Type() != js.TypeFunction || v.Get("buffer").Type() != js.TypeFunction {
		return nil, errArg("replica { index, count, buffer, exchange }")
	}
	x := &jsExchange{fn: v.Get("exchange"), buf: v.Get("buffer"), index: v.Get("index").Int()}
	r := &kate.Replica{Index: x.index, Count: v.Get("count").Int(), Exchange: x.exchange}
	if d := v.Get("dismiss"); d.Type() == js.TypeNumber {
		r.Dismiss = d.Float()
	}
	if r.Count >= 1 && r.Count <= kate.MaxReplicas {
		x.bufs = make([][]byte, r.Count)
	}
	return r, nil
}

// jsExchange is kate.Replica.Exchange over the library's exchange function.
type jsExchange struct {
	fn, buf js.Value
	index   int
	// bufs[j] holds replica j's last message (reused from round to round).
	bufs [][]byte
}

var errRound = errors.New("kate: the training workers' exchange returned a malformed round")

func (x *jsExchange) exchange(ctx context.Context, msg []byte) ([][]byte, error) {
	b := x.buf.Invoke(len(msg))
	js.CopyBytesToJS(b, msg)
	got, err := await(ctx, x.fn.Invoke(b))
	if err != nil {
		return nil, err
	}
	if got.Type() != js.TypeObject || got.Length() != len(x.bufs) {
		return nil, errRound
	}
	out := make([][]byte, len(x.bufs))
	for j := range out {
		if j == x.index {
			continue
		}
		u := got.Index(j)
		if !u.InstanceOf(jsUint8Array) {
			return nil, errRound
		}
		n := u.Get("byteLength").Int()
		if cap(x.bufs[j]) < n {
			x.bufs[j] = make([]byte, n)
		}
		out[j] = x.bufs[j][:n]
		js.CopyBytesToGo(out[j], u)
	}
	return out, nil
}

// await waits for the promise p: its value, or its rejection's message as
// an error, or ctx's error when ctx ends first (the promise's handlers are
// then left in place: they may still be called).
func await(ctx context.Context, p js.Value) (js.Value, error) {
	ch := make(chan []js.Value, 1)
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- args
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- nil
		return nil
	})
	p.Call("then", ok, fail)
	select {
	case args := <-ch:
		ok.Release()
		fail.Release()
		if len(args) == 0 {
			return js.Undefined(), errors.New("kate: the training workers' exchange failed")
		}
		return args[0], nil
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}
