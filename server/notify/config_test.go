package notify_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     notify.Config
		wantErr string // "" for none
	}{
		{name: "empty", cfg: notify.Config{}},
		{name: "smtp", cfg: notify.Config{SMTPURL: "smtp://mail.example.com:587"}},
		{name: "smtp default port", cfg: notify.Config{SMTPURL: "smtp://mail.example.com"}},
		{name: "smtp with credentials", cfg: notify.Config{SMTPURL: "smtp://u%40x:p%3Aw@mail.example.com:587/"}},
		{name: "smtps", cfg: notify.Config{SMTPURL: "smtps://u:p@[2001:db8::1]:465"}},
		{name: "http scheme", cfg: notify.Config{SMTPURL: "http://mail.example.com"}, wantErr: "scheme must be smtp or smtps"},
		{name: "no host", cfg: notify.Config{SMTPURL: "smtp://:25"}, wantErr: "must name a host"},
		{name: "opaque", cfg: notify.Config{SMTPURL: "smtp:mail.example.com"}, wantErr: "must name a host"},
		{name: "path", cfg: notify.Config{SMTPURL: "smtp://mail.example.com/x"}, wantErr: "no path"},
		{name: "query", cfg: notify.Config{SMTPURL: "smtp://mail.example.com?tls=no"}, wantErr: "no path"},
		{name: "port 0", cfg: notify.Config{SMTPURL: "smtp://mail.example.com:0"}, wantErr: "port"},
		{name: "port too big", cfg: notify.Config{SMTPURL: "smtp://mail.example.com:70000"}, wantErr: "port"},
		{name: "empty user", cfg: notify.Config{SMTPURL: "smtp://:pw@mail.example.com:25"}, wantErr: "user name is empty"},
		{name: "unparsable", cfg: notify.Config{SMTPURL: "smtp://u:secret@mail example.com:25"}, wantErr: "does not parse"},
		{name: "webhook https", cfg: notify.Config{SMSWebhookURL: "https://sms.example.com/send"}},
		{name: "webhook http loopback", cfg: notify.Config{SMSWebhookURL: "http://127.0.0.1:9000/sms"}},
		{name: "webhook http localhost", cfg: notify.Config{SMSWebhookURL: "http://localhost/sms"}},
		{name: "webhook http IPv6 loopback", cfg: notify.Config{SMSWebhookURL: "http://[::1]:9000/sms"}},
		{name: "webhook http remote", cfg: notify.Config{SMSWebhookURL: "http://sms.example.com/send"}, wantErr: "use https"},
		{name: "webhook ftp", cfg: notify.Config{SMSWebhookURL: "ftp://sms.example.com/"}, wantErr: "scheme must be https"},
		{name: "webhook relative", cfg: notify.Config{SMSWebhookURL: "/sms"}, wantErr: "absolute"},
		{name: "webhook fragment", cfg: notify.Config{SMSWebhookURL: "https://sms.example.com/#x"}, wantErr: "fragment"},
		{name: "mail from with name", cfg: notify.Config{MailFrom: "Gatehouse <auth@example.com>"}},
		{name: "mail from bad", cfg: notify.Config{MailFrom: "not an address"}, wantErr: "mail from"},
		{name: "mail from injection", cfg: notify.Config{MailFrom: "a@example.com\r\nBcc: eve@example.com"}, wantErr: "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.New(tt.cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "p%3Aw")) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestMailFrom(t *testing.T) {
	tests := []struct {
		name, publicHost, mailFrom, want string
	}{
		{"default from public host", "auth.example.com", "", "<no-reply@auth.example.com>"},
		{"public host with port", "auth.example.com:8443", "", "<no-reply@auth.example.com>"},
		{"no public host", "", "", "<no-reply@localhost>"},
		{"set", "auth.example.com", "Gatehouse <auth@example.org>", "\"Gatehouse\" <auth@example.org>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
			n, err := notify.New(notify.Config{SMTPURL: sink.URL(), PublicHost: tt.publicHost, MailFrom: tt.mailFrom})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.SendMail(t.Context(), codeMessage("ana@example.com")); err != nil {
				t.Fatal(err)
			}
			if got := waitMail(t, sink, "ana@example.com").Header.Get("From"); got != tt.want {
				t.Errorf("From: %q, want %q", got, tt.want)
			}
		})
	}
}
