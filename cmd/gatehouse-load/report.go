package main

import (
	"encoding/json"
	"fmt"
	"os"
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

// ratios relates each scenario's cost to the work it needs: CPU per
// operation over its signatures' CPU for the token paths (the target is at
// most 1.1), and throughput over the hash-only (or SRP-only) throughput for
// the sign-ins (the target is at least 0.9).
func (r *Report) ratios() {
	ref := r.Reference
	if ref == nil {
		return
	}
	for i := range r.Results {
		res := &r.Results[i]
		var v float64
		switch {
		case res.Ops == 0:
			continue
		case res.Hashes > 0 && ref.Argon2idRate > 0:
			v = res.OpsPerSec / (ref.Argon2idRate / float64(res.Hashes))
			res.RatioNote = "throughput ÷ argon2id-only throughput"
		case res.SRP > 0 && ref.SRPServerRate > 0:
			v = res.OpsPerSec / (ref.SRPServerRate / float64(res.SRP))
			res.RatioNote = "throughput ÷ SRP-only throughput"
		case res.Signatures > 0 && res.ServerCPUms > 0:
			v = res.ServerCPUms / (float64(res.Signatures) * ref.RS256SignMs)
			res.RatioNote = fmt.Sprintf("server CPU ÷ %d RS256 signature(s)", res.Signatures)
		default:
			continue
		}
		res.Ratio = &v
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
	b.WriteString("| scenario | req/op | ops/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/op | server CPU % | DB writes/op | statements/op | ratio |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, res := range r.Results {
		ratio := ""
		if res.Ratio != nil {
			ratio = fmt.Sprintf("%.2f (%s)", *res.Ratio, res.RatioNote)
		}
		cpu, pct := "", ""
		if res.ServerCPUms > 0 {
			cpu, pct = fmt.Sprintf("%.3f", res.ServerCPUms), fmt.Sprintf("%.0f", res.ServerCPUPct)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %s | %s | %.2f | %.2f | %s |\n",
			res.Name, res.Requests, res.OpsPerSec, res.P50ms, res.P95ms, res.P99ms, res.Errors, cpu, pct,
			res.WritesPerOp, res.StatementsPerOp, ratio)
	}
	for _, res := range r.Results {
		if res.FirstError != "" {
			fmt.Fprintf(&b, "\n%s: first error: %s", res.Name, res.FirstError)
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
