package federationtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml/samlidp"
	"golang.org/x/crypto/bcrypt"
)

// SAMLIdP is crewjam/saml's samlidp on loopback: /metadata, /sso, /slo,
// /login (a form with user and password), /login/{shortcut} for
// IdP-initiated sign-in. NameIDs are the users' email addresses.
type SAMLIdP struct {
	faultSwitch
	URL    string
	Server *httptest.Server
	IDP    *samlidp.Server

	mu       sync.RWMutex // held for writing while the IdP is re-keyed
	metadata []byte
	cert     *x509.Certificate
	rogue    *x509.Certificate
}

// NewKeyPair returns an RSA key and a self-signed certificate for it, for
// an SP (Env.SPKey, Env.SPCertificate) or an IdP.
func NewKeyPair(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key, selfSigned(t, key, cn)
}

func selfSigned(t testing.TB, key *rsa.PrivateKey, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-48 * time.Hour),
		NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// NewSAMLIdP starts a SAML IdP; it stops with the test.
func NewSAMLIdP(t testing.TB) *SAMLIdP {
	t.Helper()
	testKeys()
	p := &SAMLIdP{}
	p.cert = selfSigned(t, testKey, "federationtest IdP")
	p.rogue = selfSigned(t, rogueKey, "federationtest rogue IdP")
	var h http.Handler = http.NotFoundHandler()
	p.Server = httptest.NewServer(p.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metadata" {
			// Always the good metadata: under FaultBadSignature the IdP
			// signs with a key this metadata does not name.
			w.Header().Set("Content-Type", "application/samlmetadata+xml")
			w.Write(p.metadata)
			return
		}
		p.mu.RLock()
		defer p.mu.RUnlock()
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(p.Server.Close)
	p.URL = p.Server.URL
	u, _ := url.Parse(p.URL)
	idp, err := samlidp.New(samlidp.Options{
		URL: *u, Key: testKey, Signer: testKey, Certificate: p.cert,
		Store:  &samlidp.MemoryStore{},
		Logger: log.New(io.Discard, "", 0),
	})
	if err != nil {
		t.Fatalf("federationtest: samlidp: %v", err)
	}
	p.IDP = idp
	h = idp
	rec := httptest.NewRecorder()
	idp.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.URL+"/metadata", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("federationtest: samlidp metadata: %d", rec.Code)
	}
	p.metadata = rec.Body.Bytes()
	return p
}

// SetFault implements Upstream; FaultBadSignature re-keys the IdP.
func (p *SAMLIdP) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faultSwitch.SetFault(f)
	if f == FaultBadSignature {
		p.IDP.IDP.Key, p.IDP.IDP.Signer, p.IDP.IDP.Certificate = rogueKey, rogueKey, p.rogue
	} else {
		p.IDP.IDP.Key, p.IDP.IDP.Signer, p.IDP.IDP.Certificate = testKey, testKey, p.cert
	}
}

// MetadataURL is the IdP's metadata URL (ProviderDetails MetadataURL).
func (p *SAMLIdP) MetadataURL() string { return p.URL + "/metadata" }

// Metadata is the IdP's metadata XML (ProviderDetails MetadataFile).
func (p *SAMLIdP) Metadata() string { return string(p.metadata) }

// AddUser adds a user who signs in with Username and Password; the NameID
// is Email. Claims["groups"] ([]string) become the eduPersonAffiliation
// attribute.
func (p *SAMLIdP) AddUser(t testing.TB, u User) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := u.Claims["groups"].([]string)
	err = p.IDP.Store.Put("/users/"+u.Username, samlidp.User{
		Name: u.Username, HashedPassword: hash, Email: u.Email, GivenName: u.GivenName,
		Surname: u.FamilyName, CommonName: u.GivenName + " " + u.FamilyName, Groups: groups,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// AddServiceProvider registers an SP by its metadata (the connector's
// Metadata()), as an IdP administrator would.
func (p *SAMLIdP) AddServiceProvider(t testing.TB, id string, metadata []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	p.mu.RLock()
	p.IDP.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, p.URL+"/services/"+id, bytes.NewReader(metadata)))
	p.mu.RUnlock()
	if rec.Code/100 != 2 {
		t.Fatalf("federationtest: register SP: %d %s", rec.Code, rec.Body)
	}
}

// AddShortcut makes /login/{name} an IdP-initiated sign-in to the SP.
func (p *SAMLIdP) AddShortcut(t testing.TB, name, spEntityID, relayState string) {
	t.Helper()
	sc := samlidp.Shortcut{Name: name, ServiceProviderID: spEntityID}
	if relayState != "" {
		sc.RelayState = &relayState
	}
	if err := p.IDP.Store.Put("/shortcuts/"+name, sc); err != nil {
		t.Fatal(err)
	}
}

// IDPInitiatedURL is where a user starts an IdP-initiated sign-in.
func (p *SAMLIdP) IDPInitiatedURL(shortcut string) string {
	return fmt.Sprintf("%s/login/%s", p.URL, shortcut)
}

// SignIn posts b's credentials to the IdP's /login, leaving the IdP's
// session cookie in b (before an IdP-initiated sign-in).
func (p *SAMLIdP) SignIn(ctx context.Context, b *Browser) error {
	form := url.Values{"user": {b.Username}, "password": {b.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("federationtest: IdP login: %s", resp.Status)
	}
	return nil
}
