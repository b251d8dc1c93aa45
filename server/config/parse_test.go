package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleFileParses(t *testing.T) {
	f, err := Load(examplePath)
	if err != nil {
		t.Fatalf("the example file must stay valid: %v", err)
	}
	if len(f.Pools) != 1 || f.Pools[0].ID != "us-east-1_Example01" || len(f.Pools[0].Clients) != 2 || len(f.Pools[0].Users) != 2 {
		t.Errorf("example parsed to %+v", f.Pools)
	}
	c := f.Pools[0].Clients[0]
	if c.RefreshTokenValidity == nil || time.Duration(*c.RefreshTokenValidity) != 30*24*time.Hour {
		t.Errorf("refresh_token_validity = %v", c.RefreshTokenValidity)
	}
	if got := f.Pools[0].Users[0].Attributes["custom:tier"]; got != "gold" {
		t.Errorf("custom:tier = %q", got)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gatehouse.yaml")
	if err := os.WriteFile(path, []byte("pools:\n  - name: a\n    colour: blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:3: pools[0].colour: unknown field "colour"`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Load error = %v; want prefix %q", err, want)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestParseErrors checks that a bad file is refused with the line and the
// field of the problem.
func TestParseErrors(t *testing.T) {
	const base = `pools:
  - name: demo
    clients:
      - name: web
        callback_urls: [https://app.example.com/cb]
`
	tests := []struct {
		name string
		src  string
		line int
		want string // a substring of the error, after "line N: "
	}{
		{
			name: "unknown field",
			src:  base + "        colour: blue\n",
			line: 6, want: `pools[0].clients[0].colour: unknown field "colour"`,
		},
		{
			name: "Cognito casing suggests the key",
			src:  "pools:\n  - name: demo\n    clients:\n      - name: web\n        CallbackURLs: [https://x.example]\n",
			line: 5, want: `did you mean "callback_urls"?`,
		},
		{
			name: "wrong type",
			src:  "pools:\n  - name: demo\n    case_sensitive: sometimes\n",
			line: 3, want: `pools[0].case_sensitive: "sometimes" is not true or false`,
		},
		{
			name: "list where a value belongs",
			src:  "pools:\n  - name: [a, b]\n",
			line: 2, want: `pools[0].name: must be a single value, not a list`,
		},
		{
			name: "value where a list belongs",
			src:  "pools:\n  - name: demo\n    clients:\n      - name: web\n        callback_urls: https://app.example.com/cb\n",
			line: 5, want: `pools[0].clients[0].callback_urls: must be a list`,
		},
		{
			name: "not a number",
			src:  "pools:\n  - name: demo\n    password_policy:\n      minimum_length: ten\n",
			line: 4, want: `pools[0].password_policy.minimum_length: "ten" is not a whole number`,
		},
		{
			name: "bad URL",
			src: `pools:
  - name: demo
    clients:
      - name: web
        callback_urls:
          - https://app.example.com/cb
          - http://app.example.com/cb
`,
			line: 7, want: `pools[0].clients[0].callback_urls[1]: Invalid URL "http://app.example.com/cb": http is only allowed for localhost`,
		},
		{
			name: "URL with a fragment",
			src:  "pools:\n  - name: demo\n    clients:\n      - name: web\n        logout_urls: [\"https://x.example/#a\"]\n",
			line: 5, want: `pools[0].clients[0].logout_urls[0]: Invalid URL`,
		},
		{
			name: "bad enum",
			src:  "pools:\n  - name: demo\n    mfa_configuration: MAYBE\n",
			line: 3, want: `pools[0].mfa_configuration: "MAYBE" is not one of OFF, ON, OPTIONAL`,
		},
		{
			name: "bad enum in a list",
			src:  base + "        allowed_oauth_flows: [code, password]\n",
			line: 6, want: `pools[0].clients[0].allowed_oauth_flows[1]: "password" is not one of code, implicit, client_credentials`,
		},
		{
			name: "bad explicit auth flow",
			src:  base + "        explicit_auth_flows:\n          - ALLOW_USER_SRP_AUTH\n          - ALLOW_EVERYTHING\n",
			line: 8, want: `pools[0].clients[0].explicit_auth_flows[1]: "ALLOW_EVERYTHING" is not one of Cognito's explicit auth flows`,
		},
		{
			name: "duplicate client name",
			src:  base + "      - name: api\n      - name: web\n",
			line: 7, want: `pools[0].clients[2].name: client name "web" is already used by pools[0].clients[0] in this pool`,
		},
		{
			name: "missing pool name",
			src:  "pools:\n  - name: demo\n  - id: us-east-1_Other0001\n    mfa_configuration: \"OFF\"\n",
			line: 3, want: `pools[1].name: required: every pool needs a name`,
		},
		{
			name: "duplicate pool name",
			src:  "pools:\n  - name: demo\n  - name: demo\n",
			line: 3, want: `pools[1].name: pool name "demo" is already used by pools[0]`,
		},
		{
			name: "duplicate key",
			src:  "pools:\n  - name: demo\n    name: other\n",
			line: 3, want: `pools[0].name: field "name" is given twice`,
		},
		{
			name: "bad pool id",
			src:  "pools:\n  - name: demo\n    id: not-a-pool-id\n",
			line: 3, want: `pools[0].id: "not-a-pool-id" is not a pool id`,
		},
		{
			name: "duplicate pinned client id across pools",
			src:  "pools:\n  - name: a\n    clients: [{name: web, id: fixed}]\n  - name: b\n    clients:\n      - name: web\n        id: fixed\n",
			line: 7, want: `pools[1].clients[0].id: client id "fixed" is already used by pools[0].clients[0]`,
		},
		{
			name: "short pinned secret",
			src:  base + "        secret: tooshort\n",
			line: 6, want: `pools[0].clients[0].secret: must be 24 to 64 letters, digits, _ or +`,
		},
		{
			name: "secret and generate_secret",
			src:  base + "        secret: abcdefghijklmnopqrstuvwxyz\n        generate_secret: true\n",
			line: 7, want: `pools[0].clients[0].generate_secret: cannot be used together with secret`,
		},
		{
			name: "default redirect not a callback",
			src:  base + "        default_redirect_uri: https://other.example.com/cb\n",
			line: 6, want: `pools[0].clients[0].default_redirect_uri: "https://other.example.com/cb" must be one of the callback_urls`,
		},
		{
			name: "duration without unit",
			src:  base + "        access_token_validity: 60\n",
			line: 6, want: `pools[0].clients[0].access_token_validity: "60" is not a duration`,
		},
		{
			name: "duration out of range",
			src:  base + "        access_token_validity: 2d\n",
			line: 6, want: `pools[0].clients[0].access_token_validity: 2d is out of range: 5m0s to 1d`,
		},
		{
			name: "refresh shorter than access (the directory's rule)",
			src:  base + "        access_token_validity: 12h\n        refresh_token_validity: 2h\n",
			line: 4, want: `pools[0].clients[0]: Refresh token validity must exceed the access and ID token validity`,
		},
		{
			name: "client_credentials without a secret (the directory's rule)",
			src:  "pools:\n  - name: demo\n    clients:\n      - name: m2m\n        allowed_oauth_flows: [client_credentials]\n        allowed_oauth_scopes: [api/read]\n",
			line: 4, want: `pools[0].clients[0]: client_credentials flow can not be selected if client does not have a client secret.`,
		},
		{
			name: "password policy range",
			src:  "pools:\n  - name: demo\n    password_policy:\n      minimum_length: 4\n",
			line: 4, want: `pools[0].password_policy.minimum_length: 4 is out of range: 6 to 99`,
		},
		{
			name: "user password against the policy",
			src:  "pools:\n  - name: demo\n    users:\n      - username: alice\n        password: short\n",
			line: 5, want: `pools[0].users[0].password: Password did not conform with policy: Password not long enough`,
		},
		{
			name: "user without a password",
			src:  "pools:\n  - name: demo\n    users:\n      - username: alice\n",
			line: 4, want: `pools[0].users[0].password: required`,
		},
		{
			name: "username must be an email",
			src:  "pools:\n  - name: demo\n    username_attributes: [email]\n    users:\n      - username: alice\n        password: Passw0rd!\n",
			line: 5, want: `pools[0].users[0].username: this pool signs users in by email, so the username must be one`,
		},
		{
			name: "duplicate user ignoring case",
			src:  "pools:\n  - name: demo\n    users:\n      - {username: alice, password: Passw0rd!}\n      - {username: Alice, password: Passw0rd!}\n",
			line: 5, want: `pools[0].users[1].username: user "Alice" is already declared by pools[0].users[0]`,
		},
		{
			name: "username and alias attributes",
			src:  "pools:\n  - name: demo\n    username_attributes: [email]\n    alias_attributes: [preferred_username]\n",
			line: 4, want: `pools[0].alias_attributes: cannot be used together with username_attributes`,
		},
		{
			name: "required custom attribute",
			src:  "pools:\n  - name: demo\n    schema:\n      - name: tier\n        required: true\n",
			line: 5, want: `pools[0].schema[0].required: custom attributes cannot be required`,
		},
		{
			name: "scope without description",
			src:  "pools:\n  - name: demo\n    resource_servers:\n      - identifier: api\n        name: API\n        scopes:\n          - scope_name: read\n",
			line: 7, want: `pools[0].resource_servers[0].scopes[0].scope_description: required`,
		},
		{
			name: "bad role arn",
			src:  "pools:\n  - name: demo\n    groups:\n      - name: admins\n        role_arn: admin-role\n",
			line: 5, want: `pools[0].groups[0].role_arn: "admin-role" is not an ARN`,
		},
		{
			name: "sub cannot be set",
			src:  "pools:\n  - name: demo\n    users:\n      - username: alice\n        password: Passw0rd!\n        attributes:\n          sub: x\n",
			line: 7, want: `pools[0].users[0].attributes.sub: sub is chosen by Gatehouse`,
		},
		{
			name: "merge keys",
			src:  "pools:\n  - &p {name: x}\n  - <<: *p\n    id: us-east-1_Other0001\n",
			line: 3, want: `pools[1].<<: merge keys (<<) are not supported`,
		},
		{
			name: "syntax error",
			src:  "pools:\n  - name: demo\n    id: a: b\n",
			line: 3, want: `not valid YAML: mapping values are not allowed in this context`,
		},
		{
			name: "two documents",
			src:  "pools: []\n---\npools: []\n",
			line: 2, want: `the file must hold one YAML document`,
		},
		{
			name: "top level is not a mapping",
			src:  "- name: demo\n",
			line: 1, want: `must be a mapping of fields, not a list`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.src)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *config.Error: %v", err, err)
			}
			if ce.Line != tt.line {
				t.Errorf("line = %d, want %d: %v", ce.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestParseNeverEchoesPasswords(t *testing.T) {
	_, err := Parse([]byte("pools:\n  - name: demo\n    users:\n      - username: alice\n        password: hunter2hunter\n"))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v", err)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "   \n", "# only a comment\n"} {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("Parse(%q) = %v; want an empty-file error", src, err)
		}
	}
	f, err := Parse([]byte("pools: []\n"))
	if err != nil || len(f.Pools) != 0 {
		t.Errorf("no pools: %v %v", f, err)
	}
}

func TestParseAliasesAndScalars(t *testing.T) {
	f := mustParse(t, `
pools:
  - name: demo
    clients:
      - name: a
        callback_urls: &cbs [http://localhost:3000/cb]
        allowed_oauth_flows: [code]
        allowed_oauth_scopes: [openid]
        allowed_oauth_flows_user_pool_client: true
      - name: b
        callback_urls: *cbs
    users:
      - username: alice
        password: Passw0rd!
        attributes:
          phone_number: +15555550100
          email_verified: true
`)
	if got := f.Pools[0].Clients[1].CallbackURLs; len(got) != 1 || got[0] != "http://localhost:3000/cb" {
		t.Errorf("alias: %v", got)
	}
	attrs := f.Pools[0].Users[0].Attributes
	if attrs["phone_number"] != "+15555550100" || attrs["email_verified"] != "true" {
		t.Errorf("scalars are kept as written: %v", attrs)
	}
}

func TestParseAliasBomb(t *testing.T) {
	// Aliases multiply: 60 pools of 60 clients of 60 URLs from a few
	// kilobytes. The walk must stop, not expand them all.
	var b strings.Builder
	b.WriteString("pools:\n  - &p\n    name: p\n    clients:\n      - &c\n        name: c\n        callback_urls: [")
	b.WriteString(strings.Repeat("https://x.example, ", 59) + "https://x.example]\n")
	b.WriteString(strings.Repeat("      - *c\n", 59))
	b.WriteString(strings.Repeat("  - *p\n", 59))
	_, err := Parse([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("Parse = %v; want a too-large error", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "60m", want: time.Hour},
		{in: "90s", want: 90 * time.Second},
		{in: "12h", want: 12 * time.Hour},
		{in: "30d", want: 30 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "3650d", want: 3650 * 24 * time.Hour},
		{in: "60", bad: true},
		{in: "", bad: true},
		{in: "d", bad: true},
		{in: "-1h", bad: true},
		{in: "1d-1h", bad: true},
		{in: "1.5s", bad: true},
		{in: "99999999999d", bad: true},
		{in: "1w", bad: true},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if tt.bad != (err != nil) || !tt.bad && got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v (bad %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
	if s := Duration(30 * 24 * time.Hour).String(); s != "30d" {
		t.Errorf("String = %q", s)
	}
}
