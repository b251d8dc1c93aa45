package cognitoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// post sends one unsigned call to the API in-process.
func post(t *testing.T, a *API, target, contentType, body string) answer {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	return readAnswer(t, w.Result())
}

const getUserTarget = "AWSCognitoIdentityProviderService.GetUser"

func TestDispatchErrors(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	tests := []struct {
		name        string
		target      string
		contentType string
		body        string
		status      int
		wantType    string
	}{
		{"unknown operation", "AWSCognitoIdentityProviderService.NoSuchOp", contentTypeJSON11, `{}`, 400, "UnknownOperationException"},
		{"missing target", "", contentTypeJSON11, `{}`, 400, "UnknownOperationException"},
		{"target without prefix", "GetUser", contentTypeJSON11, `{}`, 400, "UnknownOperationException"},
		{"prefix is case sensitive", "awscognitoidentityproviderservice.GetUser", contentTypeJSON11, `{}`, 400, "UnknownOperationException"},
		{"identity pool API", "AWSCognitoIdentityService.GetId", contentTypeJSON11, `{}`, 400, "UnknownOperationException"},
		{"malformed JSON", getUserTarget, contentTypeJSON11, `{"AccessToken":`, 400, "SerializationException"},
		{"trailing garbage", getUserTarget, contentTypeJSON11, `{} x`, 400, "SerializationException"},
		{"wrong member type", getUserTarget, contentTypeJSON11, `{"AccessToken":42}`, 400, "SerializationException"},
		{"array body", getUserTarget, contentTypeJSON11, `[]`, 400, "SerializationException"},
		{"wrong content type", getUserTarget, "text/plain", `{}`, 400, "SerializationException"},
		{"no content type", getUserTarget, "", `{}`, 400, "SerializationException"},
		{"operation error", getUserTarget, contentTypeJSON11, `{"AccessToken":"bad"}`, 400, "NotAuthorizedException"},
		{"signed operation unsigned", "AWSCognitoIdentityProviderService.DescribeUserPool", contentTypeJSON11, `{}`, 400, "MissingAuthenticationTokenException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, post(t, a, tt.target, tt.contentType, tt.body), tt.status, tt.wantType)
		})
	}
}

func TestDispatchSuccess(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	tests := []struct {
		name        string
		contentType string
		body        string
	}{
		{"amz json 1.1", contentTypeJSON11, `{"AccessToken":"good-token"}`},
		{"application/json", "application/json", `{"AccessToken":"good-token"}`},
		{"content type with charset", "application/x-amz-json-1.1; charset=utf-8", `{"AccessToken":"good-token"}`},
		{"unknown members ignored", contentTypeJSON11, `{"AccessToken":"good-token","NewField":{"x":[1,2]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := post(t, a, getUserTarget, tt.contentType, tt.body)
			if ans.status != http.StatusOK {
				t.Fatalf("got %d %s", ans.status, ans.raw)
			}
			if got := ans.header.Get("Content-Type"); got != contentTypeJSON11 {
				t.Errorf("Content-Type = %q", got)
			}
			wantCommonHeaders(t, ans.header)
			const want = `{"Username":"alice","UserAttributes":[{"Name":"email","Value":"alice@example.com"}]}`
			if ans.raw != want {
				t.Errorf("body = %s\nwant   %s", ans.raw, want)
			}
		})
	}
}

func TestEmptyInputAndOutput(t *testing.T) {
	a := newAPI(Config{})
	var got *struct{ Name string }
	register(a, "GlobalSignOut", AuthNone, func(_ context.Context, in *struct{ Name string }) (*struct{}, error) {
		got = in
		return nil, nil
	})
	for _, body := range []string{"", "{}", "null"} {
		ans := post(t, a, "AWSCognitoIdentityProviderService.GlobalSignOut", contentTypeJSON11, body)
		if ans.status != http.StatusOK || ans.raw != "{}" {
			t.Errorf("body %q: got %d %q, want 200 {}", body, ans.status, ans.raw)
		}
		if got == nil || got.Name != "" {
			t.Errorf("body %q: input = %+v, want a zero value", body, got)
		}
	}
}

func TestInternalErrors(t *testing.T) {
	srv, logs := newTestServer(t, time.Now)
	tests := []struct {
		name   string
		poolID string
		inLog  string
	}{
		{"plain error", "boom", "disk on fire"},
		{"panic", "panic", "kaboom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := signedCall{signedAt: time.Now(), body: `{"UserPoolId":"` + tt.poolID + `"}`}.do(t, srv)
			wantError(t, ans, http.StatusInternalServerError, "InternalErrorException")
			if strings.Contains(ans.raw, "secret-detail") {
				t.Errorf("cause sent to the caller: %s", ans.raw)
			}
			log := logs.String()
			if !strings.Contains(log, tt.inLog) || !strings.Contains(log, ans.header.Get("x-amzn-RequestId")) {
				t.Errorf("log lacks the cause or request id:\n%s", log)
			}
		})
	}
}

func TestErrorShapes(t *testing.T) {
	srv, _ := newTestServer(t, time.Now)
	ans := signedCall{signedAt: time.Now(), body: `{"UserPoolId":"missing"}`}.do(t, srv)
	wantError(t, ans, http.StatusBadRequest, "ResourceNotFoundException")
	if ans.message() != "User pool missing does not exist." {
		t.Errorf("message = %q", ans.message())
	}
	if _, ok := ans.body["reasonCode"]; ok {
		t.Errorf("reasonCode sent without one: %s", ans.raw)
	}
	ans = signedCall{signedAt: time.Now(), body: `{"UserPoolId":"badparam"}`}.do(t, srv)
	wantError(t, ans, http.StatusBadRequest, "InvalidParameterException")
	if ans.body["reasonCode"] != "INVALID_TEST_REASON" {
		t.Errorf("reasonCode missing: %s", ans.raw)
	}
	if got := ans.header.Get("x-amzn-ErrorType"); got != "InvalidParameterException" {
		t.Errorf("x-amzn-ErrorType = %q", got)
	}
}

// TestErrorMapping covers what writeError makes of what an operation returns.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantType   string
	}{
		{"bare *Error", NotAuthorized("x"), 400, "NotAuthorizedException"},
		{"wrapped *Error", fmt.Errorf("auth: %w", NotAuthorized("x")), 400, "NotAuthorizedException"},
		{"joined *Error", errors.Join(errors.New("a"), ResourceNotFound("x")), 400, "ResourceNotFoundException"},
		{"zero status is 400", &Error{Type: "UserNotFoundException", Message: "x"}, 400, "UserNotFoundException"},
		{"explicit 500", InternalError(), 500, "InternalErrorException"},
		{"nonsense status", &Error{Type: "X", Message: "x", Status: 200}, 500, "X"},
		{"typed nil *Error", (*Error)(nil), 500, "InternalErrorException"},
		{"plain error", context.DeadlineExceeded, 500, "InternalErrorException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAPI(Config{})
			register(a, "ForgotPassword", AuthNone, func(context.Context, *struct{}) (*struct{}, error) { return nil, tt.err })
			wantError(t, post(t, a, "AWSCognitoIdentityProviderService.ForgotPassword", contentTypeJSON11, `{}`), tt.wantStatus, tt.wantType)
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead} {
		r := httptest.NewRequest(method, "/", nil)
		r.Header.Set("X-Amz-Target", getUserTarget)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		resp := w.Result()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("%s: got %d, Allow %q", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
		if method == http.MethodHead {
			continue
		}
		wantError(t, readAnswer(t, resp), http.StatusMethodNotAllowed, "UnknownOperationException")
	}
}

func TestOversizedBody(t *testing.T) {
	srv, _ := newTestServer(t, fixedClock)
	big := `{"AccessToken":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	tests := []struct {
		name    string
		chunked bool // no Content-Length: the limit bites while reading
	}{{"with Content-Length", false}, {"chunked", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(big))
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", contentTypeJSON11)
			req.Header.Set("X-Amz-Target", getUserTarget)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, readAnswer(t, resp), http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException")
		})
	}
	// Exactly the limit is fine (the operation then refuses the token).
	body := `{"AccessToken":"` + strings.Repeat("a", maxBodyBytes-len(`{"AccessToken":""}`)) + `"}`
	a, _ := newTestAPI(t, fixedClock)
	wantError(t, post(t, a, getUserTarget, contentTypeJSON11, body), http.StatusBadRequest, "NotAuthorizedException")
}

func TestCORS(t *testing.T) {
	srv, _ := newTestServer(t, fixedClock)

	t.Run("preflight", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		wantCommonHeaders(t, resp.Header)
		if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("Allow-Methods = %q", resp.Header.Get("Access-Control-Allow-Methods"))
		}
		allowed := map[string]bool{}
		for h := range strings.SplitSeq(resp.Header.Get("Access-Control-Allow-Headers"), ",") {
			allowed[strings.TrimSpace(h)] = true
		}
		for _, h := range []string{"content-type", "x-amz-target", "x-amz-user-agent", "authorization", "x-amz-date",
			"x-amz-security-token", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-content-sha256", "cache-control"} {
			if !allowed[h] {
				t.Errorf("preflight does not allow %s", h)
			}
		}
	})

	t.Run("on errors too", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{`))
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Content-Type", contentTypeJSON11)
		req.Header.Set("X-Amz-Target", getUserTarget)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		ans := readAnswer(t, resp)
		wantError(t, ans, http.StatusBadRequest, "SerializationException")
		if !strings.Contains(ans.header.Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
			t.Errorf("request id not exposed to scripts: %q", ans.header.Get("Access-Control-Expose-Headers"))
		}
	})
}

func TestRequestIDsDiffer(t *testing.T) {
	a, _ := newTestAPI(t, fixedClock)
	seen := map[string]bool{}
	for range 20 {
		id := post(t, a, getUserTarget, contentTypeJSON11, `{}`).header.Get("x-amzn-RequestId")
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
	}
}

func TestRegisterPanicsOnMistakes(t *testing.T) {
	op := func(context.Context, *struct{}) (*struct{}, error) { return nil, nil }
	tests := []struct {
		name string
		reg  func(a *API)
	}{
		{"twice", func(a *API) { register(a, "SignUp", AuthNone, op); register(a, "SignUp", AuthSigV4, op) }},
		{"zero Auth", func(a *API) { register(a, "SignUp", Auth(0), op) }},
		{"empty name", func(a *API) { register(a, "", AuthNone, op) }},
		{"name with prefix", func(a *API) { register(a, "AWSCognitoIdentityProviderService.SignUp", AuthNone, op) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.reg(newAPI(Config{}))
		})
	}
}

func TestNewServesNoTestOperations(t *testing.T) {
	a := New(Config{Credentials: testCreds})
	// GetUser is a real operation: the test double's good-token opens nothing.
	ans := post(t, a, getUserTarget, contentTypeJSON11, `{"AccessToken":"good-token"}`)
	if ans.status == http.StatusOK || strings.Contains(ans.raw, "alice") {
		t.Fatalf("New answered the test double's GetUser: %d %s", ans.status, ans.raw)
	}
}

func TestTimestamp(t *testing.T) {
	tests := []struct {
		t    time.Time
		json string
	}{
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 123_000_000), "1700000000.123"},
		{time.Unix(1700000000, 123_456_789), "1700000000.123"}, // milliseconds, as AWS
		{time.Unix(-1, -500_000_000), "-1.5"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(Timestamp(tt.t))
		if err != nil || string(b) != tt.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.t, b, err, tt.json)
		}
		var back Timestamp
		if err := json.Unmarshal(b, &back); err != nil || !time.Time(back).Equal(tt.t.Truncate(time.Millisecond)) {
			t.Errorf("Unmarshal(%s) = %v, %v", b, time.Time(back), err)
		}
	}
	var s struct {
		When Timestamp `json:",omitzero"`
	}
	if b, _ := json.Marshal(s); string(b) != "{}" {
		t.Errorf("zero Timestamp not omitted: %s", b)
	}
	a := newAPI(Config{})
	register(a, "AdminListUserAuthEvents", AuthNone, func(_ context.Context, in *struct{ Since Timestamp }) (*struct{}, error) {
		return nil, nil
	})
	wantError(t, post(t, a, "AWSCognitoIdentityProviderService.AdminListUserAuthEvents", contentTypeJSON11, `{"Since":"yesterday"}`),
		http.StatusBadRequest, "SerializationException")
}
