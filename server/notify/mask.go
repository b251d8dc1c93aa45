package notify

import (
	"strings"
	"unicode/utf8"
)

// Mask shortens a destination the way Cognito's
// CodeDeliveryDetails.Destination and CODE_DELIVERY_DESTINATION do, enough
// for the person to recognise it and no more:
//
//	alice@example.com  → a***@e***.com
//	+15555550008       → +*******0008
//
// An email keeps the first character of the local part and of the domain and
// the domain's last label; a phone number keeps its + and last four digits.
// Anything else becomes "***".
func Mask(destination string) string {
	if destination == "" {
		return ""
	}
	if at := strings.LastIndexByte(destination, '@'); at >= 0 {
		local, domain := destination[:at], destination[at+1:]
		tld := ""
		if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
			domain, tld = domain[:dot], domain[dot:]
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
	}
	if destination[0] == '+' && isE164(destination) {
		digits := destination[1:]
		keep := 4
		if len(digits) <= keep {
			keep = 0
		}
		return "+" + strings.Repeat("*", len(digits)-keep) + digits[len(digits)-keep:]
	}
	return "***"
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
