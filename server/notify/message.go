package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// maxSubject bounds a subject so that its header line stays well under RFC
// 5322's 998 characters however it is encoded; Cognito allows 140.
const maxSubject = 300

// compose checks m and renders it as an RFC 5322 message with CRLF line
// endings: Date, Message-ID, From, To, Subject (RFC 2047 Q-encoded when not
// ASCII), MIME-Version, then a text/plain or text/html body, or a
// multipart/alternative (RFC 2046 §5.1.4) of both, each quoted-printable so
// that any UTF-8 and any line length travel over any server.
func (n *Notifier) compose(m Message) (*mail.Address, []byte, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
	}
	// A CR or LF in a header value would let the value start a header of its
	// own (Bcc:, or a second body); refuse, never strip.
	if hasControl(m.To) {
		return nil, nil, invalid("recipient contains a line break or control character")
	}
	if hasControl(m.Subject) {
		return nil, nil, invalid("subject contains a line break or control character")
	}
	if len(m.Subject) > maxSubject {
		return nil, nil, invalid("subject longer than %d bytes", maxSubject)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, nil, invalid("no body")
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, nil, invalid("recipient does not parse: %v", err)
	}

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("Date", n.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+randomHex(16)+"@"+n.heloName+">")
	header("From", n.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("MIME-Version", "1.0")

	switch {
	case m.Text != "" && m.HTML != "":
		mw := multipart.NewWriter(&b)
		// multipart's own boundary is 60 characters; a shorter one keeps the
		// Content-Type line under RFC 5322's 78. "=_" cannot occur in a
		// quoted-printable body, so no part can contain the boundary.
		if err := mw.SetBoundary("=_" + randomHex(12)); err != nil {
			return nil, nil, err
		}
		header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		b.WriteString("\r\n")
		// Plainest first: a reader shows the last part it understands.
		for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
			w, err := mw.CreatePart(textproto.MIMEHeader{
				"Content-Type":              {p.typ + "; charset=utf-8"},
				"Content-Transfer-Encoding": {"quoted-printable"},
			})
			if err != nil {
				return nil, nil, err
			}
			if err := writeQP(w, p.body); err != nil {
				return nil, nil, err
			}
		}
		if err := mw.Close(); err != nil {
			return nil, nil, err
		}
	default:
		typ, body := "text/plain", m.Text
		if body == "" {
			typ, body = "text/html", m.HTML
		}
		header("Content-Type", typ+"; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, body); err != nil {
			return nil, nil, err
		}
		b.WriteString("\r\n")
	}
	return to, b.Bytes(), nil
}

// writeQP writes body quoted-printable with CRLF line breaks.
func writeQP(w interface{ Write([]byte) (int, error) }, body string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n"))); err != nil {
		return err
	}
	return qp.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
