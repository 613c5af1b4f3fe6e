//go:build !(goexperiment.simd && amd64)

package kernels

// Native returns the native SIMD kernel set and true when this build has
// one (GOEXPERIMENT=simd on amd64) and the CPU has the instructions it
// needs (AVX2). This build has none: it returns an empty Set and false,
// and the pure-Go kernels run.
func Native() (Set, bool) { return Set{}, false }

// AVX2 returns the AVX2 kernel set and true when this build has native
// kernels and the CPU has AVX2. This build has none: it returns an empty
// Set and false.
func AVX2() (Set, bool) { return Set{}, false }
