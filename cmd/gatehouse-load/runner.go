package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/smithy-go"
)

// Result is one scenario's measurements.
type Result struct {
	Name     string `json:"name"`
	What     string `json:"what"`
	Requests int    `json:"requests_per_op"`
	// Client is the HTTP client of a plain-GET scenario: "lean" (one
	// keep-alive connection per worker, leanGet) or "net/http".
	Client string `json:"http_client,omitempty"`
	// Ops completed without error in the measured window, and errors.
	Ops        int    `json:"ops"`
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// ErrorKinds counts the errors by kind (errorKind).
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Seconds    float64        `json:"seconds"`
	OpsPerSec  float64        `json:"ops_per_sec"`
	P50ms      float64        `json:"p50_ms"`
	P95ms      float64        `json:"p95_ms"`
	P99ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	// ServerCPUms is the server's CPU time (user + system) per operation;
	// ServerCPUPct its CPU use over the window (200% is both cores).
	ServerCPUms  float64 `json:"server_cpu_ms_per_op,omitempty"`
	ServerCPUPct float64 `json:"server_cpu_pct,omitempty"`
	// ClientCPUms is this tool's own CPU time per operation: on shared
	// cores it is CPU the server did not get.
	ClientCPUms float64 `json:"client_cpu_ms_per_op,omitempty"`
	// Writes per operation: write transactions (gatehouse_db_writes_total)
	// and statements.
	WritesPerOp     float64 `json:"db_writes_per_op"`
	StatementsPerOp float64 `json:"db_write_statements_per_op"`
	// The work an operation needs, and the ratio of its cost to that work
	// alone (filled by Report.ratios).
	Signatures int      `json:"rs256_signatures"`
	Hashes     int      `json:"argon2id_hashes"`
	SRP        int      `json:"srp_exchanges"`
	Ratio      *float64 `json:"ratio,omitempty"`
	RatioNote  string   `json:"ratio_note,omitempty"`
	// RatioRef is the same ratio against the reference costs measured by
	// this tool before the run (Report.Reference).
	RatioRef *float64 `json:"ratio_vs_reference,omitempty"`
	// ThroughputRatio is a password sign-in scenario's operations per
	// second over the hash-only rate this tool measured on every core
	// before the run: the figure in its own words, with this
	// tool's CPU counted against the sign-ins (noisier than Ratio: its
	// two sides are measured at different moments).
	ThroughputRatio *float64 `json:"throughput_vs_work_only,omitempty"`
	// What one signature, hash or SRP exchange cost the server during this
	// scenario (its /metrics counters): the in-run yardsticks.
	SignMs float64 `json:"server_rs256_sign_ms,omitempty"`
	HashMs float64 `json:"server_argon2id_ms,omitempty"`
	SRPms  float64 `json:"server_srp_ms,omitempty"`
	// WriteMs is the CPU the server's database writes took per operation
	// (gatehouse_db_write_cpu_seconds_total): the token budgets
	// allow their signatures "plus one database write".
	WriteMs float64 `json:"server_db_write_ms_per_op,omitempty"`
}

// snapshot is the server's counters at one moment.
type snapshot struct {
	cpu, self     time.Duration // the server's CPU time and this tool's
	writes, stmts float64
	writeCPU      float64 // seconds
	// counts and CPU seconds of signatures, hashes, SRP exchanges
	signs, signCPU, hashes, hashCPU, srps, srpCPU float64
}

func (e *env) snapshot(pid int) (snapshot, error) {
	var s snapshot
	var err error
	if s.self, err = processCPU(os.Getpid()); err != nil {
		return s, err
	}
	if pid > 0 {
		if s.cpu, err = processCPU(pid); err != nil {
			return s, err
		}
	}
	m, err := e.metrics()
	if err != nil {
		return s, err
	}
	s.writes, s.stmts = m["gatehouse_db_writes_total"], m["gatehouse_db_write_statements_total"]
	s.writeCPU = m["gatehouse_db_write_cpu_seconds_total"]
	s.signs, s.signCPU = m["gatehouse_rs256_signatures_total"], m["gatehouse_rs256_signatures_cpu_seconds_total"]
	s.hashes, s.hashCPU = m["gatehouse_password_hashes_total"], m["gatehouse_password_hashes_cpu_seconds_total"]
	s.srps, s.srpCPU = m["gatehouse_srp_exchanges_total"], m["gatehouse_srp_exchanges_cpu_seconds_total"]
	return s, nil
}

// runScenario runs sc's workers for the warm-up and then the measured
// window; only operations that finish inside the window count.
func runScenario(ctx context.Context, e *env, sc *scenario, o *options) Result {
	res := Result{Name: sc.name, What: sc.what, Requests: sc.requests, Signatures: sc.signatures, Hashes: sc.hashes, SRP: sc.srp}
	if sc.plainGet {
		res.Client = "net/http"
		if e.lean {
			res.Client = "lean"
		}
	}
	var state any
	if sc.prepare != nil {
		var err error
		if state, err = sc.prepare(ctx, e, o); err != nil {
			res.Errors, res.FirstError = 1, "prepare: "+err.Error()
			return res
		}
	}
	var (
		measuring, stop atomic.Bool
		completed       atomic.Int64 // operations (or errors) inside the window
		mu              sync.Mutex
		lat             []time.Duration
		errs            int
		firstErr        string
		kinds           = map[string]int{}
		wg              sync.WaitGroup
	)
	for i := range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{e: e, id: i, state: state}
			defer w.close()
			var mine []time.Duration
			myErrs := 0
			var myFirst string
			myKinds := map[string]int{}
			for !stop.Load() && ctx.Err() == nil {
				start := time.Now()
				err := sc.op(ctx, w)
				d := time.Since(start)
				if errors.Is(err, errExhausted) {
					break
				}
				// An operation counts when it ends inside the window; an
				// error counts too when it ends after (the drain), so that
				// none goes unreported.
				if !measuring.Load() {
					continue
				}
				if err != nil {
					myErrs++
					myKinds[errorKind(err)]++
					if myFirst == "" {
						myFirst = err.Error()
					}
					if !stop.Load() {
						completed.Add(1)
					}
					continue
				}
				if stop.Load() {
					continue
				}
				completed.Add(1)
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			for k, n := range myKinds {
				kinds[k] += n
			}
			if firstErr == "" {
				firstErr = myFirst
			}
			mu.Unlock()
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if !sc.noWarmup {
		sleep(ctx, done, o.warmup)
	}
	before, err := e.snapshot(o.pid)
	if err != nil {
		res.FirstError = "snapshot: " + err.Error()
	}
	measuring.Store(true)
	t0 := time.Now()
	sleep(ctx, done, o.duration)
	// -min-ops: a slow scenario (under -race, say) runs on until it has
	// that many operations, for at most a minute.
	for deadline := time.Now().Add(time.Minute); completed.Load() < int64(o.minOps) && time.Now().Before(deadline); {
		sleep(ctx, done, 10*time.Millisecond)
		if ctx.Err() != nil {
			break
		}
		select {
		case <-done:
			deadline = time.Now()
		default:
		}
	}
	stop.Store(true)
	elapsed := time.Since(t0)
	after, err2 := e.snapshot(o.pid)
	<-done

	res.Seconds = elapsed.Seconds()
	res.Ops, res.Errors = len(lat), errs
	if errs > 0 {
		res.ErrorKinds = kinds
	}
	if res.FirstError == "" {
		res.FirstError = firstErr
	}
	if len(lat) == 0 {
		return res
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		i := min(len(lat)-1, int(p*float64(len(lat))))
		return ms(lat[i])
	}
	res.OpsPerSec = float64(len(lat)) / elapsed.Seconds()
	res.P50ms, res.P95ms, res.P99ms, res.MaxMs = pct(0.50), pct(0.95), pct(0.99), ms(lat[len(lat)-1])
	if err == nil && err2 == nil {
		n := float64(len(lat))
		if o.pid > 0 {
			cpu := after.cpu - before.cpu
			res.ServerCPUms = ms(cpu) / n
			res.ServerCPUPct = 100 * cpu.Seconds() / elapsed.Seconds()
		}
		res.ClientCPUms = ms(after.self-before.self) / n
		res.WritesPerOp = (after.writes - before.writes) / n
		res.StatementsPerOp = (after.stmts - before.stmts) / n
		res.WriteMs = 1000 * (after.writeCPU - before.writeCPU) / n
		per := func(cpu, count float64) float64 {
			if count <= 0 {
				return 0
			}
			return 1000 * cpu / count
		}
		res.SignMs = per(after.signCPU-before.signCPU, after.signs-before.signs)
		res.HashMs = per(after.hashCPU-before.hashCPU, after.hashes-before.hashes)
		res.SRPms = per(after.srpCPU-before.srpCPU, after.srps-before.srps)
	}
	return res
}

func sleep(ctx context.Context, done <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	case <-ctx.Done():
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTicks = 100

// processCPU is the user + system CPU time of a process so far.
func processCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it do not.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	// After the name: state(3) ... utime(14) stime(15), 1-based in proc(5).
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat format")
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// processRSS is a process's resident set size in bytes.
func processRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// metrics reads the unlabelled counters of /metrics.
func (e *env) metrics() (map[string]float64, error) {
	resp, err := e.client.Get(e.base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// errorKind classes an operation's error for the report: the API's error
// code (TooManyRequestsException, …), an HTTP status, a timeout, or a
// connection the server closed.
func errorKind(err error) string {
	var api smithy.APIError
	var ne net.Error
	switch {
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "connection closed"
	}
	if _, rest, ok := strings.Cut(err.Error(), "HTTP "); ok && len(rest) >= 3 {
		return "HTTP " + rest[:3]
	}
	return "other"
}
