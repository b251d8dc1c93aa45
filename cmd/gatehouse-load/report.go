package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

// Report is a whole run: the machine, the reference costs and every
// scenario's result.
type Report struct {
	URL          string     `json:"url"`
	PoolID       string     `json:"pool_id"`
	Concurrency  int        `json:"concurrency"`
	Duration     string     `json:"duration_per_scenario"`
	Started      time.Time  `json:"started"`
	Machine      Machine    `json:"machine"`
	Reference    *Reference `json:"reference,omitempty"`
	Results      []Result   `json:"results"`
	ServerRSSMiB float64    `json:"server_rss_mib,omitempty"`
}

// ratios relates each scenario's server CPU per operation to the CPU of
// the work it needs, both CPU time so that a busy machine skews neither:
// for the token paths CPU, less that of their database writes (the issue's
// budget grants "one database write" beside the signatures), over their
// signatures' CPU (the target is at most 1.1); for the sign-ins the hash's
// (or SRP exchange's) CPU over the sign-in's, which is the share of the
// hash-only throughput a dedicated server reaches (the target is at least
// 0.9).
//
// The yardstick is what that work cost the server during the scenario
// (its /metrics counters, thread CPU time), so both sides of a ratio are
// measured in the same moment of the same run; the ratio against this
// tool's reference measurement is kept beside it.
func (r *Report) ratios() {
	for i := range r.Results {
		res := &r.Results[i]
		if res.Ops == 0 || res.ServerCPUms == 0 {
			continue
		}
		ratio := func(sign, hash, srp float64) (*float64, string) {
			var v float64
			var note string
			switch {
			case res.Hashes > 0 && hash > 0:
				v = float64(res.Hashes) * hash / res.ServerCPUms
				note = "argon2id CPU ÷ server CPU: share of hash-only throughput"
			case res.SRP > 0 && srp > 0:
				v = float64(res.SRP) * srp / res.ServerCPUms
				note = "SRP math CPU ÷ server CPU: share of SRP-only throughput"
			case res.Hashes == 0 && res.SRP == 0 && res.Signatures > 0 && sign > 0:
				v = (res.ServerCPUms - res.WriteMs) / (float64(res.Signatures) * sign)
				note = fmt.Sprintf("server CPU ÷ %d RS256 signature(s)", res.Signatures)
				if res.WritesPerOp >= 0.01 { // not a stray write of the sweep
					note = fmt.Sprintf("(server CPU − its DB writes) ÷ %d RS256 signature(s)", res.Signatures)
				}
			default:
				return nil, ""
			}
			return &v, note
		}
		res.Ratio, res.RatioNote = ratio(res.SignMs, res.HashMs, res.SRPms)
		if ref := r.Reference; ref != nil {
			res.RatioRef, _ = ratio(ref.RS256SignMs, ref.Argon2idMs, ref.SRPServerMs)
			// Not for SRP: its client's exponentiations run in this tool,
			// on the same cores, and would count against the server.
			if res.Hashes > 0 && ref.Argon2idRate > 0 {
				v := res.OpsPerSec * float64(res.Hashes) / ref.Argon2idRate
				res.ThroughputRatio = &v
			}
		}
	}
}

// Markdown renders the report as a table with the reference costs above.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "Gatehouse load: %s, %d workers, %s per scenario, pool %s\n\n", r.URL, r.Concurrency, r.Duration, r.PoolID)
	exp := m.Experiment
	if exp == "" {
		exp = "none"
	}
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, GOEXPERIMENT=%s\n\n", m.CPU, m.Cores, m.Go, exp)
	if ref := r.Reference; ref != nil {
		fmt.Fprintf(&b, "Reference (this process, same build): RS256 sign %.3f ms, verify %.3f ms; argon2id (%s) %.1f ms, %.1f/s on all cores; SRP server side %.2f ms, %.0f/s on all cores\n\n",
			ref.RS256SignMs, ref.RS256VerifyMs, ref.Argon2, ref.Argon2idMs, ref.Argon2idRate, ref.SRPServerMs, ref.SRPServerRate)
	}
	b.WriteString("| scenario | req/op | ops/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/op | server CPU % | DB writes/op | statements/op | work ms (sign, hash, SRP, DB writes per op) | ratio (vs reference) |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, res := range r.Results {
		ratio := ""
		if res.Ratio != nil {
			ratio = fmt.Sprintf("**%.2f** %s", *res.Ratio, res.RatioNote)
			if res.RatioRef != nil {
				ratio += fmt.Sprintf(" (%.2f)", *res.RatioRef)
			}
		}
		work := ""
		for _, w := range []struct {
			name string
			v    float64
		}{{"sign", res.SignMs}, {"hash", res.HashMs}, {"SRP", res.SRPms}, {"writes", res.WriteMs}} {
			if w.v >= 0.0005 { // what prints as 0.000 is a stray write
				work += fmt.Sprintf("%s %.3f ", w.name, w.v)
			}
		}
		cpu, pct := "", ""
		if res.ServerCPUms > 0 {
			cpu, pct = fmt.Sprintf("%.3f", res.ServerCPUms), fmt.Sprintf("%.0f", res.ServerCPUPct)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %s | %s | %.2f | %.2f | %s | %s |\n",
			res.Name, res.Requests, res.OpsPerSec, res.P50ms, res.P95ms, res.P99ms, res.Errors, cpu, pct,
			res.WritesPerOp, res.StatementsPerOp, strings.TrimSpace(work), ratio)
	}
	for _, res := range r.Results {
		if res.Client != "" {
			fmt.Fprintf(&b, "\n%s: HTTP client %s, %.3f ms of this tool's CPU per request", res.Name, res.Client, res.ClientCPUms)
		}
	}
	for _, res := range r.Results {
		if res.ThroughputRatio != nil {
			fmt.Fprintf(&b, "\n%s: %.1f/s, %.2f of the rate the password hash alone allows on every core (reference above)", res.Name, res.OpsPerSec, *res.ThroughputRatio)
		}
	}
	for _, res := range r.Results {
		if res.FirstError != "" {
			fmt.Fprintf(&b, "\n%s: first error: %s", res.Name, res.FirstError)
		}
		if len(res.ErrorKinds) > 0 {
			kinds := slices.Sorted(maps.Keys(res.ErrorKinds))
			for i, k := range kinds {
				kinds[i] = fmt.Sprintf("%s %d", k, res.ErrorKinds[k])
			}
			fmt.Fprintf(&b, "\n%s: errors by kind: %s", res.Name, strings.Join(kinds, ", "))
		}
	}
	if r.ServerRSSMiB > 0 {
		fmt.Fprintf(&b, "\nServer resident memory at the end: %.1f MiB\n", r.ServerRSSMiB)
	}
	b.WriteString("\n")
	return b.String()
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
