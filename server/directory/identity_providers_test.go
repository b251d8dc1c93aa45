package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/federation/social"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// testRegistry has every connector, as the server's.
func testRegistry() federation.Registry {
	r := federation.Registry{}
	oidc.Register(r)
	social.Register(r)
	saml.Register(r)
	return r
}

func newIdpDir(t *testing.T) (*testDir, *storage.Pool) {
	td := newTestDir(t)
	td.registry = testRegistry()
	pool := td.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "dept", AttributeDataType: "String", Mutable: true}}
	})
	return td, pool
}

func oidcInput(poolID, name string) IdentityProviderInput {
	return IdentityProviderInput{PoolID: poolID, Name: name, Type: federation.TypeOIDC,
		Details: map[string]string{"client_id": "cid", "client_secret": "top-secret-value", "oidc_issuer": "https://idp.example",
			"authorize_scopes": "openid email"}}
}

func TestCreateIdentityProvider(t *testing.T) {
	td, pool := newIdpDir(t)
	ctx := context.Background()
	in := oidcInput(pool.ID, "Corp")
	in.AttributeMapping = map[string]string{"email": "email", "custom:dept": "department"}
	in.IdpIdentifiers = []string{"corp.example", "Corp SSO"}
	p, err := td.CreateIdentityProvider(ctx, in)
	wantKind(t, err, 0)
	if p.Details["client_secret"] != "top-secret-value" {
		t.Fatalf("created provider's secret: %q", p.Details["client_secret"])
	}
	if p.AttributeMapping["username"] != "sub" {
		t.Fatalf("automatic username mapping missing: %v", p.AttributeMapping)
	}
	// At rest the secret is sealed.
	raw, err := td.store.GetIdentityProvider(ctx, pool.ID, "Corp")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw.Details["client_secret"], "sealed:") || strings.Contains(raw.Details["client_secret"], "top-secret") {
		t.Fatalf("stored secret not sealed: %q", raw.Details["client_secret"])
	}
	got, err := td.IdentityProvider(ctx, pool.ID, "Corp")
	wantKind(t, err, 0)
	if got.Details["client_secret"] != "top-secret-value" || got.Details["client_id"] != "cid" {
		t.Fatalf("described details: %v", got.Details)
	}
	byID, err := td.IdentityProviderByIdentifier(ctx, pool.ID, "Corp SSO")
	wantKind(t, err, 0)
	if byID.Name != "Corp" || byID.Details["client_secret"] != "top-secret-value" {
		t.Fatalf("by identifier: %+v", byID)
	}
	_, err = td.IdentityProviderByIdentifier(ctx, pool.ID, "nope")
	wantKind(t, err, KindResourceNotFound)
	_, err = td.IdentityProvider(ctx, pool.ID, "Nope")
	wantKind(t, err, KindResourceNotFound)

	_, err = td.CreateIdentityProvider(ctx, oidcInput(pool.ID, "Corp"))
	wantKind(t, err, KindDuplicateProvider)
	_, err = td.CreateIdentityProvider(ctx, oidcInput("us-east-1_nope", "Corp"))
	wantKind(t, err, KindResourceNotFound)
	other := oidcInput(pool.ID, "Other")
	other.IdpIdentifiers = []string{"corp.example"}
	_, err = td.CreateIdentityProvider(ctx, other)
	wantKind(t, err, KindInvalidParameter)
}

func TestIdentityProviderValidation(t *testing.T) {
	td, pool := newIdpDir(t)
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(*IdentityProviderInput)
		want string // in the message; "" for success
	}{
		{"ok", func(*IdentityProviderInput) {}, ""},
		{"reserved COGNITO", func(in *IdentityProviderInput) { in.Name = "COGNITO" }, "reserved"},
		{"reserved Cognito", func(in *IdentityProviderInput) { in.Name = "Cognito" }, "reserved"},
		{"social name for OIDC", func(in *IdentityProviderInput) { in.Name = "Google" }, "reserved"},
		{"too long", func(in *IdentityProviderInput) { in.Name = strings.Repeat("a", 33) }, "providerName"},
		{"leading underscore", func(in *IdentityProviderInput) { in.Name = "_abc" }, "providerName"},
		{"space", func(in *IdentityProviderInput) { in.Name = "a b c" }, "providerName"},
		{"32 chars", func(in *IdentityProviderInput) { in.Name = strings.Repeat("b", 32) }, ""},
		{"unknown type", func(in *IdentityProviderInput) { in.Type = "Twitter" }, "ProviderType"},
		{"missing client_id", func(in *IdentityProviderInput) { delete(in.Details, "client_id") }, "client_id"},
		{"http issuer", func(in *IdentityProviderInput) { in.Details["oidc_issuer"] = "http://idp.example" }, "oidc_issuer"},
		{"bad request method", func(in *IdentityProviderInput) { in.Details["attributes_request_method"] = "PUT" }, "attributes_request_method"},
		{"unknown attribute", func(in *IdentityProviderInput) { in.AttributeMapping = map[string]string{"shoe_size": "x"} }, "shoe_size"},
		{"sub mapped", func(in *IdentityProviderInput) { in.AttributeMapping = map[string]string{"sub": "x"} }, "sub"},
		{"identities mapped", func(in *IdentityProviderInput) { in.AttributeMapping = map[string]string{"identities": "x"} }, "identities"},
		{"custom mapped", func(in *IdentityProviderInput) { in.AttributeMapping = map[string]string{"custom:dept": "ou"} }, ""},
		{"51 identifiers", func(in *IdentityProviderInput) {
			for i := range 51 {
				in.IdpIdentifiers = append(in.IdpIdentifiers, fmt.Sprint("id", i))
			}
		}, "50"},
		{"41-char identifier", func(in *IdentityProviderInput) { in.IdpIdentifiers = []string{strings.Repeat("x", 41)} }, "IdpIdentifier"},
		{"identifier twice", func(in *IdentityProviderInput) { in.IdpIdentifiers = []string{"a.example", "a.example"} }, "twice"},
		{"identifier with a slash", func(in *IdentityProviderInput) { in.IdpIdentifiers = []string{"a/b"} }, "IdpIdentifier"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := oidcInput(pool.ID, fmt.Sprint("P", i, "x"))
			tt.edit(&in)
			_, err := td.CreateIdentityProvider(ctx, in)
			if tt.want == "" {
				wantKind(t, err, 0)
				return
			}
			wantKind(t, err, KindInvalidParameter)
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestSocialAndSAMLProviders(t *testing.T) {
	td, pool := newIdpDir(t)
	ctx := context.Background()
	g := IdentityProviderInput{PoolID: pool.ID, Name: "MyGoogle", Type: federation.TypeGoogle,
		Details: map[string]string{"client_id": "g", "client_secret": "s", "authorize_scopes": "openid email"}}
	_, err := td.CreateIdentityProvider(ctx, g)
	wantKind(t, err, KindInvalidParameter)
	g.Name = "Google"
	g.Details["token_request_method"] = "POST" // describe-only, dropped
	p, err := td.CreateIdentityProvider(ctx, g)
	wantKind(t, err, 0)
	if _, ok := p.Details["token_request_method"]; ok {
		t.Fatal("describe-only key stored")
	}
	d := DescribedDetails(p)
	if d["authorize_url"] != "https://accounts.google.com/o/oauth2/v2/auth" || d["oidc_issuer"] != "https://accounts.google.com" ||
		d["token_request_method"] != "POST" || d["client_secret"] != "s" {
		t.Fatalf("described Google details: %v", d)
	}

	fb := IdentityProviderInput{PoolID: pool.ID, Name: "Facebook", Type: federation.TypeFacebook,
		Details: map[string]string{"client_id": "f", "client_secret": "s", "authorize_scopes": "public_profile, email", "api_version": "v18.0"}}
	p, err = td.CreateIdentityProvider(ctx, fb)
	wantKind(t, err, 0)
	if p.AttributeMapping["username"] != "id" || DescribedDetails(p)["token_url"] != "https://graph.facebook.com/v18.0/oauth/access_token" {
		t.Fatalf("facebook: %v %v", p.AttributeMapping, DescribedDetails(p))
	}

	apple := IdentityProviderInput{PoolID: pool.ID, Name: "SignInWithApple", Type: federation.TypeApple,
		Details: map[string]string{"client_id": "a", "team_id": "T", "key_id": "K", "private_key": "not a key"}}
	_, err = td.CreateIdentityProvider(ctx, apple)
	wantKind(t, err, KindInvalidParameter)
	if !strings.Contains(err.Error(), "private_key") {
		t.Fatalf("apple error %q does not name private_key", err)
	}

	sp := IdentityProviderInput{PoolID: pool.ID, Name: "Okta", Type: federation.TypeSAML,
		Details: map[string]string{"IDPSignout": "true", "EncryptedResponses": "true", "RequestSigningAlgorithm": "rsa-sha256"}}
	_, err = td.CreateIdentityProvider(ctx, sp)
	wantKind(t, err, KindInvalidParameter)
	if !strings.Contains(err.Error(), "Metadata") {
		t.Fatalf("saml error %q does not name the metadata", err)
	}
	sp.Details["MetadataURL"] = "https://okta.example/metadata"
	p, err = td.CreateIdentityProvider(ctx, sp)
	wantKind(t, err, 0)
	if len(p.AttributeMapping) != 0 {
		t.Fatalf("SAML got an automatic mapping: %v", p.AttributeMapping)
	}
	sp.Name = "Okta2"
	sp.Details["IDPInit"] = "maybe"
	_, err = td.CreateIdentityProvider(ctx, sp)
	if err == nil || !strings.Contains(err.Error(), "IDPInit") {
		t.Fatalf("IDPInit maybe: %v", err)
	}
}

func TestUpdateListDeleteIdentityProvider(t *testing.T) {
	td, pool := newIdpDir(t)
	ctx := context.Background()
	for _, n := range []string{"Delta", "Alpha", "Charlie", "Bravo"} {
		in := oidcInput(pool.ID, n)
		in.IdpIdentifiers = []string{strings.ToLower(n) + ".example"}
		if _, err := td.CreateIdentityProvider(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := td.ListIdentityProviders(ctx, pool.ID, "Alpha", 2)
	wantKind(t, err, 0)
	if len(ps) != 2 || ps[0].Name != "Bravo" || ps[1].Name != "Charlie" || ps[0].Details["client_secret"] != "top-secret-value" {
		t.Fatalf("page after Alpha: %v", ps)
	}
	_, err = td.ListIdentityProviders(ctx, "us-east-1_nope", "", 0)
	wantKind(t, err, KindResourceNotFound)

	// Update: nil fields keep, given ones replace.
	up, err := td.UpdateIdentityProvider(ctx, IdentityProviderInput{PoolID: pool.ID, Name: "Alpha",
		AttributeMapping: map[string]string{"email": "mail"}})
	wantKind(t, err, 0)
	if up.Details["client_secret"] != "top-secret-value" || up.AttributeMapping["email"] != "mail" || up.AttributeMapping["username"] != "sub" ||
		len(up.IdpIdentifiers) != 1 || up.Type != federation.TypeOIDC {
		t.Fatalf("updated: %+v", up)
	}
	_, err = td.UpdateIdentityProvider(ctx, IdentityProviderInput{PoolID: pool.ID, Name: "Alpha",
		Details: map[string]string{"client_id": "x", "oidc_issuer": "ftp://x"}})
	wantKind(t, err, KindInvalidParameter)
	_, err = td.UpdateIdentityProvider(ctx, IdentityProviderInput{PoolID: pool.ID, Name: "Alpha", IdpIdentifiers: []string{"bravo.example"}})
	wantKind(t, err, KindInvalidParameter)
	_, err = td.UpdateIdentityProvider(ctx, IdentityProviderInput{PoolID: pool.ID, Name: "Alpha", IdpIdentifiers: []string{}})
	wantKind(t, err, 0)
	_, err = td.IdentityProviderByIdentifier(ctx, pool.ID, "alpha.example")
	wantKind(t, err, KindResourceNotFound)
	_, err = td.UpdateIdentityProvider(ctx, IdentityProviderInput{PoolID: pool.ID, Name: "Nope"})
	wantKind(t, err, KindResourceNotFound)

	// Clients may name existing providers only; deleting one takes it off them.
	c := &storage.Client{PoolID: pool.ID, Name: "app", SupportedIdentityProviders: []string{"COGNITO", "Nope"}}
	_, err = td.CreateClient(ctx, c, false)
	wantKind(t, err, KindInvalidParameter)
	c = &storage.Client{PoolID: pool.ID, Name: "app", SupportedIdentityProviders: []string{"COGNITO", "Bravo", "Charlie"}}
	_, err = td.CreateClient(ctx, c, false)
	wantKind(t, err, 0)
	wantKind(t, td.DeleteIdentityProvider(ctx, pool.ID, "Bravo"), 0)
	wantKind(t, td.DeleteIdentityProvider(ctx, pool.ID, "Bravo"), KindResourceNotFound)
	got, err := td.GetClient(ctx, pool.ID, c.ID)
	wantKind(t, err, 0)
	if strings.Join(got.SupportedIdentityProviders, ",") != "COGNITO,Charlie" {
		t.Fatalf("client's providers after delete: %v", got.SupportedIdentityProviders)
	}
	_, err = td.IdentityProviderByIdentifier(ctx, pool.ID, "bravo.example")
	wantKind(t, err, KindResourceNotFound)
}

// TestProviderNameChecks holds the rune-at-a-time checks to the regexps
// of Cognito's model they stand for.
func TestProviderNameChecks(t *testing.T) {
	v2 := regexp.MustCompile(`^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$`)
	shape := regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$`)
	ident := regexp.MustCompile(`^[\w\s+=.@-]{1,40}$`)
	samples := []string{"", "a", "ab", "abc", "Okta", "_ab", "a_b", "ab_", "a b", "a\u00a0bc", "COGNITO", "Corp-SSO", "x.y@z",
		"a\tb", "é_é", "日本語", "a\x01b", "a\xffb", strings.Repeat("n", 32), strings.Repeat("n", 33), strings.Repeat("i", 40),
		strings.Repeat("i", 41), "corp.example", "Corp SSO", "a/b", "a+b=c", "ünï", "a\nb"}
	for _, s := range samples {
		if got, want := ValidProviderName(s), v2.MatchString(s) && len([]rune(s)) <= 32; got != want {
			t.Errorf("ValidProviderName(%q) = %v, regexp says %v", s, got, want)
		}
		if got, want := ValidProviderNameShape(s), shape.MatchString(s); got != want {
			t.Errorf("ValidProviderNameShape(%q) = %v, regexp says %v", s, got, want)
		}
		if got, want := ValidIdpIdentifier(s), ident.MatchString(s); got != want {
			t.Errorf("ValidIdpIdentifier(%q) = %v, regexp says %v", s, got, want)
		}
	}
}

// TestFederatedUserIdentitiesFixed: the identities attribute is Cognito's
// to write; neither an update nor a delete may touch it.
func TestFederatedUserIdentitiesFixed(t *testing.T) {
	td, pool := newIdpDir(t)
	u, err := td.CreateFederatedUser(context.Background(), pool, federation.Identity{ProviderName: "Corp", ProviderType: federation.TypeOIDC,
		Subject: "s1"}, map[string]string{"email": "a@corp.example"})
	wantKind(t, err, 0)
	if u.Status != storage.StatusExternalProvider || u.EmailKey != "" || u.Attributes["email_verified"] != "false" {
		t.Fatalf("federated user: %+v", u)
	}
	wantKind(t, td.DeleteAttributes(pool, u, []string{"identities"}), KindInvalidParameter)
	wantKind(t, td.UpdateAttributes(pool, u, map[string]string{"identities": "[]"}), KindInvalidParameter)
	if len(UserIdentities(u)) != 1 {
		t.Fatalf("identities changed: %s", u.Attributes["identities"])
	}
}

func TestDescribedSAMLBindings(t *testing.T) {
	md := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/slo/post"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	p := &storage.IdentityProvider{Type: federation.TypeSAML, Details: map[string]string{"MetadataFile": md}}
	d := DescribedDetails(p)
	if d["SSORedirectBindingURI"] != "https://idp.example/sso" || d["SLORedirectBindingURI"] != "https://idp.example/slo" {
		t.Fatalf("described SAML details: %v", d)
	}
	wrapped := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + strings.Replace(md, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, `<md:EntityDescriptor`, 1) + `</EntitiesDescriptor>`
	wrapped = strings.ReplaceAll(wrapped, "md:", "")
	if d := DescribedDetails(&storage.IdentityProvider{Type: federation.TypeSAML, Details: map[string]string{"MetadataFile": wrapped}}); d["SSORedirectBindingURI"] != "https://idp.example/sso" {
		t.Fatalf("wrapped metadata: %v", d)
	}
	if d := DescribedDetails(&storage.IdentityProvider{Type: federation.TypeSAML, Details: map[string]string{"MetadataFile": "<not xml"}}); len(d) != 1 {
		t.Fatalf("bad metadata: %v", d)
	}
	if d := DescribedDetails(&storage.IdentityProvider{Type: federation.TypeSAML, Details: map[string]string{"MetadataURL": "https://idp.example/md"}}); len(d) != 1 {
		t.Fatalf("metadata by URL: %v", d)
	}
}
