package cognitoapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signedCall describes one request the AWS SDK's own SigV4 signer signs.
type signedCall struct {
	creds    aws.Credentials
	service  string
	region   string
	signedAt time.Time
	path     string // with query, default "/"
	body     string
	header   http.Header
	// after runs on the signed request before it is sent: tampering.
	after func(r *http.Request)
}

func (c signedCall) do(t *testing.T, srv *httptest.Server) answer {
	t.Helper()
	if c.creds.AccessKeyID == "" {
		c.creds = aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}
	}
	if c.service == "" {
		c.service = "cognito-idp"
	}
	if c.region == "" {
		c.region = "eu-west-1"
	}
	if c.signedAt.IsZero() {
		c.signedAt = testNow
	}
	if c.path == "" {
		c.path = "/"
	}
	if c.body == "" {
		c.body = `{"UserPoolId":"eu-west-1_AbC123xyZ"}`
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	sum := sha256.Sum256([]byte(c.body))
	if err := v4.NewSigner().SignHTTP(t.Context(), c.creds, req, hex.EncodeToString(sum[:]), c.service, c.region, c.signedAt); err != nil {
		t.Fatalf("sign: %v", err)
	}
	if c.after != nil {
		c.after(req)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return readAnswer(t, resp)
}

func TestSigV4(t *testing.T) {
	srv, logs := newTestServer(t, fixedClock)
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	tests := []struct {
		name string
		call signedCall
		// wantType "" means success, with the ARN in wantArnRegion's region.
		wantType      string
		wantMessage   string
		wantArnRegion string
	}{
		{name: "correct key", wantArnRegion: "eu-west-1"},
		{name: "region of the scope is passed on", call: signedCall{region: "ap-southeast-2"}, wantArnRegion: "ap-southeast-2"},
		{name: "odd but valid region", call: signedCall{region: "local"}, wantArnRegion: "local"},
		{name: "session token is accepted", call: signedCall{creds: aws.Credentials{
			AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey, SessionToken: "FwoGZXIvYXdzEBYaD",
		}}, wantArnRegion: "eu-west-1"},
		{name: "signed 14 minutes ago", call: signedCall{signedAt: testNow.Add(-14 * time.Minute)}, wantArnRegion: "eu-west-1"},
		{name: "signed 14 minutes ahead", call: signedCall{signedAt: testNow.Add(14 * time.Minute)}, wantArnRegion: "eu-west-1"},
		{
			name: "query string, path and odd headers canonicalised",
			call: signedCall{
				path: "/some%20dir/x~y?b=2&a=1&a=0&sp=a%20b&sym=%2F%2A%7E&empty=",
				header: http.Header{
					"X-Custom-Spaces": {"  a    b   c  "},
					"X-Custom-Multi":  {"first", " second  value "},
					"X-MiXeD-CaSe":    {"Value"},
					"Cache-Control":   {"no-cache"},
				},
				after: func(r *http.Request) {
					// Send the same pairs in another order and with "+"
					// for the space: the server must sort and re-encode.
					r.URL.RawQuery = "sym=%2f*~&empty&sp=a+b&a=1&b=2&a=0"
				},
			},
			wantArnRegion: "eu-west-1",
		},
		{
			name:     "wrong secret",
			call:     signedCall{creds: aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: "not-the-secret"}},
			wantType: "InvalidSignatureException", wantMessage: mismatch,
		},
		{
			name:     "unknown access key",
			call:     signedCall{creds: aws.Credentials{AccessKeyID: "AKIDSOMEONEELSE", SecretAccessKey: testCreds.SecretAccessKey}},
			wantType: "UnrecognizedClientException", wantMessage: "The security token included in the request is invalid.",
		},
		{
			name:     "unsigned",
			call:     signedCall{after: func(r *http.Request) { r.Header.Del("Authorization") }},
			wantType: "MissingAuthenticationTokenException", wantMessage: "Missing Authentication Token",
		},
		{
			name:     "expired",
			call:     signedCall{signedAt: testNow.Add(-16 * time.Minute)},
			wantType: "InvalidSignatureException",
			wantMessage: "Signature expired: 20260314T145326Z is now earlier than 20260314T145426Z " +
				"(20260314T150926Z - 15 min.)",
		},
		{
			name:     "not yet current",
			call:     signedCall{signedAt: testNow.Add(16 * time.Minute)},
			wantType: "InvalidSignatureException",
			wantMessage: "Signature not yet current: 20260314T152526Z is still later than 20260314T152426Z " +
				"(20260314T150926Z + 15 min.)",
		},
		{
			name: "body tampered after signing",
			call: signedCall{after: func(r *http.Request) {
				body := `{"UserPoolId":"eu-west-1_Tampered1"}`
				r.Body = httpBody(body)
				r.ContentLength = int64(len(body))
			}},
			wantType: "InvalidSignatureException", wantMessage: mismatch,
		},
		{
			name:     "signed header tampered",
			call:     signedCall{header: http.Header{"X-Custom": {"one"}}, after: func(r *http.Request) { r.Header.Set("X-Custom", "two") }},
			wantType: "InvalidSignatureException", wantMessage: mismatch,
		},
		{
			name:     "query tampered",
			call:     signedCall{path: "/?a=1", after: func(r *http.Request) { r.URL.RawQuery = "a=2" }},
			wantType: "InvalidSignatureException", wantMessage: mismatch,
		},
		{
			name:     "signed for another service",
			call:     signedCall{service: "cognito-identity"},
			wantType: "InvalidSignatureException", wantMessage: "Credential should be scoped to correct service: 'cognito-idp'. ",
		},
		{
			name:     "region that cannot be a pool id prefix",
			call:     signedCall{region: "eu_west"},
			wantType: "InvalidSignatureException", wantMessage: "Credential should be scoped to a valid region. ",
		},
		{
			name: "X-Amz-Date changed after signing",
			call: signedCall{after: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", testNow.Add(time.Second).Format(amzDateFormat))
			}},
			wantType: "InvalidSignatureException", wantMessage: mismatch,
		},
		{
			name: "scope date differs from X-Amz-Date",
			call: signedCall{after: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", "20260315T000100Z")
			}},
			wantType: "InvalidSignatureException",
			wantMessage: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
				"'20260314' != '20260315', from '20260315T000100Z'.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := tt.call.do(t, srv)
			if tt.wantType == "" {
				if ans.status != http.StatusOK {
					t.Fatalf("got %d %s: %s", ans.status, ans.errType(), ans.message())
				}
				pool, _ := ans.body["UserPool"].(map[string]any)
				wantArn := "arn:aws:cognito-idp:" + tt.wantArnRegion + ":000000000000:userpool/eu-west-1_AbC123xyZ"
				if pool["Arn"] != wantArn {
					t.Errorf("Arn = %v, want %s", pool["Arn"], wantArn)
				}
				wantCommonHeaders(t, ans.header)
				return
			}
			wantError(t, ans, http.StatusBadRequest, tt.wantType)
			if ans.message() != tt.wantMessage {
				t.Errorf("message = %q\nwant      %q", ans.message(), tt.wantMessage)
			}
		})
	}
	if strings.Contains(logs.String(), testCreds.SecretAccessKey) {
		t.Error("the secret access key was logged")
	}
}

func TestSigV4MalformedHeader(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	const cred = "Credential=AKIDGATEHOUSETEST01/20260314/eu-west-1/cognito-idp/aws4_request"
	const sig = "Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name        string
		auth        string
		amzDate     string // "-" for none
		wantType    string
		wantMessage string
	}{
		{
			name: "SigV2 style", auth: "AWS AKIDGATEHOUSETEST01:c2lnbmF0dXJl",
			wantType: "IncompleteSignatureException", wantMessage: "Authorization header requires 'AWS4-HMAC-SHA256' as its algorithm, got 'AWS'.",
		},
		{
			name: "only a credential", auth: "AWS4-HMAC-SHA256 " + cred,
			wantType:    "IncompleteSignatureException",
			wantMessage: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
		},
		{
			name: "short credential", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260314/eu-west-1, SignedHeaders=host, " + sig,
			wantType:    "IncompleteSignatureException",
			wantMessage: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260314/eu-west-1'",
		},
		{
			name: "empty signed header name", auth: "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
			wantType: "IncompleteSignatureException", wantMessage: "Invalid SignedHeaders 'host;;x-amz-date': empty header name.",
		},
		{
			name: "no X-Amz-Date", auth: "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig, amzDate: "-",
			wantType: "IncompleteSignatureException", wantMessage: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
		},
		{
			name: "X-Amz-Date not basic ISO 8601", auth: "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig, amzDate: "2026-03-14T15:09:26Z",
			wantType:    "IncompleteSignatureException",
			wantMessage: "Date must be in ISO-8601 'basic format'. Got '2026-03-14T15:09:26Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "host not signed", auth: "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig,
			wantType: "InvalidSignatureException", wantMessage: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name: "bad terminator", auth: "AWS4-HMAC-SHA256 Credential=AKIDGATEHOUSETEST01/20260314/eu-west-1/cognito-idp/aws5_request, SignedHeaders=host, " + sig,
			wantType: "InvalidSignatureException", wantMessage: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
		},
		{
			name: "well formed, wrong signature, extra spaces", auth: "AWS4-HMAC-SHA256   " + cred + " ,  SignedHeaders=host;x-amz-date ,Signature=00",
			wantType: "InvalidSignatureException", wantMessage: signatureMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", contentTypeJSON11)
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
			r.Header.Set("Authorization", tt.auth)
			switch tt.amzDate {
			case "-":
			case "":
				r.Header.Set("X-Amz-Date", testNow.Format(amzDateFormat))
			default:
				r.Header.Set("X-Amz-Date", tt.amzDate)
			}
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			ans := readAnswer(t, w.Result())
			wantError(t, ans, http.StatusBadRequest, tt.wantType)
			if ans.message() != tt.wantMessage {
				t.Errorf("message = %q\nwant      %q", ans.message(), tt.wantMessage)
			}
		})
	}
}

// TestSigV4PublicOperationIgnoresSignature: an AuthNone operation runs
// whatever the Authorization header says, and sees no region.
func TestSigV4PublicOperationIgnoresSignature(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"AccessToken":"good-token"}`))
	r.Header.Set("Content-Type", contentTypeJSON11)
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if ans := readAnswer(t, w.Result()); ans.status != http.StatusOK || ans.body["Username"] != "alice" {
		t.Fatalf("got %d %s", ans.status, ans.raw)
	}
}

// TestSigV4KeyCache: a derived key is kept only once a signature verified
// with it, so unauthenticated callers cannot fill the cache.
func TestSigV4KeyCache(t *testing.T) {
	v := newSigV4(testCreds, "cognito-idp", fixedClock)
	sign := func(secret, region string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://cognito.test/", bytes.NewReader([]byte(`{}`)))
		sum := sha256.Sum256([]byte(`{}`))
		err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: secret},
			r, hex.EncodeToString(sum[:]), "cognito-idp", region, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i := range 3 {
		if _, err := v.verify(sign("wrong", "us-east-2"), []byte(`{}`)); err == nil {
			t.Fatalf("attempt %d: wrong secret verified", i)
		}
	}
	if n := len(v.keys); n != 0 {
		t.Fatalf("cache holds %d keys after failures only", n)
	}
	for range 2 {
		region, err := v.verify(sign(testCreds.SecretAccessKey, "us-east-2"), []byte(`{}`))
		if err != nil || region != "us-east-2" {
			t.Fatalf("verify = %q, %v", region, err)
		}
	}
	if n := len(v.keys); n != 1 {
		t.Fatalf("cache holds %d keys, want 1", n)
	}
}

func TestCredentialsHideSecret(t *testing.T) {
	var logs logBuffer
	cfg := Config{Credentials: testCreds}
	for _, s := range []string{
		sprint("%v", cfg), sprint("%+v", cfg), sprint("%#v", cfg), sprint("%s", testCreds),
	} {
		if strings.Contains(s, testCreds.SecretAccessKey) {
			t.Errorf("secret printed: %s", s)
		}
	}
	newLogger(&logs).Info("config", "creds", testCreds)
	if strings.Contains(logs.String(), testCreds.SecretAccessKey) || !strings.Contains(logs.String(), testCreds.AccessKeyID) {
		t.Errorf("log line: %s", logs.String())
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"k=a+b&k2=a%20b", "k=a%20b&k2=a%20b"},
		{"flag", "flag="},
		{"x=%2f%7e*!", "x=%2F~%2A%21"},
		// sorted after encoding: "a%2Fb" < "a-b" although '/' > '-'
		{"v=a-b&v=a/b", "v=a%2Fb&v=a-b"},
		{"&&a=1&", "a=1"},
		{"bad=%zz", "bad=%25zz"},
		{"%C3%A9=%E2%82%AC", "%C3%A9=%E2%82%AC"},
	}
	for _, tt := range tests {
		if got := canonicalQuery(tt.raw); got != tt.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestTrimAll(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"  a  ", "a"},
		{"a   b    c", "a b c"},
		{"\ta  b\t", "a b"},
		{"a\t\tb", "a\t\tb"}, // only spaces collapse, as in the SDKs
	}
	for _, tt := range tests {
		if got := trimAll(tt.in); got != tt.want {
			t.Errorf("trimAll(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
