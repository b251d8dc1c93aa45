package directory

import (
	"context"
	"testing"
	"time"
)

// TestAdmitPasswordCheck: sign-ins are admitted up to two per hash slot;
// past that one waits, in order, and is admitted when another finishes, or
// refused with TooManyRequests after MaxHashWait or when its request ends.
func TestAdmitPasswordCheck(t *testing.T) {
	saved := MaxHashWait
	t.Cleanup(func() { MaxHashWait = saved })
	MaxHashWait = 100 * time.Millisecond
	ctx := context.Background()
	var releases []func()
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	for i := range cap(signInTickets) {
		r, err := AdmitPasswordCheck(ctx)
		if err != nil {
			t.Fatalf("sign-in %d of %d refused: %v", i+1, cap(signInTickets), err)
		}
		releases = append(releases, r)
	}
	start := time.Now()
	if _, err := AdmitPasswordCheck(ctx); KindOf(err) != KindTooManyRequests {
		t.Fatalf("sign-in past the bound: %v, want TooManyRequests", err)
	}
	if waited := time.Since(start); waited < MaxHashWait {
		t.Errorf("refused after %v, before MaxHashWait", waited)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := AdmitPasswordCheck(gone); KindOf(err) != KindTooManyRequests {
		t.Fatalf("sign-in of an ended request: %v, want TooManyRequests", err)
	}

	// One waiting is admitted as soon as another finishes.
	MaxHashWait = 10 * time.Second
	admitted := make(chan error, 1)
	go func() {
		r, err := AdmitPasswordCheck(ctx)
		if err == nil {
			defer r()
		}
		admitted <- err
	}()
	time.Sleep(20 * time.Millisecond)
	releases[0]()
	releases = releases[1:]
	select {
	case err := <-admitted:
		if err != nil {
			t.Fatalf("waiting sign-in: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiting sign-in not admitted after a release")
	}
}
