//go:build js && wasm

package main

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"syscall/js"
	"unsafe"
)

// Conversions between JavaScript values and Go values. Bulk data crosses
// the boundary once, as typed arrays copied with js.CopyBytesToGo and
// js.CopyBytesToJS, never element by element.

var (
	jsUint8Array   = js.Global().Get("Uint8Array")
	jsFloat32Array = js.Global().Get("Float32Array")
	jsInt32Array   = js.Global().Get("Int32Array")
	jsArray        = js.Global().Get("Array")
	jsObject       = js.Global().Get("Object")
	jsError        = js.Global().Get("Error")
	jsPromise      = js.Global().Get("Promise")
)

// errArg is returned when the JavaScript library passes a value of the wrong
// type; the library validates user input before it gets here.
func errArg(what string) error { return errors.New("kate: bad argument: " + what) }

// bytesFromJS copies a Uint8Array into a new Go byte slice.
func bytesFromJS(v js.Value) ([]byte, error) {
	if !v.InstanceOf(jsUint8Array) {
		return nil, errArg("expected a Uint8Array")
	}
	b := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) js.Value {
	u := jsUint8Array.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// float32sToJS copies f into a new Float32Array.
func float32sToJS(f []float32) js.Value {
	a := jsFloat32Array.New(len(f))
	if len(f) > 0 {
		u := jsUint8Array.New(a.Get("buffer"))
		js.CopyBytesToJS(u, unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)))
	}
	return a
}

// intsToJS copies s into a new Int32Array.
func intsToJS(s []int) js.Value {
	a := jsInt32Array.New(len(s))
	if len(s) > 0 {
		b := make([]byte, 4*len(s))
		for i, x := range s {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(int32(x)))
		}
		js.CopyBytesToJS(jsUint8Array.New(a.Get("buffer")), b)
	}
	return a
}

// float32sFromJS copies a Float32Array into a new Go slice.
func float32sFromJS(v js.Value) ([]float32, error) {
	if !v.InstanceOf(jsFloat32Array) {
		return nil, errArg("expected a Float32Array")
	}
	n := v.Get("length").Int()
	f := make([]float32, n)
	if n > 0 {
		u := jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), 4*n)
		js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*n), u)
	}
	for _, x := range f {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, errors.New("kate: the embeddings contain a value that is not a finite number")
		}
	}
	return f, nil
}

// textsFromJS decodes texts packed by the JavaScript library into one
// Uint8Array: a little-endian uint32 count n, n uint32 byte lengths, then
// the UTF-8 bytes of the texts one after the other. The strings share one
// Go allocation.
func textsFromJS(v js.Value) ([]string, error) {
	b, err := bytesFromJS(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 {
		return nil, errArg("packed texts too short")
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n > (len(b)-4)/4 {
		return nil, errArg("packed texts: bad count")
	}
	pos := 4 + 4*n
	texts := make([]string, n)
	for i := range texts {
		l := int(binary.LittleEndian.Uint32(b[4+4*i:]))
		if l > len(b)-pos {
			return nil, errArg("packed texts: bad length")
		}
		if l > 0 {
			texts[i] = unsafe.String(&b[pos], l)
		}
		pos += l
	}
	if pos != len(b) {
		return nil, errArg("packed texts: trailing bytes")
	}
	return texts, nil
}

// num returns a JavaScript number for f, or null when f is NaN or infinite.
func num(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

// newObject returns a new plain JavaScript object with the given fields,
// in order: name, value, name, value, ...
func newObject(kv ...any) js.Value {
	o := jsObject.New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// jsErr turns a Go error into a JavaScript Error.
func jsErr(err error) js.Value { return jsError.New(err.Error()) }

// panicError turns a recovered panic value into an error.
func panicError(r any) error {
	switch v := r.(type) {
	case error:
		return errors.New("kate: internal error: " + v.Error())
	case string:
		return errors.New("kate: internal error: " + v)
	}
	return errors.New("kate: internal error")
}

// async returns a Promise settled by work, which runs in its own goroutine:
// resolved with its result, or rejected with an Error carrying its error
// (a panic becomes a rejection too, so the library stays usable).
func async(work func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(this js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		executor.Release()
		go func() {
			var res any
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = panicError(r)
					}
				}()
				res, err = work()
			}()
			if err != nil {
				reject.Invoke(jsErr(err))
				return
			}
			resolve.Invoke(res)
		}()
		return nil
	})
	return jsPromise.New(executor)
}

// argInt returns args[i] as an int, or an error when it is not a finite
// integer number.
func argInt(args []js.Value, i int, what string) (int, error) {
	if i >= len(args) || args[i].Type() != js.TypeNumber {
		return 0, errArg(what + " must be a number")
	}
	f := args[i].Float()
	if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, errArg(what + " must be an integer")
	}
	return int(f), nil
}

func itoa(i int) string { return strconv.Itoa(i) }
