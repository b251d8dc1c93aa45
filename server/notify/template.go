package notify

import (
	"html"
	"net/url"
	"strings"
)

// Variables of Render and RenderHTML, and the placeholders they fill
// (Cognito Developer Guide, "Message templates"):
//
//	VarCode      {####}       the code, or the temporary password of an invitation
//	VarUsername  {username}   the user name
//	VarLink      {##label##}  a verification link; label, the link's text,
//	                          holds no brace or line break
const (
	VarCode     = "code"
	VarUsername = "username"
	VarLink     = "link"
)

// Render fills the placeholders of a text template (a text body or an SMS)
// from vars. A placeholder without its variable stays as it is. Values are
// inserted once and never searched again, so a user name that reads
// "{####}" stays that text. A link placeholder becomes "label <url>", the
// plain-text way to write a link (RFC 3986 Appendix C).
func Render(tmpl string, vars map[string]string) string {
	return render(tmpl, vars, func(s string) string { return s }, func(label, link string) string {
		return label + " <" + link + ">"
	})
}

// RenderHTML fills the placeholders of an HTML template. The template is
// trusted markup, written by Gatehouse or a pool's administrator as in
// Cognito; the values are not, and are HTML-escaped. A link placeholder
// becomes <a href="url">label</a> when the URL is http or https, and the bare
// label otherwise.
func RenderHTML(tmpl string, vars map[string]string) string {
	return render(tmpl, vars, html.EscapeString, func(label, link string) string {
		if u, err := url.Parse(link); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return label
		}
		return `<a href="` + html.EscapeString(link) + `">` + label + `</a>`
	})
}

func render(tmpl string, vars map[string]string, esc func(string) string, link func(label, url string) string) string {
	code, hasCode := vars[VarCode]
	user, hasUser := vars[VarUsername]
	href, hasLink := vars[VarLink]
	var b strings.Builder
	b.Grow(len(tmpl))
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i:]
		n := 1
		switch {
		case hasCode && strings.HasPrefix(rest, "{####}"):
			b.WriteString(esc(code))
			n = len("{####}")
		case hasUser && strings.HasPrefix(rest, "{username}"):
			b.WriteString(esc(user))
			n = len("{username}")
		case hasLink && !strings.HasPrefix(rest, "{####}"):
			if end := linkEnd(rest); end > 0 {
				b.WriteString(link(rest[3:end], href))
				n = end + len("##}")
				break
			}
			b.WriteByte('{')
		default:
			b.WriteByte('{')
		}
		tmpl = rest[n:]
	}
}

// linkEnd returns where the label of the link placeholder at the start of s
// ends, or -1 when s does not start with one: "{##", a label without braces
// or line breaks, "##}". Stopping at the first brace keeps the scan linear.
func linkEnd(s string) int {
	if !strings.HasPrefix(s, "{##") {
		return -1
	}
	for j := 3; j < len(s); j++ {
		if strings.HasPrefix(s[j:], "##}") {
			return j
		}
		if c := s[j]; c == '{' || c == '}' || c == '\n' || c == '\r' {
			return -1
		}
	}
	return -1
}

// Template is a mail's subject and bodies. Subject is used as it is:
// placeholders are filled in bodies only, as Cognito does, and subjects are
// logged.
type Template struct {
	Subject string
	Text    string // a Render template; empty: no text part
	HTML    string // a RenderHTML fragment; empty: no HTML part
}

// Mail renders t for one recipient. The HTML fragment is wrapped in a
// complete, minimal document (language, charset, title) unless it already is
// one.
func (t Template) Mail(to string, vars map[string]string) Message {
	m := Message{To: to, Subject: t.Subject}
	if t.Text != "" {
		m.Text = Render(t.Text, vars)
	}
	if t.HTML != "" {
		m.HTML = htmlDocument(t.Subject, RenderHTML(t.HTML, vars))
	}
	return m
}

func htmlDocument(title, body string) string {
	head := strings.ToLower(strings.TrimSpace(body[:min(len(body), 64)]))
	if strings.HasPrefix(head, "<!doctype") || strings.HasPrefix(head, "<html") {
		return body
	}
	return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<title>" + html.EscapeString(title) + "</title>\n</head>\n<body>\n" +
		body + "\n</body>\n</html>\n"
}

// Cognito's default messages, used where a pool sets none (Cognito API
// Reference: VerificationMessageTemplateType, AdminCreateUserConfigType,
// CreateUserPool's SmsAuthenticationMessage). The HTML versions say the same
// in plain, accessible markup: a paragraph, the value in <strong>.
var (
	// VerificationCode confirms a sign-up or an email address.
	VerificationCode = Template{
		Subject: "Your verification code",
		Text:    "Your verification code is {####}. ",
		HTML:    "<p>Your verification code is <strong>{####}</strong>.</p>",
	}
	// VerificationLink is the CONFIRM_WITH_LINK form; VarLink is the
	// /confirmUser URL.
	VerificationLink = Template{
		Subject: "Your verification link",
		Text:    "Please click the link below to verify your email address. {##Verify Email##} ",
		HTML:    "<p>Please click the link below to verify your email address.</p>\n<p>{##Verify Email##}</p>",
	}
	// Invitation is AdminCreateUser's message; VarCode is the temporary
	// password.
	Invitation = Template{
		Subject: "Your temporary password",
		Text:    "Your username is {username} and temporary password is {####}. ",
		HTML:    "<p>Your username is <strong>{username}</strong> and temporary password is <strong>{####}</strong>.</p>",
	}
	// ForgotPassword is the password-reset code message. Cognito sends it
	// with the verification code template ("Emails from attribute-update and
	// password-reset operations use the code template", Developer Guide,
	// "Configuring verification and invitation messages").
	ForgotPassword = VerificationCode
)

// Cognito's default SMS messages.
const (
	SMSVerification   = "Your verification code is {####}. "
	SMSInvitation     = "Your username is {username} and temporary password is {####}. "
	SMSAuthentication = "Your authentication code is {####}. "
)
