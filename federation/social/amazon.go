package social

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
)

// Login with Amazon's endpoints.
const (
	AmazonAuthURL    = "https://www.amazon.com/ap/oa"
	AmazonTokenURL   = "https://api.amazon.com/auth/o2/token"
	AmazonProfileURL = "https://api.amazon.com/user/profile"
	amazonIssuer     = "https://www.amazon.com"
)

// OpenAmazon is the factory for provider type LoginWithAmazon: client_id,
// client_secret, authorize_scopes (default "profile postal_code"). The user
// id is the profile's user_id.
func OpenAmazon(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	env = env.WithDefaults()
	c := &oauthConnector{name: pc.Name, typ: federation.TypeAmazon, issuer: amazonIssuer, subjectKey: "user_id", env: env}
	var err error
	if c.clientID, err = pc.Require("client_id"); err != nil {
		return nil, err
	}
	if c.secret, err = pc.Require("client_secret"); err != nil {
		return nil, err
	}
	c.scopes = federation.Scopes(pc.Get("authorize_scopes"))
	if len(c.scopes) == 0 {
		c.scopes = []string{"profile", "postal_code"}
	}
	if c.authURL, err = pc.URL("authorize_url", AmazonAuthURL); err != nil {
		return nil, err
	}
	if c.tokenURL, err = pc.URL("token_url", AmazonTokenURL); err != nil {
		return nil, err
	}
	profileURL, err := pc.URL("attributes_url", AmazonProfileURL)
	if err != nil {
		return nil, err
	}
	c.profile = func(ctx context.Context, at string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, profileURL, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+at)
		return req, nil
	}
	return c, nil
}

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }
