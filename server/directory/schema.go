package directory

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// standardAttributes are the OIDC standard claims Cognito offers, with
// their data types, in Cognito's DescribeUserPool order.
var standardAttributes = []storage.SchemaAttribute{
	{Name: "sub", AttributeDataType: "String", Mutable: false, Required: true, MinLength: "1", MaxLength: "2048"},
	{Name: "name", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "given_name", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "family_name", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "middle_name", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "nickname", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "preferred_username", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "profile", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "picture", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "website", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "email", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "email_verified", AttributeDataType: "Boolean", Mutable: true},
	{Name: "gender", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "birthdate", AttributeDataType: "String", Mutable: true, MinLength: "10", MaxLength: "10"},
	{Name: "zoneinfo", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "locale", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "phone_number", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "phone_number_verified", AttributeDataType: "Boolean", Mutable: true},
	{Name: "address", AttributeDataType: "String", Mutable: true, MinLength: "0", MaxLength: "2048"},
	{Name: "updated_at", AttributeDataType: "Number", Mutable: true, MinValue: "0"},
	{Name: "identities", AttributeDataType: "String", Mutable: true},
}

// StandardSchema returns a copy of the standard attributes.
func StandardSchema() []storage.SchemaAttribute { return slices.Clone(standardAttributes) }

// IsStandardAttribute reports whether name is an OIDC standard attribute.
func IsStandardAttribute(name string) bool {
	return slices.ContainsFunc(standardAttributes, func(a storage.SchemaAttribute) bool { return a.Name == name })
}

var (
	phonePattern = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

// buildSchema merges the pool's requested schema into the standard one:
// standard attributes take the requested Required/Mutable flags, others
// become custom attributes named custom:<name>.
func buildSchema(requested []storage.SchemaAttribute) ([]storage.SchemaAttribute, error) {
	schema := StandardSchema()
	seen := map[string]bool{}
	for _, r := range requested {
		name := strings.TrimPrefix(r.Name, "custom:")
		if seen[name] {
			return nil, newErr(KindInvalidParameter, "Duplicate attribute name %s in schema", name)
		}
		seen[name] = true
		if i := slices.IndexFunc(schema, func(a storage.SchemaAttribute) bool { return a.Name == r.Name }); i >= 0 {
			if r.Name == "sub" {
				continue
			}
			schema[i].Required = r.Required
			schema[i].Mutable = r.Mutable
			if r.AttributeDataType != "" && r.AttributeDataType != schema[i].AttributeDataType {
				return nil, newErr(KindInvalidParameter, "Attribute %s must be of type %s", r.Name, schema[i].AttributeDataType)
			}
			continue
		}
		attr, err := customAttribute(r)
		if err != nil {
			return nil, err
		}
		schema = append(schema, attr)
	}
	if n := len(schema) - len(standardAttributes); n > 50 {
		return nil, newErr(KindInvalidParameter, "A user pool can have at most 50 custom attributes")
	}
	return schema, nil
}

// customAttribute validates a custom attribute definition and names it
// custom:<name>.
func customAttribute(r storage.SchemaAttribute) (storage.SchemaAttribute, error) {
	name := strings.TrimPrefix(r.Name, "custom:")
	if !runesWithin(name, 20, printable) {
		return r, newErr(KindInvalidParameter, "Invalid custom attribute name %q: 1 to 20 characters", name)
	}
	switch r.AttributeDataType {
	case "":
		r.AttributeDataType = "String"
	case "String", "Number", "DateTime", "Boolean":
	default:
		return r, newErr(KindInvalidParameter, "Invalid AttributeDataType %q for attribute %s", r.AttributeDataType, name)
	}
	if r.Required {
		return r, newErr(KindInvalidParameter, "Required custom attributes are not supported currently.")
	}
	r.Name = "custom:" + name
	return r, nil
}

// PoolAttribute returns the pool's schema attribute called name.
func PoolAttribute(pool *storage.Pool, name string) (storage.SchemaAttribute, bool) {
	return schemaAttr(pool, name)
}

func schemaAttr(pool *storage.Pool, name string) (storage.SchemaAttribute, bool) {
	for _, a := range pool.Schema {
		if a.Name == name {
			return a, true
		}
	}
	return storage.SchemaAttribute{}, false
}

// validateAttributes checks names and values against the pool's schema.
// creating allows setting immutable attributes.
func validateAttributes(pool *storage.Pool, attrs map[string]string, creating bool) error {
	for name, value := range attrs {
		attr, ok := schemaAttr(pool, name)
		if !ok {
			return newErr(KindInvalidParameter, "Attribute does not exist in the schema.\n")
		}
		if name == "sub" || name == "identities" {
			return newErr(KindInvalidParameter, "Cannot modify the non-mutable attribute %s", name)
		}
		if !creating && !attr.Mutable {
			return newErr(KindInvalidParameter, "Cannot modify the non-mutable attribute %s", name)
		}
		if len(value) > 2048 {
			return newErr(KindInvalidParameter, "Value of attribute %s is too long: at most 2048 characters", name)
		}
		if err := checkValue(attr, value); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(attr storage.SchemaAttribute, value string) error {
	bad := func(why string) error {
		return newErr(KindInvalidParameter, "Invalid %s: %s", attr.Name, why)
	}
	switch attr.Name {
	case "email":
		if value == "" {
			return nil
		}
		a, err := mail.ParseAddress(value)
		if err != nil || a.Address != value {
			return newErr(KindInvalidParameter, "Invalid email address format.")
		}
	case "phone_number":
		if value != "" && !phonePattern.MatchString(value) {
			return newErr(KindInvalidParameter, "Invalid phone number format.")
		}
	}
	switch attr.AttributeDataType {
	case "Boolean":
		if value != "true" && value != "false" {
			return bad("must be true or false")
		}
	case "Number":
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return bad("must be a number")
		}
		if attr.MinValue != "" {
			if lo, err := strconv.ParseFloat(attr.MinValue, 64); err == nil && n < lo {
				return bad("below the minimum value " + attr.MinValue)
			}
		}
		if attr.MaxValue != "" {
			if hi, err := strconv.ParseFloat(attr.MaxValue, 64); err == nil && n > hi {
				return bad("above the maximum value " + attr.MaxValue)
			}
		}
	case "DateTime":
		if _, err := time.Parse(time.RFC3339, value); err != nil {
			if _, err := strconv.ParseInt(value, 10, 64); err != nil {
				return bad("must be a date and time")
			}
		}
	case "String":
		n := len([]rune(value))
		if attr.MinLength != "" {
			if lo, err := strconv.Atoi(attr.MinLength); err == nil && n < lo && !(lo > 0 && n == 0 && !attr.Required) {
				return bad("shorter than " + attr.MinLength + " characters")
			}
		}
		if attr.MaxLength != "" {
			if hi, err := strconv.Atoi(attr.MaxLength); err == nil && n > hi {
				return bad("longer than " + attr.MaxLength + " characters")
			}
		}
	}
	return nil
}

// RequiredAttributes lists the attributes the pool requires, sub excepted.
func RequiredAttributes(pool *storage.Pool) []string {
	var out []string
	for _, a := range pool.Schema {
		if a.Required && a.Name != "sub" {
			out = append(out, a.Name)
		}
	}
	return out
}
