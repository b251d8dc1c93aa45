// Package server assembles Gatehouse: the store, the domain services, the
// fronts and the route table. It is the only package that knows every
// concrete type; cmd/gatehouse turns flags into a Config and calls New.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/oauth"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/sso"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
	"github.com/gatehouse-id/gatehouse/server/tokens"
	"github.com/gatehouse-id/gatehouse/server/upstream"
	"github.com/gatehouse-id/gatehouse/ui"
)

// Config is everything New needs; cmd/gatehouse fills it from flags and
// environment, tests build it directly.
type Config struct {
	Addr        string
	PublicURL   string // base of every issuer; default http://Addr
	DataDir     string
	DatabaseURL string // sqlite://PATH; default sqlite://DataDir/gatehouse.db
	ConfigFile  string // YAML applied at start
	Region      string
	AccountID   string
	Dev         bool

	AdminAccessKeyID     string
	AdminSecretAccessKey string

	// SMTPURL, MailFrom and SMSWebhookURL say where mail and SMS go
	// (GATEHOUSE_SMTP_URL, GATEHOUSE_MAIL_FROM, GATEHOUSE_SMS_WEBHOOK_URL);
	// empty: to the log, and in dev also to the outbox at /_dev/mail.
	SMTPURL       string
	MailFrom      string
	SMSWebhookURL string
	// CAFile is a PEM file of extra CA certificates trusted when calling
	// upstream identity providers (GATEHOUSE_CA_FILE).
	CAFile string

	// MasterKey overrides <DataDir>/master.key (tests).
	MasterKey []byte
	Argon2    directory.Argon2Params
	Logger    *slog.Logger
	Now       func() time.Time
	Version   string
}

// Server is an assembled Gatehouse.
type Server struct {
	cfg     Config
	Handler http.Handler
	Store   storage.Store
	Dir     *directory.Directory
	Engine  *auth.Engine
	Minter  *tokens.Minter
	// AdminKeyID and AdminSecret are the admin credential in force;
	// AdminCreated says this start made it (<DataDir>/admin-credentials),
	// so the command prints it once.
	AdminKeyID, AdminSecret string
	AdminCreated            bool
	// Notifier sends mail and SMS (its Outbox holds them in dev).
	Notifier *notify.Notifier
	// Demo describes the demo pool, client and user made in dev mode.
	Demo  *Demo
	reg   *prometheus.Registry
	swept swept
}

// New opens the store, applies migrations and the config file, and builds
// the handler. The caller serves Handler and calls Close.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("public URL %q must be an absolute http(s) URL", cfg.PublicURL)
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "./data"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if !directory.ValidRegion(cfg.Region) {
		return nil, fmt.Errorf("region %q is not an AWS region name such as us-east-1", cfg.Region)
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	master := cfg.MasterKey
	if master == nil {
		if master, err = secret.LoadOrCreate(filepath.Join(cfg.DataDir, "master.key")); err != nil {
			return nil, err
		}
	}
	sealer, err := secret.New(master, nil)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, Store: store, reg: prometheus.NewRegistry()}
	ok := false
	defer func() {
		if !ok {
			store.Close()
			if s.AdminCreated {
				// Never printed: make it again at the next good start.
				os.Remove(filepath.Join(cfg.DataDir, "admin-credentials"))
			}
		}
	}()
	if err := s.adminCredentials(); err != nil {
		return nil, err
	}
	m := newMetrics(s.reg)
	registerStoreMetrics(s.reg, store)
	s.swept.register(s.reg)
	issuer := func(poolID string) string { return cfg.PublicURL + "/" + poolID }
	// One registry of connector types: the directory validates
	// ProviderDetails with it, the hosted UI opens connectors with it.
	registry := upstream.DefaultRegistry()
	s.Dir = directory.New(directory.Config{Store: store, Sealer: sealer, Region: cfg.Region, Argon2: cfg.Argon2, Now: cfg.Now, Registry: registry})
	s.Minter = tokens.New(tokens.Config{Store: store, Sealer: sealer, Now: cfg.Now, Logger: cfg.Logger})
	s.Notifier, err = notify.New(notify.Config{SMTPURL: cfg.SMTPURL, MailFrom: cfg.MailFrom, PublicHost: pub.Hostname(),
		SMSWebhookURL: cfg.SMSWebhookURL, Dev: cfg.Dev, Logger: cfg.Logger, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	s.Engine = auth.New(auth.Config{Dir: s.Dir, Minter: s.Minter, Sealer: sealer, Issuer: issuer, Now: cfg.Now, Notifier: s.Notifier,
		Logger: cfg.Logger, Observe: m.observeSignIn})
	secure := pub.Scheme == "https" || !cfg.Dev
	sessions := sso.New(sso.Config{Store: store, HashKey: sealer.Derive("gatehouse sso hash v1", 32),
		BlockKey: sealer.Derive("gatehouse sso block v1", 32), Secure: secure, Now: cfg.Now})
	var limits *ui.Limits
	if cfg.Dev {
		// Dev serves one person and load tests from one address: the
		// hosted UI's per-IP and per-user rate limits are off.
		limits = &ui.Limits{}
	}
	registerWorkMetrics(s.reg, map[string]func() (int64, time.Duration){
		"rs256_signatures": s.Minter.SignStats, "password_hashes": directory.HashStats, "srp_exchanges": s.Engine.SRPStats})
	var caPEM []byte
	if cfg.CAFile != "" {
		if caPEM, err = os.ReadFile(cfg.CAFile); err != nil {
			return nil, fmt.Errorf("GATEHOUSE_CA_FILE: %w", err)
		}
	}
	upstreams, err := upstream.New(upstream.Config{Minter: s.Minter, CAPEM: caPEM, Registry: registry, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("GATEHOUSE_CA_FILE %s holds no PEM certificate", cfg.CAFile)
	}
	pages := ui.New(ui.Config{Dir: s.Dir, Engine: s.Engine, SSO: sessions, Issuer: issuer, Upstream: upstreams,
		CSRFKey: sealer.Derive("gatehouse csrf v1", 32), Secure: secure, Limits: limits, Now: cfg.Now, Logger: cfg.Logger})
	// The OAuth endpoints' error and signed-out pages are the hosted UI's.
	showPage := func(w http.ResponseWriter, r *http.Request, pool *storage.Pool, p oauth.Page) {
		pages.ShowNotice(w, r, pool, ui.Notice{Status: p.Status, Kind: p.Kind, Title: p.Title, Advice: p.Advice,
			Detail: p.Detail, ClientID: p.ClientID})
	}
	provider := oauth.New(oauth.Config{Dir: s.Dir, Engine: s.Engine, Minter: s.Minter, SSO: sessions, Issuer: issuer,
		ShowPage: showPage, StartUpstream: pages.StartUpstream, UpstreamLogout: pages.UpstreamLogout, Now: cfg.Now, Logger: cfg.Logger})

	if err := s.applyConfig(ctx); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	poolOf := func(r *http.Request) *storage.Pool {
		id := r.PathValue("pool")
		if !directory.ValidPoolID(id) {
			return nil
		}
		p, err := s.Dir.GetPool(r.Context(), id)
		if err != nil {
			return nil
		}
		return p
	}
	provider.Routes(mux, "/{pool}", poolOf)
	pages.Routes(mux, "/{pool}", poolOf)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	s.mountAPI(mux)
	if cfg.Dev && s.Demo != nil {
		s.mountDemo(mux)
	}
	if out := s.Notifier.Outbox(); out != nil {
		// Dev only: it shows codes and temporary passwords to anyone.
		mux.Handle("GET /_dev/mail", out)
	}
	s.Handler = s.domainFront(m.middleware(mux, cfg.Logger))
	ok = true
	return s, nil
}

// openStore opens the database named by DatabaseURL.
func openStore(ctx context.Context, cfg Config) (storage.Store, error) {
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(cfg.DataDir, "gatehouse.db")
	}
	path, ok := strings.CutPrefix(dbURL, "sqlite://")
	if !ok {
		return nil, fmt.Errorf("database URL %q: only sqlite://PATH is supported", dbURL)
	}
	st, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Pools and clients are read by every request: keep them in memory.
	return sqlstore.NewCached(st, 0), nil
}

// adminCredentials takes the admin credential from Config, or from
// <DataDir>/admin-credentials, or makes one and prints it once.
func (s *Server) adminCredentials() error {
	if s.cfg.AdminAccessKeyID != "" || s.cfg.AdminSecretAccessKey != "" {
		if s.cfg.AdminAccessKeyID == "" || s.cfg.AdminSecretAccessKey == "" {
			return errors.New("GATEHOUSE_ADMIN_ACCESS_KEY_ID and GATEHOUSE_ADMIN_SECRET_ACCESS_KEY must be set together")
		}
		s.AdminKeyID, s.AdminSecret = s.cfg.AdminAccessKeyID, s.cfg.AdminSecretAccessKey
		return nil
	}
	id, sec, created, err := loadOrCreateCredentials(filepath.Join(s.cfg.DataDir, "admin-credentials"))
	if err != nil {
		return err
	}
	s.AdminKeyID, s.AdminSecret, s.AdminCreated = id, sec, created
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}

// Close releases the store.
func (s *Server) Close() error { return s.Store.Close() }

// Serve listens on Addr and serves until ctx ends, then drains in-flight
// requests (graceful shutdown) for up to 15 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	sweepDone := make(chan struct{})
	go func() { s.sweep(sweepCtx); close(sweepDone) }()
	defer func() { stopSweep(); <-sweepDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
