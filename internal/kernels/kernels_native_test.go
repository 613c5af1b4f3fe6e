//go:build !wasm

package kernels

import "testing"

// TestTransposeTo holds every kernel set's TransposeTo (pure Go, and the
// native one where the build has it) to its definition on blocks around
// multiples of 8 rows and columns, with leading dimensions above the
// block's size, and requires the elements of dst outside the block to
// stay as they were. Leading dimensions below the block's size, and slices
// too short for the block, panic.
func TestTransposeTo(t *testing.T) {
	sets := []Set{Go()}
	if s, ok := Native(); ok {
		sets = append(sets, s)
	}
	const sentinel = -7.5
	for _, s := range sets {
		for _, rows := range []int{0, 1, 7, 8, 9, 16, 17} {
			for _, cols := range []int{0, 1, 7, 8, 9, 24, 31} {
				for _, extra := range [][2]int{{0, 0}, {3, 5}, {8, 1}} {
					ldd, lds := rows+extra[0], cols+extra[1]
					src := make([]float32, max(0, rows*lds))
					for i := range src {
						src[i] = float32(i) + 0.25
					}
					dst := make([]float32, max(0, cols*ldd))
					for i := range dst {
						dst[i] = sentinel
					}
					s.TransposeTo(dst, ldd, src, rows, cols, lds)
					for c := range cols {
						for r := range ldd {
							want := float32(sentinel)
							if r < rows {
								want = src[r*lds+c]
							}
							if got := dst[c*ldd+r]; got != want {
								t.Fatalf("%s: rows %d cols %d ldd %d lds %d: dst[%d*%d+%d] = %v, want %v", s.Name, rows, cols, ldd, lds, c, ldd, r, got, want)
							}
						}
					}
				}
			}
		}
		for name, call := range map[string]func(){
			"ldd": func() { s.TransposeTo(make([]float32, 64), 7, make([]float32, 64), 8, 8, 8) },
			"lds": func() { s.TransposeTo(make([]float32, 64), 8, make([]float32, 64), 8, 8, 7) },
			"src": func() { s.TransposeTo(make([]float32, 16*7+8), 16, make([]float32, 63), 8, 8, 8) },
			"dst": func() { s.TransposeTo(make([]float32, 16*7+7), 16, make([]float32, 64), 8, 8, 8) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: TransposeTo with a short %s did not panic", s.Name, name)
					}
				}()
				call()
			}()
		}
	}
}
