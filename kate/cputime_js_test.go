//go:build js

package kate

import "syscall/js"

// processCPU returns the CPU time (user and system) of the Node process
// that runs the test binary, in seconds (process.cpuUsage), or 0 outside
// Node.
func processCPU() float64 {
	p := js.Global().Get("process")
	if p.Type() != js.TypeObject || p.Get("cpuUsage").Type() != js.TypeFunction {
		return 0
	}
	u := p.Call("cpuUsage")
	return (u.Get("user").Float() + u.Get("system").Float()) / 1e6
}
