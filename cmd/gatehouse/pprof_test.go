package main

import (
	"io"
	"strings"
	"testing"
)

// TestPprofFlag: --pprof-addr (or GATEHOUSE_PPROF_ADDR) is a debug flag
// outside server.Config; a bad address is one clear error.
func TestPprofFlag(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	_, dbg, err := parseServeFlags([]string{"--pprof-addr", "127.0.0.1:6060"}, env(nil), io.Discard)
	if err != nil || dbg.pprofAddr != "127.0.0.1:6060" {
		t.Errorf("flag: %+v, %v", dbg, err)
	}
	_, dbg, err = parseServeFlags(nil, env(map[string]string{"GATEHOUSE_PPROF_ADDR": "127.0.0.1:7070"}), io.Discard)
	if err != nil || dbg.pprofAddr != "127.0.0.1:7070" {
		t.Errorf("environment: %+v, %v", dbg, err)
	}
	if _, _, err := parseServeFlags([]string{"--pprof-addr", "nope"}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--pprof-addr") {
		t.Errorf("bad address: %v", err)
	}
}
