package social

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/federation"
)

// Facebook's endpoints, at an API version (api_version).
const (
	FacebookAuthURL    = "https://www.facebook.com/%s/dialog/oauth"
	FacebookTokenURL   = "https://graph.facebook.com/%s/oauth/access_token"
	FacebookGraphURL   = "https://graph.facebook.com/%s/me"
	FacebookAPIVersion = "v17.0"
	facebookIssuer     = "https://www.facebook.com"
)

var (
	apiVersionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,3}$`)
	graphFieldRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// facebookFields are always asked of /me; the mapped attribute names that
// look like Graph fields are added.
var facebookFields = []string{"id", "name", "email", "first_name", "last_name"}

// OpenFacebook is the factory for provider type Facebook: client_id (the
// app id), client_secret, authorize_scopes (default "public_profile,
// email"), api_version (default v17.0).
func OpenFacebook(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	env = env.WithDefaults()
	c := &oauthConnector{name: pc.Name, typ: federation.TypeFacebook, issuer: facebookIssuer, subjectKey: "id", tokenByGET: true, env: env}
	var err error
	if c.clientID, err = pc.Require("client_id"); err != nil {
		return nil, err
	}
	if c.secret, err = pc.Require("client_secret"); err != nil {
		return nil, err
	}
	c.scopes = federation.Scopes(pc.Get("authorize_scopes"))
	if len(c.scopes) == 0 {
		c.scopes = []string{"public_profile", "email"}
	}
	ver := pc.Get("api_version")
	if ver == "" {
		ver = FacebookAPIVersion
	}
	if !apiVersionRE.MatchString(ver) {
		return nil, federation.Configf("api_version", "must look like v17.0")
	}
	if c.authURL, err = pc.URL("authorize_url", sprintf(FacebookAuthURL, ver)); err != nil {
		return nil, err
	}
	if c.tokenURL, err = pc.URL("token_url", sprintf(FacebookTokenURL, ver)); err != nil {
		return nil, err
	}
	graphURL, err := pc.URL("attributes_url", sprintf(FacebookGraphURL, ver))
	if err != nil {
		return nil, err
	}
	fields := slices.Clone(facebookFields)
	for _, name := range pc.AttributeMapping {
		if graphFieldRE.MatchString(name) && !slices.Contains(fields, name) {
			fields = append(fields, name)
		}
	}
	slices.Sort(fields)
	secret := c.secret
	c.profile = func(ctx context.Context, at string) (*http.Request, error) {
		u, err := url.Parse(graphURL)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("fields", strings.Join(fields, ","))
		q.Set("access_token", at)
		// appsecret_proof: HMAC-SHA256 of the token with the app secret, so a
		// stolen token alone cannot call the Graph API for this app.
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(at))
		q.Set("appsecret_proof", hex.EncodeToString(m.Sum(nil)))
		u.RawQuery = q.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	return c, nil
}

func sprintf(format, v string) string { return strings.Replace(format, "%s", v, 1) }
