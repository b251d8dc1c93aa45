package cognitoapi

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Config is what New needs. Tests build it directly.
type Config struct {
	// Credentials is the admin credential for AuthSigV4 operations. With an
	// empty AccessKeyID every signed call is refused.
	Credentials Credentials
	// Logger receives internal errors and panics; nil discards.
	Logger *slog.Logger
	// Now is the clock SigV4 dates are checked against; nil is time.Now.
	Now func() time.Time

	// Dir and Engine are the domain services the operations drive. New
	// registers the operations whatever they are; an operation called
	// without them fails as an internal error.
	Dir    *directory.Directory
	Engine *auth.Engine
	// Minter makes GetSigningCertificate's certificates and forgets a
	// deleted pool's keys.
	Minter *tokens.Minter
	// AccountID is the account part of the ARNs the API prints
	// (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId});
	// "000000000000" when empty.
	AccountID string
	// Region is the region of pools created without a signed call's region;
	// "us-east-1" when empty.
	Region string
	// PublicHost is the host name of the server's public URL: a prefix
	// domain is served at {prefix}.{PublicHost}, and a custom domain's DNS
	// must point at it (the CloudFrontDomain the domain operations answer).
	PublicHost string
}

// Auth is what an operation requires of a caller before it runs.
type Auth int

const (
	// AuthNone: public operations (SignUp, InitiateAuth, …) and access-token
	// operations (GetUser, ChangePassword, …). Cognito takes them unsigned;
	// the operation checks the client id or access token itself, and any
	// signature sent along is ignored.
	AuthNone Auth = iota + 1 // the zero Auth is invalid: every operation says
	// AuthSigV4: admin and management operations (Admin*, pools, clients,
	// groups, ListUsers, …) must be SigV4-signed with the admin credential,
	// service cognito-idp, any region.
	AuthSigV4
)

// Target prefixes of X-Amz-Target and the SigV4 signing name.
const (
	userPoolTargetPrefix     = "AWSCognitoIdentityProviderService."
	identityPoolTargetPrefix = "AWSCognitoIdentityService." // answered UnknownOperationException for now
	userPoolSigningName      = "cognito-idp"
)

// API is the http.Handler of the Cognito user pool JSON API. See doc.go.
type API struct {
	log *slog.Logger
	sig *sigV4
	ops map[string]operation // by full X-Amz-Target
}

// operation is one registered operation, its input type erased by register.
type operation struct {
	name string
	auth Auth
	// call decodes body into the operation's input and runs it; the result
	// is the output to encode (never a nil pointer) or an error.
	call func(ctx context.Context, body []byte) (any, error)
}

// New returns the API with every operation of registerOperations.
func New(cfg Config) *API {
	a := newAPI(cfg)
	registerOperations(a, newService(cfg, a.log))
	return a
}

// newAPI returns an API with no operations; tests register their own.
func newAPI(cfg Config) *API {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &API{
		log: log,
		sig: newSigV4(cfg.Credentials, userPoolSigningName, now),
		ops: make(map[string]operation),
	}
}

// register adds the user pool operation name (as in
// "AWSCognitoIdentityProviderService.<name>") with its typed handler. The
// framework decodes the body into a new In (a malformed body is a
// SerializationException), checks auth, calls fn and encodes *Out as JSON
// (nil is "{}"). fn's error is answered as described on Error.
//
// Call it only while building the API (New, tests), never while it serves.
// Registering a name twice, or an invalid Auth, panics: both are bugs.
func register[In, Out any](a *API, name string, auth Auth, fn func(ctx context.Context, in *In) (*Out, error)) {
	if name == "" || strings.ContainsAny(name, ". ") {
		panic("cognitoapi: invalid operation name " + `"` + name + `"`)
	}
	if auth != AuthNone && auth != AuthSigV4 {
		panic("cognitoapi: operation " + name + " has no valid Auth")
	}
	target := userPoolTargetPrefix + name
	if _, dup := a.ops[target]; dup {
		panic("cognitoapi: operation " + name + " registered twice")
	}
	a.ops[target] = operation{
		name: name,
		auth: auth,
		call: func(ctx context.Context, body []byte) (any, error) {
			in := new(In)
			if err := decodeInput(body, in); err != nil {
				return nil, err
			}
			out, err := fn(ctx, in)
			if err != nil {
				return nil, err
			}
			if out == nil {
				return struct{}{}, nil
			}
			return out, nil
		},
	}
}

type regionKey struct{}

// RegionFromContext is the region of the credential scope of a verified
// SigV4 signature: a pool created by a signed call takes it, as in AWS. It
// is "" in AuthNone operations.
func RegionFromContext(ctx context.Context) string {
	r, _ := ctx.Value(regionKey{}).(string)
	return r
}

func withRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

type remoteIPKey struct{}

// remoteIP is the caller's address (without the port), recorded on auth
// events. It is the TCP peer: a proxy in front of Gatehouse shows as itself.
func remoteIP(ctx context.Context) string {
	ip, _ := ctx.Value(remoteIPKey{}).(string)
	return ip
}

func withRemoteIP(ctx context.Context, addr string) context.Context {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return context.WithValue(ctx, remoteIPKey{}, addr)
}
