package cognitoapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/federation/social"
	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// The operation tests run the real stack — SQLite in a temp file, the
// directory, the token minter and the auth engine, assembled as
// server.New does — behind the API on httptest, and drive it with the real
// AWS SDK. Mail goes over SMTP to a recording sink and SMS to a recording
// webhook (notifytest), through the real notify.Notifier. The domain's
// clock is a testClock the tests move (lockout, expiry); the API's SigV4
// clock is the real one, since the SDK signs with it.

const (
	testRegion  = "us-west-2"
	testAccount = "123456789012"
	testIssuer  = "http://gatehouse.test/"
	// testPublicHost is the issuer's host: prefix domains live under it.
	testPublicHost = "gatehouse.test"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type stack struct {
	srv    *httptest.Server
	minter *tokens.Minter
	engine *auth.Engine
	admin  *cip.Client // signed with the admin credential
	public *cip.Client // unsigned, as a browser or app calls the public operations
	dir    *directory.Directory
	clock  *testClock
	logs   *logBuffer
	mail   *notifytest.SMTP    // every mail the server sends
	sms    *notifytest.SMSSink // every SMS the server sends
}

// newStack builds the stack; opts adjust the directory's Config (a test
// that measures password hashing wants real Argon2 costs).
func newStack(t testing.TB, opts ...func(*directory.Config)) *stack {
	t.Helper()
	store, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{})
	if err != nil {
		t.Fatalf("sqlstore.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize), nil)
	if err != nil {
		t.Fatalf("secret.New: %v", err)
	}
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	registry := federation.Registry{}
	oidc.Register(registry)
	saml.Register(registry)
	social.Register(registry)
	dirCfg := directory.Config{Store: store, Sealer: sealer, Region: "us-east-1", Registry: registry,
		Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}, Now: clock.Now}
	for _, o := range opts {
		o(&dirCfg)
	}
	dir := directory.New(dirCfg)
	minter := tokens.New(tokens.Config{Store: store, Sealer: sealer, Now: clock.Now})
	logs := &logBuffer{}
	mail, sms := notifytest.NewSMTP(t, notifytest.SMTPConfig{}), notifytest.NewSMS(t)
	notifier, err := notify.New(notify.Config{SMTPURL: mail.URL(), SMSWebhookURL: sms.URL(), PublicHost: "gatehouse.test",
		Logger: newLogger(logs)})
	if err != nil {
		t.Fatalf("notify.New: %v", err)
	}
	engine := auth.New(auth.Config{Dir: dir, Minter: minter, Sealer: sealer, Now: clock.Now, Notifier: notifier,
		Issuer: func(poolID string) string { return testIssuer + poolID }})
	api := New(Config{
		Credentials: testCreds,
		Logger:      newLogger(logs),
		Dir:         dir,
		Engine:      engine,
		Minter:      minter,
		AccountID:   testAccount,
		PublicHost:  testPublicHost,
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	st := &stack{srv: srv, minter: minter, dir: dir, engine: engine, clock: clock, logs: logs, mail: mail, sms: sms}
	st.admin = st.client(adminCreds(testCreds.SecretAccessKey))
	st.public = st.client(nil)
	return st
}

// client is an SDK client of the stack's server, in testRegion.
func (st *stack) client(creds aws.CredentialsProvider, opts ...func(*cip.Options)) *cip.Client {
	return cip.New(cip.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(st.srv.URL),
		Credentials:  creds,
		HTTPClient:   sdkHTTPClient(st.srv),
		Retryer:      aws.NopRetryer{},
	}, opts...)
}

// withoutValidation drops the SDK's client-side check of required
// members, so a test can send what a hand-written client might.
func withoutValidation(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// newPool makes a pool in testRegion with Cognito's default policy.
func (st *stack) newPool(t *testing.T, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.PoolName == nil {
		in.PoolName = aws.String("pool")
	}
	out, err := st.admin.CreateUserPool(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

// newClient makes an app client; flows default to the password and
// refresh flows, public and admin.
func (st *stack) newClient(t *testing.T, in *cip.CreateUserPoolClientInput) *types.UserPoolClientType {
	t.Helper()
	if in.ClientName == nil {
		in.ClientName = aws.String("app")
	}
	if in.ExplicitAuthFlows == nil {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	out, err := st.admin.CreateUserPoolClient(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return out.UserPoolClient
}

// newUser makes a CONFIRMED user with a permanent password.
func (st *stack) newUser(t *testing.T, poolID, username, password string, attrs ...types.AttributeType) {
	t.Helper()
	ctx := t.Context()
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &username,
		UserAttributes: attrs, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := st.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &username,
		Password: &password, Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}

func (st *stack) passwordAuth(t *testing.T, clientID, username, password string, extra ...string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return st.public.InitiateAuth(t.Context(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID, AuthParameters: params,
	})
}

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func attrsOf(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func secretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// claims decodes a JWT's payload; the signature is the tokens package's
// business and tested there.
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return c
}

// wantAPIError checks the error code (the __type the SDK read) and, when
// msg is not empty, the message.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	ae, ok := errors.AsType[smithy.APIError](err)
	if !ok {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code %s (%q), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("%s message %q, want %q", code, ae.ErrorMessage(), msg)
	}
}

func equal(got, want any) bool { return reflect.DeepEqual(got, want) }

// signedCall sends body to operation op signed with the admin credential,
// for inputs the SDK cannot express.
func (st *stack) signedCall(t *testing.T, op, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, st.srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", userPoolTargetPrefix+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return readAnswer(t, resp)
}
