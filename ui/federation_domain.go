package ui

import (
	"slices"
	"strings"
)

// Routing by email domain (CONTRACT: "where a pool has such providers,
// the sign-in page also takes an email address and routes its domain the
// same way"): an address typed as the username whose domain is one of the
// IdpIdentifiers of a provider the client allows goes to that provider,
// password or not. The password field is then optional, so that an
// address alone can be submitted without JavaScript.

// upstreamNames are the client's upstream providers.
func upstreamNames(rq *request) []string {
	var out []string
	for _, name := range rq.client.SupportedIdentityProviders {
		if name != "COGNITO" {
			out = append(out, name)
		}
	}
	return out
}

// routesByDomain reports whether one of the client's providers has
// IdpIdentifiers.
func (u *UI) routesByDomain(rq *request) bool {
	for _, name := range upstreamNames(rq) {
		if idp, err := u.cfg.Dir.IdentityProvider(rq.r.Context(), rq.pool.ID, name); err == nil && len(idp.IdpIdentifiers) > 0 {
			return true
		}
	}
	return false
}

// routeByDomain sends the browser to the provider of username's email
// domain; it returns false, having written nothing, when there is none.
func (u *UI) routeByDomain(rq *request, username string) bool {
	_, domain, ok := strings.Cut(username, "@")
	if !ok || domain == "" || len(upstreamNames(rq)) == 0 {
		return false
	}
	idp, err := u.cfg.Dir.IdentityProviderByIdentifier(rq.r.Context(), rq.pool.ID, domain)
	if err != nil && domain != strings.ToLower(domain) {
		idp, err = u.cfg.Dir.IdentityProviderByIdentifier(rq.r.Context(), rq.pool.ID, strings.ToLower(domain))
	}
	if err != nil || !slices.Contains(rq.client.SupportedIdentityProviders, idp.Name) {
		return false
	}
	u.goUpstream(rq, idp.Name)
	return true
}
