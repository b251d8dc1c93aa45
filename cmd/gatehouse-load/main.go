// Command gatehouse-load drives a running Gatehouse over HTTP with a fixed
// concurrency for a fixed time per scenario, and reports requests per
// second, latency percentiles, errors, the server's CPU time per operation
// (given its PID: /proc/PID/stat before and after) and the database writes
// per operation (gatehouse_db_writes_total from /metrics before and after).
//
// It makes its own pool, clients and users through the admin API, so it
// needs only the server's URL and the admin credential:
//
//	gatehouse-load -url http://127.0.0.1:8080 -pid $(pidof gatehouse) \
//	    -c 16 -d 10s -md results.md -json results.json
//
// Before the scenarios it measures, in this process and so with the same
// build, what the work alone costs: one RS256 signature, one argon2id hash
// with the pool's parameters and the server's side of one SRP exchange. The
// report divides each scenario's server CPU by these, which is how
// docs/performance.md states its figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "gatehouse-load:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	url         string
	pool        string
	pid         int
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	minOps      int
	scenarios   []string
	users       int
	keyID       string
	secret      string
	region      string
	mdPath      string
	jsonPath    string
	reference   bool
	failOnError bool
	quiet       bool
	lean        bool
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("gatehouse-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	var scenarios string
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base URL (its --public-url)")
	fs.StringVar(&o.pool, "pool", "", "use this existing pool instead of creating one (the scale test's pool of many users)")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, for its CPU time per operation (0: not measured)")
	fs.IntVar(&o.concurrency, "c", 16, "concurrent workers (each with its own connection)")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured time per scenario before measuring")
	fs.IntVar(&o.minOps, "min-ops", 0, "measure each scenario on past -d until it has this many operations (at most a minute more)")
	fs.StringVar(&scenarios, "scenarios", "all", "comma-separated scenarios, or all: "+strings.Join(scenarioNames(), ","))
	fs.IntVar(&o.users, "users", 64, "users to create for the sign-in scenarios (the hosted UI lets each sign in ten times at once, then once every six seconds, so a long hosted_ui run needs about six users per sign-in a second)")
	fs.StringVar(&o.keyID, "admin-key-id", getenv("AWS_ACCESS_KEY_ID"), "admin access key id (default $AWS_ACCESS_KEY_ID)")
	fs.StringVar(&o.secret, "admin-secret", getenv("AWS_SECRET_ACCESS_KEY"), "admin secret access key (default $AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.region, "region", "us-east-1", "the server's --region")
	fs.StringVar(&o.mdPath, "md", "", "also write the Markdown table to this file")
	fs.StringVar(&o.jsonPath, "json", "", "write the results as JSON to this file")
	fs.BoolVar(&o.reference, "reference", true, "measure the reference costs (RS256 signature, argon2id hash, SRP) first")
	fs.BoolVar(&o.failOnError, "fail-on-error", false, "exit non-zero when any request failed")
	fs.BoolVar(&o.lean, "lean", true, "serve discovery, jwks and userinfo with a lean keep-alive HTTP/1.1 client (like wrk) instead of net/http, whose CPU would crowd the server's on shared cores")
	fs.BoolVar(&o.quiet, "q", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.keyID == "" || o.secret == "" {
		return nil, errors.New("the admin credential is needed: -admin-key-id and -admin-secret, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if o.concurrency < 1 || o.duration <= 0 || o.users < 1 {
		return nil, errors.New("-c, -d and -users must be positive")
	}
	o.url = strings.TrimRight(o.url, "/")
	if o.lean && !strings.HasPrefix(o.url, "http://") {
		return nil, errors.New("the lean client speaks plain http:// only: use -lean=false for " + o.url)
	}
	if scenarios == "all" || scenarios == "" {
		o.scenarios = scenarioNames()
	} else {
		for _, name := range strings.Split(scenarios, ",") {
			name = strings.TrimSpace(name)
			if scenarioByName(name) == nil {
				return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames(), ","))
			}
			o.scenarios = append(o.scenarios, name)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		if !o.quiet {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	rep := &Report{URL: o.url, Concurrency: o.concurrency, Duration: o.duration.String(), Started: time.Now().UTC(), Machine: machine()}
	if o.reference {
		logf("reference: RS256 signature, argon2id hash, SRP server side")
		rep.Reference = measureReference()
	}
	env, err := setup(ctx, o, logf)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	rep.PoolID = env.poolID
	for _, name := range o.scenarios {
		if ctx.Err() != nil {
			break
		}
		sc := scenarioByName(name)
		logf("scenario %s: %d workers, %s", name, o.concurrency, o.duration)
		res := runScenario(ctx, env, sc, o)
		rep.Results = append(rep.Results, res)
		logf("  %.0f ops/s, p99 %.2f ms, %d errors", res.OpsPerSec, res.P99ms, res.Errors)
	}
	if o.pid > 0 {
		if rss, err := processRSS(o.pid); err == nil {
			rep.ServerRSSMiB = float64(rss) / (1 << 20)
		}
	}
	rep.ratios()
	md := rep.Markdown()
	fmt.Fprint(stdout, md)
	if o.mdPath != "" {
		if err := os.WriteFile(o.mdPath, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if o.jsonPath != "" {
		if err := rep.WriteJSON(o.jsonPath); err != nil {
			return err
		}
	}
	if o.failOnError {
		for _, r := range rep.Results {
			if r.Errors > 0 || r.Ops == 0 {
				return fmt.Errorf("scenario %s: %d errors in %d operations (first: %s)", r.Name, r.Errors, r.Ops+r.Errors, r.FirstError)
			}
		}
	}
	return nil
}
