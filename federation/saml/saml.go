package saml

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-id/gatehouse/federation"
)

// Register adds the SAML factory to r.
func Register(r federation.Registry) { r[federation.TypeSAML] = Open }

// metadataRefresh is how long fetched IdP metadata is used before it is
// fetched again (a failed refresh keeps the old copy).
const metadataRefresh = 24 * time.Hour

// maxResponse bounds the SAMLResponse form value; Cognito accepts up to
// 100,000 characters.
const maxResponse = 200 << 10

// Connector is an opened SAML connector; it implements
// federation.SAMLConnector.
type Connector struct {
	name       string
	env        federation.Env
	idpInit    bool
	signout    bool
	encrypted  bool
	signing    bool
	metaURL    string
	base       saml.ServiceProvider // without IDPMetadata
	replayNS   string
	fetchedMD  *saml.EntityDescriptor
	fetchedAt  time.Time
	mu         sync.Mutex
	staticMeta bool
}

var _ federation.SAMLConnector = (*Connector)(nil)

// Open is the factory for provider type SAML.
func Open(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	env = env.WithDefaults()
	c := &Connector{name: pc.Name, env: env}
	var err error
	if c.idpInit, err = pc.Bool("IDPInit", false); err != nil {
		return nil, err
	}
	if c.signout, err = pc.Bool("IDPSignout", false); err != nil {
		return nil, err
	}
	if c.encrypted, err = pc.Bool("EncryptedResponses", false); err != nil {
		return nil, err
	}
	switch strings.ToLower(pc.Get("RequestSigningAlgorithm")) {
	case "":
	case "rsa-sha256":
		c.signing = true
	default:
		return nil, federation.Configf("RequestSigningAlgorithm", "must be rsa-sha256")
	}
	mdURL, mdFile := pc.Get("MetadataURL"), pc.Get("MetadataFile")
	switch {
	case mdURL != "" && mdFile != "":
		return nil, federation.Configf("MetadataURL", "and MetadataFile are exclusive")
	case mdURL == "" && mdFile == "":
		return nil, federation.Configf("MetadataFile", "or MetadataURL is required")
	case mdURL != "":
		if _, err := federation.CheckURL("MetadataURL", mdURL); err != nil {
			return nil, err
		}
		c.metaURL = mdURL
	default:
		md, err := ParseMetadata([]byte(mdFile))
		if err != nil {
			return nil, federation.Configf("MetadataFile", "%v", err)
		}
		c.fetchedMD, c.staticMeta = md, true
	}
	if env.SPEntityID == "" || env.ACSURL == "" {
		return nil, errors.New("federation/saml: Env.SPEntityID and Env.ACSURL are required")
	}
	acs, err := url.Parse(env.ACSURL)
	if err != nil {
		return nil, fmt.Errorf("federation/saml: Env.ACSURL: %w", err)
	}
	var slo, meta url.URL
	if env.SLOURL != "" {
		u, err := url.Parse(env.SLOURL)
		if err != nil {
			return nil, fmt.Errorf("federation/saml: Env.SLOURL: %w", err)
		}
		slo = *u
	}
	if env.MetadataURL != "" {
		u, err := url.Parse(env.MetadataURL)
		if err != nil {
			return nil, fmt.Errorf("federation/saml: Env.MetadataURL: %w", err)
		}
		meta = *u
	}
	needKey := c.signing || c.encrypted || c.signout
	if needKey && (env.SPKey == nil || env.SPCertificate == nil) {
		return nil, errors.New("federation/saml: signed requests, encrypted responses and single logout need Env.SPKey and Env.SPCertificate")
	}
	if c.encrypted {
		if _, ok := env.SPKey.(*rsa.PrivateKey); !ok {
			return nil, federation.Configf("EncryptedResponses", "needs an RSA service provider key")
		}
	}
	c.replayNS = env.SPEntityID + "|"
	c.base = saml.ServiceProvider{
		EntityID:                         env.SPEntityID,
		Key:                              env.SPKey,
		Certificate:                      env.SPCertificate,
		HTTPClient:                       env.HTTPClient,
		MetadataURL:                      meta,
		AcsURL:                           *acs,
		SloURL:                           slo,
		AuthnNameIDFormat:                saml.UnspecifiedNameIDFormat,
		AllowIDPInitiated:                c.idpInit,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		Clock:                            dsig.NewFakeClock(envClock{clockwork.NewRealClock(), env.Now}),
		RejectSHA1Signatures:             true,
		LimitRelayStateLength:            false,
	}
	if c.signing {
		c.base.SignatureMethod = dsig.RSASHA256SignatureMethod
	}
	if c.signout {
		c.base.LogoutBindings = []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding}
		c.base.LogoutSignatureMethod = dsig.RSASHA256SignatureMethod
	}
	return c, nil
}

// envClock is a clockwork.Clock reading the Env's clock, so crewjam's
// validity checks use the injected time (the ServiceProvider's Clock field,
// not the deprecated package globals).
type envClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c envClock) Now() time.Time                  { return c.now() }
func (c envClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c envClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

// Type implements federation.Connector.
func (c *Connector) Type() string { return federation.TypeSAML }

// replayCache binds the Env's ReplayCache to a request's ctx.
type replayCache struct {
	ctx context.Context
	ns  string
	c   federation.ReplayCache
}

func (r replayCache) Consume(id string, exp time.Time) error {
	return r.c.Consume(r.ctx, r.ns+id, exp)
}

// metadata returns the IdP metadata, fetching it when it is a URL.
func (c *Connector) metadata(ctx context.Context) (*saml.EntityDescriptor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.staticMeta || (c.fetchedMD != nil && c.env.Now().Sub(c.fetchedAt) < metadataRefresh) {
		return c.fetchedMD, nil
	}
	md, err := c.fetch(ctx)
	if err != nil {
		if c.fetchedMD != nil {
			c.env.Logger.WarnContext(ctx, "federation/saml: metadata refresh failed, keeping the old copy", "err", err)
			return c.fetchedMD, nil
		}
		return nil, err
	}
	c.fetchedMD, c.fetchedAt = md, c.env.Now()
	return md, nil
}

func (c *Connector) fetch(ctx context.Context) (*saml.EntityDescriptor, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.metaURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.env.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("federation/saml: metadata: %w: %v", federation.ErrUpstreamUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("federation/saml: metadata: %w: %s", federation.ErrUpstreamUnavailable, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("federation/saml: metadata: %w: %v", federation.ErrUpstreamUnavailable, err)
	}
	md, err := ParseMetadata(body)
	if err != nil {
		return nil, fmt.Errorf("federation/saml: metadata: %w: %v", federation.ErrInvalidResponse, err)
	}
	return md, nil
}

// ParseMetadata reads IdP metadata: an EntityDescriptor, or the first
// entity with an IDPSSODescriptor of an EntitiesDescriptor.
func ParseMetadata(data []byte) (*saml.EntityDescriptor, error) {
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(data, &ed); err == nil && len(ed.IDPSSODescriptors) > 0 {
		return &ed, nil
	}
	var eds saml.EntitiesDescriptor
	if err := xml.Unmarshal(data, &eds); err == nil {
		for i := range eds.EntityDescriptors {
			if len(eds.EntityDescriptors[i].IDPSSODescriptors) > 0 {
				return &eds.EntityDescriptors[i], nil
			}
		}
	}
	return nil, errors.New("no IdP EntityDescriptor with an IDPSSODescriptor")
}

// sp is a per-request copy of the ServiceProvider with the current IdP
// metadata and the replay cache bound to ctx (ServiceProvider holds no
// locks, so a copy is safe).
func (c *Connector) sp(ctx context.Context) (*saml.ServiceProvider, error) {
	md, err := c.metadata(ctx)
	if err != nil {
		return nil, err
	}
	sp := c.base
	sp.IDPMetadata = md
	sp.ReplayCache = replayCache{ctx: ctx, ns: c.replayNS, c: c.env.ReplayCache}
	return &sp, nil
}

// IDPEntityID implements federation.SAMLConnector.
func (c *Connector) IDPEntityID(ctx context.Context) (string, error) {
	md, err := c.metadata(ctx)
	if err != nil {
		return "", err
	}
	return md.EntityID, nil
}

// Metadata implements federation.SAMLConnector: the SP metadata, with the
// signing key when requests or logout messages are signed and the
// encryption key only with EncryptedResponses (without it the IdP sends
// plaintext signed assertions, as to Cognito's metadata).
func (c *Connector) Metadata() ([]byte, error) {
	sp := c.base
	ed := sp.Metadata()
	for i := range ed.SPSSODescriptors {
		d := &ed.SPSSODescriptors[i]
		kept := d.KeyDescriptors[:0]
		for _, k := range d.KeyDescriptors {
			if k.Use == "encryption" && !c.encrypted {
				continue
			}
			kept = append(kept, k)
		}
		d.KeyDescriptors = kept
	}
	out, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("federation/saml: metadata: %w", err)
	}
	return out, nil
}

// message renders an outgoing message in the binding the IdP offers.
type message interface {
	Post(relayState string) []byte
	PostWithNonce(relayState, nonce string) []byte
}

func post(m message, opt federation.SAMLOptions) []byte {
	if opt.CSPNonce != "" {
		return m.PostWithNonce(opt.RelayState, opt.CSPNonce)
	}
	return m.Post(opt.RelayState)
}

// AuthnRequest implements federation.SAMLConnector: HTTP-Redirect when the
// IdP has it, else HTTP-POST; signed with RequestSigningAlgorithm.
func (c *Connector) AuthnRequest(ctx context.Context, opt federation.SAMLOptions) (federation.SAMLMessage, error) {
	sp, err := c.sp(ctx)
	if err != nil {
		return federation.SAMLMessage{}, err
	}
	// HTTP-Redirect, except that a signed request goes by HTTP-POST when the
	// IdP takes it: its signature is inside the XML, so it survives an IdP
	// that re-posts the request from its login form.
	bindings := []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding}
	if c.signing {
		bindings = []string{saml.HTTPPostBinding, saml.HTTPRedirectBinding}
	}
	var binding, loc string
	for _, b := range bindings {
		if loc = sp.GetSSOBindingLocation(b); loc != "" {
			binding = b
			break
		}
	}
	if loc == "" {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: %w: the IdP metadata has no SingleSignOnService for HTTP-Redirect or HTTP-POST", federation.ErrInvalidResponse)
	}
	if _, err := federation.CheckURL("SSORedirectBindingURI", loc); err != nil {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: IdP metadata: %w", err)
	}
	req, err := sp.MakeAuthenticationRequest(loc, binding, saml.HTTPPostBinding)
	if err != nil {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: authn request: %w", err)
	}
	msg := federation.SAMLMessage{ID: req.ID}
	if binding == saml.HTTPRedirectBinding {
		u, err := req.Redirect(opt.RelayState, sp)
		if err != nil {
			return federation.SAMLMessage{}, fmt.Errorf("federation/saml: authn request: %w", err)
		}
		msg.RedirectURL = u.String()
	} else {
		msg.PostForm = post(req, opt)
	}
	return msg, nil
}

// envelope is the little of a Response read before verification, to
// classify errors and enforce EncryptedResponses. Nothing in it is trusted.
type envelope struct {
	XMLName      xml.Name
	InResponseTo string `xml:"InResponseTo,attr"`
	Issuer       string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Status       struct {
		Code struct {
			Value string `xml:"Value,attr"`
			Sub   *struct {
				Value string `xml:"Value,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
		Message string `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusMessage"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:protocol Status"`
	Assertions          []struct{} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	EncryptedAssertions []struct{} `xml:"urn:oasis:names:tc:SAML:2.0:assertion EncryptedAssertion"`
}

// PeekResponse reads a posted SAMLResponse without verifying it: its
// Issuer (to find the provider of an IdP-initiated response) and
// InResponseTo (to find the request). Use only to route; HandleResponse
// verifies.
func PeekResponse(r *http.Request) (issuer, inResponseTo string, err error) {
	env, err := peek(r)
	if err != nil {
		return "", "", err
	}
	return strings.TrimSpace(env.Issuer), env.InResponseTo, nil
}

func peek(r *http.Request) (*envelope, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	v := r.PostForm.Get("SAMLResponse")
	if v == "" {
		return nil, fmt.Errorf("%w: no SAMLResponse", federation.ErrInvalidResponse)
	}
	if len(v) > maxResponse {
		return nil, fmt.Errorf("%w: SAMLResponse too long", federation.ErrInvalidResponse)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, v))
	if err != nil {
		return nil, fmt.Errorf("%w: SAMLResponse is not base64", federation.ErrInvalidResponse)
	}
	var env envelope
	dec := xml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&env); err != nil || env.XMLName.Local != "Response" {
		return nil, fmt.Errorf("%w: SAMLResponse is not a Response", federation.ErrInvalidResponse)
	}
	return &env, nil
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
		return -1
	}
	return r
}

func parseForm(r *http.Request) error {
	if r.PostForm == nil {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(nil, r.Body, maxResponse+64<<10)
		}
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("%w: %v", federation.ErrInvalidResponse, err)
		}
	}
	return nil
}

// HandleResponse implements federation.SAMLConnector.
func (c *Connector) HandleResponse(ctx context.Context, r *http.Request, possibleRequestIDs []string) (federation.Identity, error) {
	env, err := peek(r)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w", err)
	}
	if r.PostForm.Get("SAMLart") != "" || r.PostForm.Get("SigAlg") != "" {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w: only the HTTP-POST binding is accepted", federation.ErrInvalidResponse)
	}
	if env.InResponseTo == "" && !c.idpInit {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w", federation.ErrUnsolicited)
	}
	if code := env.Status.Code.Value; code != "" && code != saml.StatusSuccess {
		// An error status carries no assertion to verify; at worst a forged
		// one shows the user an error page.
		ue := &federation.UpstreamError{Code: code, Description: env.Status.Message}
		if env.Status.Code.Sub != nil && env.Status.Code.Sub.Value != "" {
			ue.Code = env.Status.Code.Sub.Value
		}
		return federation.Identity{}, fmt.Errorf("federation/saml: %w", ue)
	}
	if c.encrypted && (len(env.EncryptedAssertions) == 0 || len(env.Assertions) > 0) {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w: EncryptedResponses requires encrypted assertions", federation.ErrInvalidResponse)
	}
	sp, err := c.sp(ctx)
	if err != nil {
		return federation.Identity{}, err
	}
	a, err := sp.ParseResponse(r, possibleRequestIDs)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w", classify(err))
	}
	return c.identity(sp, a)
}

// classify maps crewjam's errors to the federation sentinels, keeping the
// detail (crewjam's InvalidResponseError unwraps to its private cause).
func classify(err error) error {
	detail := err
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		detail = ire.PrivateErr
	}
	var sentinel error
	switch {
	case errors.Is(err, federation.ErrReplayed), errors.Is(err, saml.ErrAssertionReplayed):
		sentinel = federation.ErrReplayed
	case errors.Is(err, saml.ErrInvalidSignature), errors.Is(err, saml.ErrUntrustedCertificate),
		errors.Is(err, saml.ErrCertificateNotValidNow), errors.Is(err, dsig.ErrMissingSignature),
		// crewjam's unexported errSignatureElementNotPresent: an unsigned
		// response or assertion.
		strings.Contains(detail.Error(), "signature element not present"):
		sentinel = federation.ErrBadSignature
	case errors.Is(err, saml.ErrExpired), errors.Is(err, saml.ErrNotYetValid):
		sentinel = federation.ErrExpired
	case errors.Is(err, saml.ErrRequestIDMismatch):
		sentinel = federation.ErrBadState
	case errors.Is(err, federation.ErrUpstreamUnavailable):
		return err
	default:
		sentinel = federation.ErrInvalidResponse
	}
	return fmt.Errorf("%w: %v", sentinel, detail)
}

// emailAttributes are the attribute names IdPs commonly put the email in,
// for Identity.Email (the mapping decides what the pool stores).
var emailAttributes = []string{
	"email", "mail", "emailaddress",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
	"urn:oid:0.9.2342.19200300.100.1.3",
}

func (c *Connector) identity(sp *saml.ServiceProvider, a *saml.Assertion) (federation.Identity, error) {
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return federation.Identity{}, fmt.Errorf("federation/saml: %w: no NameID", federation.ErrInvalidResponse)
	}
	nameID := a.Subject.NameID
	attrs := map[string][]string{}
	raw := map[string]any{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			vals := make([]string, 0, len(at.Values))
			for _, v := range at.Values {
				vals = append(vals, v.Value)
			}
			for _, name := range []string{at.Name, at.FriendlyName} {
				if name == "" {
					continue
				}
				if _, dup := attrs[name]; !dup || name == at.Name {
					attrs[name] = vals
					raw[name] = vals
				}
			}
		}
	}
	id := federation.Identity{
		ProviderName: c.name,
		ProviderType: federation.TypeSAML,
		Issuer:       sp.IDPMetadata.EntityID,
		Subject:      strings.TrimSpace(nameID.Value),
		Attributes:   attrs,
		Raw:          raw,
		SAML: &federation.SAMLSession{
			NameID:          nameID.Value,
			NameIDFormat:    nameID.Format,
			SPNameQualifier: nameID.SPNameQualifier,
		},
	}
	for _, name := range emailAttributes {
		if v := attrs[name]; len(v) > 0 && v[0] != "" {
			id.Email = v[0]
			break
		}
	}
	if id.Email == "" && nameID.Format == string(saml.EmailAddressNameIDFormat) {
		id.Email = nameID.Value
	}
	for _, s := range a.AuthnStatements {
		if s.SessionIndex != "" && id.SAML.SessionIndex == "" {
			id.SAML.SessionIndex = s.SessionIndex
		}
		if s.SessionNotOnOrAfter != nil && id.Expiry.IsZero() {
			id.Expiry = *s.SessionNotOnOrAfter
		}
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData != nil && sc.SubjectConfirmationData.InResponseTo != "" {
			id.SAML.InResponseTo = sc.SubjectConfirmationData.InResponseTo
			break
		}
	}
	return id, nil
}

// LogoutRequest implements federation.SAMLConnector (SP-initiated single
// logout, Cognito's IDPSignout).
func (c *Connector) LogoutRequest(ctx context.Context, s federation.SAMLSession, opt federation.SAMLOptions) (federation.SAMLMessage, error) {
	if !c.signout {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w: IDPSignout is off", federation.ErrNotSupported)
	}
	sp, err := c.sp(ctx)
	if err != nil {
		return federation.SAMLMessage{}, err
	}
	binding := saml.HTTPRedirectBinding
	loc := sp.GetSLOBindingLocation(binding)
	if loc == "" {
		binding = saml.HTTPPostBinding
		loc = sp.GetSLOBindingLocation(binding)
	}
	if loc == "" {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w: the IdP has no SingleLogoutService", federation.ErrNotSupported)
	}
	opts := []saml.LogoutRequestOption{func(r *saml.LogoutRequest) {
		if r.NameID != nil {
			r.NameID.Format = s.NameIDFormat
			if s.SPNameQualifier != "" {
				r.NameID.SPNameQualifier = s.SPNameQualifier
			}
		}
	}}
	if s.SessionIndex != "" {
		opts = append(opts, saml.WithSessionIndex(s.SessionIndex))
	}
	req, err := sp.MakeLogoutRequest(loc, s.NameID, opts...)
	if err != nil {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w", err)
	}
	msg := federation.SAMLMessage{ID: req.ID}
	if binding == saml.HTTPRedirectBinding {
		u, err := sp.RedirectLogoutRequestURL(req, opt.RelayState)
		if err != nil {
			return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w", err)
		}
		msg.RedirectURL = u.String()
	} else {
		msg.PostForm = post(req, opt)
	}
	return msg, nil
}

// HandleLogoutResponse implements federation.SAMLConnector.
func (c *Connector) HandleLogoutResponse(ctx context.Context, r *http.Request, possibleRequestIDs []string) error {
	if !c.signout {
		return fmt.Errorf("federation/saml: logout: %w: IDPSignout is off", federation.ErrNotSupported)
	}
	sp, err := c.sp(ctx)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("federation/saml: logout response: %w: %v", federation.ErrInvalidResponse, err)
	}
	if _, err := sp.ParseLogoutResponse(r, possibleRequestIDs); err != nil {
		var bad saml.ErrBadStatus
		if errors.As(err, &bad) {
			return fmt.Errorf("federation/saml: logout response: %w", &federation.UpstreamError{Code: bad.Status})
		}
		return fmt.Errorf("federation/saml: logout response: %w", classify(err))
	}
	return nil
}

// HandleLogoutRequest implements federation.SAMLConnector (IdP-initiated
// single logout).
func (c *Connector) HandleLogoutRequest(ctx context.Context, r *http.Request) (federation.SAMLLogoutRequest, error) {
	if !c.signout {
		return federation.SAMLLogoutRequest{}, fmt.Errorf("federation/saml: logout: %w: IDPSignout is off", federation.ErrNotSupported)
	}
	sp, err := c.sp(ctx)
	if err != nil {
		return federation.SAMLLogoutRequest{}, err
	}
	if err := r.ParseForm(); err != nil {
		return federation.SAMLLogoutRequest{}, fmt.Errorf("federation/saml: logout request: %w: %v", federation.ErrInvalidResponse, err)
	}
	req, err := sp.ValidateLogoutRequest(r)
	if err != nil {
		return federation.SAMLLogoutRequest{}, fmt.Errorf("federation/saml: logout request: %w", classify(err))
	}
	out := federation.SAMLLogoutRequest{ID: req.ID, RelayState: r.Form.Get("RelayState")}
	if req.NameID != nil {
		out.NameID = req.NameID.Value
	}
	for _, si := range req.AllSessionIndexes() {
		out.SessionIndexes = append(out.SessionIndexes, si.Value)
	}
	return out, nil
}

// LogoutResponse implements federation.SAMLConnector.
func (c *Connector) LogoutResponse(ctx context.Context, requestID string, opt federation.SAMLOptions) (federation.SAMLMessage, error) {
	if !c.signout {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w: IDPSignout is off", federation.ErrNotSupported)
	}
	sp, err := c.sp(ctx)
	if err != nil {
		return federation.SAMLMessage{}, err
	}
	if loc := sp.GetSLOBindingLocation(saml.HTTPRedirectBinding); loc != "" {
		u, err := sp.MakeRedirectLogoutResponse(requestID, opt.RelayState)
		if err != nil {
			return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout response: %w", err)
		}
		return federation.SAMLMessage{RedirectURL: u.String()}, nil
	}
	loc := sp.GetSLOBindingLocation(saml.HTTPPostBinding)
	if loc == "" {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout: %w: the IdP has no SingleLogoutService", federation.ErrNotSupported)
	}
	resp, err := sp.MakeLogoutResponse(loc, requestID)
	if err != nil {
		return federation.SAMLMessage{}, fmt.Errorf("federation/saml: logout response: %w", err)
	}
	return federation.SAMLMessage{ID: resp.ID, PostForm: post(resp, opt)}, nil
}
