package directory

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// codeUser makes an unconfirmed user with an email.
func codeUser(t *testing.T, td *testDir, pool *storage.Pool) *storage.User {
	t.Helper()
	u, err := td.CreateUser(context.Background(), pool, NewUser{Username: "cody", Password: "Correct-Horse-9!",
		Status: storage.StatusUnconfirmed, Attributes: map[string]string{"email": "cody@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// issue makes and stores a code.
func issue(t *testing.T, td *testDir, pool *storage.Pool, u *storage.User, purpose string) string {
	t.Helper()
	code, err := td.NewCode(u, purpose, "email")
	if err != nil {
		t.Fatal(err)
	}
	if err := td.SaveUser(context.Background(), pool, u); err != nil {
		t.Fatal(err)
	}
	return code
}

func confirm(_ context.Context, u *storage.User) error {
	u.Status = storage.StatusConfirmed
	return nil
}

func TestCodeIsHashedAndSingleUse(t *testing.T) {
	td := newTestDir(t)
	pool := td.pool(t, nil)
	u := codeUser(t, td, pool)
	ctx := context.Background()
	code := issue(t, td, pool, u, CodeSignUp)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q is not six digits", code)
	}
	stored, _ := td.GetUserBySub(ctx, pool.ID, u.Sub)
	pc, ok := PendingCode(stored, CodeSignUp)
	if !ok || strings.Contains(pc.Hash, code) || pc.Attribute != "email" {
		t.Fatalf("stored code %+v", pc)
	}
	if got := pc.ExpiresAt.Sub(pc.CreatedAt); got != 24*time.Hour {
		t.Fatalf("sign-up code lifetime %v", got)
	}
	got, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, " "+code+" ", func(ctx context.Context, u *storage.User) error { return confirm(ctx, u) })
	if err != nil || got.Status != storage.StatusConfirmed {
		t.Fatalf("consume: %v %v", got, err)
	}
	stored, _ = td.GetUserBySub(ctx, pool.ID, u.Sub)
	if _, ok := PendingCode(stored, CodeSignUp); ok || stored.Status != storage.StatusConfirmed {
		t.Fatalf("after use: %+v %s", stored.Codes, stored.Status)
	}
	_, err = td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, code, confirm)
	if !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("second use: %v", err)
	}
}

func TestCodeErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		purpose string
		advance time.Duration
		guess   func(code string) string
		want    error
	}{
		{"wrong code", CodeSignUp, 0, func(string) string { return "000000x" }, ErrCodeMismatch},
		{"sign-up code valid 24h", CodeSignUp, 24*time.Hour - time.Second, func(c string) string { return c }, nil},
		{"sign-up code expires after 24h", CodeSignUp, 24 * time.Hour, func(c string) string { return c }, ErrCodeExpired},
		{"reset code valid 1h", CodeForgotPassword, time.Hour - time.Second, func(c string) string { return c }, nil},
		{"reset code expires after 1h", CodeForgotPassword, time.Hour, func(c string) string { return c }, ErrCodeExpired},
		{"another purpose's code", CodeForgotPassword, 0, nil, ErrCodeExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			td := newTestDir(t)
			pool := td.pool(t, nil)
			u := codeUser(t, td, pool)
			code := issue(t, td, pool, u, c.purpose)
			td.now = td.now.Add(c.advance)
			purpose, guess := c.purpose, code
			if c.guess == nil {
				purpose = CodeSignUp
			} else {
				guess = c.guess(code)
			}
			_, err := td.ConsumeCode(ctx, pool, u.Sub, purpose, guess, confirm)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		td := newTestDir(t)
		pool := td.pool(t, nil)
		_, err := td.ConsumeCode(ctx, pool, "no-such-sub", CodeSignUp, "123456", confirm)
		wantKind(t, err, KindUserNotFound)
	})
	t.Run("apply refusing leaves the code", func(t *testing.T) {
		td := newTestDir(t)
		pool := td.pool(t, nil)
		u := codeUser(t, td, pool)
		code := issue(t, td, pool, u, CodeForgotPassword)
		_, err := td.ConsumeCode(ctx, pool, u.Sub, CodeForgotPassword, code, func(_ context.Context, u *storage.User) error {
			return td.SetPassword(pool, u, "weak", true)
		})
		wantKind(t, err, KindInvalidPassword)
		if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeForgotPassword, code, confirm); err != nil {
			t.Fatalf("code gone after a refused apply: %v", err)
		}
	})
}

func TestCodeAttemptLimit(t *testing.T) {
	td := newTestDir(t)
	pool := td.pool(t, nil)
	u := codeUser(t, td, pool)
	ctx := context.Background()
	code := issue(t, td, pool, u, CodeSignUp)
	wrong := "999999"
	if code == wrong {
		wrong = "999998"
	}
	for i := 1; i < MaxCodeAttempts; i++ {
		if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, wrong, confirm); !errors.Is(err, ErrCodeMismatch) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, wrong, confirm); !errors.Is(err, ErrCodeAttempts) {
		t.Fatalf("last attempt: %v", err)
	}
	// Void: even the right code is refused now.
	if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, code, confirm); !errors.Is(err, ErrCodeAttempts) || KindOf(err) != KindLimitExceeded {
		t.Fatalf("right code after the limit: %v", err)
	}
	// A new code (after the cooldown) starts over.
	td.now = td.now.Add(CodeResendCooldown)
	stored, _ := td.GetUserBySub(ctx, pool.ID, u.Sub)
	code = issue(t, td, pool, stored, CodeSignUp)
	if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, code, confirm); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

// TestCodeAttemptsConcurrent: guesses made at once are all counted, so no
// more than MaxCodeAttempts wrong guesses are ever judged.
func TestCodeAttemptsConcurrent(t *testing.T) {
	td := newTestDir(t)
	pool := td.pool(t, nil)
	u := codeUser(t, td, pool)
	code := issue(t, td, pool, u, CodeSignUp)
	var wg sync.WaitGroup
	var mu sync.Mutex
	mismatches := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			guess := strings.Repeat(string(rune('0'+i%10)), 6)
			if guess == code {
				guess = "12345x"
			}
			_, err := td.ConsumeCode(context.Background(), pool, u.Sub, CodeSignUp, guess, confirm)
			if errors.Is(err, ErrCodeMismatch) {
				mu.Lock()
				mismatches++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if mismatches > MaxCodeAttempts-1 {
		t.Fatalf("%d guesses judged, want at most %d before the code is void", mismatches, MaxCodeAttempts-1)
	}
}

func TestCodeResendLimits(t *testing.T) {
	td := newTestDir(t)
	pool := td.pool(t, nil)
	u := codeUser(t, td, pool)
	first := issue(t, td, pool, u, CodeSignUp)
	// Within the cooldown: refused with the wait.
	td.now = td.now.Add(20 * time.Second)
	_, err := td.NewCode(u, CodeSignUp, "email")
	var le *CodeLimitError
	if !errors.As(err, &le) || le.Wait != 40*time.Second || !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("within cooldown: %v", err)
	}
	if w := td.CodeWait(u, CodeSignUp); w != 40*time.Second {
		t.Fatalf("CodeWait %v", w)
	}
	// Another purpose has its own cooldown.
	if _, err := td.NewCode(u, CodeForgotPassword, "email"); err != nil {
		t.Fatalf("other purpose: %v", err)
	}
	// After it, a new code replaces the old one.
	td.now = td.now.Add(40 * time.Second)
	second := issue(t, td, pool, u, CodeSignUp)
	ctx := context.Background()
	if first != second {
		if _, err := td.ConsumeCode(ctx, pool, u.Sub, CodeSignUp, first, confirm); !errors.Is(err, ErrCodeMismatch) {
			t.Fatalf("replaced code still works: %v", err)
		}
	}
	// At most MaxCodeSendsPerHour in an hour.
	stored, _ := td.GetUserBySub(ctx, pool.ID, u.Sub)
	for i := 3; i <= MaxCodeSendsPerHour; i++ {
		td.now = td.now.Add(CodeResendCooldown)
		issue(t, td, pool, stored, CodeSignUp)
	}
	td.now = td.now.Add(CodeResendCooldown)
	if _, err := td.NewCode(stored, CodeSignUp, "email"); !errors.As(err, &le) {
		t.Fatalf("past the hourly sends: %v", err)
	}
	td.now = td.now.Add(time.Hour)
	if _, err := td.NewCode(stored, CodeSignUp, "email"); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

// TestPendingCode: an attribute verification code lives 24 hours, carries
// the value it verifies, and apply still sees it.
func TestPendingCode(t *testing.T) {
	td := newTestDir(t)
	pool := td.pool(t, nil)
	u := codeUser(t, td, pool)
	ctx := context.Background()
	if VerifyCodePurpose("email") != CodeVerifyEmail || VerifyCodePurpose("phone_number") != CodeVerifyPhone || VerifyCodePurpose("name") != "" {
		t.Fatal("VerifyCodePurpose")
	}
	code, err := td.NewPendingCode(u, CodeVerifyEmail, "email", "cody@new.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := td.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	// A code of another attribute is a purpose of its own.
	if _, err := td.NewCode(u, CodeVerifyPhone, "phone_number"); err != nil {
		t.Fatalf("phone code beside the email code: %v", err)
	}
	pc, ok := PendingCode(u, CodeVerifyEmail)
	if !ok || pc.Value != "cody@new.example" || pc.ExpiresAt.Sub(pc.CreatedAt) != VerifyCodeLifetime {
		t.Fatalf("pending code %+v", pc)
	}
	got, err := td.ConsumeCode(ctx, pool, u.Sub, CodeVerifyEmail, code, func(_ context.Context, u *storage.User) error {
		c, ok := PendingCode(u, CodeVerifyEmail)
		if !ok || c.Value != "cody@new.example" {
			t.Errorf("apply sees %+v, %v", c, ok)
		}
		u.Attributes["email"] = c.Value
		return nil
	})
	if err != nil || got.Attributes["email"] != "cody@new.example" {
		t.Fatalf("ConsumeCode: %v, %v", got, err)
	}
	if _, ok := PendingCode(got, CodeVerifyEmail); ok {
		t.Errorf("the code outlived its use")
	}
}
