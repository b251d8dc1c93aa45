package ui

import (
	"math"
	"strings"
	"sync"
	"time"
)

// Rate limits of the hosted UI: token buckets in memory, per client IP
// and per user name, one set of buckets per action. They sit in front of
// what the domain already bounds on its own (lockout after failed
// passwords, a code's attempt limit, the resend cooldown and hourly cap of
// codes, all stored with the user), to stop a single address or a script
// from flooding sign-ins and, above all, mail and SMS.
//
// In memory means per process: a server restart forgets them, and several
// Gatehouse processes behind a load balancer each keep their own (the
// stored limits still hold across them). The client IP is the connection's
// address; behind a proxy every user shares the proxy's address, so the
// per-IP limits should then be raised (Config.Limits).

// Limit is a token bucket: Burst requests at once, then one more each
// Every. A zero Limit never refuses.
type Limit struct {
	Burst int
	Every time.Duration
}

// Limits are the hosted UI's rate limits.
type Limits struct {
	// SignInPerIP and SignInPerUser bound password attempts (sign-in and
	// the new-password step).
	SignInPerIP, SignInPerUser Limit
	// CodesPerIP and CodesPerUser bound what sends a code: sign-up,
	// resend, forgot password.
	CodesPerIP, CodesPerUser Limit
	// VerifyPerIP bounds code checks (confirm sign-up, reset password).
	VerifyPerIP Limit
}

// DefaultLimits are generous for people, tight for scripts.
var DefaultLimits = Limits{
	SignInPerIP:   Limit{Burst: 30, Every: 2 * time.Second},
	SignInPerUser: Limit{Burst: 10, Every: 6 * time.Second},
	CodesPerIP:    Limit{Burst: 10, Every: time.Minute},
	CodesPerUser:  Limit{Burst: 3, Every: 2 * time.Minute},
	VerifyPerIP:   Limit{Burst: 20, Every: 3 * time.Second},
}

// limiter keeps token buckets by key.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
	// full is when the bucket will be full again; past it the bucket can
	// be forgotten.
	full time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from the bucket of key under lim; false (and the
// wait until a token is back) when there is none.
func (l *limiter) allow(lim Limit, key string) (bool, time.Duration) {
	if lim.Burst <= 0 || lim.Every <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.forget(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(lim.Burst), at: now}
		l.buckets[key] = b
	}
	rate := 1 / lim.Every.Seconds()
	b.tokens = math.Min(float64(lim.Burst), b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
		return false, wait
	}
	b.tokens--
	b.full = now.Add(time.Duration((float64(lim.Burst) - b.tokens) / rate * float64(time.Second)))
	return true, 0
}

// forget drops full buckets once a minute, so that memory follows the
// active keys, not every key ever seen.
func (l *limiter) forget(now time.Time) {
	if now.Before(l.sweep) {
		return
	}
	l.sweep = now.Add(time.Minute)
	for k, b := range l.buckets {
		if !now.Before(b.full) {
			delete(l.buckets, k)
		}
	}
}

// limitKey names a bucket: the action, the pool, and who.
func limitKey(action, poolID, who string) string {
	return action + "\x00" + poolID + "\x00" + strings.ToLower(who)
}

// allowAll takes a token from each bucket; a request is refused when any
// is empty (and takes no token from those after it).
func (u *UI) allowAll(rq *request, action string, user string, perIP, perUser Limit) (bool, time.Duration) {
	if ok, wait := u.limits.allow(perIP, limitKey(action, rq.pool.ID, "ip:"+clientIP(rq.r))); !ok {
		return false, wait
	}
	if user == "" {
		return true, 0
	}
	return u.limits.allow(perUser, limitKey(action, rq.pool.ID, "user:"+user))
}
