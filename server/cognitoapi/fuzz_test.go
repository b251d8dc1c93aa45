package cognitoapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sdkSignedHeaders signs a request with the SDK and returns its
// Authorization and X-Amz-Date, to seed the fuzzers with real examples.
func sdkSignedHeaders(t testing.TB, region, rawQuery, body string) (authz, amzDate string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://cognito-idp.test/?"+rawQuery, strings.NewReader(body))
	r.Header.Set("Content-Type", contentTypeJSON11)
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, r, hex.EncodeToString(sum[:]), "cognito-idp", region, testNow); err != nil {
		t.Fatal(err)
	}
	return r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date")
}

var sigV4ErrorTypes = map[string]bool{
	"MissingAuthenticationTokenException": true,
	"UnrecognizedClientException":         true,
	"InvalidSignatureException":           true,
	"IncompleteSignatureException":        true,
}

// FuzzSigV4Header: parsing the Authorization header and canonicalising the
// request never panic, a failure is always one of AWS's four signature
// errors, and canonical query strings are a fixed point.
func FuzzSigV4Header(f *testing.F) {
	authz, amzDate := sdkSignedHeaders(f, "eu-west-1", "", `{"UserPoolId":"x"}`)
	f.Add(authz, amzDate, "", "text", []byte(`{"UserPoolId":"x"}`))
	authz, amzDate = sdkSignedHeaders(f, "us-east-1", "b=2&a=1&a=%2F", `{}`)
	f.Add(authz, amzDate, "b=2&a=1&a=%2F", " a   b ", []byte(`{}`))
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260314/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
		"20260314T150926Z", "x=%zz&&=&y", "", []byte{})
	f.Add("AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;, Signature=", "2026", "%", "\x00", []byte(nil))
	f.Add("AWS AKID:sig", "", "+", "", []byte("x"))
	f.Add("", "", "", "", []byte(nil))

	v := newSigV4(testCreds, "cognito-idp", fixedClock)
	f.Fuzz(func(t *testing.T, authz, amzDate, rawQuery, value string, body []byte) {
		if _, err := parseAuthorization(authz); err != nil && err.Type != "IncompleteSignatureException" {
			t.Fatalf("parseAuthorization: %v", err)
		}
		cq := canonicalQuery(rawQuery)
		if again := canonicalQuery(cq); again != cq {
			t.Fatalf("canonicalQuery not idempotent: %q → %q → %q", rawQuery, cq, again)
		}

		r := &http.Request{
			Method:        http.MethodPost,
			URL:           &url.URL{Path: "/", RawQuery: rawQuery},
			Host:          "cognito-idp.test",
			Header:        http.Header{},
			ContentLength: int64(len(body)),
		}
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Amz-Date"] = []string{amzDate}
		r.Header["X-Amz-Target"] = []string{value, value}
		r.Header["Content-Type"] = []string{value}
		region, err := v.verify(r, body)
		if err == nil {
			// Only a real signature passes; the fuzzer may keep a seed.
			if region == "" {
				t.Fatal("verified with no region")
			}
			return
		}
		if !sigV4ErrorTypes[err.Type] || err.Message == "" || err.status() != http.StatusBadRequest {
			t.Fatalf("unexpected error %#v", err)
		}
	})
}

// FuzzDispatch: any target, content type, signature and body is answered
// with a Cognito-shaped JSON error or success, never a panic, and always
// with the request id and CORS header.
func FuzzDispatch(f *testing.F) {
	body := `{"UserPoolId":"eu-west-1_AbC123xyZ"}`
	authz, amzDate := sdkSignedHeaders(f, "eu-west-1", "", body)
	f.Add("AWSCognitoIdentityProviderService.DescribeUserPool", contentTypeJSON11, authz, amzDate, []byte(body))
	f.Add("AWSCognitoIdentityProviderService.DescribeUserPool", contentTypeJSON11, authz, amzDate, []byte(`{"UserPoolId":"panic"}`))
	f.Add("AWSCognitoIdentityProviderService.GetUser", contentTypeJSON11, "", "", []byte(`{"AccessToken":"good-token"}`))
	f.Add("AWSCognitoIdentityProviderService.GetUser", "application/json; charset=utf-8", "", "", []byte(`{"AccessToken":7}`))
	f.Add("AWSCognitoIdentityProviderService.GetUser", contentTypeJSON11, "", "", []byte(`{"AccessToken":`))
	f.Add("AWSCognitoIdentityProviderService.GetUser", contentTypeJSON11, "", "", []byte(`null`))
	f.Add("AWSCognitoIdentityService.GetId", contentTypeJSON11, "", "", []byte(`{}`))
	f.Add("", "", "", "", []byte(nil))
	f.Add("AWSCognitoIdentityProviderService.", "text/html", "AWS4-HMAC-SHA256", "x", []byte("\xff\xfe"))

	a, _ := newTestAPI(f, fixedClock)
	a.log = slog.New(slog.DiscardHandler) // panics would fill a buffer
	f.Fuzz(func(t *testing.T, target, contentType, authz, amzDate string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header["X-Amz-Target"] = []string{target}
		r.Header["Content-Type"] = []string{contentType}
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Amz-Date"] = []string{amzDate}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)

		resp := w.Result()
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || len(resp.Header.Get("x-amzn-RequestId")) != 36 {
			t.Fatalf("missing CORS or request id: %v", resp.Header)
		}
		if ct := resp.Header.Get("Content-Type"); ct != contentTypeJSON11 {
			t.Fatalf("Content-Type %q", ct)
		}
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("answer is not a JSON object: %v: %q", err, w.Body.Bytes())
		}
		if resp.StatusCode == http.StatusOK {
			if _, isErr := got["__type"]; isErr {
				t.Fatalf("200 with an error body: %s", w.Body.Bytes())
			}
			return
		}
		typ, _ := got["__type"].(string)
		_, hasMsg := got["message"].(string)
		if typ == "" || !hasMsg || !strings.HasSuffix(typ, "Exception") {
			t.Fatalf("%d answer not Cognito-shaped: %s", resp.StatusCode, w.Body.Bytes())
		}
		if resp.StatusCode >= 500 && typ != "InternalErrorException" {
			t.Fatalf("%d with %s", resp.StatusCode, typ)
		}
	})
}
