package directory

import (
	"slices"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestPasswordRules(t *testing.T) {
	all := DefaultPasswordPolicy
	none := storage.PasswordPolicy{MinimumLength: 6}
	if got := PasswordRules(all); len(got) != 5 || got[0] != (PasswordRule{Name: RuleLength, Min: 8}) {
		t.Fatalf("default policy rules %v", got)
	}
	if got := PasswordRules(none); len(got) != 1 {
		t.Fatalf("length-only policy rules %v", got)
	}
	cases := []struct {
		name     string
		policy   storage.PasswordPolicy
		password string
		want     []string
	}{
		{"all met", all, "Correct-Horse-9", nil},
		{"empty breaks every rule", all, "", []string{RuleLength, RuleLower, RuleUpper, RuleNumber, RuleSymbol}},
		{"short and lower only", all, "abc", []string{RuleLength, RuleUpper, RuleNumber, RuleSymbol}},
		{"unicode letters count", all, "ÄÖÜäöü1!", nil},
		{"length counts runes", storage.PasswordPolicy{MinimumLength: 6}, "ééééé", []string{RuleLength}},
		{"lenient policy", none, "aaaaaa", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := UnmetPasswordRules(c.policy, c.password)
			if !slices.Equal(got, c.want) {
				t.Fatalf("UnmetPasswordRules(%q) = %v, want %v", c.password, got, c.want)
			}
			// The rules agree with ValidatePassword, the judge.
			if err := ValidatePassword(c.policy, c.password); (err == nil) != (len(got) == 0) && c.password != "" {
				t.Fatalf("ValidatePassword(%q) = %v but unmet rules %v", c.password, err, got)
			}
		})
	}
}
