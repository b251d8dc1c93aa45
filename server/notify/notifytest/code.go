package notifytest

import (
	"html"
	"regexp"
	"strings"
)

// codeRE is a code as Gatehouse sends it: six digits standing alone.
var codeRE = regexp.MustCompile(`(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)`)

// tagRE is an HTML tag, good enough to read back the markup notify writes.
var tagRE = regexp.MustCompile(`<[^>]*>`)

// Code returns the first six-digit code in a mail (its text part, else its
// HTML part) or an SMS, or "" when there is none.
func Code[M Msg | SMS](m M) string {
	for _, s := range bodies(m) {
		if sub := codeRE.FindStringSubmatch(s); sub != nil {
			return sub[1]
		}
	}
	return ""
}

// TempPassword returns the temporary password of an invitation written with
// Cognito's default template ("… temporary password is {####}. "), or "".
func TempPassword[M Msg | SMS](m M) string {
	const marker = "temporary password is "
	for _, s := range bodies(m) {
		_, rest, ok := strings.Cut(s, marker)
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, "\n")
		rest = strings.TrimSuffix(strings.TrimRight(rest, " \r"), ".")
		if rest != "" {
			return rest
		}
	}
	return ""
}

func bodies[M Msg | SMS](m M) []string {
	switch v := any(m).(type) {
	case Msg:
		return []string{v.Text, html.UnescapeString(tagRE.ReplaceAllString(v.HTML, ""))}
	case SMS:
		return []string{v.Message}
	}
	return nil
}
