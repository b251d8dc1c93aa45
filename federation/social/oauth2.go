package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
)

// oauthConnector is an OAuth 2.0 provider without ID tokens (Amazon,
// Facebook): the code flow with state and PKCE, then a profile call with
// the access token. Its identity is only as good as the TLS to the profile
// endpoint, as in Cognito.
type oauthConnector struct {
	typ, issuer      string
	name             string
	clientID, secret string
	scopes           []string
	authURL          string
	tokenURL         string
	// tokenByGET sends the token request as a GET with the parameters in
	// the query (Facebook's documented form).
	tokenByGET bool
	// subjectKey names the profile field holding the user id.
	subjectKey string
	// profile builds the profile request for an access token.
	profile func(ctx context.Context, accessToken string) (*http.Request, error)
	env     federation.Env
}

var _ federation.RedirectConnector = (*oauthConnector)(nil)

func (c *oauthConnector) Type() string { return c.typ }

func (c *oauthConnector) config(redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.clientID, ClientSecret: c.secret, RedirectURL: redirect, Scopes: c.scopes,
		Endpoint: oauth2.Endpoint{AuthURL: c.authURL, TokenURL: c.tokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
}

func (c *oauthConnector) callback(s federation.LoginState) (string, error) {
	if s.CallbackURL != "" {
		return s.CallbackURL, nil
	}
	if c.env.CallbackURL != "" {
		return c.env.CallbackURL, nil
	}
	return "", errors.New("federation/social: no callback URL")
}

func (c *oauthConnector) LoginURL(_ context.Context, s federation.LoginState) (string, error) {
	if s.State == "" {
		return "", errors.New("federation/social: empty state")
	}
	cb, err := c.callback(s)
	if err != nil {
		return "", err
	}
	var opts []oauth2.AuthCodeOption
	if s.PKCEVerifier != "" {
		opts = append(opts, oauth2.S256ChallengeOption(s.PKCEVerifier))
	}
	return c.config(cb).AuthCodeURL(s.State, opts...), nil
}

func (c *oauthConnector) HandleCallback(ctx context.Context, s federation.LoginState, r *http.Request) (federation.Identity, error) {
	code, _, err := federation.ParseCallback(r, s)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/social: %s callback: %w", c.typ, err)
	}
	cb, err := c.callback(s)
	if err != nil {
		return federation.Identity{}, err
	}
	var tok *oauth2.Token
	if c.tokenByGET {
		tok, err = c.exchangeGET(ctx, cb, code, s.PKCEVerifier)
	} else {
		var opts []oauth2.AuthCodeOption
		if s.PKCEVerifier != "" {
			opts = append(opts, oauth2.VerifierOption(s.PKCEVerifier))
		}
		tok, err = c.config(cb).Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.env.HTTPClient), code, opts...)
		if err != nil {
			err = oidc.TokenError(err)
		}
	}
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/social: %s exchange code: %w", c.typ, err)
	}
	req, err := c.profile(ctx, tok.AccessToken)
	if err != nil {
		return federation.Identity{}, err
	}
	var claims map[string]any
	if err := oidc.DoJSON(c.env.HTTPClient, req, &claims); err != nil {
		return federation.Identity{}, fmt.Errorf("federation/social: %s profile: %w", c.typ, err)
	}
	sub := subject(claims[c.subjectKey])
	if sub == "" {
		return federation.Identity{}, fmt.Errorf("federation/social: %s profile: %w: no %s", c.typ, federation.ErrInvalidResponse, c.subjectKey)
	}
	email, _ := claims["email"].(string)
	var expiry = tok.Expiry
	return federation.Identity{
		ProviderName: c.name,
		ProviderType: c.typ,
		Issuer:       c.issuer,
		Subject:      sub,
		Email:        email,
		Attributes:   federation.ClaimsToAttributes(claims),
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Expiry:       expiry,
		Raw:          claims,
	}, nil
}

func subject(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	return ""
}

// exchangeGET is the token request as a GET (Facebook's
// /oauth/access_token; Cognito's token_request_method GET). Facebook's
// error answer is {"error":{"message","type","code"}}.
func (c *oauthConnector) exchangeGET(ctx context.Context, redirect, code, verifier string) (*oauth2.Token, error) {
	u, err := url.Parse(c.tokenURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("client_id", c.clientID)
	q.Set("client_secret", c.secret)
	q.Set("redirect_uri", redirect)
	q.Set("code", code)
	if verifier != "" {
		q.Set("code_verifier", verifier)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.env.HTTPClient.Do(req)
	if err != nil {
		return nil, oidc.TransportError(req, err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       *struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("%w: token endpoint answered %s", federation.ErrUpstreamUnavailable, resp.Status)
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("%w: token response: %v", federation.ErrInvalidResponse, err)
	}
	if body.Error != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		ue := &federation.UpstreamError{Code: "invalid_grant"}
		if body.Error != nil {
			ue.Description = fmt.Sprintf("%s (%s %d)", body.Error.Message, body.Error.Type, body.Error.Code)
		}
		return nil, ue
	}
	tok := &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType}
	if body.ExpiresIn > 0 {
		tok.Expiry = c.env.Now().Add(secondsDuration(body.ExpiresIn))
	}
	return tok, nil
}
