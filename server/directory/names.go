package directory

import (
	"regexp"
	"strings"
	"unicode"
)

// These checks stand for regexps like ^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$,
// with the same answers (a rune at a time, an invalid byte read as U+FFFD):
// compiled, a bounded repetition of Unicode classes is that many copies of
// them, and the three such patterns cost every start about 100 ms and
// 18 MB of garbage.

// runesWithin reports whether s has between 1 and max runes, each ok.
func runesWithin(s string, max int, ok func(rune) bool) bool {
	n := 0
	for _, r := range s {
		n++
		if n > max || !ok(r) {
			return false
		}
	}
	return n > 0
}

// printable is [\p{L}\p{M}\p{S}\p{N}\p{P}]: Cognito's name characters.
func printable(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
}

// fontChar is [\p{L}\p{N} ,'"_-]: font names, quotes, commas and spaces,
// nothing that could end the CSS declaration a font list is written into.
func fontChar(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N) || strings.ContainsRune(` ,'"_-`, r)
}

// ASCIILength is ^class{min,max}$ for a class of ASCII characters only,
// where a length is in bytes: compiled as ^class+$ and a length check,
// since {1,256} compiles to 256 copies of the class.
type ASCIILength struct {
	re       *regexp.Regexp
	min, max int
}

// ASCIIPattern compiles ^class{min,max}$ for an ASCII-only class.
func ASCIIPattern(class string, min, max int) ASCIILength {
	return ASCIILength{regexp.MustCompile(`^` + class + `+$`), min, max}
}

// MatchString reports whether s matches ^class{min,max}$.
func (a ASCIILength) MatchString(s string) bool {
	return len(s) >= a.min && len(s) <= a.max && a.re.MatchString(s)
}
