package notify

import (
	"html"
	"net/url"
	"strings"

	nethtml "golang.org/x/net/html"
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

// WithMessage is t with a pool's own subject and message where they are
// set (Cognito's EmailSubject and EmailMessage; "" keeps t's). Cognito
// takes one message, which may be HTML; the mail still gets both parts,
// so that every reader shows it and spam filters do not frown on a lone
// HTML part. A message with markup is the HTML part and its text (tags
// dropped, entities decoded, paragraphs and line breaks kept, a link's
// address after its words) the text part. A message without markup is the
// text part and, escaped with its line breaks kept, the HTML part.
// Placeholders pass through both conversions unchanged.
func (t Template) WithMessage(subject, message string) Template {
	if subject != "" {
		t.Subject = subject
	}
	switch {
	case message == "":
	case hasMarkup(message):
		t.HTML, t.Text = message, htmlToText(message)
	default:
		t.Text, t.HTML = message, textToHTML(message)
	}
	return t
}

// hasMarkup reports whether s holds an HTML tag or entity; a lone "<" in
// "a < b" is text.
func hasMarkup(s string) bool {
	z := nethtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return false
		case nethtml.StartTagToken, nethtml.EndTagToken, nethtml.SelfClosingTagToken, nethtml.CommentToken, nethtml.DoctypeToken:
			return true
		case nethtml.TextToken:
			if string(z.Raw()) != string(z.Text()) { // an entity was decoded
				return true
			}
		}
	}
}

// textToHTML writes a plain message as an HTML fragment: a paragraph per
// blank-line-separated block, <br> for the other line breaks.
func textToHTML(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\r", "\n")
	var b strings.Builder
	for i, para := range strings.Split(s, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>\n") + "</p>")
	}
	return b.String()
}

// Elements that end a line of text, and those that end a paragraph.
var (
	lineTags = map[string]bool{"br": true, "tr": true, "li": true, "dt": true, "dd": true}
	paraTags = map[string]bool{"p": true, "div": true, "table": true, "ul": true, "ol": true, "dl": true, "blockquote": true,
		"pre": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "section": true,
		"article": true, "header": true, "footer": true, "body": true, "center": true}
	hiddenTags = map[string]bool{"head": true, "title": true, "style": true, "script": true, "template": true}
)

// htmlToText is the text a reader sees in an HTML message: whitespace
// collapsed as a browser does, block elements on lines of their own, a
// link followed by its address in angle brackets (RFC 3986 Appendix C)
// when the address is not its text, images by their alt text.
func htmlToText(s string) string {
	z := nethtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	hidden := 0
	var href string
	linkStart := -1
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			break
		}
		name, hasAttr := z.TagName()
		tag := string(name)
		switch tt {
		case nethtml.TextToken:
			if hidden == 0 {
				b.WriteString(collapse(string(z.Text())))
			}
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			var alt string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "href":
					href = string(v)
				case "alt":
					alt = string(v)
				}
			}
			switch {
			case hiddenTags[tag]:
				if tt == nethtml.StartTagToken {
					hidden++
				}
			case tag == "br":
				b.WriteString("\n")
			case lineTags[tag]:
				endLines(&b, 1)
			case paraTags[tag]:
				endLines(&b, 2)
			case tag == "a":
				linkStart = b.Len()
				if tt == nethtml.SelfClosingTagToken {
					linkStart = -1
				}
			case tag == "img" && hidden == 0:
				b.WriteString(alt)
			}
			if tag != "a" {
				href = ""
			}
		case nethtml.EndTagToken:
			switch {
			case hiddenTags[tag]:
				hidden = max(0, hidden-1)
			case lineTags[tag]:
				endLines(&b, 1)
			case paraTags[tag]:
				endLines(&b, 2)
			case tag == "a" && linkStart >= 0:
				words := strings.TrimSpace(b.String()[linkStart:])
				if href != "" && href != words && !strings.HasPrefix(strings.ToLower(href), "mailto:") {
					b.WriteString(" <" + href + ">")
				}
				linkStart, href = -1, ""
			}
		}
	}
	// Lines trimmed, at most one blank line in a row.
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// endLines ends b with at least n line breaks, spaces aside: blocks in a
// row make one break between them, not one each.
func endLines(b *strings.Builder, n int) {
	have := 0
	for s, i := b.String(), b.Len()-1; i >= 0 && (s[i] == '\n' || s[i] == ' '); i-- {
		if s[i] == '\n' {
			have++
		}
	}
	b.WriteString(strings.Repeat("\n", max(0, n-have)))
}

// collapse writes HTML text as a browser lays it out: each run of
// whitespace one space.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
