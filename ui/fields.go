package ui

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/templates"
)

// usernameField is how users of the pool name themselves: a username, an
// email address or a phone number, as the pool's username and alias
// settings say.
func usernameField(rq *request, value string) templates.Field {
	f := templates.Field{ID: "username", Name: "username", Type: "text", Value: value, Autocomplete: "username",
		Required: true, Label: rq.T("field.username")}
	email := directory.UsesEmailAsUsername(rq.pool)
	phone := directory.UsesPhoneAsUsername(rq.pool)
	switch {
	case email && phone:
		f.Label = rq.T("field.email_or_phone")
	case email:
		f.Label, f.Type, f.InputMode = rq.T("field.email"), "email", "email"
	case phone:
		f.Label, f.Type, f.InputMode, f.Hint = rq.T("field.phone_number"), "tel", "tel", rq.T("field.phone_number.hint")
	case slices.Contains(rq.pool.AliasAttributes, "email") && slices.Contains(rq.pool.AliasAttributes, "phone_number"):
		f.Label = rq.T("field.username_email_or_phone")
	case slices.Contains(rq.pool.AliasAttributes, "email"):
		f.Label = rq.T("field.username_or_email")
	case slices.Contains(rq.pool.AliasAttributes, "phone_number"):
		f.Label = rq.T("field.username_or_phone")
	}
	return f
}

// passwordField is a password input: current-password to sign in,
// new-password where one is chosen (with the rules list describing it).
func passwordField(rq *request, id, name string, isNew bool) templates.Field {
	f := templates.Field{ID: id, Name: name, Type: "password", Autocomplete: "current-password", Required: true,
		Reveal: true, Label: rq.T("field.password")}
	if isNew {
		f.Autocomplete, f.Label = "new-password", rq.T("field.new_password")
		f.DescribedBy = []string{"password-rules"}
	}
	return f
}

// codeField is the input of an emailed or texted code.
func codeField(rq *request) templates.Field {
	return templates.Field{ID: "code", Name: "code", Type: "text", InputMode: "numeric", Autocomplete: "one-time-code",
		Pattern: "[0-9]*", MaxLength: "12", Required: true, Label: rq.T("field.code"), Class: "gh-code"}
}

// passwordRules are the pool's rules as the page shows them; failed marks
// the ones a refused password broke.
func passwordRules(rq *request, failed []string) []templates.Rule {
	var out []templates.Rule
	for _, r := range directory.PasswordRules(rq.pool.PasswordPolicy) {
		out = append(out, templates.Rule{Key: r.Name, Min: r.Min, Failed: slices.Contains(failed, r.Name),
			Text: rq.T("password.rule."+r.Name, "min", r.Min)})
	}
	return out
}

// autocompleteOf is the autocomplete token (HTML Living Standard §4.10.18.7)
// of each standard attribute, so that browsers fill sign-up forms.
var autocompleteOf = map[string]string{
	"name": "name", "given_name": "given-name", "family_name": "family-name", "middle_name": "additional-name",
	"nickname": "nickname", "preferred_username": "nickname", "email": "email", "phone_number": "tel",
	"birthdate": "bday", "gender": "sex", "address": "street-address", "locale": "language", "website": "url",
	"profile": "url", "picture": "photo",
}

// attributeField is the input of a schema attribute, with the input type
// its name or data type calls for.
func attributeField(rq *request, a storage.SchemaAttribute, value string) templates.Field {
	id := "attr-" + strings.NewReplacer(":", "-", ".", "-").Replace(a.Name)
	f := templates.Field{ID: id, Name: a.Name, Type: "text", Value: value, Required: a.Required,
		Autocomplete: autocompleteOf[a.Name], Label: attributeLabel(rq, a.Name)}
	switch a.Name {
	case "email":
		f.Type, f.InputMode = "email", "email"
	case "phone_number":
		f.Type, f.InputMode, f.Hint = "tel", "tel", rq.T("field.phone_number.hint")
	case "birthdate":
		f.Type = "date"
	case "website", "profile", "picture":
		f.Type = "url"
	case "name", "given_name", "family_name", "middle_name", "nickname", "address":
		f.Capitalize, f.Spellcheck = true, false
	}
	switch a.AttributeDataType {
	case "Number":
		f.Type, f.InputMode, f.Min, f.Max = "number", "decimal", a.MinValue, a.MaxValue
	case "Boolean":
		f.Type = "checkbox"
	case "DateTime":
		f.Type = "datetime-local"
	case "String":
		if a.MaxLength != "" && a.MaxLength != "2048" {
			f.MaxLength = a.MaxLength
		}
		if n, err := strconv.Atoi(a.MinLength); err == nil && n > 0 && f.Type == "text" {
			f.MinLength = a.MinLength
		}
	}
	return f
}

// attributeLabel is an attribute's translated name; custom attributes
// without a translation show their own name.
func attributeLabel(rq *request, name string) string {
	key := "attr." + name
	if rq.lang.has(key) {
		return rq.T(key)
	}
	return strings.TrimPrefix(name, "custom:")
}

var phoneRe = regexp.MustCompile(`^\+[0-9]{4,15}$`)

// checkAttribute checks a submitted attribute value the way the directory
// will, to tie a translated error to the field; "" when it looks right.
func checkAttribute(rq *request, a storage.SchemaAttribute, value string) string {
	if value == "" {
		if a.Required {
			return rq.T("error.field_required")
		}
		return ""
	}
	switch a.Name {
	case "email":
		if addr, err := mail.ParseAddress(value); err != nil || addr.Address != value {
			return rq.T("error.email_invalid")
		}
	case "phone_number":
		if !phoneRe.MatchString(value) {
			return rq.T("error.phone_invalid")
		}
	case "birthdate":
		if _, err := time.Parse("2006-01-02", value); err != nil {
			return rq.T("error.date_invalid")
		}
	}
	if a.AttributeDataType == "Number" {
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			return rq.T("error.number_invalid")
		}
	}
	return ""
}

// attributeValue reads an attribute from a form: a checkbox sends "true"
// or nothing, and a datetime-local input has no zone (it is taken as UTC).
func attributeValue(a storage.SchemaAttribute, form map[string][]string) string {
	v := strings.TrimSpace(first(form[a.Name]))
	switch a.AttributeDataType {
	case "Boolean":
		if v == "true" || v == "on" {
			return "true"
		}
		return "false"
	case "DateTime":
		if t, err := time.Parse("2006-01-02T15:04", v); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
