package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"strconv"
)

// smtpTarget is a parsed SMTP URL.
type smtpTarget struct {
	host     string // for TLS verification and the loopback check
	addr     string // host:port
	implicit bool   // smtps: TLS from the first byte (RFC 8314 §3.3)
	user     string
	pass     string
	hasAuth  bool
}

func parseSMTPURL(raw string) (*smtpTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's error repeats the URL, password included.
		return nil, errors.New("notify: SMTP URL does not parse; want smtp://[user:pass@]host:port or smtps://…")
	}
	bad := func(why string) error { return fmt.Errorf("notify: SMTP URL %q: %s", u.Redacted(), why) }
	t := &smtpTarget{}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "25"
	case "smtps":
		t.implicit, port = true, "465"
	default:
		return nil, bad("scheme must be smtp or smtps")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, bad("must name a host: smtp://host:port")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, bad("takes no path, query or fragment")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("port must be 1 to 65535")
		}
		port = p
	}
	t.host = u.Hostname()
	t.addr = net.JoinHostPort(t.host, port)
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
		t.hasAuth = true
		if t.user == "" {
			return nil, bad("user name is empty")
		}
	}
	return t, nil
}

func (n *Notifier) tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, RootCAs: n.rootCAs, MinVersion: tls.VersionTLS12}
}

// deliver sends one message to one recipient: EHLO, STARTTLS when offered,
// AUTH PLAIN when the URL has credentials, MAIL, RCPT, DATA, QUIT.
func (n *Notifier) deliver(ctx context.Context, rcpt string, msg []byte) error {
	t := n.smtp
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	fail := func(step string, err error) error {
		cause := ctx.Err()
		if cause == nil && errors.Is(err, os.ErrDeadlineExceeded) {
			// The connection's deadline is the context's; its timer may
			// simply not have fired yet.
			cause = context.DeadlineExceeded
		}
		if cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%v)", cause, err)
		}
		return fmt.Errorf("%w: smtp %s %s: %w", ErrDelivery, t.addr, step, err)
	}

	conn, err := n.dial(ctx, "tcp", t.addr)
	if err != nil {
		return fail("connect", err)
	}
	// The context bounds every read and write: its deadline as the
	// connection's, its cancellation by closing the connection.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if t.implicit {
		tc := tls.Client(conn, n.tlsConfig(t.host))
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fail("TLS handshake", err)
		}
		conn = tc
	}

	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		conn.Close()
		return fail("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(n.heloName); err != nil {
		return fail("EHLO", err)
	}
	if !t.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(n.tlsConfig(t.host)); err != nil {
				return fail("STARTTLS", err)
			}
		}
	}
	if t.hasAuth {
		if _, encrypted := c.TLSConnectionState(); !encrypted && !isLoopbackHost(t.host) {
			return fmt.Errorf("%w: %w: %s offers no STARTTLS; use smtps:// or a server that does", ErrDelivery, ErrInsecureAuth, t.addr)
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail("AUTH", errors.New("the server offers no AUTH but the URL has credentials"))
		}
		if err := c.Auth(plainAuth{user: t.user, pass: t.pass, host: t.host}); err != nil {
			return fail("AUTH", err)
		}
	}
	if err := c.Mail(n.from.Address); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("DATA", err)
	}
	// The message is accepted once DATA's reply is 250; a failed QUIT does
	// not undo that.
	_ = c.Quit()
	return nil
}

// plainAuth is AUTH PLAIN (RFC 4616). Unlike smtp.PlainAuth it takes any
// loopback address as safe, not only "localhost", and it is the second guard:
// deliver already refused to get here over plain text to a remote host.
type plainAuth struct{ user, pass, host string }

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopbackHost(a.host) {
		return "", nil, ErrInsecureAuth
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}
