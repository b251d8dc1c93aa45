// Package cpustat measures the CPU time of one kind of work as the server
// does it, under whatever load it is under: the RS256 signatures, password
// hashes and SRP exchanges are counted this way and exported in /metrics,
// so that a load test can set a request path's CPU against the CPU its
// essential work took in the same run, rather than against a benchmark
// taken at a quieter moment.
package cpustat

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Counter accumulates how often a piece of work ran and its CPU time.
type Counter struct {
	n, ns atomic.Int64

	// Every > 1 measures one run in Every (the first, then every Every-th)
	// and counts its time Every times. Reading a thread's CPU clock is a
	// system call of several µs on this VM, 1 % of an RS256 token; a
	// sample of one signature in sixteen estimates their CPU within a
	// fraction of a per cent over the thousands a load test makes.
	Every int64
}

// Measure runs f on a locked thread and adds its CPU time (the thread's
// user and system time, not the wall clock) to the counter. f must not
// hand its work to other goroutines.
func (c *Counter) Measure(f func()) {
	k := c.n.Add(1)
	if c.Every > 1 && (k-1)%c.Every != 0 {
		f()
		return
	}
	runtime.LockOSThread()
	t0 := threadCPU()
	f()
	d := threadCPU() - t0
	runtime.UnlockOSThread()
	c.ns.Add(int64(d) * max(c.Every, 1))
}

// Count adds one to the count without measuring (the second half of work
// measured in two parts).
func (c *Counter) Count() { c.n.Add(1) }

// AddTime adds CPU time measured by MeasureTime.
func (c *Counter) AddTime(d time.Duration) { c.ns.Add(int64(d)) }

// MeasureTime runs f on a locked thread and returns its CPU time, for
// work whose parts are counted once (see Count).
func MeasureTime(f func()) time.Duration {
	runtime.LockOSThread()
	t0 := threadCPU()
	f()
	d := threadCPU() - t0
	runtime.UnlockOSThread()
	return d
}

// Stats returns the count and the CPU time so far.
func (c *Counter) Stats() (n int64, cpu time.Duration) {
	return c.n.Load(), time.Duration(c.ns.Load())
}
