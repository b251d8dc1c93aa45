package notifytest_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func TestCodeAndTempPassword(t *testing.T) {
	tests := []struct {
		name      string
		msg       notifytest.Msg
		code, tmp string
	}{
		{"text", notifytest.Msg{Text: "Your verification code is 493817. "}, "493817", ""},
		{"HTML only", notifytest.Msg{HTML: "<p>Your verification code is <strong>004817</strong>.</p>"}, "004817", ""},
		{"text before HTML", notifytest.Msg{Text: "code 111111", HTML: "<b>222222</b>"}, "111111", ""},
		{"longer numbers are not codes", notifytest.Msg{Text: "order 12345678, code 654321"}, "654321", ""},
		{"none", notifytest.Msg{Text: "Welcome"}, "", ""},
		{"invitation", notifytest.Msg{Text: "Your username is ana and temporary password is Tmp<P.w>1!. "}, "", "Tmp<P.w>1!"},
		{"invitation HTML", notifytest.Msg{HTML: "<p>Your username is <strong>ana</strong> and temporary password is <strong>a&amp;b 123456.</strong>.</p>"}, "123456", "a&b 123456."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notifytest.Code(tt.msg); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
			if got := notifytest.TempPassword(tt.msg); got != tt.tmp {
				t.Errorf("TempPassword = %q, want %q", got, tt.tmp)
			}
		})
	}
	if got := notifytest.Code(notifytest.SMS{Message: "Your authentication code is 987654. "}); got != "987654" {
		t.Errorf("Code(SMS) = %q", got)
	}
}

func send(t *testing.T, s *notifytest.SMTP, to, body string) {
	t.Helper()
	if err := smtp.SendMail(s.Addr(), nil, "from@example.com", []string{to}, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

func TestWait(t *testing.T) {
	s := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	send(t, s, "ana@example.com", "Subject: one\r\n\r\nfirst 111111\r\n")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := s.Wait(ctx, notifytest.To("ANA@example.com"))
	if err != nil || m.Seq != 1 || m.Subject != "one" || m.Text != "first 111111" {
		t.Fatalf("Wait = %+v, %v", m, err)
	}

	// A later message arrives while Wait blocks; matching on Seq skips the old.
	go func() {
		time.Sleep(50 * time.Millisecond)
		send(t, s, "ana@example.com", "Subject: two\r\n\r\nsecond 222222\r\n")
	}()
	m, err = s.Wait(ctx, func(m notifytest.Msg) bool { return m.Seq > 1 })
	if err != nil || notifytest.Code(m) != "222222" {
		t.Fatalf("Wait = %+v, %v", m, err)
	}
	// Newest first when several match.
	if m, _ := s.Wait(ctx, notifytest.To("ana@example.com")); m.Seq != 2 {
		t.Errorf("Wait returned Seq %d, want the newest", m.Seq)
	}

	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Wait(short, notifytest.To("nobody@example.com")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait for nothing: %v", err)
	}
}

// A raw session: the replies the server gives, and the bytes it keeps.
func TestSMTPSession(t *testing.T) {
	s := notifytest.NewSMTP(t, notifytest.SMTPConfig{STARTTLS: true, Username: "u", Password: "p", MaxSize: 100})
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := textproto.NewConn(conn)
	expect := func(code int) string {
		t.Helper()
		_, msg, err := c.ReadResponse(code)
		if err != nil {
			t.Fatalf("want %d: %v", code, err)
		}
		return msg
	}
	cmd := func(code int, line string) string {
		t.Helper()
		if err := c.PrintfLine("%s", line); err != nil {
			t.Fatal(err)
		}
		return expect(code)
	}
	plain := func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	}

	expect(220)
	cmd(503, "MAIL FROM:<a@example.com>")
	if ext := cmd(250, "EHLO client.example"); !strings.Contains(ext, "STARTTLS") || !strings.Contains(ext, "AUTH PLAIN") {
		t.Errorf("EHLO: %q", ext)
	}
	cmd(530, "MAIL FROM:<a@example.com>")
	cmd(502, "VRFY root")
	cmd(220, "STARTTLS")
	tc := tls.Client(conn, &tls.Config{RootCAs: s.RootCAs(), ServerName: "127.0.0.1"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c = textproto.NewConn(tc)
	cmd(503, "AUTH PLAIN "+plain("u", "p")) // EHLO again first (RFC 3207 §4.2)
	if ext := cmd(250, "EHLO client.example"); strings.Contains(ext, "STARTTLS") {
		t.Errorf("STARTTLS offered twice: %q", ext)
	}
	cmd(535, "AUTH PLAIN "+plain("u", "wrong"))
	cmd(504, "AUTH LOGIN")
	cmd(334, "AUTH PLAIN")
	cmd(235, plain("u", "p"))
	cmd(503, "RCPT TO:<b@example.com>")
	cmd(250, "MAIL FROM:<a@example.com> BODY=8BITMIME")
	cmd(250, "RCPT TO:<b@example.com>")
	cmd(354, "DATA")
	if err := c.PrintfLine("Subject: hi\r\n\r\n..dot\r\nend\r\n."); err != nil {
		t.Fatal(err)
	}
	expect(250)
	cmd(250, "MAIL FROM:<a@example.com>")
	cmd(250, "RCPT TO:<b@example.com>")
	cmd(354, "DATA")
	if err := c.PrintfLine("%s\r\n.", strings.Repeat("x", 200)); err != nil {
		t.Fatal(err)
	}
	expect(552)
	cmd(250, "NOOP")
	cmd(221, "QUIT")

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if string(m.Raw) != "Subject: hi\r\n\r\n.dot\r\nend\r\n" || m.Text != ".dot\nend" || !m.TLS || m.Auth != "u" ||
		m.From != "a@example.com" || len(m.To) != 1 || m.To[0] != "b@example.com" {
		t.Errorf("recorded %+v (raw %q)", m, m.Raw)
	}
}

func TestSMSSinkRefusesOtherShapes(t *testing.T) {
	s := notifytest.NewSMS(t)
	for _, tt := range []struct{ name, ctype, body string }{
		{"not JSON", "text/plain", `{"phone_number":"+1","message":"x"}`},
		{"unknown field", "application/json", `{"phone_number":"+1","message":"x","to":"y"}`},
		{"missing message", "application/json", `{"phone_number":"+1"}`},
	} {
		resp, err := http.Post(s.URL(), tt.ctype, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s: %d", tt.name, resp.StatusCode)
		}
	}
	if len(s.Messages()) != 0 {
		t.Errorf("recorded %v", s.Messages())
	}
}
