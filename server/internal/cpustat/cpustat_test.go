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
