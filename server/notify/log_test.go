package notify_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// Whatever path a message takes, the log shows the masked recipient, the
// subject and the size, and never the code, the temporary password, the
// full address or phone number, or the SMTP password.
func TestLogsNeverHoldSecrets(t *testing.T) {
	const smtpPassword = "smtp-pw-9f8e7d"
	paths := []struct {
		name string
		edit func(t *testing.T, c *notify.Config)
	}{
		{"log only", func(*testing.T, *notify.Config) {}},
		{"dev outbox", func(_ *testing.T, c *notify.Config) { c.Dev = true }},
		{"SMTP and webhook", func(t *testing.T, c *notify.Config) {
			sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{STARTTLS: true, Username: "mailer", Password: smtpPassword})
			withSink(sink)(c)
			c.SMSWebhookURL = notifytest.NewSMS(t).URL()
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			n, logs := newNotifier(t, func(c *notify.Config) { p.edit(t, c) })
			ctx := t.Context()
			vars := map[string]string{notify.VarCode: testCode, notify.VarUsername: "ana"}
			if err := n.SendMail(ctx, notify.VerificationCode.Mail("alice@example.com", vars)); err != nil {
				t.Fatal(err)
			}
			inv := map[string]string{notify.VarCode: testPassword, notify.VarUsername: "ana"}
			if err := n.SendMail(ctx, notify.Invitation.Mail("alice@example.com", inv)); err != nil {
				t.Fatal(err)
			}
			if err := n.SendSMS(ctx, notify.SMS{PhoneNumber: "+15555550008", Text: notify.Render(notify.SMSInvitation, inv)}); err != nil {
				t.Fatal(err)
			}
			out := logs.String()
			for _, secret := range []string{testCode, testPassword, "alice@example.com", "15555550008", smtpPassword} {
				if strings.Contains(out, secret) {
					t.Errorf("log contains %q:\n%s", secret, out)
				}
			}
			for _, want := range []string{"a***@e***.com", "+*******0008", "subject=\"Your verification code\"", "subject=\"Your temporary password\"", "bytes="} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
