//go:build wasm

package kernels

// nativeKernels: none under WebAssembly (kernels_native.go).
type nativeKernels struct{}

func goNative() nativeKernels { return nativeKernels{} }

func completeNative(*Set, Set) {}
