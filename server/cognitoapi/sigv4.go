package cognitoapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Credentials is the admin credential that SigV4-signed calls must use
// (GATEHOUSE_ADMIN_ACCESS_KEY_ID / GATEHOUSE_ADMIN_SECRET_ACCESS_KEY).
// String and LogValue hide the secret, so printing or logging a Config that
// holds one leaks nothing.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

func (c Credentials) String() string {
	return "{AccessKeyID:" + c.AccessKeyID + " SecretAccessKey:REDACTED}"
}

// GoString keeps %#v from printing the secret too.
func (c Credentials) GoString() string { return "cognitoapi.Credentials" + c.String() }

// LogValue implements slog.LogValuer.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key_id", c.AccessKeyID))
}

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	sigV4Terminator = "aws4_request"
	amzDateFormat   = "20060102T150405Z" // ISO 8601 basic format, UTC
	scopeDateFormat = "20060102"
	// maxClockSkew is how far X-Amz-Date may be from the server clock, either
	// way, as AWS allows.
	maxClockSkew = 15 * time.Minute
	// signingKeyCacheSize bounds the derived-key cache. Keys are cached only
	// after a signature verified with them, so only the holder of the secret
	// can add entries; the bound is a backstop, not a defence.
	signingKeyCacheSize = 64
)

// validRegion is what a region in a credential scope must look like: the
// region becomes the first part of pool ids ("us-east-1_AbC123xyZ"), so it
// may hold neither "_" nor anything outside UserPoolId's pattern.
var validRegion = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// sigV4 verifies AWS Signature Version 4 signed requests (the Authorization
// header form, not presigned URLs) against one credential, following
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html.
// It answers with the error types and messages AWS uses, so SDKs and people
// reading them see what they would see from Cognito.
type sigV4 struct {
	creds   Credentials
	service string // signing name, "cognito-idp"
	now     func() time.Time

	mu   sync.Mutex
	keys map[signingScope][]byte
}

type signingScope struct{ date, region, service string }

func newSigV4(creds Credentials, service string, now func() time.Time) *sigV4 {
	return &sigV4{creds: creds, service: service, now: now, keys: make(map[signingScope][]byte)}
}

// authorization is a parsed "AWS4-HMAC-SHA256 Credential=..., ..." header.
type authorization struct {
	accessKeyID   string
	scope         signingScope
	terminator    string
	signedHeaders string   // as sent: it is a line of the canonical request
	headerNames   []string // signedHeaders split on ";"
	signature     string
}

// verify checks r's signature over body (the whole request body, already
// read) and returns the region of its credential scope.
func (v *sigV4) verify(r *http.Request, body []byte) (region string, _ *Error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", MissingAuthenticationToken()
	}
	auth, err := parseAuthorization(header)
	if err != nil {
		return "", err
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return "", IncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	signedAt, perr := time.Parse(amzDateFormat, amzDate)
	if perr != nil {
		return "", IncompleteSignature(fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", clip(amzDate)))
	}
	// The access key id is no secret; a plain comparison is fine. An unset
	// admin credential matches nothing.
	if v.creds.AccessKeyID == "" || auth.accessKeyID != v.creds.AccessKeyID {
		return "", UnrecognizedClient()
	}
	if err := v.checkScope(auth, amzDate); err != nil {
		return "", err
	}
	if err := checkClock(signedAt, v.now()); err != nil {
		return "", err
	}
	if !containsFold(auth.headerNames, "host") {
		return "", InvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}

	creq := canonicalRequest(r, auth, body)
	sum := sha256.Sum256([]byte(creq))
	stringToSign := sigV4Algorithm + "\n" + amzDate + "\n" +
		auth.scope.date + "/" + auth.scope.region + "/" + auth.scope.service + "/" + sigV4Terminator + "\n" +
		hex.EncodeToString(sum[:])

	key, cached := v.signingKey(auth.scope)
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if subtle.ConstantTimeCompare([]byte(want), []byte(auth.signature)) != 1 {
		return "", InvalidSignature(signatureMismatch)
	}
	if !cached {
		v.remember(auth.scope, key)
	}
	return auth.scope.region, nil
}

// checkScope checks the credential scope date/region/service/aws4_request
// with AWS's messages for each part.
func (v *sigV4) checkScope(auth authorization, amzDate string) *Error {
	if auth.terminator != sigV4Terminator {
		return InvalidSignature(fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", clip(auth.terminator)))
	}
	if auth.scope.service != v.service {
		return InvalidSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", v.service))
	}
	if len(auth.scope.region) > 32 || !validRegion.MatchString(auth.scope.region) {
		return InvalidSignature("Credential should be scoped to a valid region. ")
	}
	if auth.scope.date != amzDate[:len(scopeDateFormat)] {
		return InvalidSignature(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			clip(auth.scope.date), amzDate[:len(scopeDateFormat)], amzDate))
	}
	return nil
}

// checkClock refuses a signing time more than maxClockSkew from now, with
// AWS's two messages.
func checkClock(signedAt, now time.Time) *Error {
	now = now.UTC()
	minutes := int(maxClockSkew / time.Minute)
	if earliest := now.Add(-maxClockSkew); signedAt.Before(earliest) {
		return InvalidSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			signedAt.Format(amzDateFormat), earliest.Format(amzDateFormat), now.Format(amzDateFormat), minutes))
	}
	if latest := now.Add(maxClockSkew); signedAt.After(latest) {
		return InvalidSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			signedAt.Format(amzDateFormat), latest.Format(amzDateFormat), now.Format(amzDateFormat), minutes))
	}
	return nil
}

// parseAuthorization parses
//
//	AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// tolerating extra spaces around the commas, as AWS does.
func parseAuthorization(h string) (authorization, *Error) {
	var a authorization
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if algorithm != sigV4Algorithm {
		return a, IncompleteSignature(fmt.Sprintf("Authorization header requires '%s' as its algorithm, got '%s'.", sigV4Algorithm, clip(algorithm)))
	}
	var credential, signedHeaders, signature string
	var haveCredential, haveSignedHeaders, haveSignature bool
	for part := range strings.SplitSeq(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			credential, haveCredential = val, true
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = val, true
		case "Signature":
			signature, haveSignature = val, true
		}
	}
	var missing strings.Builder
	for _, m := range []struct {
		name string
		ok   bool
	}{{"Credential", haveCredential}, {"Signature", haveSignature}, {"SignedHeaders", haveSignedHeaders}} {
		if !m.ok {
			fmt.Fprintf(&missing, "Authorization header requires '%s' parameter. ", m.name)
		}
	}
	if missing.Len() > 0 {
		return a, IncompleteSignature(strings.TrimSpace(missing.String()))
	}

	parts := strings.Split(credential, "/")
	if len(parts) != 5 {
		return a, IncompleteSignature(fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", clip(credential)))
	}
	a.accessKeyID = parts[0]
	a.scope = signingScope{date: parts[1], region: parts[2], service: parts[3]}
	a.terminator = parts[4]

	if signedHeaders == "" {
		return a, IncompleteSignature("Authorization header requires 'SignedHeaders' parameter.")
	}
	a.signedHeaders = signedHeaders
	a.headerNames = strings.Split(signedHeaders, ";")
	for _, name := range a.headerNames {
		if name == "" {
			return a, IncompleteSignature(fmt.Sprintf("Invalid SignedHeaders '%s': empty header name.", clip(signedHeaders)))
		}
	}
	a.signature = signature
	return a, nil
}

// canonicalRequest builds the SigV4 canonical request:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
//
// The payload hash is always computed from the body: for services other
// than S3 AWS ignores X-Amz-Content-Sha256 and UNSIGNED-PAYLOAD.
func canonicalRequest(r *http.Request, auth authorization, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range auth.headerNames {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(auth.signedHeaders)
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// canonicalURI is the escaped path, escaped once more: every service but S3
// signs the path URI-encoded twice.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return uriEncode(p, false)
}

// canonicalQuery decodes each name and value, re-encodes it the SigV4 way
// and sorts the pairs by encoded name, then encoded value ("the sorting
// occurs after encoding").
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, pair{uriEncode(queryUnescape(k), true), uriEncode(queryUnescape(v), true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// queryUnescape decodes like url.ParseQuery ("+" is a space); a component
// with a bad escape is kept as sent, and will simply not verify.
func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// uriEncode percent-encodes every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~ with upper-case hex; "/" too when encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// canonicalHeaderValue is the value of one signed header: its values trimmed,
// runs of spaces collapsed, joined with ",". Go's server moves Host out of the
// header map into r.Host, and may keep Content-Length only in r.ContentLength.
func canonicalHeaderValue(r *http.Request, name string) string {
	switch strings.ToLower(name) {
	case "host":
		return trimAll(r.Host)
	case "content-length":
		if len(r.Header.Values("Content-Length")) == 0 && r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	values := r.Header.Values(name)
	trimmed := make([]string, len(values)) // Values is the request's own slice
	for i, v := range values {
		trimmed[i] = trimAll(v)
	}
	return strings.Join(trimmed, ",")
}

// trimAll trims a header value and collapses each run of spaces to one.
func trimAll(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// signingKey derives (or finds) the key for a scope:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func (v *sigV4) signingKey(s signingScope) (key []byte, cached bool) {
	v.mu.Lock()
	key, cached = v.keys[s]
	v.mu.Unlock()
	if cached {
		return key, true
	}
	key = hmacSHA256([]byte("AWS4"+v.creds.SecretAccessKey), s.date)
	key = hmacSHA256(key, s.region)
	key = hmacSHA256(key, s.service)
	key = hmacSHA256(key, sigV4Terminator)
	return key, false
}

func (v *sigV4) remember(s signingScope, key []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.keys) >= signingKeyCacheSize {
		clear(v.keys) // a new day or a burst of regions: start over
	}
	v.keys[s] = key
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func containsFold(names []string, want string) bool {
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return true
		}
	}
	return false
}

// clip shortens a client-supplied value echoed in an error message.
func clip(s string) string {
	const limit = 128
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
