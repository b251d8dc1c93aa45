package notify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestOutboxOnlyInDev(t *testing.T) {
	n, _ := newNotifier(t, nil)
	if n.Outbox() != nil {
		t.Error("Outbox() is not nil outside dev")
	}
	if err := n.SendMail(t.Context(), codeMessage("ana@example.com")); err != nil {
		t.Errorf("SendMail to the log: %v", err)
	}
}

// With an SMTP URL mail goes there even in dev; SMS without a webhook still
// lands in the outbox.
func TestOutboxTakesOnlyWhatIsNotDelivered(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n, _ := newNotifier(t, func(c *notify.Config) { withSink(sink)(c); c.Dev = true })
	if err := n.SendMail(t.Context(), codeMessage("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: "code 123456"}); err != nil {
		t.Fatal(err)
	}
	got := n.Outbox().Messages()
	if len(got) != 1 || got[0].Kind != notify.KindSMS || got[0].To != "+15555550008" || got[0].Text != "code 123456" {
		t.Errorf("outbox = %+v", got)
	}
	if len(sink.Messages()) != 1 {
		t.Errorf("sink has %d messages", len(sink.Messages()))
	}
}

func TestOutboxHTMLEscapesEverything(t *testing.T) {
	n, _ := newNotifier(t, func(c *notify.Config) { c.Dev = true })
	evil := `<script>alert("x")</script>`
	msg := notify.Message{
		To:      `"<img src=x onerror=alert(1)>"@example.com`,
		Subject: "Hi " + evil,
		Text:    "Code " + testCode + " " + evil,
		HTML:    `<p onclick="steal()">` + evil + `</p>`,
	}
	if err := n.SendMail(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: evil}); err != nil {
		t.Fatal(err)
	}
	rec := get(t, n.Outbox(), "/_dev/mail")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, bad := range []string{"<script", "<img", "<p onclick", "onclick=\"steal"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", testCode, "15555550008", `data-testid="message"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Newest first: the SMS, sent second, comes before the mail.
	if strings.Index(body, `data-kind="sms"`) > strings.Index(body, `data-kind="email"`) {
		t.Error("not newest first")
	}
	h := rec.Header()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", h)
	}
}

func TestOutboxJSON(t *testing.T) {
	n, _ := newNotifier(t, func(c *notify.Config) { c.Dev = true })
	inv := notify.Invitation.Mail("ana@example.com", map[string]string{notify.VarUsername: "ana", notify.VarCode: testPassword})
	if err := n.SendMail(t.Context(), inv); err != nil {
		t.Fatal(err)
	}
	if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: "Your verification code is " + testCode + ". "}); err != nil {
		t.Fatal(err)
	}
	rec := get(t, n.Outbox(), "/_dev/mail?format=json")
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got struct {
		Messages []notify.Entry `json:"messages"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(got.Messages) != 2 {
		t.Fatalf("%d messages", len(got.Messages))
	}
	sms, mail := got.Messages[0], got.Messages[1]
	if sms.ID != 2 || sms.Kind != "sms" || sms.To != "+15555550008" || !strings.Contains(sms.Text, testCode) {
		t.Errorf("sms = %+v", sms)
	}
	if mail.ID != 1 || mail.Kind != "email" || mail.To != "ana@example.com" || mail.Subject != "Your temporary password" ||
		mail.Text != "Your username is ana and temporary password is "+testPassword+". " || !strings.Contains(mail.HTML, "<strong>"+testPassword+"</strong>") ||
		!mail.Time.Equal(testNow) {
		t.Errorf("mail = %+v", mail)
	}
}

func TestOutboxIsBounded(t *testing.T) {
	n, _ := newNotifier(t, func(c *notify.Config) { c.Dev = true })
	total := notify.OutboxSize + 5
	for i := 1; i <= total; i++ {
		if err := n.SendSMS(t.Context(), notify.SMS{PhoneNumber: "+15555550008", Text: fmt.Sprint("message ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got := n.Outbox().Messages()
	if len(got) != notify.OutboxSize {
		t.Fatalf("%d kept, want %d", len(got), notify.OutboxSize)
	}
	if got[0].ID != total || got[0].Text != fmt.Sprint("message ", total) {
		t.Errorf("newest = %+v", got[0])
	}
	if last := got[len(got)-1]; last.ID != total-notify.OutboxSize+1 {
		t.Errorf("oldest kept = %+v", last)
	}
}

func TestOutboxMethods(t *testing.T) {
	n, _ := newNotifier(t, func(c *notify.Config) { c.Dev = true })
	rec := httptest.NewRecorder()
	n.Outbox().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_dev/mail", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if rec := get(t, n.Outbox(), "/_dev/mail"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "No messages yet") {
		t.Errorf("empty page: %d %s", rec.Code, rec.Body)
	}
}
