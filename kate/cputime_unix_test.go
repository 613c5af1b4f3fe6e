//go:build unix

package kate

import "syscall"

// processCPU returns the CPU time (user and system) the process has used,
// in seconds, or 0 when it cannot be read.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
