package notify_test

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func TestSendMailTransports(t *testing.T) {
	tests := []struct {
		name    string
		sink    notifytest.SMTPConfig
		wantTLS bool
	}{
		{name: "plain", sink: notifytest.SMTPConfig{}},
		{name: "STARTTLS", sink: notifytest.SMTPConfig{STARTTLS: true}, wantTLS: true},
		{name: "smtps", sink: notifytest.SMTPConfig{ImplicitTLS: true}, wantTLS: true},
		{name: "AUTH on loopback without TLS", sink: notifytest.SMTPConfig{Username: "mailer", Password: "s3cret:/@pw"}},
		{name: "AUTH after STARTTLS", sink: notifytest.SMTPConfig{STARTTLS: true, Username: "mailer", Password: "s3cret"}, wantTLS: true},
		{name: "AUTH over smtps", sink: notifytest.SMTPConfig{ImplicitTLS: true, Username: "mailer", Password: "s3cret"}, wantTLS: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := notifytest.NewSMTP(t, tt.sink)
			n, _ := newNotifier(t, withSink(sink))
			if err := n.SendMail(t.Context(), codeMessage("ana@example.com")); err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			m := waitMail(t, sink, "ana@example.com")
			if m.TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", m.TLS, tt.wantTLS)
			}
			if m.Auth != tt.sink.Username {
				t.Errorf("authenticated as %q, want %q", m.Auth, tt.sink.Username)
			}
			if m.From != "no-reply@auth.example.com" {
				t.Errorf("MAIL FROM %q", m.From)
			}
			if got := notifytest.Code(m); got != testCode {
				t.Errorf("Code = %q, want %q", got, testCode)
			}
			if m.Subject != "Your verification code" {
				t.Errorf("Subject = %q", m.Subject)
			}
		})
	}
}

func TestSendMailFailures(t *testing.T) {
	closedAddr := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	tests := []struct {
		name     string
		setup    func(t *testing.T) (url string, sink *notifytest.SMTP, trust bool)
		wantCode int // the SMTP reply code reachable with errors.As, 0 for none
	}{
		{
			name: "recipient rejected",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{RejectRcpt: func(a string) bool { return strings.HasPrefix(a, "ana@") }})
				return s.URL(), s, false
			},
			wantCode: 550,
		},
		{
			name: "wrong password",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{Username: "mailer", Password: "right"})
				return "smtp://mailer:wrong@" + s.Addr(), s, false
			},
			wantCode: 535,
		},
		{
			name: "server wants AUTH, URL has none",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{Username: "mailer", Password: "right"})
				return "smtp://" + s.Addr(), s, false
			},
			wantCode: 530,
		},
		{
			name: "STARTTLS certificate not trusted",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{STARTTLS: true})
				return s.URL(), s, false
			},
		},
		{
			name: "smtps certificate not trusted",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{ImplicitTLS: true})
				return s.URL(), s, false
			},
		},
		{
			name: "smtps to a plain server",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				s := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
				return "smtps://" + s.Addr(), s, false
			},
		},
		{
			name: "nothing listening",
			setup: func(t *testing.T) (string, *notifytest.SMTP, bool) {
				return "smtp://" + closedAddr(t), nil, false
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, sink, _ := tt.setup(t)
			n, _ := newNotifier(t, func(c *notify.Config) { c.SMTPURL = url })
			err := n.SendMail(t.Context(), codeMessage("ana@example.com"))
			if !errors.Is(err, notify.ErrDelivery) {
				t.Fatalf("err = %v, want ErrDelivery", err)
			}
			if errors.Is(err, notify.ErrInvalidMessage) {
				t.Errorf("err = %v is also ErrInvalidMessage", err)
			}
			var te *textproto.Error
			switch {
			case tt.wantCode != 0 && !errors.As(err, &te):
				t.Errorf("err = %v, want a *textproto.Error", err)
			case tt.wantCode != 0 && te.Code != tt.wantCode:
				t.Errorf("reply code %d, want %d", te.Code, tt.wantCode)
			}
			if strings.Contains(err.Error(), "right") || strings.Contains(err.Error(), "wrong") {
				t.Errorf("error shows the password: %v", err)
			}
			if sink != nil && len(sink.Messages()) != 0 {
				t.Errorf("sink received %d messages", len(sink.Messages()))
			}
		})
	}
}

// A server that accepts and never greets must not hold SendMail past its
// context.
func TestSendMailHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	n, _ := newNotifier(t, func(c *notify.Config) { c.SMTPURL = "smtp://" + ln.Addr().String() })
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = n.SendMail(ctx, codeMessage("ana@example.com"))
	if !errors.Is(err, notify.ErrDelivery) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrDelivery and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("SendMail took %v", d)
	}
}
