package directory

import (
	"strings"
	"unicode"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Password rule names, as PasswordRules and UnmetPasswordRules give them.
const (
	RuleLength = "length"
	RuleLower  = "lower"
	RuleUpper  = "upper"
	RuleNumber = "number"
	RuleSymbol = "symbol"
)

// PasswordRule is one rule of a pool's password policy, for a front to
// show before a password is chosen.
type PasswordRule struct {
	Name string // RuleLength, RuleLower, …
	Min  int    // the minimum length, for RuleLength
}

// PasswordRules lists the rules of policy in the order ValidatePassword
// checks them.
func PasswordRules(policy storage.PasswordPolicy) []PasswordRule {
	rules := []PasswordRule{{Name: RuleLength, Min: policy.MinimumLength}}
	if policy.RequireLowercase {
		rules = append(rules, PasswordRule{Name: RuleLower})
	}
	if policy.RequireUppercase {
		rules = append(rules, PasswordRule{Name: RuleUpper})
	}
	if policy.RequireNumbers {
		rules = append(rules, PasswordRule{Name: RuleNumber})
	}
	if policy.RequireSymbols {
		rules = append(rules, PasswordRule{Name: RuleSymbol})
	}
	return rules
}

// UnmetPasswordRules names every rule of policy that password breaks, so
// that a front can mark them all at once; ValidatePassword stays the
// judge (it also refuses what no rule names, such as a leading space).
func UnmetPasswordRules(policy storage.PasswordPolicy, password string) []string {
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(symbols, r):
			symbol = true
		}
	}
	var out []string
	if len([]rune(password)) < policy.MinimumLength {
		out = append(out, RuleLength)
	}
	if policy.RequireLowercase && !lower {
		out = append(out, RuleLower)
	}
	if policy.RequireUppercase && !upper {
		out = append(out, RuleUpper)
	}
	if policy.RequireNumbers && !digit {
		out = append(out, RuleNumber)
	}
	if policy.RequireSymbols && !symbol {
		out = append(out, RuleSymbol)
	}
	return out
}
