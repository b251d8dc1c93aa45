package cpustat

import (
	"crypto/sha256"
	"testing"
)

func TestCounter(t *testing.T) {
	var c Counter
	buf := make([]byte, 1<<20)
	for range 3 {
		c.Measure(func() {
			for range 20 {
				sha256.Sum256(buf)
			}
		})
	}
	c.AddTime(MeasureTime(func() {}))
	c.Count()
	n, cpu := c.Stats()
	if n != 4 || cpu <= 0 {
		t.Errorf("Stats = %d, %v; want 4 and some CPU time", n, cpu)
	}
}

// TestCounterSampled: a sampled counter counts every run and estimates
// their time from one in Every, starting with the first.
func TestCounterSampled(t *testing.T) {
	c := Counter{Every: 4}
	buf := make([]byte, 1<<20)
	work := func() {
		for range 5 {
			sha256.Sum256(buf)
		}
	}
	c.Measure(work)
	if n, cpu := c.Stats(); n != 1 || cpu <= 0 {
		t.Fatalf("after one run: %d, %v; want 1 and its time ×4", n, cpu)
	}
	_, first := c.Stats()
	for range 3 {
		c.Measure(work)
	}
	if n, cpu := c.Stats(); n != 4 || cpu != first {
		t.Fatalf("after four runs: %d, %v; want 4 and still %v (runs 2–4 not sampled)", n, cpu, first)
	}
	c.Measure(work)
	if n, cpu := c.Stats(); n != 5 || cpu <= first {
		t.Fatalf("after five runs: %d, %v; want 5 and more than %v", n, cpu, first)
	}
	var all Counter
	for range 64 {
		all.Measure(work)
	}
	c2 := Counter{Every: 4}
	for range 64 {
		c2.Measure(work)
	}
	_, a := all.Stats()
	_, s := c2.Stats()
	if r := float64(s) / float64(a); r < 0.5 || r > 2 {
		t.Errorf("sampled estimate %v against measured %v: ratio %.2f", s, a, r)
	}
}
