package saml

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/federationtest"
)

// FuzzHandleResponse posts arbitrary SAMLResponse documents (seeded with a
// real signed response from samlidp) to the ACS handler: it must never
// panic, and every refusal must match a federation sentinel.
func FuzzHandleResponse(f *testing.F) {
	const acs = "http://127.0.0.1:1/pool/saml2/idpresponse"
	idp := federationtest.NewSAMLIdP(f)
	idp.AddUser(f, federationtest.User{Username: "alice", Password: "pw", Email: "alice@example.com"})
	key, cert := federationtest.NewKeyPair(f, "sp")
	env := federation.Env{SPEntityID: "urn:amazon:cognito:sp:pool", ACSURL: acs, SPKey: key, SPCertificate: cert}
	open := func(details map[string]string) *Connector {
		c, err := Open(f.Context(), federation.ProviderConfig{Type: "SAML", Details: details}, env)
		if err != nil {
			f.Fatal(err)
		}
		return c.(*Connector)
	}
	c := open(map[string]string{"MetadataFile": idp.Metadata()})
	md, _ := c.Metadata()
	idp.AddServiceProvider(f, "sp", md)
	msg, err := c.AuthnRequest(f.Context(), federation.SAMLOptions{RelayState: "r"})
	if err != nil {
		f.Fatal(err)
	}
	a, err := federationtest.NewBrowser(acs, "alice", "pw").Visit(f.Context(), msg.RedirectURL)
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := base64.StdEncoding.DecodeString(a.Form.Get("SAMLResponse"))
	f.Add(seed)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="x"/></samlp:Status></samlp:Response>`))
	f.Add([]byte(`<Response/>`))
	f.Add([]byte{})
	strict := open(map[string]string{"MetadataFile": idp.Metadata(), "EncryptedResponses": "true", "IDPInit": "true"})
	sentinels := []error{federation.ErrInvalidResponse, federation.ErrBadSignature, federation.ErrExpired, federation.ErrReplayed,
		federation.ErrBadState, federation.ErrUnsolicited, federation.ErrUpstreamError, federation.ErrCancelled}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, conn := range []*Connector{c, strict} {
			body := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(doc)}, "RelayState": {"r"}}.Encode()
			r, _ := http.NewRequest(http.MethodPost, acs, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			_, err := conn.HandleResponse(t.Context(), r, []string{msg.ID})
			if err == nil {
				continue // the seed, the first time
			}
			ok := false
			for _, s := range sentinels {
				ok = ok || errors.Is(err, s)
			}
			if !ok {
				t.Fatalf("untyped error: %v", err)
			}
		}
	})
}
