package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// leanServer is an httptest server that counts the connections it accepts
// and the requests it answers, and checks that each request is our GET.
func leanServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	var conns, reqs atomic.Int64
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer tok" || r.URL.RawQuery != "a=1" {
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.String(), http.StatusBadRequest)
			return
		}
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, &conns, &reqs
}

func newTestLeanGet(t *testing.T, base, path string) *leanGet {
	t.Helper()
	g, err := newLeanGet(base+path+"?a=1", "tok", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.close)
	return g
}

func TestLeanGetKeepAlive(t *testing.T) {
	body := strings.Repeat("x", 40<<10) // more than the reader's buffer
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"content-length", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "40960")
			io.WriteString(w, body)
		}},
		{"chunked", func(w http.ResponseWriter, _ *http.Request) {
			for range 3 { // flushed writes go out as chunks
				io.WriteString(w, body[:1000])
				w.(http.Flusher).Flush()
			}
		}},
		{"empty", func(w http.ResponseWriter, _ *http.Request) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, conns, reqs := leanServer(t, tc.h)
			g := newTestLeanGet(t, s.URL, "/doc")
			for i := range 50 {
				if err := g.get(); err != nil {
					t.Fatalf("get %d: %v", i, err)
				}
			}
			if n := reqs.Load(); n != 50 {
				t.Errorf("server answered %d requests, want 50", n)
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("%d connections for 50 requests, want one kept alive", n)
			}
		})
	}
}

// A server answering Connection: close has each request on a new
// connection, and every one succeeds.
func TestLeanGetConnectionClose(t *testing.T) {
	s, conns, _ := leanServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	g := newTestLeanGet(t, s.URL, "/x")
	for i := range 5 {
		if err := g.get(); err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
	}
	if n := conns.Load(); n != 5 {
		t.Errorf("%d connections, want 5", n)
	}
}

// A refusal is an error in the shape errorKind classes, with the start of
// its body, and the connection stays usable.
func TestLeanGetNon200(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	s, conns, _ := leanServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			http.Error(w, "no such pool", http.StatusNotFound)
			return
		}
		io.WriteString(w, "ok")
	})
	g := newTestLeanGet(t, s.URL, "/missing")
	err := g.get()
	if err == nil || !strings.Contains(err.Error(), "GET /missing: HTTP 404: no such pool") {
		t.Fatalf("err = %v, want the 404 and its body", err)
	}
	if k := errorKind(err); k != "HTTP 404" {
		t.Errorf("errorKind = %q, want HTTP 404", k)
	}
	fail.Store(false)
	if err := g.get(); err != nil {
		t.Fatalf("after the 404: %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want the one kept after the 404", n)
	}
}

// rawServer answers each request on a connection with the next of
// answers, written as given; after the last it closes the connection.
func rawServer(t *testing.T, answers ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for _, a := range answers {
					if _, err := http.ReadRequest(br); err != nil {
						return
					}
					if _, err := io.WriteString(c, a); err != nil {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestLeanGetRawResponses(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	for _, tc := range []struct {
		name    string
		answers []string
		gets    int
		want    string // the last get's error; "" for none
	}{
		// A body cut short is an error, never a success.
		{"truncated body", []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"}, 1, "unexpected EOF"},
		{"truncated chunk", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"}, 1, "unexpected EOF"},
		{"no last chunk", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"}, 1, "unexpected EOF"},
		{"truncated headers", []string{"HTTP/1.1 200 OK\r\nContent-Len"}, 1, "unexpected EOF"},
		{"gzip framing refused", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"}, 1, "not supported"},
		{"bad status line", []string{"SSH-2.0-OpenSSH\r\n"}, 1, "bad status line"},
		{"conflicting lengths", []string{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"}, 1, "Content-Length"},
		// Chunk extensions and trailers are read past.
		{"chunk extension and trailer", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n0\r\nX-T: 1\r\n\r\n", ok}, 2, ""},
		// A body without framing runs to the connection's end.
		{"read to close", []string{"HTTP/1.0 200 OK\r\n\r\nwhole body"}, 3, ""},
		// The server closing a kept-alive connection after two answers
		// without saying so: the third request is tried again on a new one.
		{"stale keep-alive", []string{ok, ok}, 5, ""},
		{"304 without body", []string{"HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n", ok}, 1, "HTTP 304"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestLeanGet(t, rawServer(t, tc.answers...), "/r")
			var err error
			for i := range tc.gets {
				if err = g.get(); err != nil && i < tc.gets-1 {
					t.Fatalf("get %d: %v", i, err)
				}
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if tc.want != "" && tc.want != "HTTP 304" && g.conn != nil {
				t.Error("connection kept after a broken response")
			}
		})
	}
}

func TestLeanGetOnlyHTTP(t *testing.T) {
	if _, err := newLeanGet("https://127.0.0.1:1/x", "", time.Second); err == nil || !strings.Contains(err.Error(), "-lean=false") {
		t.Errorf("err = %v, want https refused", err)
	}
	g, err := newLeanGet("http://127.0.0.1:1/x", "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.get(); err == nil || errors.Is(err, errStale) {
		t.Errorf("err = %v, want the refused dial", err)
	}
}
