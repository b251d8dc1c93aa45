package directory

import (
	"testing"
	"time"
)

// TestAdmitPasswordCheck: sign-ins are admitted while the expected wait for
// a hash slot stays within MaxHashWait, refused with TooManyRequests past
// it, and admitted again as earlier ones finish.
func TestAdmitPasswordCheck(t *testing.T) {
	saved := hashQueue.avgNanos.Load()
	t.Cleanup(func() { hashQueue.avgNanos.Store(saved) })
	hashQueue.avgNanos.Store(int64(time.Second))
	slots := cap(hashSlots)
	// ahead/slots full rounds of one second each may wait: up to 10 s.
	admit := slots * int(MaxHashWait/time.Second+1)
	var releases []func()
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	for i := range admit {
		r, err := AdmitPasswordCheck()
		if err != nil {
			t.Fatalf("sign-in %d of %d refused: %v", i+1, admit, err)
		}
		releases = append(releases, r)
	}
	if _, err := AdmitPasswordCheck(); KindOf(err) != KindTooManyRequests {
		t.Fatalf("sign-in past the bound: %v, want TooManyRequests", err)
	}
	releases[0]()
	releases = releases[1:]
	r, err := AdmitPasswordCheck()
	if err != nil {
		t.Fatalf("after one finished: %v", err)
	}
	releases = append(releases, r)

	// A real hash brings the average back to its own time.
	hashQueue.avgNanos.Store(0)
	start := time.Now()
	HashPassword("x", DefaultArgon2)
	if avg := time.Duration(hashQueue.avgNanos.Load()); avg <= 0 || avg > time.Since(start) {
		t.Errorf("average %v after one hash of %v", avg, time.Since(start))
	}
}
