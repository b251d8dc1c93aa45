// Command gatehouse is the Gatehouse server: `gatehouse serve` and
// `gatehouse version`. Flags win over environment variables, which win over
// defaults (CONTRACT.md); the result is a server.Config and nothing more.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gatehouse-id/gatehouse/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: gatehouse serve [flags] | gatehouse version")
		return 2
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "gatehouse", version)
		return 0
	case "serve":
		cfg, dbg, err := parseServeFlags(args[1:], getenv, stderr)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(stderr, "gatehouse:", err)
			return 2
		}
		if err := serve(cfg, dbg, stderr); err != nil {
			fmt.Fprintln(stderr, "gatehouse:", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "gatehouse: unknown command %q (want serve or version)\n", args[0])
		return 2
	}
}

// parseServe resolves flags > environment > defaults.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (server.Config, error) {
	cfg, _, err := parseServeFlags(args, getenv, stderr)
	return cfg, err
}

// debugFlags are flags outside the contract's list, for diagnosis only.
type debugFlags struct {
	// pprofAddr serves net/http/pprof on a separate listener (README).
	pprofAddr string
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (server.Config, debugFlags, error) {
	var dbg debugFlags
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	// The flag package prints every flag after a parse error; the contract
	// wants one clear line (run prints the error), so the list is shown only
	// for -help.
	fs.SetOutput(io.Discard)
	var cfg server.Config
	fs.StringVar(&cfg.Addr, "addr", env("GATEHOUSE_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&cfg.PublicURL, "public-url", env("GATEHOUSE_PUBLIC_URL", ""), "base of every issuer and link (default http://ADDR)")
	fs.StringVar(&cfg.DataDir, "data-dir", env("GATEHOUSE_DATA_DIR", "./data"), "where the SQLite database and keys live")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("GATEHOUSE_DATABASE_URL", ""), "sqlite://PATH (default sqlite://DATA-DIR/gatehouse.db)")
	fs.StringVar(&cfg.ConfigFile, "config", env("GATEHOUSE_CONFIG", ""), "YAML file of pools, clients, groups and users applied at start")
	fs.StringVar(&cfg.Region, "region", env("GATEHOUSE_REGION", "us-east-1"), "region part of pool ids")
	fs.StringVar(&cfg.AccountID, "account-id", env("GATEHOUSE_ACCOUNT_ID", "000000000000"), "account part of ARNs")
	fs.StringVar(&dbg.pprofAddr, "pprof-addr", getenv("GATEHOUSE_PPROF_ADDR"), "debug: serve net/http/pprof on this address (keep it on loopback)")
	fs.BoolVar(&cfg.Dev, "dev", getenv("GATEHOUSE_DEV") == "1" || getenv("GATEHOUSE_DEV") == "true", "demo data, mail outbox, cookies without Secure on http")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: gatehouse serve [flags]")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return cfg, dbg, err
		}
		return cfg, dbg, fmt.Errorf("%w (gatehouse serve -help lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return cfg, dbg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return cfg, dbg, fmt.Errorf("--addr %q: %v", cfg.Addr, err)
	}
	if dbg.pprofAddr != "" {
		if _, _, err := net.SplitHostPort(dbg.pprofAddr); err != nil {
			return cfg, dbg, fmt.Errorf("--pprof-addr %q: %v", dbg.pprofAddr, err)
		}
	}
	cfg.AdminAccessKeyID = getenv("GATEHOUSE_ADMIN_ACCESS_KEY_ID")
	cfg.AdminSecretAccessKey = getenv("GATEHOUSE_ADMIN_SECRET_ACCESS_KEY")
	cfg.SMTPURL = getenv("GATEHOUSE_SMTP_URL")
	cfg.MailFrom = getenv("GATEHOUSE_MAIL_FROM")
	cfg.SMSWebhookURL = getenv("GATEHOUSE_SMS_WEBHOOK_URL")
	cfg.CAFile = getenv("GATEHOUSE_CA_FILE")
	cfg.Version = version
	return cfg, dbg, nil
}

func serve(cfg server.Config, dbg debugFlags, stderr io.Writer) error {
	level := slog.LevelInfo
	if cfg.Dev {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	if dbg.pprofAddr != "" {
		if err := servePprof(ctx, dbg.pprofAddr, cfg.Logger); err != nil {
			return err
		}
	}
	if s.AdminCreated {
		fmt.Fprintf(stderr, "gatehouse: admin credential created (kept in %s):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
			filepath.Join(cfg.DataDir, "admin-credentials"), s.AdminKeyID, s.AdminSecret)
	}
	cfg.Logger.Info("gatehouse serving", "addr", ln.Addr().String(), "version", version, "dev", cfg.Dev)
	if s.Demo != nil {
		fmt.Fprintf(stderr, "\nGatehouse demo: open %s/ and sign in as %q with password %q\n  pool %s, client %s, issuer %s\n\n",
			publicURL(cfg, ln), s.Demo.Username, s.Demo.Password, s.Demo.PoolID, s.Demo.ClientID, s.Demo.Issuer)
	}
	// Start-up's garbage (package inits, migrations, templates) goes back
	// to the OS at once rather than at the scavenger's pace: idle memory.
	go debug.FreeOSMemory()
	if err := s.Serve(ctx, ln); err != nil {
		return err
	}
	cfg.Logger.Info("gatehouse stopped")
	return nil
}

func publicURL(cfg server.Config, ln net.Listener) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	return "http://" + ln.Addr().String()
}

// servePprof serves the runtime profiles on their own listener until ctx
// ends, so they are never reachable through the public address.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on --pprof-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() { <-ctx.Done(); srv.Close() }()
	logger.Info("pprof serving", "addr", ln.Addr().String())
	return nil
}
