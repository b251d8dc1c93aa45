package notify_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func TestHeaderInjectionAndBadMessagesRefused(t *testing.T) {
	tests := []struct {
		name string
		msg  notify.Message
	}{
		{"CRLF in To", notify.Message{To: "ana@example.com\r\nBcc: eve@example.com", Subject: "s", Text: "t"}},
		{"LF in To", notify.Message{To: "ana@example.com\nBcc: eve@example.com", Subject: "s", Text: "t"}},
		{"CR in Subject", notify.Message{To: "ana@example.com", Subject: "hi\rBcc: eve@example.com", Text: "t"}},
		{"LF in Subject", notify.Message{To: "ana@example.com", Subject: "hi\n\n<html>spoof", Text: "t"}},
		{"CRLF in Subject", notify.Message{To: "ana@example.com", Subject: "hi\r\nBcc: eve@example.com", Text: "t"}},
		{"NUL in Subject", notify.Message{To: "ana@example.com", Subject: "hi\x00", Text: "t"}},
		{"two recipients", notify.Message{To: "ana@example.com, eve@example.com", Subject: "s", Text: "t"}},
		{"not an address", notify.Message{To: "ana", Subject: "s", Text: "t"}},
		{"empty To", notify.Message{Subject: "s", Text: "t"}},
		{"no body", notify.Message{To: "ana@example.com", Subject: "s"}},
		{"subject too long", notify.Message{To: "ana@example.com", Subject: strings.Repeat("x", 301), Text: "t"}},
	}
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n, _ := newNotifier(t, withSink(sink))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := n.SendMail(t.Context(), tt.msg)
			if !errors.Is(err, notify.ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrInvalidMessage", err)
			}
		})
	}
	if got := len(sink.Messages()); got != 0 {
		t.Errorf("sink received %d messages", got)
	}
}

// The wire form, read back with net/mail and mime/multipart only.
func TestMultipartMessageParses(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n, _ := newNotifier(t, withSink(sink))
	long := strings.Repeat("0123456789", 120) // one 1,200-character line
	text := "Grüße, Zoë ✓\n.a line that starts with a dot\nFrom the start of a line\n" + long + "\n"
	html := "<p>Grüße, <b>Zoë</b> ✓</p>\n<p>" + long + "</p>"
	subject := "Ihr Bestätigungscode — ✓"
	err := n.SendMail(t.Context(), notify.Message{To: "Zoë Ågren <zoe@example.com>", Subject: subject, Text: text, HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	raw := waitMail(t, sink, "zoe@example.com").Raw

	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d is %d characters: %q", i+1, len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF", i+1)
		}
		for _, r := range line {
			if r > 127 {
				t.Errorf("line %d is not ASCII: %q", i+1, line)
				break
			}
		}
	}

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if d, err := h.Date(); err != nil || !d.Equal(testNow) {
		t.Errorf("Date = %v, %v; want %v", d, err, testNow)
	}
	if id := h.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@auth\.example\.com>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if h.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", h.Get("MIME-Version"))
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Address != "no-reply@auth.example.com" {
		t.Errorf("From = %q, %v", h.Get("From"), err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Zoë Ågren" || to[0].Address != "zoe@example.com" {
		t.Errorf("To = %q → %v, %v", h.Get("To"), to, err)
	}
	if !strings.Contains(h.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("Subject not Q-encoded: %q", h.Get("Subject"))
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || got != subject {
		t.Errorf("Subject decodes to %q, %v", got, err)
	}

	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	want := []struct{ typ, body string }{{"text/plain", text}, {"text/html", html}}
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("%d parts, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(want) {
			t.Fatalf("extra part %q", p.Header.Get("Content-Type"))
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pt != want[i].typ || pp["charset"] != "utf-8" {
			t.Errorf("part %d Content-Type = %q", i, p.Header.Get("Content-Type"))
		}
		body, err := io.ReadAll(p) // NextPart undoes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want[i].body {
			t.Errorf("part %d body = %q, want %q", i, got, want[i].body)
		}
	}
}

func TestSinglePartMessages(t *testing.T) {
	tests := []struct {
		name, text, html, wantType string
	}{
		{"text only", "Your verification code is 123456. ", "", "text/plain"},
		{"HTML only", "", "<p>Your verification code is <strong>123456</strong>.</p>", "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
			n, _ := newNotifier(t, withSink(sink))
			if err := n.SendMail(t.Context(), notify.Message{To: "ana@example.com", Subject: "Code", Text: tt.text, HTML: tt.html}); err != nil {
				t.Fatal(err)
			}
			m := waitMail(t, sink, "ana@example.com")
			if mt, _, _ := mime.ParseMediaType(m.Header.Get("Content-Type")); mt != tt.wantType {
				t.Errorf("Content-Type = %q, want %s", m.Header.Get("Content-Type"), tt.wantType)
			}
			if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
				t.Errorf("Content-Transfer-Encoding = %q", m.Header.Get("Content-Transfer-Encoding"))
			}
			if m.Text != tt.text || m.HTML != tt.html {
				t.Errorf("read back text %q html %q", m.Text, m.HTML)
			}
			if notifytest.Code(m) != "123456" {
				t.Errorf("Code = %q", notifytest.Code(m))
			}
		})
	}
}

// An ASCII subject travels as it is; Message-IDs differ between messages.
func TestASCIISubjectAndUniqueMessageIDs(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n, _ := newNotifier(t, withSink(sink))
	for range 2 {
		if err := n.SendMail(t.Context(), notify.Message{To: "ana@example.com", Subject: "Your code: 1 of 2?", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	if got := msgs[0].Header.Get("Subject"); got != "Your code: 1 of 2?" {
		t.Errorf("Subject header = %q", got)
	}
	if msgs[0].Header.Get("Message-ID") == msgs[1].Header.Get("Message-ID") {
		t.Error("two messages share a Message-ID")
	}
	// Date is RFC 5322 §3.3 with a numeric zone.
	sc := bufio.NewScanner(bytes.NewReader(msgs[0].Raw))
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "Date: "); ok {
			if d != testNow.Format(time.RFC1123Z) {
				t.Errorf("Date: %q", d)
			}
			break
		}
	}
}
