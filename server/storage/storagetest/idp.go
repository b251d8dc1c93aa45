package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func newIdentityProvider(poolID, name string, identifiers ...string) *storage.IdentityProvider {
	return &storage.IdentityProvider{
		PoolID: poolID, Name: name, Type: "OIDC",
		Details: map[string]string{
			"client_id": "client-" + name, "client_secret": "sealed:AAEC", "oidc_issuer": "https://idp.example/" + name,
			"authorize_scopes": "openid email",
		},
		AttributeMapping: map[string]string{"email": "email", "custom:dept": "urn:oid:2.5.4.11"},
		IdpIdentifiers:   identifiers,
		CreatedAt:        t0.In(time.FixedZone("CET", 3600)),
		UpdatedAt:        tNow,
	}
}

func providerNames(ps []*storage.IdentityProvider) []string {
	return keys(ps, func(p *storage.IdentityProvider) string { return p.Name })
}

var identityProviderTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		p := newIdentityProvider("p1", "Corp", "corp.example", "Corp-SSO")
		must(t, "create", s.CreateIdentityProvider(ctx, p))
		wantEqual(t, "provider", of(s.GetIdentityProvider(ctx, "p1", "Corp")).must(t, "get"), p)
		bare := &storage.IdentityProvider{PoolID: "p1", Name: "Bare", Type: "SAML", Details: map[string]string{"MetadataURL": "https://x"},
			CreatedAt: t0, UpdatedAt: t0}
		must(t, "create without mapping or identifiers", s.CreateIdentityProvider(ctx, bare))
		wantEqual(t, "bare provider", of(s.GetIdentityProvider(ctx, "p1", "Bare")).must(t, "get"), bare)

		wantErr(t, "duplicate name", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "Corp")), storage.ErrAlreadyExists)
		must(t, "same name in another pool", s.CreateIdentityProvider(ctx, newIdentityProvider("p2", "Corp", "corp.example")))
		wantEqual(t, "p1 provider kept", of(s.GetIdentityProvider(ctx, "p1", "Corp")).must(t, "get"), p)
		_, err := s.GetIdentityProvider(ctx, "p1", "corp")
		wantErr(t, "names are exact", err, storage.ErrNotFound)
		_, err = s.GetIdentityProvider(ctx, "p3", "Corp")
		wantErr(t, "missing pool", err, storage.ErrNotFound)
	}},
	{"Identifiers", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		a := newIdentityProvider("p1", "A", "a.example", "shared")
		must(t, "create A", s.CreateIdentityProvider(ctx, a))
		must(t, "create B", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "B", "b.example")))
		must(t, "identifier reused in another pool", s.CreateIdentityProvider(ctx, newIdentityProvider("p2", "C", "shared")))
		wantEqual(t, "by identifier", of(s.GetIdentityProviderByIdentifier(ctx, "p1", "shared")).must(t, "get"), a)
		wantKeys(t, "by identifier in p2", []string{of(s.GetIdentityProviderByIdentifier(ctx, "p2", "shared")).must(t, "get").Name}, []string{"C"})
		_, err := s.GetIdentityProviderByIdentifier(ctx, "p1", "nope")
		wantErr(t, "missing identifier", err, storage.ErrNotFound)

		// A duplicate identifier refuses the whole write.
		wantErr(t, "create with a taken identifier", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "D", "d.example", "a.example")), storage.ErrAlreadyExists)
		_, err = s.GetIdentityProvider(ctx, "p1", "D")
		wantErr(t, "refused provider not stored", err, storage.ErrNotFound)
		_, err = s.GetIdentityProviderByIdentifier(ctx, "p1", "d.example")
		wantErr(t, "refused provider's identifiers not claimed", err, storage.ErrNotFound)
		wantErr(t, "identifier twice in one provider", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "E", "e", "e")), storage.ErrAlreadyExists)

		b := newIdentityProvider("p1", "B", "b.example", "shared")
		wantErr(t, "update onto a taken identifier", s.UpdateIdentityProvider(ctx, b), storage.ErrAlreadyExists)
		wantKeys(t, "B keeps its identifier", []string{of(s.GetIdentityProviderByIdentifier(ctx, "p1", "b.example")).must(t, "get").Name}, []string{"B"})

		// Update releases the identifiers it drops.
		a.IdpIdentifiers = []string{"a2.example"}
		must(t, "update A", s.UpdateIdentityProvider(ctx, a))
		_, err = s.GetIdentityProviderByIdentifier(ctx, "p1", "shared")
		wantErr(t, "dropped identifier", err, storage.ErrNotFound)
		wantEqual(t, "new identifier", of(s.GetIdentityProviderByIdentifier(ctx, "p1", "a2.example")).must(t, "get"), a)
		b.IdpIdentifiers = []string{"b.example", "shared"}
		must(t, "B takes the released identifier", s.UpdateIdentityProvider(ctx, b))

		// Delete frees them too.
		must(t, "delete B", s.DeleteIdentityProvider(ctx, "p1", "B"))
		_, err = s.GetIdentityProviderByIdentifier(ctx, "p1", "b.example")
		wantErr(t, "deleted provider's identifier", err, storage.ErrNotFound)
		must(t, "identifier free after delete", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "F", "b.example")))
	}},
	{"Update", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		p := newIdentityProvider("p1", "Corp", "corp.example")
		must(t, "create", s.CreateIdentityProvider(ctx, p))
		must(t, "create p2", s.CreateIdentityProvider(ctx, newIdentityProvider("p2", "Corp", "corp.example")))
		p.Details = map[string]string{"MetadataFile": `<EntityDescriptor entityID="x"/>`}
		p.Type = "SAML"
		p.AttributeMapping = nil
		p.IdpIdentifiers = nil
		p.UpdatedAt = at(time.Hour)
		must(t, "update", s.UpdateIdentityProvider(ctx, p))
		wantEqual(t, "provider", of(s.GetIdentityProvider(ctx, "p1", "Corp")).must(t, "get"), p)
		wantEqual(t, "p2 provider", of(s.GetIdentityProvider(ctx, "p2", "Corp")).must(t, "get"), newIdentityProvider("p2", "Corp", "corp.example"))
		wantErr(t, "update missing", s.UpdateIdentityProvider(ctx, newIdentityProvider("p1", "Nope")), storage.ErrNotFound)
		wantErr(t, "update missing with identifiers", s.UpdateIdentityProvider(ctx, newIdentityProvider("p1", "Nope2", "n.example")), storage.ErrNotFound)
		_, err := s.GetIdentityProviderByIdentifier(ctx, "p1", "n.example")
		wantErr(t, "failed update claims nothing", err, storage.ErrNotFound)
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, name := range []string{"Okta", "Google", "SignInWithApple", "Facebook", "AzureAD"} {
			must(t, "create", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", name)))
		}
		must(t, "create other pool", s.CreateIdentityProvider(ctx, newIdentityProvider("p2", "Other")))
		pages(t, "providers", 2, []string{"AzureAD", "Facebook", "Google", "Okta", "SignInWithApple"}, func(after string, limit int) ([]string, error) {
			ps, err := s.ListIdentityProviders(ctx, "p1", after, limit)
			return providerNames(ps), err
		})
		wantKeys(t, "p2 providers", providerNames(of(s.ListIdentityProviders(ctx, "p2", "", 0)).must(t, "list")), []string{"Other"})
		wantKeys(t, "empty pool", providerNames(of(s.ListIdentityProviders(ctx, "p3", "", 0)).must(t, "list")), nil)
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "Corp", "corp.example")))
		must(t, "create p2", s.CreateIdentityProvider(ctx, newIdentityProvider("p2", "Corp", "corp.example")))
		must(t, "delete", s.DeleteIdentityProvider(ctx, "p1", "Corp"))
		_, err := s.GetIdentityProvider(ctx, "p1", "Corp")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteIdentityProvider(ctx, "p1", "Corp"), storage.ErrNotFound)
		of(s.GetIdentityProvider(ctx, "p2", "Corp")).must(t, "other pool's provider")
		of(s.GetIdentityProviderByIdentifier(ctx, "p2", "corp.example")).must(t, "other pool's identifier")
		must(t, "recreate", s.CreateIdentityProvider(ctx, newIdentityProvider("p1", "Corp", "corp.example")))
	}},
}

func newLink(poolID, provider, attr, value, sub string) *storage.IdentityLink {
	return &storage.IdentityLink{PoolID: poolID, ProviderName: provider, AttributeName: attr, AttributeValue: value, Sub: sub,
		CreatedAt: t0.In(time.FixedZone("CET", 3600)), FromAttribute: "upn", FromValue: "from-" + value}
}

func linkValues(ls []*storage.IdentityLink) []string {
	return keys(ls, func(l *storage.IdentityLink) string {
		return l.ProviderName + "/" + l.AttributeName + "/" + l.AttributeValue
	})
}

var identityLinkTests = []test{
	{"CreateGetDelete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		l := newLink("p1", "Google", "Cognito_Subject", "1234", "sub-1")
		must(t, "create", s.CreateIdentityLink(ctx, l))
		wantEqual(t, "link", of(s.GetIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "1234")).must(t, "get"), l)
		wantErr(t, "same identity to another user", s.CreateIdentityLink(ctx, newLink("p1", "Google", "Cognito_Subject", "1234", "sub-2")), storage.ErrAlreadyExists)
		must(t, "same identity in another pool", s.CreateIdentityLink(ctx, newLink("p2", "Google", "Cognito_Subject", "1234", "sub-9")))
		for _, k := range [][4]string{{"p1", "google", "Cognito_Subject", "1234"}, {"p1", "Google", "email", "1234"}, {"p1", "Google", "Cognito_Subject", "12345"}, {"p3", "Google", "Cognito_Subject", "1234"}} {
			_, err := s.GetIdentityLink(ctx, k[0], k[1], k[2], k[3])
			wantErr(t, "missing "+k[1]+"/"+k[2]+"/"+k[3], err, storage.ErrNotFound)
		}
		must(t, "delete", s.DeleteIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "1234"))
		wantErr(t, "delete again", s.DeleteIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "1234"), storage.ErrNotFound)
		_, err := s.GetIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "1234")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		of(s.GetIdentityLink(ctx, "p2", "Google", "Cognito_Subject", "1234")).must(t, "other pool's link")
		must(t, "relink to another user", s.CreateIdentityLink(ctx, newLink("p1", "Google", "Cognito_Subject", "1234", "sub-2")))
	}},
	{"Lists", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, l := range []*storage.IdentityLink{
			newLink("p1", "Okta", "email", "a@example.com", "sub-1"), newLink("p1", "Okta", "Cognito_Subject", "n1", "sub-2"),
			newLink("p1", "Google", "Cognito_Subject", "g1", "sub-1"), newLink("p1", "Okta", "email", "b@example.com", "sub-2"),
			newLink("p1", "Okta", "Cognito_Subject", "n2", "sub-1"), newLink("p2", "Okta", "upn", "x", "sub-1"),
		} {
			must(t, "create", s.CreateIdentityLink(ctx, l))
		}
		wantKeys(t, "Okta's attributes", of(s.ListIdentityLinkAttributes(ctx, "p1", "Okta")).must(t, "list"), []string{"Cognito_Subject", "email"})
		wantKeys(t, "unknown provider's attributes", of(s.ListIdentityLinkAttributes(ctx, "p1", "Nope")).must(t, "list"), nil)
		wantKeys(t, "sub-1's links", linkValues(of(s.ListUserIdentityLinks(ctx, "p1", "sub-1")).must(t, "list")),
			[]string{"Google/Cognito_Subject/g1", "Okta/Cognito_Subject/n2", "Okta/email/a@example.com"})
		wantKeys(t, "p2 sub-1's links", linkValues(of(s.ListUserIdentityLinks(ctx, "p2", "sub-1")).must(t, "list")), []string{"Okta/upn/x"})
	}},
	{"DeleteUserDeletesLinks", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create user", s.CreateUser(ctx, newUser("p1", "sub-1", "alice", "", "")))
		must(t, "create user", s.CreateUser(ctx, newUser("p1", "sub-2", "bob", "", "")))
		must(t, "link alice", s.CreateIdentityLink(ctx, newLink("p1", "Google", "Cognito_Subject", "g1", "sub-1")))
		must(t, "link bob", s.CreateIdentityLink(ctx, newLink("p1", "Google", "Cognito_Subject", "g2", "sub-2")))
		must(t, "delete alice", s.DeleteUser(ctx, "p1", "sub-1"))
		_, err := s.GetIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "g1")
		wantErr(t, "alice's link", err, storage.ErrNotFound)
		of(s.GetIdentityLink(ctx, "p1", "Google", "Cognito_Subject", "g2")).must(t, "bob's link")
	}},
}
