// Package auth is the one authentication engine. Every way in — the hosted
// UI, the Cognito API, an upstream identity provider — drives it through the
// same steps, as a state machine of flows and challenges:
//
//	Start(flow) ──► identify user ──► lockout check ──► verify factor
//	                                                      │
//	             ┌────────────── challenge? ◄─────────────┘
//	             ▼                       │ no
//	   Respond(challenge, session) ──────┴──► Authenticated ──► Issue (tokens)
//
// A challenge step returns a sealed Session string naming the pool, client,
// user, challenge and expiry; Respond opens it, so the engine keeps no state
// between steps. Each step records an auth event. Later capabilities (SRP,
// MFA, custom challenges, federation) are new flows and challenges here, not
// new engines.
package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/internal/cpustat"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Flows (Cognito's AuthFlowType values).
const (
	FlowUserPassword      = "USER_PASSWORD_AUTH"
	FlowAdminUserPassword = "ADMIN_USER_PASSWORD_AUTH"
	FlowAdminNoSRP        = "ADMIN_NO_SRP_AUTH"
	FlowRefreshToken      = "REFRESH_TOKEN_AUTH"
	FlowRefresh           = "REFRESH_TOKEN"
	FlowUserSRP           = "USER_SRP_AUTH"
	// FlowHostedUI is the hosted sign-in form: username and password, with
	// the client's OAuth settings instead of its explicit auth flows.
	FlowHostedUI = "HOSTED_UI"
)

// Challenges (Cognito's ChallengeNameType values).
const (
	ChallengeNewPasswordRequired = "NEW_PASSWORD_REQUIRED"
	ChallengePasswordVerifier    = "PASSWORD_VERIFIER"
)

// Outcome names for metrics and events.
const (
	OutcomeSuccess   = "success"
	OutcomeChallenge = "challenge"
	OutcomeFailure   = "failure"
	OutcomeLocked    = "locked"
)

// Lockout: after FreeAttempts consecutive failures each further attempt is
// refused until a delay that doubles with every failure, up to MaxLockout —
// Cognito's behaviour.
const (
	FreeAttempts = 5
	MaxLockout   = 15 * time.Minute
)

// Config assembles an Engine.
type Config struct {
	Dir    *directory.Directory
	Minter *tokens.Minter
	Sealer *secret.Sealer
	// Issuer returns a pool's issuer URL.
	Issuer func(poolID string) string
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, when set, is told each sign-in outcome (for metrics).
	Observe func(poolID, flow, outcome string)
	// Notifier sends the codes of the account flows (account.go); nil
	// drops them with a warning.
	Notifier Notifier
}

// Engine runs authentication flows.
type Engine struct {
	cfg      Config
	decoyKey []byte // keys the salts of decoy SRP challenges
	dir      *directory.Directory
	store    storage.Store
	opaque   *tokens.Opaque
	// srpCPU counts SRP exchanges and the CPU time of their modular
	// arithmetic (/metrics).
	srpCPU cpustat.Counter
}

// SRPStats reports the SRP exchanges verified so far and the CPU time of
// their arithmetic (both steps).
func (e *Engine) SRPStats() (n int64, cpu time.Duration) { return e.srpCPU.Stats() }

// New returns an Engine.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string, string, string) {}
	}
	return &Engine{
		cfg: cfg, dir: cfg.Dir, store: cfg.Dir.Store(),
		opaque:   tokens.NewOpaque(cfg.Sealer.Derive("gatehouse opaque tokens v1", 32)),
		decoyKey: cfg.Sealer.Derive("gatehouse srp decoy v1", 32),
	}
}

// Opaque returns the engine's opaque token maker (shared with the OAuth
// front, so refresh tokens have one format).
func (e *Engine) Opaque() *tokens.Opaque { return e.opaque }

// Request starts a flow.
type Request struct {
	Pool   *storage.Pool
	Client *storage.Client
	Flow   string
	// Params are Cognito's AuthParameters (USERNAME, PASSWORD, …).
	Params map[string]string
	IP     string
}

// Step is where a flow stands: a challenge to answer, or done.
type Step struct {
	Challenge       string
	ChallengeParams map[string]string
	Session         string
	Done            *Authenticated
}

// Authenticated is a finished sign-in.
type Authenticated struct {
	User     *storage.User
	AuthTime time.Time
	EventID  string
}

// sessionState is sealed into Step.Session between steps.
type sessionState struct {
	PoolID    string    `json:"p"`
	ClientID  string    `json:"c"`
	Sub       string    `json:"s"`
	Challenge string    `json:"ch"`
	Expires   time.Time `json:"e"`
	ID        string    `json:"i"`
	// USER_SRP_AUTH: the server's secret b, the client's A and the secret
	// block the client must sign.
	SRPSecret []byte `json:"b,omitempty"`
	SRPA      string `json:"a,omitempty"`
	// SRPU is u = H(A, B), so the second step need not recompute B.
	SRPU  []byte `json:"u,omitempty"`
	Block string `json:"sb,omitempty"`
}

func errNotAuthorized(msg string) error {
	return directory.NewError(directory.KindNotAuthorized, "%s", msg)
}

// ErrIncorrect is the answer to a wrong username or password.
var ErrIncorrect = directory.NewError(directory.KindNotAuthorized, "Incorrect username or password.")

// flowAllowed reports whether the client enables flow.
func flowAllowed(c *storage.Client, flow string) bool {
	has := func(names ...string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return slices.Contains(c.ExplicitAuthFlows, n) })
	}
	switch flow {
	case FlowUserPassword:
		return has("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH")
	case FlowAdminUserPassword, FlowAdminNoSRP:
		return has("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
	case FlowRefreshToken, FlowRefresh:
		return has("ALLOW_REFRESH_TOKEN_AUTH") || !has("CUSTOM_AUTH_FLOW_ONLY")
	case FlowUserSRP:
		return has("ALLOW_USER_SRP_AUTH")
	case FlowHostedUI:
		return true
	}
	return false
}

// Start begins a password flow.
func (e *Engine) Start(ctx context.Context, req Request) (*Step, error) {
	switch req.Flow {
	case FlowUserPassword, FlowAdminUserPassword, FlowAdminNoSRP, FlowHostedUI, FlowUserSRP:
	default:
		return nil, directory.NewError(directory.KindInvalidParameter, "Unsupported auth flow %s", req.Flow)
	}
	if !flowAllowed(req.Client, req.Flow) {
		return nil, directory.NewError(directory.KindInvalidParameter, "%s flow not enabled for this client", req.Flow)
	}
	if req.Flow == FlowUserSRP {
		return e.srpStart(ctx, req)
	}
	username, password := req.Params["USERNAME"], req.Params["PASSWORD"]
	if username == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter USERNAME")
	}
	if password == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter PASSWORD")
	}
	return e.passwordStep(ctx, req, username, password)
}

func (e *Engine) passwordStep(ctx context.Context, req Request, username, password string) (*Step, error) {
	// Refused, after a bounded wait, when more sign-ins arrive than the
	// cores can hash.
	release, err := directory.AdmitPasswordCheck(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	user, err := e.identify(ctx, req, username, func() { e.dir.BurnPasswordCheck(password) })
	if err != nil {
		return nil, err
	}
	ok, rehash := e.dir.CheckPassword(user, password)
	if !ok {
		return nil, e.wrongFactor(ctx, req, user)
	}
	return e.afterFactor(ctx, req, user, password, rehash)
}

// hides reports whether a failure must not tell an unknown user from a
// wrong password (PreventUserExistenceErrors, and always in the hosted UI).
func hides(req Request) bool {
	return req.Client.PreventUserExistenceErrors == "ENABLED" || req.Flow == FlowHostedUI
}

// identify finds the user who is signing in and refuses one locked out.
// burn spends the time a factor check would, for unknown users.
func (e *Engine) identify(ctx context.Context, req Request, username string, burn func()) (*storage.User, error) {
	pool, client := req.Pool, req.Client
	user, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) {
		burn()
		e.event(ctx, pool.ID, client.ID, nil, username, req.IP, "Fail", "user not found")
		e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
		if hides(req) {
			return nil, ErrIncorrect
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if e.cfg.Now().Before(user.LockedUntil) {
		e.event(ctx, pool.ID, client.ID, user, username, req.IP, "Fail", "locked out")
		e.cfg.Observe(pool.ID, req.Flow, OutcomeLocked)
		return nil, errNotAuthorized("Password attempts exceeded")
	}
	return user, nil
}

// wrongFactor answers a failed password (or SRP proof) and counts it.
func (e *Engine) wrongFactor(ctx context.Context, req Request, user *storage.User) error {
	if user.Status == storage.StatusUnconfirmed && !hides(req) {
		// Cognito tells an unconfirmed user so even with a wrong password.
		return directory.NewError(directory.KindUserNotConfirmed, "User is not confirmed.")
	}
	e.recordFailure(ctx, req.Pool, req.Client, user, req)
	return ErrIncorrect
}

// afterFactor finishes a sign-in whose first factor verified: the account's
// state, the reset of the failure counter, upgrades of the stored password
// (rehash, SRP verifier) when the plain password is at hand, then a
// challenge or done.
func (e *Engine) afterFactor(ctx context.Context, req Request, user *storage.User, password string, rehash bool) (*Step, error) {
	now := e.cfg.Now().UTC()
	pool, client := req.Pool, req.Client
	switch {
	case !user.Enabled:
		e.event(ctx, pool.ID, client.ID, user, user.Username, req.IP, "Fail", "disabled")
		e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
		return nil, errNotAuthorized("User is disabled.")
	case user.Status == storage.StatusUnconfirmed:
		e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
		return nil, directory.NewError(directory.KindUserNotConfirmed, "User is not confirmed.")
	case user.Status == storage.StatusResetRequired:
		e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
		return nil, directory.NewError(directory.KindPasswordResetRequired, "Password reset required for the user")
	case user.Status == storage.StatusExternalProvider:
		return nil, ErrIncorrect
	}
	_, _, hasSRP := e.dir.SRPVerifier(pool, user)
	upgradeSRP := password != "" && !hasSRP
	if rehash || upgradeSRP || user.FailedSignIns > 0 {
		if rehash {
			if h, err := e.dir.HashPassword(password); err == nil {
				user.PasswordHash = h
			}
		}
		if upgradeSRP {
			if err := e.dir.SetSRPVerifier(pool, user, password); err != nil {
				return nil, err
			}
		}
		user.FailedSignIns, user.LockedUntil = 0, time.Time{}
		if err := e.dir.SaveUser(ctx, pool, user); err != nil && !errors.Is(err, storage.ErrConflict) {
			return nil, err
		}
	}
	if user.Status == storage.StatusForceChangePassword {
		validity := time.Duration(pool.PasswordPolicy.TemporaryPasswordValidityDays) * 24 * time.Hour
		if validity > 0 && now.After(user.PasswordSet.Add(validity)) {
			e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
			return nil, errNotAuthorized("Temporary password has expired and must be reset by an administrator.")
		}
		return e.challenge(pool, client, user, ChallengeNewPasswordRequired, e.newPasswordParams(pool, user))
	}
	return e.done(ctx, pool, client, user, req.Flow, req.IP)
}

// recordFailure counts a failed password and, past the free attempts,
// locks the user out for a doubling delay (countFailure).
func (e *Engine) recordFailure(ctx context.Context, pool *storage.Pool, client *storage.Client, user *storage.User, req Request) {
	e.countFailure(ctx, pool, client, user, "SignIn", req.IP)
	e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
}

// LockoutDelay is how long sign-in is refused after the n-th consecutive
// failure: one second after the fifth, doubling, at most MaxLockout.
func LockoutDelay(n int) time.Duration {
	if n < FreeAttempts {
		return 0
	}
	shift := n - FreeAttempts
	if shift > 20 {
		return MaxLockout
	}
	return min(time.Second<<shift, MaxLockout)
}

func (e *Engine) newPasswordParams(pool *storage.Pool, user *storage.User) map[string]string {
	attrs := map[string]string{}
	for k, v := range user.Attributes {
		if k != "sub" {
			attrs[k] = v
		}
	}
	var required []string
	for _, name := range directory.RequiredAttributes(pool) {
		if user.Attributes[name] == "" {
			required = append(required, "userAttributes."+name)
		}
	}
	if required == nil {
		required = []string{}
	}
	ua, _ := json.Marshal(attrs)
	ra, _ := json.Marshal(required)
	return map[string]string{"USER_ID_FOR_SRP": user.Username, "requiredAttributes": string(ra), "userAttributes": string(ua)}
}

func (e *Engine) challenge(pool *storage.Pool, client *storage.Client, user *storage.User, name string, params map[string]string) (*Step, error) {
	return e.challengeWith(pool, client, user, name, params, sessionState{})
}

// challengeWith is challenge with flow state (st's SRP fields) sealed into
// the session.
func (e *Engine) challengeWith(pool *storage.Pool, client *storage.Client, user *storage.User, name string, params map[string]string, st sessionState) (*Step, error) {
	validity := time.Duration(max(client.AuthSessionValidity, 3)) * time.Minute
	st.PoolID, st.ClientID, st.Sub, st.Challenge = pool.ID, client.ID, user.Sub, name
	st.Expires, st.ID = e.cfg.Now().UTC().Add(validity), uuid.NewString()
	raw, _ := json.Marshal(st)
	sealed, err := e.cfg.Sealer.Seal(raw, "auth-session")
	if err != nil {
		return nil, err
	}
	e.cfg.Observe(pool.ID, name, OutcomeChallenge)
	return &Step{Challenge: name, ChallengeParams: params, Session: base64.RawURLEncoding.EncodeToString(sealed)}, nil
}

// ErrBadSession answers an expired, tampered or foreign session.
var ErrBadSession = directory.NewError(directory.KindNotAuthorized, "Invalid session for the user, session is expired.")

func (e *Engine) openSession(pool *storage.Pool, client *storage.Client, session, challenge string) (*sessionState, error) {
	if len(session) < 20 || len(session) > 2048 {
		return nil, ErrBadSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(session)
	if err != nil {
		return nil, ErrBadSession
	}
	plain, err := e.cfg.Sealer.Open(raw, "auth-session")
	if err != nil {
		return nil, ErrBadSession
	}
	var st sessionState
	if json.Unmarshal(plain, &st) != nil || st.PoolID != pool.ID || st.ClientID != client.ID ||
		st.Challenge != challenge || !e.cfg.Now().Before(st.Expires) {
		return nil, ErrBadSession
	}
	return &st, nil
}

// Respond answers a challenge.
func (e *Engine) Respond(ctx context.Context, pool *storage.Pool, client *storage.Client, challenge, session string, responses map[string]string, ip string) (*Step, error) {
	switch challenge {
	case ChallengeNewPasswordRequired:
	case ChallengePasswordVerifier:
		return e.srpRespond(ctx, pool, client, session, responses, ip)
	default:
		return nil, directory.NewError(directory.KindInvalidParameter, "Unsupported challenge %s", challenge)
	}
	st, err := e.openSession(pool, client, session, challenge)
	if err != nil {
		return nil, err
	}
	user, err := e.dir.GetUserBySub(ctx, pool.ID, st.Sub)
	if err != nil {
		return nil, ErrBadSession
	}
	if name := responses["USERNAME"]; name != "" {
		if other, err := e.dir.FindUser(ctx, pool, name); err != nil || other.Sub != user.Sub {
			return nil, ErrBadSession
		}
	}
	// A spent session finds the user no longer in FORCE_CHANGE_PASSWORD.
	if user.Status != storage.StatusForceChangePassword || !user.Enabled {
		return nil, ErrBadSession
	}
	newPassword := responses["NEW_PASSWORD"]
	if newPassword == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter NEW_PASSWORD")
	}
	attrs := map[string]string{}
	for k, v := range responses {
		if name, ok := cutPrefix(k, "userAttributes."); ok {
			attrs[name] = v
		}
	}
	for _, name := range directory.RequiredAttributes(pool) {
		if user.Attributes[name] == "" && attrs[name] == "" {
			return nil, directory.NewError(directory.KindInvalidParameter, "Invalid attributes given, %s is missing", name)
		}
	}
	if len(attrs) > 0 {
		if err := e.dir.UpdateAttributes(pool, user, attrs); err != nil {
			return nil, err
		}
	}
	if err := e.dir.SetPassword(pool, user, newPassword, true); err != nil {
		return nil, err
	}
	if err := e.dir.SaveUser(ctx, pool, user); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, ErrBadSession
		}
		return nil, err
	}
	return e.done(ctx, pool, client, user, challenge, ip)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// done records the successful sign-in (or, under DeferEvent, leaves it
// for Issue to record with the tokens).
func (e *Engine) done(ctx context.Context, pool *storage.Pool, client *storage.Client, user *storage.User, flow, ip string) (*Step, error) {
	ev := e.newEvent(pool.ID, client.ID, user, user.Username, ip, "Pass", "")
	if h, _ := ctx.Value(eventKey{}).(*deferredEvent); h != nil {
		h.mu.Lock()
		h.ev = ev
		h.mu.Unlock()
	} else if err := e.store.CreateAuthEvent(ctx, ev); err != nil {
		return nil, err
	}
	e.cfg.Observe(pool.ID, flow, OutcomeSuccess)
	return &Step{Done: &Authenticated{User: user, AuthTime: ev.CreatedAt, EventID: ev.ID}}, nil
}

func (e *Engine) newEvent(poolID, clientID string, u *storage.User, username, ip, response, reason string) *storage.AuthEvent {
	ev := &storage.AuthEvent{PoolID: poolID, ID: uuid.NewString(), ClientID: clientID, Username: username,
		Type: "SignIn", Response: response, Reason: reason, IP: ip, CreatedAt: e.cfg.Now().UTC().Truncate(time.Second)}
	if u != nil {
		ev.Sub = u.Sub
	}
	return ev
}

// deferredEvent holds a successful sign-in's event until the tokens are
// stored, so that the sign-in costs one write transaction, not two.
type deferredEvent struct {
	mu sync.Mutex
	ev *storage.AuthEvent
}

type eventKey struct{}

// DeferEvent returns a ctx in which a sign-in that succeeds leaves its
// auth event to Issue, which writes it in the transaction that stores the
// token family. The caller must call FlushEvent when it is done (a
// deferred call), which writes the event if Issue did not.
func DeferEvent(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventKey{}, &deferredEvent{})
}

// takeEvent removes and returns the event deferred in ctx, if any.
func takeEvent(ctx context.Context) *storage.AuthEvent {
	h, _ := ctx.Value(eventKey{}).(*deferredEvent)
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := h.ev
	h.ev = nil
	return ev
}

// FlushEvent writes the event deferred in ctx that no Issue wrote (the
// sign-in ended in an error after it succeeded).
func (e *Engine) FlushEvent(ctx context.Context) {
	if ev := takeEvent(ctx); ev != nil {
		if err := e.store.CreateAuthEvent(context.WithoutCancel(ctx), ev); err != nil {
			e.cfg.Logger.Warn("record auth event", "pool", ev.PoolID, "err", err)
		}
	}
}

// event records an auth event, logging (not failing) on a store error.
func (e *Engine) event(ctx context.Context, poolID, clientID string, u *storage.User, username, ip, response, reason string) {
	if err := e.store.CreateAuthEvent(ctx, e.newEvent(poolID, clientID, u, username, ip, response, reason)); err != nil {
		e.cfg.Logger.Warn("record auth event", "pool", poolID, "err", err)
	}
}
