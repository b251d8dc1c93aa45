package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/internal/cpustat"
	"github.com/gatehouse-id/gatehouse/server/srp"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// srpTimestampLayout is the TIMESTAMP the clients sign: "Sun Oct 6 13:37:50
// UTC 2024", day of month not zero-padded.
const srpTimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// srpSkew bounds how far the client's TIMESTAMP may be from our clock.
const srpSkew = 5 * time.Minute

// srpStart answers USER_SRP_AUTH {USERNAME, SRP_A} with PASSWORD_VERIFIER.
func (e *Engine) srpStart(ctx context.Context, req Request) (*Step, error) {
	username, aHex := req.Params["USERNAME"], req.Params["SRP_A"]
	if username == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter USERNAME")
	}
	if aHex == "" || len(aHex) > 2048 {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter SRP_A")
	}
	if _, err := hex.DecodeString(evenHex(aHex)); err != nil {
		return nil, directory.NewError(directory.KindInvalidParameter, "SRP_A is not hexadecimal")
	}
	user, err := e.identify(ctx, req, username, func() {})
	if errors.Is(err, ErrIncorrect) && hides(req) {
		// PreventUserExistenceErrors: an unknown user gets a challenge that
		// looks real (a salt stable per name, a genuine B) and fails at the
		// answer, like a wrong password.
		return e.decoyChallenge(req, username)
	}
	if err != nil {
		return nil, err
	}
	salt, verifier, ok := e.dir.SRPVerifier(req.Pool, user)
	if !ok {
		// No verifier yet (no password, or one set before SRP): the
		// password flows still work and will create it.
		e.cfg.Observe(req.Pool.ID, req.Flow, OutcomeFailure)
		return nil, ErrIncorrect
	}
	var server *srp.Server
	e.srpCPU.AddTime(cpustat.MeasureTime(func() { server, err = srp.NewServer(verifier) }))
	if err != nil {
		return nil, err
	}
	block := make([]byte, 64)
	if _, err := rand.Read(block); err != nil {
		return nil, err
	}
	secretBlock := base64.StdEncoding.EncodeToString(block)
	params := map[string]string{
		"SALT":            hex.EncodeToString(salt),
		"SRP_B":           server.PublicB(),
		"SECRET_BLOCK":    secretBlock,
		"USER_ID_FOR_SRP": user.Username,
		"USERNAME":        user.Username,
	}
	return e.challengeWith(req.Pool, req.Client, user, ChallengePasswordVerifier, params,
		sessionState{SRPSecret: server.SecretB(), SRPA: aHex, SRPU: server.ScramblerU(aHex), Block: secretBlock})
}

// decoyChallenge answers USER_SRP_AUTH for an unknown user.
func (e *Engine) decoyChallenge(req Request, username string) (*Step, error) {
	mac := hmac.New(sha256.New, e.decoyKey)
	mac.Write([]byte(req.Pool.ID + "\x00" + username))
	salt := mac.Sum(nil)[:16]
	fakeVerifier := mac.Sum(nil)
	server, err := srp.NewServer(fakeVerifier)
	if err != nil {
		return nil, err
	}
	block := make([]byte, 64)
	if _, err := rand.Read(block); err != nil {
		return nil, err
	}
	secretBlock := base64.StdEncoding.EncodeToString(block)
	params := map[string]string{"SALT": hex.EncodeToString(salt), "SRP_B": server.PublicB(), "SECRET_BLOCK": secretBlock,
		"USER_ID_FOR_SRP": username, "USERNAME": username}
	return e.challengeWith(req.Pool, req.Client, &storage.User{Username: username}, ChallengePasswordVerifier, params,
		sessionState{SRPSecret: server.SecretB(), SRPA: req.Params["SRP_A"], Block: secretBlock})
}

func evenHex(s string) string {
	if len(s)%2 == 1 {
		return "0" + s
	}
	return s
}

// srpRespond checks PASSWORD_VERIFIER {PASSWORD_CLAIM_SIGNATURE,
// PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, USERNAME}.
func (e *Engine) srpRespond(ctx context.Context, pool *storage.Pool, client *storage.Client, session string, responses map[string]string, ip string) (*Step, error) {
	st, err := e.openSession(pool, client, session, ChallengePasswordVerifier)
	if err != nil {
		return nil, err
	}
	req := Request{Pool: pool, Client: client, Flow: FlowUserSRP, IP: ip}
	if st.Sub == "" { // a decoy challenge: the user does not exist
		e.cfg.Observe(pool.ID, req.Flow, OutcomeFailure)
		return nil, ErrIncorrect
	}
	user, err := e.dir.GetUserBySub(ctx, pool.ID, st.Sub)
	if err != nil {
		return nil, ErrBadSession
	}
	if name := responses["USERNAME"]; name != "" && name != user.Username {
		if other, err := e.dir.FindUser(ctx, pool, name); err != nil || other.Sub != user.Sub {
			return nil, ErrBadSession
		}
	}
	if e.cfg.Now().Before(user.LockedUntil) {
		return nil, errNotAuthorized("Password attempts exceeded")
	}
	block := responses["PASSWORD_CLAIM_SECRET_BLOCK"]
	if subtle.ConstantTimeCompare([]byte(block), []byte(st.Block)) != 1 {
		return nil, ErrBadSession
	}
	stamp := responses["TIMESTAMP"]
	t, err := time.Parse(srpTimestampLayout, stamp)
	if err != nil {
		return nil, directory.NewError(directory.KindInvalidParameter, "TIMESTAMP is not in the format \"Mon Jan 2 15:04:05 UTC 2006\"")
	}
	if d := e.cfg.Now().Sub(t); d > srpSkew || d < -srpSkew {
		return nil, errNotAuthorized("The TIMESTAMP is too far from the server's clock.")
	}
	_, verifier, ok := e.dir.SRPVerifier(pool, user)
	if !ok {
		return nil, ErrIncorrect
	}
	var server *srp.Server
	e.srpCPU.Count()
	e.srpCPU.AddTime(cpustat.MeasureTime(func() {
		if len(st.SRPU) > 0 {
			server, err = srp.ResumeU(verifier, st.SRPSecret, st.SRPU)
		} else { // a session sealed before u was kept
			server, err = srp.Resume(verifier, st.SRPSecret)
		}
		if err == nil {
			err = server.Verify(pool.ID, user.Username, st.SRPA, block, stamp, responses["PASSWORD_CLAIM_SIGNATURE"])
		}
	}))
	if server == nil {
		return nil, ErrBadSession
	}
	if err != nil {
		return nil, e.wrongFactor(ctx, req, user)
	}
	return e.afterFactor(ctx, req, user, "", false)
}
