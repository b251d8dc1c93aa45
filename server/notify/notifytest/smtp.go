// Package notifytest holds fakes for tests of anything that sends mail or
// SMS: a recording SMTP server (NewSMTP) and a recording SMS webhook
// (NewSMS), both on 127.0.0.1, plus Code and TempPassword to read what a
// message carries.
//
//	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{STARTTLS: true})
//	… point GATEHOUSE_SMTP_URL at sink.URL(), trust sink.RootCAs() …
//	msg, err := sink.Wait(ctx, notifytest.To("ana@example.com"))
//	code := notifytest.Code(msg)
//
// The SMTP server is written on net/textproto from RFC 5321 with what a
// client of Gatehouse needs: EHLO/HELO, STARTTLS (RFC 3207), AUTH PLAIN
// (RFC 4954, RFC 4616), MAIL, RCPT, DATA, RSET, NOOP, QUIT.
package notifytest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPConfig shapes the fake server. The zero value is a plain server that
// takes any mail without authentication.
type SMTPConfig struct {
	// STARTTLS offers STARTTLS with a self-signed certificate for 127.0.0.1,
	// ::1 and localhost; trust it with RootCAs.
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps) with that
	// certificate.
	ImplicitTLS bool
	// Username and Password, when set, are the only credential AUTH PLAIN
	// accepts, and MAIL is refused until the client authenticated. When
	// unset, AUTH PLAIN is still offered and accepts anything.
	Username, Password string
	// RejectRcpt, when it returns true, answers RCPT TO with 550.
	RejectRcpt func(addr string) bool
	// MaxSize bounds a message's DATA; default 10 MiB.
	MaxSize int
}

// Msg is one message the server accepted.
type Msg struct {
	Seq      int      // 1, 2, … in arrival order
	From     string   // MAIL FROM
	To       []string // RCPT TO
	Auth     string   // the user name it authenticated as, or ""
	TLS      bool     // whether the session was encrypted when DATA came
	Raw      []byte   // the message as received, dot-unstuffed, CRLF
	Header   mail.Header
	Subject  string // decoded (RFC 2047)
	Text     string // the text/plain part, decoded, with LF line ends
	HTML     string // the text/html part, decoded, with LF line ends
	ParseErr error  // non-nil when Raw is not a well-formed MIME message
}

// SMTP is the fake server. Its methods are safe for concurrent use.
type SMTP struct {
	cfg     SMTPConfig
	ln      net.Listener
	tlsConf *tls.Config
	roots   *x509.CertPool

	mu     sync.Mutex
	msgs   []Msg
	notify chan struct{} // closed and replaced on every new message
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewSMTP starts a server on 127.0.0.1:0; t.Cleanup stops it.
func NewSMTP(t testing.TB, cfg SMTPConfig) *SMTP {
	t.Helper()
	if cfg.MaxSize == 0 {
		cfg.MaxSize = 10 << 20
	}
	s := &SMTP{cfg: cfg, notify: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if cfg.STARTTLS || cfg.ImplicitTLS {
		s.tlsConf, s.roots = SelfSigned(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("notifytest: listen: %v", err)
	}
	if cfg.ImplicitTLS {
		ln = tls.NewListener(ln, s.tlsConf)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Addr is host:port.
func (s *SMTP) Addr() string { return s.ln.Addr().String() }

// URL is the server as Gatehouse's SMTP URL: smtp:// or smtps://, with the
// configured credential.
func (s *SMTP) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.cfg.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.cfg.Username != "" {
		u.User = url.UserPassword(s.cfg.Username, s.cfg.Password)
	}
	return u.String()
}

// RootCAs trusts the server's certificate (nil without TLS).
func (s *SMTP) RootCAs() *x509.CertPool { return s.roots }

// Messages returns every accepted message, oldest first.
func (s *SMTP) Messages() []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Msg(nil), s.msgs...)
}

// Wait returns the newest accepted message that match reports true for,
// waiting for one to arrive if none has; it fails only when ctx ends. To wait
// for a message newer than some earlier one, match on Seq.
func (s *SMTP) Wait(ctx context.Context, match func(Msg) bool) (Msg, error) {
	for {
		s.mu.Lock()
		ch := s.notify
		for i := len(s.msgs) - 1; i >= 0; i-- {
			if match(s.msgs[i]) {
				m := s.msgs[i]
				s.mu.Unlock()
				return m, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Msg{}, fmt.Errorf("notifytest: no matching mail: %w", ctx.Err())
		}
	}
}

// To matches a message sent to addr (case-insensitive).
func To(addr string) func(Msg) bool {
	return func(m Msg) bool {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				return true
			}
		}
		return false
	}
}

// Close stops the server and closes open sessions.
func (s *SMTP) Close() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *SMTP) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			(&session{srv: s, conn: c, tls: s.cfg.ImplicitTLS}).run()
		}()
	}
}

func (s *SMTP) record(m Msg) {
	parse(&m)
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Seq = len(s.msgs) + 1
	s.msgs = append(s.msgs, m)
	close(s.notify)
	s.notify = make(chan struct{})
}

// session is one SMTP connection's state.
type session struct {
	srv  *SMTP
	conn net.Conn
	tp   *textproto.Conn
	tls  bool

	greeted bool
	auth    string
	authed  bool
	from    string
	hasFrom bool
	rcpts   []string
}

func (ss *session) reply(code int, lines ...string) {
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		_ = ss.tp.PrintfLine("%d%s%s", code, sep, l)
	}
}

func (ss *session) reset() { ss.from, ss.hasFrom, ss.rcpts = "", false, nil }

func (ss *session) run() {
	ss.tp = textproto.NewConn(ss.conn)
	ss.reply(220, "127.0.0.1 notifytest ESMTP ready")
	for {
		line, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.greeted = true
			ss.reset()
			ext := []string{"127.0.0.1 greets " + arg, "8BITMIME", fmt.Sprintf("SIZE %d", ss.srv.cfg.MaxSize)}
			if ss.srv.tlsConf != nil && !ss.tls {
				ext = append(ext, "STARTTLS")
			}
			ext = append(ext, "AUTH PLAIN")
			ss.reply(250, ext...)
		case "HELO":
			ss.greeted = true
			ss.reset()
			ss.reply(250, "127.0.0.1")
		case "STARTTLS":
			if ss.srv.tlsConf == nil || ss.tls {
				ss.reply(502, "5.5.1 STARTTLS not available")
				continue
			}
			ss.reply(220, "2.0.0 Ready to start TLS")
			tc := tls.Server(ss.conn, ss.srv.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			// RFC 3207 §4.2: the session starts over.
			ss.conn, ss.tls = tc, true
			ss.tp = textproto.NewConn(tc)
			ss.greeted, ss.authed, ss.auth = false, false, ""
			ss.reset()
		case "AUTH":
			ss.doAuth(arg)
		case "MAIL":
			switch {
			case !ss.greeted:
				ss.reply(503, "5.5.1 EHLO first")
			case ss.srv.cfg.Username != "" && !ss.authed:
				ss.reply(530, "5.7.0 Authentication required")
			case !strings.HasPrefix(strings.ToUpper(arg), "FROM:"):
				ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
			default:
				ss.reset()
				ss.from, ss.hasFrom = path(arg[len("FROM:"):]), true
				ss.reply(250, "2.1.0 OK")
			}
		case "RCPT":
			switch {
			case !ss.hasFrom:
				ss.reply(503, "5.5.1 MAIL first")
			case !strings.HasPrefix(strings.ToUpper(arg), "TO:"):
				ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
			default:
				to := path(arg[len("TO:"):])
				if f := ss.srv.cfg.RejectRcpt; f != nil && f(to) {
					ss.reply(550, "5.1.1 Mailbox unavailable")
					continue
				}
				ss.rcpts = append(ss.rcpts, to)
				ss.reply(250, "2.1.5 OK")
			}
		case "DATA":
			if len(ss.rcpts) == 0 {
				ss.reply(503, "5.5.1 RCPT first")
				continue
			}
			ss.reply(354, "End data with <CR><LF>.<CR><LF>")
			raw, tooBig, err := readData(ss.tp.R, ss.srv.cfg.MaxSize)
			if err != nil {
				return
			}
			if tooBig {
				ss.reply(552, "5.3.4 Message too big")
				ss.reset()
				continue
			}
			ss.srv.record(Msg{From: ss.from, To: ss.rcpts, Auth: ss.auth, TLS: ss.tls, Raw: raw})
			ss.reset()
			ss.reply(250, "2.0.0 OK queued")
		case "RSET":
			ss.reset()
			ss.reply(250, "2.0.0 OK")
		case "NOOP":
			ss.reply(250, "2.0.0 OK")
		case "QUIT":
			ss.reply(221, "2.0.0 Bye")
			return
		default:
			ss.reply(502, "5.5.2 Command not recognized")
		}
	}
}

func (ss *session) doAuth(arg string) {
	mech, initial, hasInitial := strings.Cut(arg, " ")
	switch {
	case !ss.greeted:
		ss.reply(503, "5.5.1 EHLO first")
		return
	case ss.authed:
		ss.reply(503, "5.5.1 Already authenticated")
		return
	case !strings.EqualFold(mech, "PLAIN"):
		ss.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if !hasInitial {
		ss.reply(334, "")
		l, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		initial = l
	}
	dec, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		ss.reply(501, "5.5.2 Cannot decode response")
		return
	}
	parts := strings.Split(string(dec), "\x00")
	if len(parts) != 3 {
		ss.reply(501, "5.5.2 Malformed PLAIN response")
		return
	}
	user, pass := parts[1], parts[2]
	if c := ss.srv.cfg; c.Username != "" && (user != c.Username || pass != c.Password) {
		ss.reply(535, "5.7.8 Authentication credentials invalid")
		return
	}
	ss.authed, ss.auth = true, user
	ss.reply(235, "2.7.0 Authentication successful")
}

// readData reads DATA up to the lone "." line (RFC 5321 §4.5.2), removing
// dot-stuffing and nothing else, so Raw holds the very bytes sent, CRLFs and
// any stray bare LF alike. Past max bytes it reads on but keeps nothing.
func readData(r *bufio.Reader, max int) (raw []byte, tooBig bool, err error) {
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // a long line: take it in pieces
		} else if err != nil {
			return nil, false, err
		}
		if string(line) == ".\r\n" || string(line) == ".\n" {
			return raw, tooBig, nil
		}
		if line[0] == '.' {
			line = line[1:]
		}
		if len(raw)+len(line) > max {
			tooBig, raw = true, nil
		}
		if !tooBig {
			raw = append(raw, line...)
		}
	}
}

// path takes the address out of "<addr> PARAM=…".
func path(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '>'); strings.HasPrefix(s, "<") && i > 0 {
		return s[1:i]
	}
	addr, _, _ := strings.Cut(s, " ")
	return addr
}

// parse fills Header, Subject, Text and HTML from Raw with the standard
// library's readers, independent of how the sender built it.
func parse(m *Msg) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		m.ParseErr = err
		return
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.ParseErr = err
		return
	}
	m.ParseErr = readPart(m, textproto.MIMEHeader(msg.Header), msg.Body, true)
}

// readPart reads one MIME entity into m. The CRLF that ends a message's last
// line is the message's, not the body's: a top-level single part drops it.
func readPart(m *Msg, h textproto.MIMEHeader, body io.Reader, top bool) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	typ, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return err
	}
	if strings.HasPrefix(typ, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable itself
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(m, p.Header, p, false); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if top {
		text = strings.TrimSuffix(text, "\n")
	}
	switch typ {
	case "text/plain":
		m.Text = text
	case "text/html":
		m.HTML = text
	}
	return nil
}
