package browser

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestConfirmByLink: in a pool that confirms by link, the mail from the
// SMTP sink carries the link, and opening it in the browser confirms the
// account.
func TestConfirmByLink(t *testing.T) {
	e := newEnv(t, withPool(func(p *storage.Pool) {
		p.Messages = map[string]string{directory.MsgDefaultEmailOption: "CONFIRM_WITH_LINK"}
	}))
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	click(t, ctx, `[data-testid="signup-link"]`)
	fill(t, ctx, map[string]string{"username": "lena", "attr-email": "lena@example.com", "password": password}, "username", "attr-email", "password")
	submit(t, ctx)
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := e.smtp.Wait(wait, notifytest.To("lena@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<a href="([^"]+)">`).FindStringSubmatch(msg.HTML)
	if m == nil || msg.Subject != "Your verification link" {
		t.Fatalf("mail %q: %s", msg.Subject, msg.HTML)
	}
	open(t, ctx, html.UnescapeString(m[1]))
	if s := text(t, ctx, `[role="status"]`); !strings.Contains(s, "You can now sign in") {
		t.Fatalf("page says %q", s)
	}
	shot(t, ctx, "confirm-link-done")
	u, err := e.srv.Dir.FindUser(context.Background(), e.pool, "lena")
	if err != nil || u.Status != storage.StatusConfirmed {
		t.Fatalf("user %+v %v", u, err)
	}
}
