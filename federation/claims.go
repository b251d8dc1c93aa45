package federation

import (
	"encoding/json"
	"strconv"
)

// ClaimsToAttributes turns JSON claims (an ID token's, a userinfo or Graph
// API answer) into Identity.Attributes: strings as they are, booleans
// "true"/"false", numbers in decimal without exponent where they are
// integers, arrays as one value per element, objects (address) and nested
// arrays as JSON text. Null claims are left out.
func ClaimsToAttributes(claims map[string]any) map[string][]string {
	out := make(map[string][]string, len(claims))
	for k, v := range claims {
		switch t := v.(type) {
		case nil:
		case []any:
			vals := make([]string, 0, len(t))
			for _, e := range t {
				if e != nil {
					vals = append(vals, claimString(e))
				}
			}
			out[k] = vals
		default:
			out[k] = []string{claimString(t)}
		}
	}
	return out
}

func claimString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		if t == float64(int64(t)) {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// ClaimBool reads a boolean claim that some providers send as a string
// (Apple's email_verified is "true").
func ClaimBool(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, _ := strconv.ParseBool(t)
		return b
	}
	return false
}
