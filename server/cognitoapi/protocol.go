package cognitoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// maxBodyBytes bounds a request body. Cognito's largest inputs (a user's
// attributes, a UI customization's CSS) are far below it.
const maxBodyBytes = 1 << 20

const (
	contentTypeJSON11 = "application/x-amz-json-1.1"

	// CORS, as Cognito answers browsers (CONTRACT.md "HTTP surface").
	corsAllowHeaders = "content-type, x-amz-target, x-amz-user-agent, authorization, x-amz-date, " +
		"x-amz-security-token, amz-sdk-invocation-id, amz-sdk-request, x-amz-content-sha256, cache-control"
	corsAllowMethods   = "POST, OPTIONS"
	corsExposeHeaders  = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
	corsMaxAgeSeconds  = "86400"
	requestIDHeader    = "x-amzn-RequestId"
	errorTypeHeader    = "x-amzn-ErrorType"
	unknownOpMsgFormat = "Unknown operation %s."
)

// ServeHTTP answers one call of the AWS JSON 1.1 protocol:
//
//	POST / with X-Amz-Target: AWSCognitoIdentityProviderService.<Op>
//	Content-Type: application/x-amz-json-1.1 (or application/json), body the input as JSON
//
// and answers the output as JSON, or {"__type", "message"} with the error's
// status. Every answer carries x-amzn-RequestId and
// Access-Control-Allow-Origin: *; OPTIONS answers the CORS preflight.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := uuid.NewString()
	h := w.Header()
	h.Set(requestIDHeader, id)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)

	switch r.Method {
	case http.MethodPost:
	case http.MethodOptions:
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", corsMaxAgeSeconds)
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	default:
		h.Set("Allow", corsAllowMethods)
		a.writeError(w, r, id, "", &Error{
			Type:    "UnknownOperationException",
			Message: "Method " + clip(r.Method) + " is not allowed; the API takes POST.",
			Status:  http.StatusMethodNotAllowed,
		})
		return
	}

	op, out, err := a.dispatch(w, r)
	if err != nil {
		a.writeError(w, r, id, op, err)
		return
	}
	body, merr := json.Marshal(out)
	if merr != nil {
		a.writeError(w, r, id, op, fmt.Errorf("cognitoapi: encode %s output: %w", op, merr))
		return
	}
	h.Set("Content-Type", contentTypeJSON11)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// dispatch runs the protocol's steps in AWS's order: find the operation,
// check the body's type and size, authenticate, decode and call. op is the
// operation's name once known, for the log.
func (a *API) dispatch(w http.ResponseWriter, r *http.Request) (op string, out any, err error) {
	target := r.Header.Get("X-Amz-Target")
	o, ok := a.ops[target]
	if !ok {
		if target == "" {
			return "", nil, UnknownOperation("Missing X-Amz-Target header.")
		}
		if strings.HasPrefix(target, identityPoolTargetPrefix) {
			return "", nil, UnknownOperation(fmt.Sprintf("Unknown operation %s: identity pools are not served yet.", clip(target)))
		}
		return "", nil, UnknownOperation(fmt.Sprintf(unknownOpMsgFormat, clip(target)))
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return o.name, nil, err
	}
	body, err := readBody(w, r)
	if err != nil {
		return o.name, nil, err
	}
	ctx := withRemoteIP(r.Context(), r.RemoteAddr)
	if o.auth == AuthSigV4 {
		region, serr := a.sig.verify(r, body)
		if serr != nil {
			return o.name, nil, serr
		}
		ctx = withRegion(ctx, region)
	}
	out, err = a.call(ctx, o, body)
	return o.name, out, err
}

// call runs the operation, turning a panic into an error the log sees and
// the caller sees as InternalErrorException.
func (a *API) call(ctx context.Context, o operation, body []byte) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cognitoapi: panic in %s: %v\n%s", o.name, p, debug.Stack())
		}
	}()
	return o.call(ctx, body)
}

func checkContentType(ct string) *Error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == contentTypeJSON11 || mt == "application/json") {
		return nil
	}
	return Serialization(fmt.Sprintf("Unsupported Content-Type '%s'; send %s.", clip(ct), contentTypeJSON11))
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := &Error{
		Type:    "RequestEntityTooLargeException",
		Message: fmt.Sprintf("Request body must be at most %d bytes.", maxBodyBytes),
		Status:  http.StatusRequestEntityTooLarge,
	}
	if r.ContentLength > maxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		return nil, Serialization("Could not read the request body.")
	}
	return body, nil
}

// decodeInput decodes an operation's input. An empty body is "{}". Unknown
// fields are ignored, as AWS ignores them (clients may be newer than us).
func decodeInput(body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	err := json.Unmarshal(body, in)
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok { // from a member's UnmarshalJSON
		return e
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return Serialization(fmt.Sprintf("Malformed JSON at offset %d.", se.Offset))
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return Serialization(fmt.Sprintf("Expected a JSON object, got %s.", te.Value))
		}
		return Serialization(fmt.Sprintf("Unexpected JSON %s for member %s.", te.Value, te.Field))
	}
	return Serialization("Malformed request body.")
}

// writeError answers err: an *Error (found with errors.As) as itself, a
// domain error (*directory.Error) as its kind's type in errmap.go, any
// other error as InternalErrorException with its cause in the log only.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, id, op string, err error) {
	e, ok := errors.AsType[*Error](err)
	if !ok || e == nil {
		e, ok = domainError(err) // the one table of errmap.go
	}
	if !ok || e == nil {
		a.log.ErrorContext(r.Context(), "cognitoapi: internal error", "op", op, "request_id", id, "err", err)
		e = InternalError()
	} else {
		a.log.DebugContext(r.Context(), "cognitoapi: client error", "op", op, "request_id", id, "type", e.Type)
	}
	status := e.status()
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	body, _ := json.Marshal(errorBody{Type: e.Type, Message: e.Message, ReasonCode: e.ReasonCode})
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON11)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(errorTypeHeader, e.Type)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

type errorBody struct {
	Type       string `json:"__type"`
	Message    string `json:"message"`
	ReasonCode string `json:"reasonCode,omitempty"`
}

// Timestamp is a time on the wire: awsJson sends timestamps as epoch seconds,
// a JSON number that may be fractional (reference §1.1). Use it (with
// `json:",omitzero"`) for every date member of an input or output.
type Timestamp time.Time

// IsZero reports whether t is the zero time, for omitzero.
func (t Timestamp) IsZero() bool { return time.Time(t).IsZero() }

// MarshalJSON writes epoch seconds, with milliseconds when there are any.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return Serialization(fmt.Sprintf("Expected a timestamp in epoch seconds, got %s.", clip(string(b))))
	}
	sec, frac := math.Modf(f)
	*t = Timestamp(time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC())
	return nil
}
