package notify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Sentinels every error of SendMail and SendSMS wraps one of.
var (
	// ErrInvalidMessage: the message itself is wrong (a line break in a
	// header, an address that does not parse, no body); retrying will not help.
	ErrInvalidMessage = errors.New("notify: invalid message")
	// ErrDelivery: the mail server or SMS webhook could not be reached or
	// refused the message.
	ErrDelivery = errors.New("notify: delivery failed")
	// ErrInsecureAuth: the SMTP URL carries credentials but the connection to
	// a non-loopback server is not encrypted (no STARTTLS offered); the
	// password is not sent in the clear. It also wraps ErrDelivery.
	ErrInsecureAuth = errors.New("notify: refusing SMTP AUTH over an unencrypted connection")
)

// Config is what New needs. Every field is optional.
type Config struct {
	// SMTPURL is smtp://[user:pass@]host[:port] (port 25 by default; STARTTLS
	// whenever the server offers it) or smtps://… (implicit TLS, port 465 by
	// default). Empty: mail goes to the log and, in dev, to the outbox.
	SMTPURL string
	// MailFrom is the sender address; default no-reply@PublicHost.
	MailFrom string
	// PublicHost is the host name of the public URL: the default sender's
	// domain, the right side of Message-IDs and the EHLO name.
	PublicHost string
	// SMSWebhookURL receives each SMS as a JSON POST; https except on
	// loopback hosts. Empty: SMS goes to the log and, in dev, to the outbox.
	SMSWebhookURL string
	// Dev keeps undelivered messages, in full, in the outbox (see Outbox).
	Dev bool
	// RootCAs, when set, is the pool SMTP and webhook TLS certificates are
	// verified against instead of the system's (build it from
	// x509.SystemCertPool plus GATEHOUSE_CA_FILE to add to the system's).
	RootCAs *x509.CertPool
	// HTTPClient posts to the SMS webhook; default: a client with a 10 s
	// timeout, RootCAs, and no redirects.
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// Timeouts applied when the caller's context has no earlier deadline.
const (
	smtpTimeout    = 30 * time.Second
	webhookTimeout = 10 * time.Second
)

// Notifier sends mail and SMS. It is safe for concurrent use.
type Notifier struct {
	log      *slog.Logger
	now      func() time.Time
	from     *mail.Address
	heloName string
	rootCAs  *x509.CertPool
	smtp     *smtpTarget // nil: mail goes to the log
	sms      *url.URL    // nil: SMS goes to the log
	http     *http.Client
	outbox   *Outbox // nil unless Dev

	// dial opens the SMTP connection; tests point it elsewhere to pose as a
	// remote host.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Message is one mail. To is an address, optionally with a display name
// ("Ana <ana@example.com>"); at least one of Text and HTML must be set, and
// with both the mail is multipart/alternative.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// SMS is one text message; PhoneNumber is E.164 (+ and digits), as Cognito's
// phone_number attribute.
type SMS struct {
	PhoneNumber string
	Text        string
}

// New checks cfg and returns a Notifier. It opens no connection: a mail
// server that is down shows up as an error of SendMail.
func New(cfg Config) (*Notifier, error) {
	n := &Notifier{
		log:     cfg.Logger,
		now:     cfg.Now,
		rootCAs: cfg.RootCAs,
		http:    cfg.HTTPClient,
		dial:    (&net.Dialer{}).DialContext,
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	host := strings.TrimSuffix(strings.ToLower(cfg.PublicHost), ".")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n<>@()[]\\,;:\"") {
		host = "localhost"
	}
	n.heloName = host

	from := cfg.MailFrom
	if from == "" {
		from = "no-reply@" + host
	}
	if hasControl(from) {
		return nil, fmt.Errorf("notify: mail from %q: contains a control character", from)
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("notify: mail from %q: %v", from, err)
	}
	n.from = addr

	if cfg.SMTPURL != "" {
		t, err := parseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		n.smtp = t
	}
	if cfg.SMSWebhookURL != "" {
		u, err := parseWebhookURL(cfg.SMSWebhookURL)
		if err != nil {
			return nil, err
		}
		n.sms = u
	}
	if n.http == nil {
		n.http = defaultHTTPClient(cfg.RootCAs)
	}
	if cfg.Dev {
		n.outbox = newOutbox(OutboxSize)
	}
	return n, nil
}

// Outbox is the dev outbox, or nil when not in dev mode. Mount it at
// /_dev/mail in dev only: it shows codes and temporary passwords.
func (n *Notifier) Outbox() *Outbox { return n.outbox }

// SendMail delivers m over SMTP or, with no SMTP URL, to the log (and the
// outbox in dev). Errors wrap ErrInvalidMessage or ErrDelivery.
func (n *Notifier) SendMail(ctx context.Context, m Message) error {
	rcpt, raw, err := n.compose(m)
	if err != nil {
		return err
	}
	attrs := []any{"to", Mask(rcpt.Address), "subject", m.Subject, "bytes", len(raw)}
	if n.smtp == nil {
		if n.outbox != nil {
			n.outbox.add(Entry{Kind: KindEmail, Time: n.now(), To: rcpt.Address, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
			n.log.InfoContext(ctx, "notify: mail kept in the dev outbox (no SMTP URL)", attrs...)
		} else {
			n.log.InfoContext(ctx, "notify: mail not sent: no SMTP URL configured", attrs...)
		}
		return nil
	}
	if err := n.deliver(ctx, rcpt.Address, raw); err != nil {
		return err
	}
	n.log.InfoContext(ctx, "notify: mail sent", attrs...)
	return nil
}

// SendSMS posts s to the webhook or, with no webhook URL, to the log (and the
// outbox in dev). Errors wrap ErrInvalidMessage or ErrDelivery.
func (n *Notifier) SendSMS(ctx context.Context, s SMS) error {
	if !isE164(s.PhoneNumber) {
		return fmt.Errorf("%w: phone number must be + and 1 to 15 digits", ErrInvalidMessage)
	}
	if s.Text == "" {
		return fmt.Errorf("%w: empty SMS", ErrInvalidMessage)
	}
	attrs := []any{"to", Mask(s.PhoneNumber), "bytes", len(s.Text)}
	if n.sms == nil {
		if n.outbox != nil {
			n.outbox.add(Entry{Kind: KindSMS, Time: n.now(), To: s.PhoneNumber, Text: s.Text})
			n.log.InfoContext(ctx, "notify: SMS kept in the dev outbox (no webhook URL)", attrs...)
		} else {
			n.log.InfoContext(ctx, "notify: SMS not sent: no webhook URL configured", attrs...)
		}
		return nil
	}
	if err := n.postSMS(ctx, s); err != nil {
		return err
	}
	n.log.InfoContext(ctx, "notify: SMS sent", attrs...)
	return nil
}

// isLoopbackHost reports whether host is localhost or a loopback address
// (CONTRACT: http and plain AUTH are fine there, nowhere else).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isE164 reports whether p is + followed by 1 to 15 digits, the first not 0.
func isE164(p string) bool {
	if len(p) < 2 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// hasControl reports whether s holds a C0 control character other than tab,
// or DEL: in a header those are how injection starts.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}
