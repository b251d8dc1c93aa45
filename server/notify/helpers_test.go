package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// testNow is the clock of every test Notifier.
var testNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// Secrets the tests send and then look for where they must not be.
const (
	testCode     = "493817"
	testPassword = "Tmp-Pa55word!x"
)

// logBuffer is a goroutine-safe slog sink whose whole output tests search.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newNotifier builds a Notifier with a fixed clock and a debug-level logger
// into the returned buffer; edit adjusts the Config first.
func newNotifier(t *testing.T, edit func(*notify.Config)) (*notify.Notifier, *logBuffer) {
	t.Helper()
	logs := new(logBuffer)
	cfg := notify.Config{
		PublicHost: "auth.example.com",
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return testNow },
	}
	if edit != nil {
		edit(&cfg)
	}
	n, err := notify.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n, logs
}

// withSink points the Notifier at an SMTP sink and trusts its certificate.
func withSink(s *notifytest.SMTP) func(*notify.Config) {
	return func(c *notify.Config) {
		c.SMTPURL = s.URL()
		c.RootCAs = s.RootCAs()
	}
}

// codeMessage is a mail with both parts, carrying testCode.
func codeMessage(to string) notify.Message {
	return notify.VerificationCode.Mail(to, map[string]string{notify.VarCode: testCode})
}

func waitMail(t *testing.T, s *notifytest.SMTP, to string) notifytest.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := s.Wait(ctx, notifytest.To(to))
	if err != nil {
		t.Fatal(err)
	}
	if m.ParseErr != nil {
		t.Fatalf("sink could not parse the message: %v\n%s", m.ParseErr, m.Raw)
	}
	return m
}
