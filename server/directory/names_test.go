package directory

import (
	"regexp"
	"strings"
	"testing"
)

// TestNameChecksMatchTheirRegexps: runesWithin with printable and fontChar
// answers as the regexps they replace, at the length bounds, on invalid
// UTF-8 and on each kind of character.
func TestNameChecksMatchTheirRegexps(t *testing.T) {
	name := regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
	font := regexp.MustCompile(`^[\p{L}\p{N} ,'"_-]{1,200}$`)
	inputs := []string{"", "a", "alice", "Zoë", "山田", "a b", "a\tb", "a\nb", "\x00", "a\xffb", "\xff", "é\u0301", "€$+<>",
		"user@example.com", "+15550001", "O'Brien", "\u200b", "\u00a0", "a\u2028", "🙂", "Helvetica Neue, 'Noto Sans', sans-serif",
		"a;b", "a{b}", "a/b", strings.Repeat("x", 128), strings.Repeat("x", 129), strings.Repeat("é", 128), strings.Repeat("é", 129),
		strings.Repeat("f", 200), strings.Repeat("f", 201), strings.Repeat("\xff", 128), strings.Repeat("\xff", 129)}
	for r := rune(0); r < 0x3000; r += 7 {
		inputs = append(inputs, "x"+string(r))
	}
	for _, s := range inputs {
		if got, want := runesWithin(s, 128, printable), name.MatchString(s); got != want {
			t.Errorf("printable name %q: %v, regexp %v", s, got, want)
		}
		if got, want := runesWithin(s, 200, fontChar), font.MatchString(s); got != want {
			t.Errorf("font %q: %v, regexp %v", s, got, want)
		}
	}
}

// TestASCIIPatternsMatchTheirRegexps: the ASCII classes with a byte length
// answer as the bounded regexps they replace.
func TestASCIIPatternsMatchTheirRegexps(t *testing.T) {
	for _, tt := range []struct {
		short ASCIILength
		full  string
	}{
		{scopeNamePattern, `^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`},
		{scopePattern, `^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`},
		{clientIDPattern, `^[\w+]{1,128}$`},
		{clientSecretPattern, `^[\w+]{24,64}$`},
		{ASCIIPattern(`[\w\s+=,.@-]`, 1, 256), `^[\w\s+=,.@-]{1,256}$`}, // cognitoapi's resource server name
	} {
		full := regexp.MustCompile(tt.full)
		for _, s := range []string{"", "a", "https://api.example.com/read", "a b", "a\"b", "a\\b", "é", "a\x00", "x_y+z", "a\tb\nc d", "a\vb", "a\u00a0b",
			strings.Repeat("x", 23), strings.Repeat("x", 24), strings.Repeat("x", 64), strings.Repeat("x", 65),
			strings.Repeat("x", 128), strings.Repeat("x", 129), strings.Repeat("x", 256), strings.Repeat("x", 257),
			strings.Repeat("é", 20), "\xff"} {
			if got, want := tt.short.MatchString(s), full.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, regexp %v", tt.full, s, got, want)
			}
		}
	}
}
