package main

import (
	"bytes"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
)

// fakeEnv is a getenv over a map.
func fakeEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// fullEnv sets every variable of CONTRACT.md's flag table.
var fullEnv = map[string]string{
	"GATEHOUSE_ADDR":         "127.0.0.1:7000",
	"GATEHOUSE_PUBLIC_URL":   "https://env.example.com",
	"GATEHOUSE_DATA_DIR":     "/env/data",
	"GATEHOUSE_DATABASE_URL": "sqlite:///env/db.sqlite",
	"GATEHOUSE_CONFIG":       "/env/gatehouse.yaml",
	"GATEHOUSE_REGION":       "eu-west-1",
	"GATEHOUSE_ACCOUNT_ID":   "111111111111",
	"GATEHOUSE_DEV":          "1",
}

func TestParseServe(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want server.Config
	}{
		{
			name: "defaults",
			want: server.Config{Addr: "127.0.0.1:8080", DataDir: "./data", Region: "us-east-1", AccountID: "000000000000"},
		},
		{
			name: "environment over defaults",
			env:  fullEnv,
			want: server.Config{Addr: "127.0.0.1:7000", PublicURL: "https://env.example.com", DataDir: "/env/data",
				DatabaseURL: "sqlite:///env/db.sqlite", ConfigFile: "/env/gatehouse.yaml", Region: "eu-west-1",
				AccountID: "111111111111", Dev: true},
		},
		{
			name: "flags over environment",
			env:  fullEnv,
			args: []string{"--addr", "127.0.0.1:9000", "--public-url", "https://flag.example.com", "--data-dir", "/flag/data",
				"--database-url", "sqlite:///flag/db.sqlite", "--config", "/flag/gatehouse.yaml", "--region", "ap-south-1",
				"--account-id", "222222222222", "--dev=false"},
			want: server.Config{Addr: "127.0.0.1:9000", PublicURL: "https://flag.example.com", DataDir: "/flag/data",
				DatabaseURL: "sqlite:///flag/db.sqlite", ConfigFile: "/flag/gatehouse.yaml", Region: "ap-south-1",
				AccountID: "222222222222"},
		},
		{
			name: "single-dash flags and = values",
			args: []string{"-addr=127.0.0.1:1234", "-dev"},
			want: server.Config{Addr: "127.0.0.1:1234", DataDir: "./data", Region: "us-east-1", AccountID: "000000000000", Dev: true},
		},
		{
			name: "GATEHOUSE_DEV=true",
			env:  map[string]string{"GATEHOUSE_DEV": "true"},
			want: server.Config{Addr: "127.0.0.1:8080", DataDir: "./data", Region: "us-east-1", AccountID: "000000000000", Dev: true},
		},
		{
			name: "GATEHOUSE_DEV=0 is off",
			env:  map[string]string{"GATEHOUSE_DEV": "0"},
			want: server.Config{Addr: "127.0.0.1:8080", DataDir: "./data", Region: "us-east-1", AccountID: "000000000000"},
		},
		{
			name: "admin credential from the environment",
			env:  map[string]string{"GATEHOUSE_ADMIN_ACCESS_KEY_ID": "AKIDENV", "GATEHOUSE_ADMIN_SECRET_ACCESS_KEY": "env-secret"},
			want: server.Config{Addr: "127.0.0.1:8080", DataDir: "./data", Region: "us-east-1", AccountID: "000000000000",
				AdminAccessKeyID: "AKIDENV", AdminSecretAccessKey: "env-secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := parseServe(tt.args, fakeEnv(tt.env), &stderr)
			if err != nil {
				t.Fatalf("parseServe: %v", err)
			}
			tt.want.Version = version
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("config\n got %+v\nwant %+v", got, tt.want)
			}
			if stderr.Len() != 0 {
				t.Errorf("parseServe wrote to stderr: %q", stderr.String())
			}
		})
	}
}

func TestParseServeErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error
	}{
		{name: "unknown flag", args: []string{"--nope"}, want: "-nope"},
		{name: "missing value", args: []string{"--addr"}, want: "-addr"},
		{name: "bad boolean", args: []string{"--dev=maybe"}, want: "-dev"},
		{name: "address without a port", args: []string{"--addr", "notaport"}, want: `"notaport"`},
		{name: "bad address from the environment", env: map[string]string{"GATEHOUSE_ADDR": "nocolon"}, want: `"nocolon"`},
		{name: "positional argument", args: []string{"extra"}, want: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseServe(tt.args, fakeEnv(tt.env), &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if stderr.Len() != 0 {
				t.Errorf("parseServe printed %q; run prints the one line", stderr.String())
			}
		})
	}
}

func TestParseServeHelp(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseServe([]string{"-help"}, fakeEnv(nil), &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"-addr", "-public-url", "-data-dir", "-database-url", "-config", "-region", "-account-id", "-dev"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("help lacks %s:\n%s", name, stderr.String())
		}
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // exact
		stderrLine string // the one line stderr must hold, as a substring
	}{
		{name: "no command", code: 2, stderrLine: "usage: gatehouse serve"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderrLine: `unknown command "frobnicate"`},
		{name: "version", args: []string{"version"}, code: 0, stdout: "gatehouse " + version + "\n"},
		{name: "bad flag", args: []string{"serve", "--nope"}, code: 2, stderrLine: "gatehouse: flag provided but not defined: -nope"},
		{name: "bad address", args: []string{"serve", "--addr", "notaport"}, code: 2, stderrLine: `gatehouse: --addr "notaport"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, fakeEnv(nil), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			if tt.stderrLine == "" {
				if stderr.Len() != 0 {
					t.Errorf("stderr %q, want nothing", stderr.String())
				}
				return
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.stderrLine) {
				t.Errorf("stderr %q, want one line containing %q", stderr.String(), tt.stderrLine)
			}
		})
	}
}

func TestRunHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"serve", "-h"}, fakeEnv(nil), &stdout, &stderr); code != 0 {
		t.Errorf("serve -h exit code %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "usage: gatehouse serve") {
		t.Errorf("serve -h printed %q", stderr.String())
	}
}
