package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func TestSendSMSWebhook(t *testing.T) {
	sink := notifytest.NewSMS(t)
	n, _ := newNotifier(t, func(c *notify.Config) { c.SMSWebhookURL = sink.URL() })
	text := notify.Render(notify.SMSVerification, map[string]string{notify.VarCode: testCode})
	if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: text}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := sink.Wait(ctx, notifytest.ToPhone("+15555550008"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Message != "Your verification code is 493817. " {
		t.Errorf("message = %q", m.Message)
	}
	if notifytest.Code(m) != testCode {
		t.Errorf("Code = %q", notifytest.Code(m))
	}
}

// The exact request: method, content type and a body of exactly two fields.
func TestSendSMSRequestShape(t *testing.T) {
	type seen struct {
		method, contentType string
		body                map[string]any
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		got <- seen{r.Method, r.Header.Get("Content-Type"), body}
	}))
	t.Cleanup(srv.Close)
	n, _ := newNotifier(t, func(c *notify.Config) { c.SMSWebhookURL = srv.URL + "/hook?token=abc" })
	if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+447700900123", Text: "Hi \"there\" ✓"}); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.method != http.MethodPost || s.contentType != "application/json" {
		t.Errorf("%s with Content-Type %q", s.method, s.contentType)
	}
	want := map[string]any{"phone_number": "+447700900123", "message": "Hi \"there\" ✓"}
	if len(s.body) != len(want) || s.body["phone_number"] != want["phone_number"] || s.body["message"] != want["message"] {
		t.Errorf("body = %v, want %v", s.body, want)
	}
}

func TestSendSMSFailures(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		sms     notify.SMS
		wantErr error
	}{
		{name: "500", status: 500, sms: notify.SMS{PhoneNumber: "+15555550008", Text: "x"}, wantErr: notify.ErrDelivery},
		{name: "400", status: 400, sms: notify.SMS{PhoneNumber: "+15555550008", Text: "x"}, wantErr: notify.ErrDelivery},
		{name: "redirect not followed", status: 307, sms: notify.SMS{PhoneNumber: "+15555550008", Text: "x"}, wantErr: notify.ErrDelivery},
		{name: "not E.164", status: 204, sms: notify.SMS{PhoneNumber: "5555550008", Text: "x"}, wantErr: notify.ErrInvalidMessage},
		{name: "letters", status: 204, sms: notify.SMS{PhoneNumber: "+1555CALLME", Text: "x"}, wantErr: notify.ErrInvalidMessage},
		{name: "too long", status: 204, sms: notify.SMS{PhoneNumber: "+1234567890123456", Text: "x"}, wantErr: notify.ErrInvalidMessage},
		{name: "empty text", status: 204, sms: notify.SMS{PhoneNumber: "+15555550008"}, wantErr: notify.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := notifytest.NewSMS(t)
			sink.SetStatus(tt.status)
			n, _ := newNotifier(t, func(c *notify.Config) { c.SMSWebhookURL = sink.URL() })
			err := n.SendSMS(t.Context(), tt.sms)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == notify.ErrInvalidMessage && len(sink.Messages()) != 0 {
				t.Error("an invalid SMS reached the webhook")
			}
		})
	}
}

func TestSendSMSWebhookTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	sms := notify.SMS{PhoneNumber: "+15555550008", Text: "x"}

	untrusting, _ := newNotifier(t, func(c *notify.Config) { c.SMSWebhookURL = srv.URL })
	if err := untrusting.SendSMS(t.Context(), sms); !errors.Is(err, notify.ErrDelivery) {
		t.Errorf("untrusted certificate: err = %v", err)
	}
	trusting, _ := newNotifier(t, func(c *notify.Config) {
		c.SMSWebhookURL = srv.URL
		c.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	})
	if err := trusting.SendSMS(t.Context(), sms); err != nil {
		t.Errorf("trusted certificate: %v", err)
	}
}

func TestSendSMSErrorHidesWebhookSecret(t *testing.T) {
	sink := notifytest.NewSMS(t)
	sink.SetStatus(502)
	u := strings.Replace(sink.URL(), "http://", "http://hook:topsecret@", 1)
	n, _ := newNotifier(t, func(c *notify.Config) { c.SMSWebhookURL = u })
	err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: "x"})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("err = %v", err)
	}
}
