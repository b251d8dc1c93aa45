//go:build !linux

package cpustat

import "time"

var start = time.Now()

// threadCPU falls back to the wall clock where thread CPU time is not
// read (the figures are then upper bounds).
func threadCPU() time.Duration { return time.Since(start) }
