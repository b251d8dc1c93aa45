package notify

import (
	"encoding/json"
	"html/template"
	"net/http"
	"sync"
	"time"
)

// OutboxSize is how many messages the dev outbox keeps; older ones drop out.
const OutboxSize = 200

// Kinds of outbox entries.
const (
	KindEmail = "email"
	KindSMS   = "sms"
)

// Entry is one message in the dev outbox, in full.
type Entry struct {
	ID      int       `json:"id"` // 1, 2, … in arrival order
	Kind    string    `json:"kind"`
	Time    time.Time `json:"time"`
	To      string    `json:"to"` // the bare address or phone number
	Subject string    `json:"subject,omitempty"`
	Text    string    `json:"text,omitempty"`
	HTML    string    `json:"html,omitempty"`
}

// Outbox keeps the last OutboxSize undelivered messages of a dev server and
// serves them: an HTML list, newest first, or with ?format=json the same as
// {"messages": [...]}. It is an http.Handler for /_dev/mail, mounted only in
// dev: it shows codes and temporary passwords to anyone who asks.
type Outbox struct {
	mu      sync.Mutex
	max     int
	lastID  int
	entries []Entry // oldest first
}

func newOutbox(max int) *Outbox { return &Outbox{max: max} }

func (o *Outbox) add(e Entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lastID++
	e.ID = o.lastID
	if len(o.entries) == o.max {
		copy(o.entries, o.entries[1:])
		o.entries = o.entries[:o.max-1]
	}
	o.entries = append(o.entries, e)
}

// Messages returns the kept messages, newest first.
func (o *Outbox) Messages() []Entry {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Entry, len(o.entries))
	for i, e := range o.entries {
		out[len(out)-1-i] = e
	}
	return out
}

func (o *Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	msgs := o.Messages()
	if r.URL.Query().Get("format") == "json" {
		h.Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			Messages []Entry `json:"messages"`
		}{msgs})
		return
	}
	// Nothing in a message may run: html/template escapes every value and
	// the policy forbids scripts, frames and remote loads besides.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	_ = outboxPage.Execute(w, msgs)
}

var outboxPage = template.Must(template.New("outbox").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse dev outbox</title>
<style>
body { font: 1rem/1.5 system-ui, sans-serif; max-width: 50rem; margin: 1rem auto; padding: 0 1rem; }
article { border-top: 1px solid #888; padding: .5rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; padding: .5rem; }
</style>
</head>
<body>
<h1>Dev outbox</h1>
<p>Mail and SMS this server did not deliver, newest first ({{len .}} kept). As <a href="?format=json">JSON</a>.</p>
{{range .}}<article data-testid="message" data-kind="{{.Kind}}" aria-labelledby="m{{.ID}}">
<h2 id="m{{.ID}}">{{if eq .Kind "sms"}}SMS{{else}}{{or .Subject "(no subject)"}}{{end}}</h2>
<dl>
<dt>To</dt><dd data-testid="to">{{.To}}</dd>
<dt>Kind</dt><dd>{{.Kind}}</dd>
<dt>Time</dt><dd><time datetime="{{.Time.Format "2006-01-02T15:04:05Z07:00"}}">{{.Time.Format "2006-01-02 15:04:05 MST"}}</time></dd>
</dl>
{{if .Text}}<pre data-testid="text">{{.Text}}</pre>{{end}}
{{if .HTML}}<details><summary>HTML source</summary><pre data-testid="html">{{.HTML}}</pre></details>{{end}}
</article>
{{else}}<p>No messages yet.</p>
{{end}}</body>
</html>
`))
