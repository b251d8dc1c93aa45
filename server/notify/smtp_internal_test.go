package notify

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// remote builds a Notifier whose SMTP URL names a remote host but whose
// connections go to the sink, so the loopback exception does not apply.
func remote(t *testing.T, sink *notifytest.SMTP, url string) *Notifier {
	t.Helper()
	n, err := New(Config{SMTPURL: url, PublicHost: "auth.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	n.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, sink.Addr())
	}
	return n
}

func TestAuthRefusedOverPlainToRemoteHost(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n := remote(t, sink, "smtp://mailer:s3cret@mail.example.com:587")
	err := n.SendMail(t.Context(), Message{To: "ana@example.com", Subject: "hi", Text: "hello"})
	if !errors.Is(err, ErrInsecureAuth) || !errors.Is(err, ErrDelivery) {
		t.Fatalf("err = %v, want ErrInsecureAuth and ErrDelivery", err)
	}
	if got := len(sink.Messages()); got != 0 {
		t.Errorf("sink received %d messages", got)
	}
}

// Without credentials there is nothing to protect: a relay that offers no
// STARTTLS still gets the mail.
func TestPlainRelayWithoutAuthToRemoteHost(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n := remote(t, sink, "smtp://mail.example.com:25")
	if err := n.SendMail(t.Context(), Message{To: "ana@example.com", Subject: "hi", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.Messages()); got != 1 {
		t.Errorf("sink received %d messages, want 1", got)
	}
}

// The second guard: plainAuth itself will not hand the password to an
// unencrypted remote server.
func TestPlainAuthStart(t *testing.T) {
	a := plainAuth{user: "u", pass: "p", host: "mail.example.com"}
	if _, _, err := a.Start(&smtp.ServerInfo{Name: "mail.example.com"}); !errors.Is(err, ErrInsecureAuth) {
		t.Errorf("plain remote: err = %v", err)
	}
	if _, resp, err := a.Start(&smtp.ServerInfo{Name: "mail.example.com", TLS: true}); err != nil || string(resp) != "\x00u\x00p" {
		t.Errorf("TLS remote: %q, %v", resp, err)
	}
	a.host = "127.0.0.1"
	if _, _, err := a.Start(&smtp.ServerInfo{Name: "127.0.0.1"}); err != nil {
		t.Errorf("plain loopback: %v", err)
	}
}
