package saml_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/federationtest"
	"github.com/gatehouse-id/gatehouse/federation/saml"
)

const (
	spEntity = "urn:amazon:cognito:sp:us-east-1_AbC123xyZ"
	issuer   = "http://127.0.0.1:1/us-east-1_AbC123xyZ"
	acsURL   = issuer + "/saml2/idpresponse"
	sloURL   = issuer + "/saml2/logout"
)

var alice = federationtest.User{
	Username: "alice", Password: "pw", Email: "alice@example.com", GivenName: "Alice", FamilyName: "Liddell",
	Claims: map[string]any{"groups": []string{"admins", "staff"}},
}

type fixture struct {
	idp *federationtest.SAMLIdP
	env federation.Env
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key, cert := federationtest.NewKeyPair(t, "gatehouse SP")
	f := &fixture{idp: federationtest.NewSAMLIdP(t), env: federation.Env{
		SPEntityID: spEntity, ACSURL: acsURL, SLOURL: sloURL, MetadataURL: issuer + "/saml2/metadata",
		SPKey: key, SPCertificate: cert,
	}}
	f.idp.AddUser(t, alice)
	return f
}

// open opens a connector with details and registers its SP metadata at
// the IdP (each test's IdP knows one SP).
func (f *fixture) open(t *testing.T, env federation.Env, details map[string]string) federation.SAMLConnector {
	t.Helper()
	c, err := saml.Open(t.Context(), federation.ProviderConfig{Name: "Corp", Type: "SAML", Details: details}, env)
	if err != nil {
		t.Fatal(err)
	}
	md, err := c.(federation.SAMLConnector).Metadata()
	if err != nil {
		t.Fatal(err)
	}
	f.idp.AddServiceProvider(t, "gatehouse", md)
	return c.(federation.SAMLConnector)
}

func checkAlice(t *testing.T, id federation.Identity) {
	t.Helper()
	if id.Subject != "alice@example.com" || id.Email != "alice@example.com" || id.SAML.SessionIndex == "" || id.SAML.NameIDFormat == "" {
		t.Fatalf("identity = %+v %+v", id, id.SAML)
	}
	m, err := federation.MapAttributes(map[string]string{
		"given_name": "givenName", "family_name": "urn:oid:2.5.4.4", "custom:groups": "eduPersonAffiliation",
	}, id)
	if err != nil || m["given_name"] != "Alice" || m["family_name"] != "Liddell" || m["custom:groups"] != "[admins, staff]" {
		t.Fatalf("mapped = %v, %v; attributes %v", m, err, id.Attributes)
	}
}

func TestConformance(t *testing.T) {
	for _, tt := range []struct {
		name    string
		details func(f *fixture) map[string]string
		down    bool
	}{
		{"metadata URL, signed requests", func(f *fixture) map[string]string {
			return map[string]string{"MetadataURL": f.idp.MetadataURL(), "RequestSigningAlgorithm": "rsa-sha256"}
		}, true},
		{"metadata file, unsigned requests", func(f *fixture) map[string]string {
			return map[string]string{"MetadataFile": f.idp.Metadata()}
		}, false},
		{"encrypted responses", func(f *fixture) map[string]string {
			return map[string]string{"MetadataURL": f.idp.MetadataURL(), "EncryptedResponses": "true", "RequestSigningAlgorithm": "rsa-sha256"}
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			details := tt.details(f)
			federationtest.RunProviderTests(t, federationtest.ProviderTest{
				Open: func(t *testing.T, env federation.Env) federation.Connector {
					return f.open(t, env, details)
				},
				Env:      f.env,
				Upstream: f.idp, Username: "alice", Password: "pw",
				Check:       checkAlice,
				DownAtLogin: tt.down,
			})
		})
	}
}

func signIn(t *testing.T, c federation.SAMLConnector) (*federationtest.Arrival, string) {
	t.Helper()
	msg, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{RelayState: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	b := federationtest.NewBrowser(acsURL, "alice", "pw")
	a, err := b.Visit(t.Context(), msg.RedirectURL)
	if err != nil {
		t.Fatalf("%v %v", err, b.Pages)
	}
	return a, msg.ID
}

func TestSignedRequest(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL(), "RequestSigningAlgorithm": "rsa-sha256"})
	msg, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{RelayState: "r1", CSPNonce: "n0nce"})
	if err != nil {
		t.Fatal(err)
	}
	page := string(msg.PostForm)
	if msg.RedirectURL != "" || !strings.Contains(page, `name="SAMLRequest"`) || !strings.Contains(page, `nonce="n0nce"`) || !strings.Contains(page, `value="r1"`) {
		t.Fatalf("signed request not posted: %+v %s", msg, page)
	}
	unsigned := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	msg, err = unsigned.AuthnRequest(t.Context(), federation.SAMLOptions{RelayState: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(msg.RedirectURL)
	if q := u.Query(); q.Get("SAMLRequest") == "" || q.Get("Signature") != "" || q.Get("RelayState") != "r1" {
		t.Fatalf("unsigned redirect = %s", msg.RedirectURL)
	}
	md, _ := c.Metadata()
	for _, want := range []string{spEntity, acsURL, `use="signing"`, "AuthnRequestsSigned=\"true\""} {
		if !strings.Contains(string(md), want) {
			t.Fatalf("SP metadata lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md), `use="encryption"`) {
		t.Fatalf("SP metadata offers encryption without EncryptedResponses:\n%s", md)
	}
	enc := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL(), "EncryptedResponses": "true"})
	md, _ = enc.Metadata()
	if !strings.Contains(string(md), `use="encryption"`) {
		t.Fatalf("SP metadata lacks the encryption key:\n%s", md)
	}
}

func TestEncryptedResponsesRequired(t *testing.T) {
	f := newFixture(t)
	// The IdP is told the SP's plain metadata (no encryption key), so it
	// sends plaintext assertions; the connector requires encryption.
	plain := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	strict, err := saml.Open(t.Context(), federation.ProviderConfig{Type: "SAML", Details: map[string]string{"MetadataURL": f.idp.MetadataURL(), "EncryptedResponses": "true"}}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	a, id := signIn(t, plain)
	_, err = strict.(federation.SAMLConnector).HandleResponse(t.Context(), a.Request(), []string{id})
	if !errors.Is(err, federation.ErrInvalidResponse) {
		t.Fatalf("plaintext assertion accepted: %v", err)
	}
}

func TestIDPInitiated(t *testing.T) {
	f := newFixture(t)
	f.idp.AddShortcut(t, "gatehouse", spEntity, "")
	start := func(t *testing.T) *federationtest.Arrival {
		b := federationtest.NewBrowser(acsURL, "alice", "pw")
		// Sign in at the IdP first (its login form answers with the
		// session), then follow the shortcut.
		if err := f.idp.SignIn(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a, err := b.Visit(t.Context(), f.idp.IDPInitiatedURL("gatehouse"))
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		return a
	}
	t.Run("refused without IDPInit", func(t *testing.T) {
		c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
		_, err := c.HandleResponse(t.Context(), start(t).Request(), nil)
		if !errors.Is(err, federation.ErrUnsolicited) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("accepted with IDPInit, once", func(t *testing.T) {
		c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL(), "IDPInit": "true"})
		a := start(t)
		iss, irt, err := saml.PeekResponse(a.Request())
		if err != nil || iss != f.idp.MetadataURL() || irt != "" {
			t.Fatalf("PeekResponse = %q, %q, %v", iss, irt, err)
		}
		id, err := c.HandleResponse(t.Context(), a.Request(), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkAlice(t, id)
		if id.SAML.InResponseTo != "" {
			t.Fatalf("InResponseTo = %q", id.SAML.InResponseTo)
		}
		if _, err := c.HandleResponse(t.Context(), a.Request(), nil); !errors.Is(err, federation.ErrReplayed) {
			t.Fatalf("replay: %v", err)
		}
	})
}

func TestWrongAudience(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	a, id := signIn(t, c)
	env := f.env
	env.SPEntityID = "urn:amazon:cognito:sp:us-east-1_Other"
	other, err := saml.Open(t.Context(), federation.ProviderConfig{Type: "SAML", Details: map[string]string{"MetadataURL": f.idp.MetadataURL()}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.(federation.SAMLConnector).HandleResponse(t.Context(), a.Request(), []string{id}); !errors.Is(err, federation.ErrInvalidResponse) {
		t.Fatalf("assertion for another audience: %v", err)
	}
}

func TestUnsignedResponse(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	a, id := signIn(t, c)
	raw, _ := base64.StdEncoding.DecodeString(a.Form.Get("SAMLResponse"))
	doc := string(raw)
	// Strip every signature: an unsigned response must be refused.
	for {
		i := strings.Index(doc, "<ds:Signature")
		if i < 0 {
			break
		}
		j := strings.Index(doc[i:], "</ds:Signature>")
		if j < 0 {
			t.Fatal("unterminated signature")
		}
		doc = doc[:i] + doc[i+j+len("</ds:Signature>"):]
	}
	if doc == string(raw) {
		t.Fatalf("no signature found in %s", raw)
	}
	a.Form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(doc)))
	if _, err := c.HandleResponse(t.Context(), a.Request(), []string{id}); !errors.Is(err, federation.ErrBadSignature) {
		t.Fatalf("unsigned response: %v", err)
	}
	// A tampered NameID breaks the signature.
	a2, id2 := signIn(t, c)
	raw2, _ := base64.StdEncoding.DecodeString(a2.Form.Get("SAMLResponse"))
	tampered := strings.Replace(string(raw2), "alice@example.com", "mallory@example.com", -1)
	a2.Form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(tampered)))
	if _, err := c.HandleResponse(t.Context(), a2.Request(), []string{id2}); !errors.Is(err, federation.ErrBadSignature) {
		t.Fatalf("tampered response: %v", err)
	}
}

func TestErrorStatus(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	resp := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" InResponseTo="id-1" Version="2.0">` +
		`<saml:Issuer>` + f.idp.MetadataURL() + `</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">` +
		`<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></samlp:StatusCode></samlp:Status></samlp:Response>`
	r := postResponse(base64.StdEncoding.EncodeToString([]byte(resp)))
	if _, err := c.HandleResponse(t.Context(), r, []string{"id-1"}); !errors.Is(err, federation.ErrCancelled) {
		t.Fatalf("RequestDenied: %v", err)
	}
}

func postResponse(v string) *http.Request {
	body := url.Values{"SAMLResponse": {v}}.Encode()
	r, _ := http.NewRequest(http.MethodPost, acsURL, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestSingleLogout(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL(), "IDPSignout": "true"})
	md, _ := c.Metadata()
	if !strings.Contains(string(md), "SingleLogoutService") || !strings.Contains(string(md), sloURL) {
		t.Fatalf("SP metadata lacks SLO:\n%s", md)
	}
	msg, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{RelayState: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	b := federationtest.NewBrowser(acsURL, "alice", "pw")
	a, err := b.Visit(t.Context(), msg.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.HandleResponse(t.Context(), a.Request(), []string{msg.ID})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.LogoutRequest(t.Context(), *id.SAML, federation.SAMLOptions{RelayState: "lo"})
	if err != nil {
		t.Fatal(err)
	}
	if out.ID == "" || out.RedirectURL == "" {
		t.Fatalf("logout request = %+v", out)
	}
	b.StopAt = sloURL
	back, err := b.Visit(t.Context(), out.RedirectURL)
	if err != nil {
		t.Fatalf("%v %v", err, b.Pages)
	}
	if err := c.HandleLogoutResponse(t.Context(), back.Request(), []string{out.ID}); err != nil {
		t.Fatalf("HandleLogoutResponse: %v", err)
	}
	if err := c.HandleLogoutResponse(t.Context(), back.Request(), []string{"id-other"}); err == nil {
		t.Fatal("logout response to another request accepted")
	}

	off := f.open(t, f.env, map[string]string{"MetadataURL": f.idp.MetadataURL()})
	if _, err := off.LogoutRequest(t.Context(), *id.SAML, federation.SAMLOptions{}); !errors.Is(err, federation.ErrNotSupported) {
		t.Fatalf("logout without IDPSignout: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	key, cert := federationtest.NewKeyPair(t, "sp")
	env := federation.Env{SPEntityID: spEntity, ACSURL: acsURL, SPKey: key, SPCertificate: cert}
	tests := []struct {
		name    string
		details map[string]string
		key     string
	}{
		{"no metadata", map[string]string{}, "MetadataFile"},
		{"both", map[string]string{"MetadataURL": "https://idp.example.com/md", "MetadataFile": "<x/>"}, "MetadataURL"},
		{"http metadata URL", map[string]string{"MetadataURL": "http://idp.example.com/md"}, "MetadataURL"},
		{"bad metadata file", map[string]string{"MetadataFile": "<EntityDescriptor/>"}, "MetadataFile"},
		{"bad IDPInit", map[string]string{"MetadataURL": "https://idp.example.com/md", "IDPInit": "yes"}, "IDPInit"},
		{"bad algorithm", map[string]string{"MetadataURL": "https://idp.example.com/md", "RequestSigningAlgorithm": "rsa-sha1"}, "RequestSigningAlgorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := saml.Open(t.Context(), federation.ProviderConfig{Type: "SAML", Details: tt.details}, env)
			var ce *federation.ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key {
				t.Fatalf("err = %v, want a ConfigError for %s", err, tt.key)
			}
		})
	}
	reg := federation.Registry{}
	saml.Register(reg)
	if reg["SAML"] == nil {
		t.Fatal("SAML not registered")
	}
}
