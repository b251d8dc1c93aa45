package ui

import (
	"net/http"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Notice is a page another front (the OAuth endpoints) shows through the
// hosted UI: an error that cannot go back to the application, or the end
// of a sign-out. Kind names its catalog texts (oauth.KIND.title and
// .advice); Title and Advice are the English words used when the catalog
// has none.
type Notice struct {
	Status        int
	Kind          string
	Title, Advice string
	// Detail is technical detail for the app developer, shown as it is.
	Detail string
	// ClientID names the client whose branding the page wears.
	ClientID string
}

// ShowNotice renders n in the request's language and the client's (or
// the pool's) branding, with the hosted UI's headers.
func (u *UI) ShowNotice(w http.ResponseWriter, r *http.Request, pool *storage.Pool, n Notice) {
	rq := u.newRequest(w, r, pool)
	if n.ClientID != "" {
		if c, err := u.cfg.Dir.GetClient(r.Context(), pool.ID, n.ClientID); err == nil {
			rq.client = c
		}
	}
	title, advice := n.Title, n.Advice
	if key := "oauth." + n.Kind + ".title"; rq.lang.has(key) {
		title = rq.T(key)
	}
	if key := "oauth." + n.Kind + ".advice"; rq.lang.has(key) {
		advice = rq.T(key)
	}
	signedOut := n.Kind == "signed_out"
	u.message(rq, n.Status, title, advice, !signedOut, n.Detail)
}
