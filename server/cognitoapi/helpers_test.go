package cognitoapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testCreds = Credentials{
		AccessKeyID:     "AKIDGATEHOUSETEST01",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYGATEHOUSEKEY",
	}
	// testNow is the server clock of tests that sign with a fixed time.
	testNow     = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	testCreated = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
)

// Test-only operations, named like real ones so the SDK can call them. They
// build their output from their input, and a few magic inputs make them
// fail in each way an operation can.

type fakeDescribeUserPoolInput struct {
	UserPoolId string
}

type fakeUserPoolType struct {
	Id               string
	Name             string
	Arn              string
	CreationDate     Timestamp `json:",omitzero"`
	LastModifiedDate Timestamp `json:",omitzero"`
}

type fakeDescribeUserPoolOutput struct {
	UserPool *fakeUserPoolType `json:",omitempty"`
}

type fakeGetUserInput struct {
	AccessToken string
}

type fakeAttributeType struct {
	Name  string
	Value string
}

type fakeGetUserOutput struct {
	Username       string
	UserAttributes []fakeAttributeType
}

func fakeDescribeUserPool(ctx context.Context, in *fakeDescribeUserPoolInput) (*fakeDescribeUserPoolOutput, error) {
	switch in.UserPoolId {
	case "missing":
		return nil, fmt.Errorf("directory: describe pool: %w", ResourceNotFound("User pool missing does not exist."))
	case "badparam":
		e := InvalidParameter("Bad pool.")
		e.ReasonCode = "INVALID_TEST_REASON"
		return nil, e
	case "boom":
		return nil, errors.New("storage: disk on fire at /var/secret-detail")
	case "panic":
		panic("kaboom secret-detail")
	case "empty":
		return nil, nil
	}
	region := RegionFromContext(ctx)
	return &fakeDescribeUserPoolOutput{UserPool: &fakeUserPoolType{
		Id:           in.UserPoolId,
		Name:         "pool " + in.UserPoolId,
		Arn:          "arn:aws:cognito-idp:" + region + ":000000000000:userpool/" + in.UserPoolId,
		CreationDate: Timestamp(testCreated),
	}}, nil
}

func fakeGetUser(ctx context.Context, in *fakeGetUserInput) (*fakeGetUserOutput, error) {
	if r := RegionFromContext(ctx); r != "" {
		return nil, InvalidParameter("unsigned operation saw region " + r)
	}
	if in.AccessToken != "good-token" {
		return nil, NotAuthorized("Invalid Access Token")
	}
	return &fakeGetUserOutput{
		Username:       "alice",
		UserAttributes: []fakeAttributeType{{Name: "email", Value: "alice@example.com"}},
	}, nil
}

// newTestAPI is an API with the test operations and the given clock (nil:
// time.Now), logging into the returned buffer.
func newTestAPI(t testing.TB, now func() time.Time) (*API, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	a := newAPI(Config{
		Credentials: testCreds,
		Logger:      newLogger(logs),
		Now:         now,
	})
	register(a, "DescribeUserPool", AuthSigV4, fakeDescribeUserPool)
	register(a, "GetUser", AuthNone, fakeGetUser)
	return a, logs
}

func newTestServer(t testing.TB, now func() time.Time) (*httptest.Server, *logBuffer) {
	t.Helper()
	a, logs := newTestAPI(t, now)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv, logs
}

func fixedClock() time.Time { return testNow }

// logBuffer is an io.Writer safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) errType() string { s, _ := a.body["__type"].(string); return s }
func (a answer) message() string { s, _ := a.body["message"].(string); return s }

func readAnswer(t testing.TB, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	ans := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &ans.body); err != nil {
			t.Fatalf("body is not a JSON object: %v: %q", err, raw)
		}
	}
	return ans
}

// wantError checks a Cognito-shaped error answer.
func wantError(t testing.TB, ans answer, status int, typ string) {
	t.Helper()
	if ans.status != status || ans.errType() != typ {
		t.Fatalf("got %d %s (%q), want %d %s", ans.status, ans.errType(), ans.message(), status, typ)
	}
	if _, ok := ans.body["message"].(string); !ok {
		t.Errorf("error has no message: %s", ans.raw)
	}
	if got := ans.header.Get("Content-Type"); got != contentTypeJSON11 {
		t.Errorf("Content-Type = %q", got)
	}
	wantCommonHeaders(t, ans.header)
}

func wantCommonHeaders(t testing.TB, h http.Header) {
	t.Helper()
	if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
	if id := h.Get("x-amzn-RequestId"); len(id) != 36 {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", id)
	}
}

func httpBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func sprint(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
