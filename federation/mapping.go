package federation

import (
	"fmt"
	"sort"
	"strings"
)

// MaxAttributeLength is the longest value Cognito writes to a mapped
// attribute (a custom attribute's maximum); a longer one fails the sign-in.
const MaxAttributeLength = 2048

// MapAttributes applies a provider's AttributeMapping to an identity, as
// Cognito does at every federated sign-in: for each pool attribute →
// upstream name, the upstream claim or SAML attribute of that name becomes
// the pool attribute's value. Upstream names are matched exactly (SAML
// attribute names are often URIs). "access_token" and "id_token" map the
// upstream's tokens. A single value is used as it is; several values
// (a multi-valued SAML attribute, a JSON array claim) become "[v1, v2]".
// Attributes the upstream did not send are left out, so the server keeps
// what the user had. A mapped value longer than MaxAttributeLength fails
// with an error matching ErrInvalidResponse that names the attribute.
//
// email_verified is mapped like any other attribute: Cognito leaves a mapped
// email unverified unless the mapping names email_verified too.
func MapAttributes(mapping map[string]string, id Identity) (map[string]string, error) {
	out := make(map[string]string, len(mapping))
	keys := make([]string, 0, len(mapping))
	for k := range mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic errors
	for _, poolAttr := range keys {
		name := mapping[poolAttr]
		var v string
		switch {
		case name == "access_token" && id.AccessToken != "" && id.Attributes["access_token"] == nil:
			v = id.AccessToken
		case name == "id_token" && id.IDToken != "" && id.Attributes["id_token"] == nil:
			v = id.IDToken
		default:
			vals, ok := id.Attributes[name]
			if !ok || len(vals) == 0 {
				continue
			}
			if len(vals) == 1 {
				v = vals[0]
			} else {
				v = "[" + strings.Join(vals, ", ") + "]"
			}
		}
		if len(v) > MaxAttributeLength {
			return nil, fmt.Errorf("%w: attribute %s from %s is longer than %d characters", ErrInvalidResponse, poolAttr, name, MaxAttributeLength)
		}
		out[poolAttr] = v
	}
	return out, nil
}
