package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func ptr[T any](v T) *T { return &v }

func TestUsernames(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	insensitive := td.pool(t, nil)
	sensitive := td.pool(t, func(p *storage.Pool) { p.CaseSensitive = true })

	alice, err := td.CreateUser(ctx, insensitive, NewUser{Username: "Alice", Password: "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	if alice.Username != "Alice" || alice.Status != storage.StatusConfirmed || !alice.Enabled || alice.Attributes["sub"] != alice.Sub {
		t.Fatalf("created %+v", alice)
	}
	_, err = td.CreateUser(ctx, sensitive, NewUser{Username: "Alice"})
	wantKind(t, err, 0)

	tests := []struct {
		name  string
		pool  *storage.Pool
		login string
		found bool
	}{
		{name: "exact", pool: insensitive, login: "Alice", found: true},
		{name: "lower", pool: insensitive, login: "alice", found: true},
		{name: "upper", pool: insensitive, login: "ALICE", found: true},
		{name: "other name", pool: insensitive, login: "alicia"},
		{name: "empty", pool: insensitive, login: ""},
		{name: "sensitive exact", pool: sensitive, login: "Alice", found: true},
		{name: "sensitive lower", pool: sensitive, login: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := td.FindUser(ctx, tt.pool, tt.login)
			if !tt.found {
				wantKind(t, err, KindUserNotFound)
				return
			}
			if err != nil || u.Username != "Alice" || u.PoolID != tt.pool.ID {
				t.Fatalf("FindUser = %+v, %v", u, err)
			}
		})
	}

	_, err = td.CreateUser(ctx, insensitive, NewUser{Username: "ALICE"})
	wantKind(t, err, KindUsernameExists)
	if !errors.Is(err, ErrUsernameExists) {
		t.Fatalf("errors.Is(%v, ErrUsernameExists) is false", err)
	}
	_, err = td.CreateUser(ctx, sensitive, NewUser{Username: "alice"})
	wantKind(t, err, 0)
	_, err = td.CreateUser(ctx, sensitive, NewUser{Username: "Alice"})
	wantKind(t, err, KindUsernameExists)

	for _, bad := range []string{"", "with space", strings.Repeat("x", 129), "tab\there"} {
		_, err := td.CreateUser(ctx, insensitive, NewUser{Username: bad})
		wantKind(t, err, KindInvalidParameter)
	}
	_, err = td.CreateUser(ctx, insensitive, NewUser{Username: "bob", Password: "weak"})
	wantKind(t, err, KindInvalidPassword)
	_, err = td.CreateUser(ctx, insensitive, NewUser{Username: "bob", Attributes: map[string]string{"sub": "mine"}})
	wantKind(t, err, KindInvalidParameter)
}

func TestCreateUserStatusAndPassword(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	tests := []struct {
		name   string
		nu     NewUser
		status string
	}{
		{name: "confirmed by default", nu: NewUser{Username: "a", Password: "Passw0rd!"}, status: storage.StatusConfirmed},
		{name: "temporary", nu: NewUser{Username: "b", Password: "Passw0rd!", Temporary: true}, status: storage.StatusForceChangePassword},
		{name: "signed up", nu: NewUser{Username: "c", Password: "Passw0rd!", Status: storage.StatusUnconfirmed}, status: storage.StatusUnconfirmed},
		{name: "no password", nu: NewUser{Username: "d"}, status: storage.StatusConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := td.CreateUser(ctx, p, tt.nu)
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != tt.status {
				t.Errorf("status %s, want %s", u.Status, tt.status)
			}
			if tt.nu.Password == "" {
				if u.PasswordHash != "" {
					t.Error("hash without a password")
				}
				return
			}
			if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || !u.PasswordSet.Equal(td.now) {
				t.Errorf("hash %q set %v", u.PasswordHash, u.PasswordSet)
			}
			if ok, rehash := td.CheckPassword(u, tt.nu.Password); !ok || rehash {
				t.Errorf("CheckPassword = %v, %v", ok, rehash)
			}
		})
	}
}

func TestEmailAsUsername(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} })

	u, err := td.CreateUser(ctx, p, NewUser{Username: "Bob@Example.com", Password: "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != u.Sub || u.Attributes["email"] != "Bob@Example.com" {
		t.Fatalf("username %q sub %q email %q", u.Username, u.Sub, u.Attributes["email"])
	}
	for _, login := range []string{"Bob@Example.com", "bob@example.com", "BOB@EXAMPLE.COM", u.Sub} {
		got, err := td.FindUser(ctx, p, login)
		if err != nil || got.Sub != u.Sub {
			t.Fatalf("FindUser(%q) = %v, %v", login, got, err)
		}
	}
	_, err = td.FindUser(ctx, p, "carol@example.com")
	wantKind(t, err, KindUserNotFound)

	tests := []struct {
		name string
		nu   NewUser
		kind Kind
	}{
		{name: "same email", nu: NewUser{Username: "bob@example.com"}, kind: KindUsernameExists},
		{name: "not an email", nu: NewUser{Username: "bob"}, kind: KindInvalidParameter},
		{name: "phone is not the username here", nu: NewUser{Username: "+15551234567"}, kind: KindInvalidParameter},
		{name: "malformed email", nu: NewUser{Username: "carol@"}, kind: KindInvalidParameter},
		{name: "mismatched email attribute", nu: NewUser{Username: "carol@example.com",
			Attributes: map[string]string{"email": "dave@example.com"}}, kind: KindInvalidParameter},
		{name: "matching email attribute", nu: NewUser{Username: "carol@example.com",
			Attributes: map[string]string{"email": "Carol@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := td.CreateUser(ctx, p, tt.nu)
			wantKind(t, err, tt.kind)
		})
	}

	// Changing one's email to another user's is refused on save.
	carol, _ := td.FindUser(ctx, p, "carol@example.com")
	wantKind(t, td.UpdateAttributes(p, carol, map[string]string{"email": "BOB@example.com"}), 0)
	wantKind(t, td.SaveUser(ctx, p, carol), KindUsernameExists)
}

func TestPhoneAsUsername(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.UsernameAttributes = []string{"phone_number"} })
	u, err := td.CreateUser(ctx, p, NewUser{Username: "+15551234567"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != u.Sub || u.Attributes["phone_number"] != "+15551234567" {
		t.Fatalf("created %+v", u)
	}
	if got, err := td.FindUser(ctx, p, "+15551234567"); err != nil || got.Sub != u.Sub {
		t.Fatalf("FindUser = %v, %v", got, err)
	}
	_, err = td.CreateUser(ctx, p, NewUser{Username: "+15551234567"})
	wantKind(t, err, KindUsernameExists)
	_, err = td.CreateUser(ctx, p, NewUser{Username: "+1 555"})
	wantKind(t, err, KindInvalidParameter)
	_, err = td.CreateUser(ctx, p, NewUser{Username: "bob@example.com"})
	wantKind(t, err, KindInvalidParameter)
}

func TestEmailAlias(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.AliasAttributes = []string{"email"} })

	_, err := td.CreateUser(ctx, p, NewUser{Username: "carol@example.com"})
	wantKind(t, err, KindInvalidParameter) // email-shaped usernames are refused with an email alias

	carol, err := td.CreateUser(ctx, p, NewUser{Username: "carol", Attributes: map[string]string{"email": "carol@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// Unverified: not an alias yet.
	_, err = td.FindUser(ctx, p, "carol@example.com")
	wantKind(t, err, KindUserNotFound)
	// A second user may hold the same unverified address.
	dave, err := td.CreateUser(ctx, p, NewUser{Username: "dave", Attributes: map[string]string{"email": "carol@example.com"}})
	if err != nil {
		t.Fatal(err)
	}

	// Verified: carol signs in by email, in any case.
	wantKind(t, td.UpdateAttributes(p, carol, map[string]string{"email_verified": "true"}), 0)
	wantKind(t, td.SaveUser(ctx, p, carol), 0)
	for _, login := range []string{"carol@example.com", "Carol@Example.COM", "carol"} {
		got, err := td.FindUser(ctx, p, login)
		if err != nil || got.Sub != carol.Sub {
			t.Fatalf("FindUser(%q) = %v, %v", login, got, err)
		}
	}

	// Dave verifying the same address collides with carol's alias.
	wantKind(t, td.UpdateAttributes(p, dave, map[string]string{"email_verified": "true"}), 0)
	err = td.SaveUser(ctx, p, dave)
	wantKind(t, err, KindAliasExists)
	_, err = td.CreateUser(ctx, p, NewUser{Username: "erin", Attributes: map[string]string{"email": "CAROL@example.com", "email_verified": "true"}})
	wantKind(t, err, KindAliasExists)

	// Carol changing her address un-verifies it: the alias goes.
	carol, _ = td.FindUser(ctx, p, "carol")
	wantKind(t, td.UpdateAttributes(p, carol, map[string]string{"email": "carol@new.example"}), 0)
	if carol.Attributes["email_verified"] != "false" {
		t.Fatalf("changed email still verified: %v", carol.Attributes)
	}
	wantKind(t, td.SaveUser(ctx, p, carol), 0)
	_, err = td.FindUser(ctx, p, "carol@new.example")
	wantKind(t, err, KindUserNotFound)
	_, err = td.FindUser(ctx, p, "carol@example.com")
	wantKind(t, err, KindUserNotFound)
	// Now dave may take the old address.
	dave, _ = td.FindUser(ctx, p, "dave")
	dave.Attributes["email_verified"] = "true"
	wantKind(t, td.SaveUser(ctx, p, dave), 0)
}

func TestPhoneAlias(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.AliasAttributes = []string{"phone_number"} })
	u, err := td.CreateUser(ctx, p, NewUser{Username: "frank", Attributes: map[string]string{"phone_number": "+442071838750", "phone_number_verified": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := td.FindUser(ctx, p, "+442071838750"); err != nil || got.Sub != u.Sub {
		t.Fatalf("FindUser by phone = %v, %v", got, err)
	}
	_, err = td.CreateUser(ctx, p, NewUser{Username: "gina", Attributes: map[string]string{"phone_number": "+442071838750", "phone_number_verified": "true"}})
	wantKind(t, err, KindAliasExists)
}

// TestForceAlias: ForceAliasCreation moves a verified alias to the new
// holder; the old one keeps the address, unverified.
func TestForceAlias(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.AliasAttributes = []string{"email", "phone_number"} })
	verified := map[string]string{"email": "x@example.com", "email_verified": "true",
		"phone_number": "+442071838750", "phone_number_verified": "true"}
	old, err := td.CreateUser(ctx, p, NewUser{Username: "old", Attributes: verified})
	if err != nil {
		t.Fatal(err)
	}
	_, err = td.CreateUser(ctx, p, NewUser{Username: "new", Attributes: verified})
	wantKind(t, err, KindAliasExists)
	nu, err := td.CreateUser(ctx, p, NewUser{Username: "new", Attributes: verified, ForceAlias: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"x@example.com", "+442071838750"} {
		if got, err := td.FindUser(ctx, p, login); err != nil || got.Sub != nu.Sub {
			t.Errorf("FindUser(%s) = %v, %v", login, got, err)
		}
	}
	got, _ := td.GetUserBySub(ctx, p.ID, old.Sub)
	if got.Attributes["email"] != "x@example.com" || got.Attributes["email_verified"] != "false" ||
		got.Attributes["phone_number_verified"] != "false" {
		t.Errorf("the old holder: %v", got.Attributes)
	}
	// Addresses that are usernames are never taken.
	ep := td.pool(t, func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} })
	if _, err := td.CreateUser(ctx, ep, NewUser{Username: "y@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err = td.CreateUser(ctx, ep, NewUser{Username: "y@example.com", ForceAlias: true})
	wantKind(t, err, KindUsernameExists)
}

func TestAttributeValidation(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{
			{Name: "tenant", Mutable: false},
			{Name: "level", AttributeDataType: "Number", Mutable: true, MinValue: "1", MaxValue: "10"},
			{Name: "since", AttributeDataType: "DateTime", Mutable: true},
			{Name: "admin", AttributeDataType: "Boolean", Mutable: true},
			{Name: "code", Mutable: true, MinLength: "2", MaxLength: "4"},
		}
	})
	tests := []struct {
		name  string
		attrs map[string]string
		kind  Kind
	}{
		{name: "none", attrs: nil},
		{name: "standard", attrs: map[string]string{"name": "Hélène", "given_name": "H", "locale": "fr"}},
		{name: "unknown", attrs: map[string]string{"favorite_color": "blue"}, kind: KindInvalidParameter},
		{name: "undeclared custom", attrs: map[string]string{"custom:shoe": "42"}, kind: KindInvalidParameter},
		{name: "custom without prefix", attrs: map[string]string{"tenant": "acme"}, kind: KindInvalidParameter},
		{name: "immutable custom at creation", attrs: map[string]string{"custom:tenant": "acme"}},
		{name: "identities", attrs: map[string]string{"identities": "[]"}, kind: KindInvalidParameter},
		{name: "email", attrs: map[string]string{"email": "h@example.com"}},
		{name: "email with a name", attrs: map[string]string{"email": "H <h@example.com>"}, kind: KindInvalidParameter},
		{name: "not an email", attrs: map[string]string{"email": "h.example.com"}, kind: KindInvalidParameter},
		{name: "email_verified true", attrs: map[string]string{"email_verified": "true"}},
		{name: "email_verified yes", attrs: map[string]string{"email_verified": "yes"}, kind: KindInvalidParameter},
		{name: "E.164 phone", attrs: map[string]string{"phone_number": "+14155552671"}},
		{name: "phone without plus", attrs: map[string]string{"phone_number": "14155552671"}, kind: KindInvalidParameter},
		{name: "phone with spaces", attrs: map[string]string{"phone_number": "+1 415 555 2671"}, kind: KindInvalidParameter},
		{name: "phone too long", attrs: map[string]string{"phone_number": "+1234567890123456"}, kind: KindInvalidParameter},
		{name: "phone too short", attrs: map[string]string{"phone_number": "+123"}, kind: KindInvalidParameter},
		{name: "birthdate", attrs: map[string]string{"birthdate": "1990-01-31"}},
		{name: "short birthdate", attrs: map[string]string{"birthdate": "1990"}, kind: KindInvalidParameter},
		{name: "updated_at number", attrs: map[string]string{"updated_at": "1700000000"}},
		{name: "updated_at text", attrs: map[string]string{"updated_at": "yesterday"}, kind: KindInvalidParameter},
		{name: "updated_at negative", attrs: map[string]string{"updated_at": "-1"}, kind: KindInvalidParameter},
		{name: "number in range", attrs: map[string]string{"custom:level": "10"}},
		{name: "number above max", attrs: map[string]string{"custom:level": "11"}, kind: KindInvalidParameter},
		{name: "number below min", attrs: map[string]string{"custom:level": "0"}, kind: KindInvalidParameter},
		{name: "datetime RFC 3339", attrs: map[string]string{"custom:since": "2024-05-01T10:00:00Z"}},
		{name: "datetime epoch", attrs: map[string]string{"custom:since": "1714557600"}},
		{name: "datetime text", attrs: map[string]string{"custom:since": "May 1st"}, kind: KindInvalidParameter},
		{name: "boolean", attrs: map[string]string{"custom:admin": "false"}},
		{name: "boolean text", attrs: map[string]string{"custom:admin": "no"}, kind: KindInvalidParameter},
		{name: "string length in range", attrs: map[string]string{"custom:code": "abcd"}},
		{name: "string too long", attrs: map[string]string{"custom:code": "abcde"}, kind: KindInvalidParameter},
		{name: "string too short", attrs: map[string]string{"custom:code": "a"}, kind: KindInvalidParameter},
		{name: "value over 2048", attrs: map[string]string{"name": strings.Repeat("n", 2049)}, kind: KindInvalidParameter},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := td.CreateUser(ctx, p, NewUser{Username: fmt.Sprint("user", i), Attributes: tt.attrs})
			wantKind(t, err, tt.kind)
		})
	}
}

func TestRequiredAttributes(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}, {Name: "name", Required: true, Mutable: true}}
	})
	if got := RequiredAttributes(p); len(got) != 2 || got[0] != "name" || got[1] != "email" {
		t.Fatalf("RequiredAttributes = %v", got)
	}
	_, err := td.CreateUser(ctx, p, NewUser{Username: "h", Attributes: map[string]string{"name": "H"}})
	wantKind(t, err, KindInvalidParameter)
	if !strings.Contains(err.Error(), "email: The attribute email is required") {
		t.Errorf("message %q", err)
	}
	u, err := td.CreateUser(ctx, p, NewUser{Username: "h", Attributes: map[string]string{"name": "H", "email": "h@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// A required attribute cannot be emptied, by update or by delete.
	wantKind(t, td.UpdateAttributes(p, u, map[string]string{"email": ""}), KindInvalidParameter)
	wantKind(t, td.DeleteAttributes(p, u, []string{"email"}), KindInvalidParameter)
	if u.Attributes["email"] != "h@example.com" {
		t.Fatalf("required email lost: %v", u.Attributes)
	}
}

func TestUpdateAttributes(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.Schema = []storage.SchemaAttribute{{Name: "tenant"}} })
	base := map[string]string{"email": "i@example.com", "email_verified": "true", "phone_number": "+15550000001",
		"phone_number_verified": "true", "custom:tenant": "acme", "name": "I"}
	tests := []struct {
		name   string
		change map[string]string
		kind   Kind
		want   map[string]string
	}{
		{name: "changed email unverified", change: map[string]string{"email": "j@example.com"},
			want: map[string]string{"email": "j@example.com", "email_verified": "false", "phone_number_verified": "true"}},
		{name: "changed email verified together", change: map[string]string{"email": "j@example.com", "email_verified": "true"},
			want: map[string]string{"email": "j@example.com", "email_verified": "true"}},
		{name: "same email stays verified", change: map[string]string{"email": "i@example.com"},
			want: map[string]string{"email_verified": "true"}},
		{name: "changed phone unverified", change: map[string]string{"phone_number": "+15550000002"},
			want: map[string]string{"phone_number_verified": "false", "email_verified": "true"}},
		{name: "name", change: map[string]string{"name": "Ida"}, want: map[string]string{"name": "Ida"}},
		{name: "immutable custom", change: map[string]string{"custom:tenant": "other"}, kind: KindInvalidParameter},
		{name: "sub", change: map[string]string{"sub": "x"}, kind: KindInvalidParameter},
		{name: "unknown", change: map[string]string{"shoe": "42"}, kind: KindInvalidParameter},
		{name: "bad value leaves the user unchanged", change: map[string]string{"name": "Ida", "email_verified": "maybe"}, kind: KindInvalidParameter,
			want: map[string]string{"name": "I"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := map[string]string{}
			for k, v := range base {
				attrs[k] = v
			}
			attrs["phone_number"] = "+1555000010" + string(rune('0'+i))
			u, err := td.CreateUser(ctx, p, NewUser{Username: fmt.Sprint("u", i), Attributes: attrs})
			if err != nil {
				t.Fatal(err)
			}
			if tt.change["phone_number"] != "" {
				tt.change["phone_number"] = "+1555000020" + string(rune('0'+i))
			}
			wantKind(t, td.UpdateAttributes(p, u, tt.change), tt.kind)
			for k, v := range tt.want {
				if u.Attributes[k] != v {
					t.Errorf("%s = %q, want %q", k, u.Attributes[k], v)
				}
			}
			if tt.kind == 0 {
				wantKind(t, td.SaveUser(ctx, p, u), 0)
			}
		})
	}
}

// TestUpdateAttributesEmptyRemoves: an empty value removes the attribute
// (and an address's verification with it); a required one cannot go.
func TestUpdateAttributesEmptyRemoves(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "given_name", Required: true, Mutable: true}}
	})
	u, err := td.CreateUser(ctx, p, NewUser{Username: "e", Attributes: map[string]string{"given_name": "E", "name": "E E",
		"email": "e@example.com", "email_verified": "true", "phone_number": "+15550000009"}})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, td.UpdateAttributes(p, u, map[string]string{"name": "", "email": "", "phone_number": "+15550000010"}), 0)
	for _, gone := range []string{"name", "email", "email_verified"} {
		if v, ok := u.Attributes[gone]; ok {
			t.Errorf("%s = %q, want it removed", gone, v)
		}
	}
	if u.Attributes["phone_number"] != "+15550000010" || u.Attributes["phone_number_verified"] != "false" {
		t.Errorf("phone %q verified %q", u.Attributes["phone_number"], u.Attributes["phone_number_verified"])
	}
	wantKind(t, td.SaveUser(ctx, p, u), 0)
	wantKind(t, td.UpdateAttributes(p, u, map[string]string{"given_name": ""}), KindInvalidParameter)
	if u.Attributes["given_name"] != "E" {
		t.Fatalf("required given_name lost: %v", u.Attributes)
	}
}

func TestDeleteAttributes(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "tenant"}, {Name: "name", Required: true, Mutable: true}}
	})
	tests := []struct {
		name  string
		del   []string
		kind  Kind
		gone  []string
		stays []string
	}{
		{name: "email takes its verification", del: []string{"email"}, gone: []string{"email", "email_verified"}, stays: []string{"name"}},
		{name: "phone", del: []string{"phone_number"}, gone: []string{"phone_number", "phone_number_verified"}},
		{name: "required", del: []string{"name"}, kind: KindInvalidParameter, stays: []string{"name"}},
		{name: "immutable", del: []string{"custom:tenant"}, kind: KindInvalidParameter, stays: []string{"custom:tenant"}},
		{name: "sub", del: []string{"sub"}, kind: KindInvalidParameter, stays: []string{"sub"}},
		{name: "unknown", del: []string{"shoe"}, kind: KindInvalidParameter},
		{name: "all or nothing", del: []string{"email", "name"}, kind: KindInvalidParameter, stays: []string{"email", "email_verified", "name"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := td.CreateUser(ctx, p, NewUser{Username: fmt.Sprint("u", i), Attributes: map[string]string{
				"name": "N", "email": "n@example.com", "email_verified": "true", "phone_number": "+15550000001",
				"phone_number_verified": "false", "custom:tenant": "acme"}})
			if err != nil {
				t.Fatal(err)
			}
			wantKind(t, td.DeleteAttributes(p, u, tt.del), tt.kind)
			for _, k := range tt.gone {
				if _, ok := u.Attributes[k]; ok {
					t.Errorf("%s still there", k)
				}
			}
			for _, k := range tt.stays {
				if _, ok := u.Attributes[k]; !ok {
					t.Errorf("%s gone", k)
				}
			}
		})
	}
}

func TestSetPassword(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	u, err := td.CreateUser(ctx, p, NewUser{Username: "k", Password: "Passw0rd!", Temporary: true})
	if err != nil {
		t.Fatal(err)
	}
	u.FailedSignIns, u.LockedUntil = 7, td.now.Add(time.Hour)
	wantKind(t, td.SetPassword(p, u, "short", true), KindInvalidPassword)
	td.now = td.now.Add(time.Minute)
	wantKind(t, td.SetPassword(p, u, "N3w-Passw0rd", true), 0)
	if u.Status != storage.StatusConfirmed || u.FailedSignIns != 0 || !u.LockedUntil.IsZero() || !u.PasswordSet.Equal(td.now) {
		t.Fatalf("after SetPassword: %+v", u)
	}
	if ok, _ := td.CheckPassword(u, "N3w-Passw0rd"); !ok {
		t.Fatal("new password does not check")
	}
	wantKind(t, td.SetPassword(p, u, "T3mp-Passw0rd", false), 0)
	if u.Status != storage.StatusForceChangePassword {
		t.Fatalf("temporary password: status %s", u.Status)
	}
	wantKind(t, td.SaveUser(ctx, p, u), 0)
	got, _ := td.GetUserBySub(ctx, p.ID, u.Sub)
	if ok, _ := td.CheckPassword(got, "T3mp-Passw0rd"); !ok {
		t.Fatal("stored password does not check")
	}
	_, err = td.GetUserBySub(ctx, p.ID, "no-such-sub")
	wantKind(t, err, KindUserNotFound)
	wantKind(t, td.DeleteUser(ctx, p.ID, u.Sub), 0)
	wantKind(t, td.DeleteUser(ctx, p.ID, u.Sub), KindUserNotFound)
}

// TestBurnPasswordCheckConcurrent: sign-ins of unknown users run in
// parallel; the dummy hash they check against must be made safely.
func TestBurnPasswordCheckConcurrent(t *testing.T) {
	td := newTestDir(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { td.BurnPasswordCheck("guess") })
	}
	wg.Wait()
}

func TestGroups(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	u, err := td.CreateUser(ctx, p, NewUser{Username: "m"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		group storage.Group
		kind  Kind
	}{
		{name: "admins", group: storage.Group{Name: "admins", Precedence: ptr[int64](5), RoleArn: "arn:aws:iam::1:role/admin"}},
		{name: "owners", group: storage.Group{Name: "owners", Precedence: ptr[int64](1)}},
		{name: "readers", group: storage.Group{Name: "readers"}},
		{name: "zero precedence", group: storage.Group{Name: "root", Precedence: ptr[int64](0)}},
		{name: "exists", group: storage.Group{Name: "admins"}, kind: KindGroupExists},
		{name: "negative precedence", group: storage.Group{Name: "neg", Precedence: ptr[int64](-1)}, kind: KindInvalidParameter},
		{name: "empty name", group: storage.Group{Name: ""}, kind: KindInvalidParameter},
		{name: "name with space", group: storage.Group{Name: "a b"}, kind: KindInvalidParameter},
		{name: "long name", group: storage.Group{Name: strings.Repeat("g", 129)}, kind: KindInvalidParameter},
		{name: "other pool", group: storage.Group{PoolID: "us-east-1_Missing00", Name: "x"}, kind: KindResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.group
			if g.PoolID == "" {
				g.PoolID = p.ID
			}
			wantKind(t, td.CreateGroup(ctx, &g), tt.kind)
		})
	}
	for _, g := range []string{"readers", "admins", "owners"} {
		wantKind(t, td.AddUserToGroup(ctx, p.ID, g, u.Sub), 0)
	}
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "nobody", u.Sub), KindResourceNotFound)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "admins", "no-such-sub"), KindUserNotFound)
	groups, err := td.GroupsForUser(ctx, p.ID, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(GroupNames(groups), ","); got != "owners,admins,readers" {
		t.Fatalf("groups by precedence: %s", got)
	}

	_, err = td.GetGroup(ctx, p.ID, "nobody")
	wantKind(t, err, KindResourceNotFound)
	wantKind(t, td.UpdateGroup(ctx, &storage.Group{PoolID: p.ID, Name: "readers", Precedence: ptr[int64](-2)}), KindInvalidParameter)
	wantKind(t, td.UpdateGroup(ctx, &storage.Group{PoolID: p.ID, Name: "nobody"}), KindResourceNotFound)
	wantKind(t, td.UpdateGroup(ctx, &storage.Group{PoolID: p.ID, Name: "readers", Precedence: ptr[int64](0), Description: "d"}), 0)
	groups, _ = td.GroupsForUser(ctx, p.ID, u.Sub)
	if got := strings.Join(GroupNames(groups), ","); got != "readers,owners,admins" {
		t.Fatalf("groups after update: %s", got)
	}
}

func TestResourceServers(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	rs := func(id, name string, scopes ...string) *storage.ResourceServer {
		r := &storage.ResourceServer{PoolID: p.ID, Identifier: id, Name: name}
		for _, s := range scopes {
			r.Scopes = append(r.Scopes, storage.ResourceScope{Name: s})
		}
		return r
	}
	wantKind(t, td.CreateResourceServer(ctx, rs("https://api.example.com", "API", "read", "write")), 0)
	wantKind(t, td.CreateResourceServer(ctx, rs("https://api.example.com", "API")), KindInvalidParameter)
	wantKind(t, td.CreateResourceServer(ctx, rs("has space", "API")), KindInvalidParameter)
	wantKind(t, td.CreateResourceServer(ctx, rs("api2", "")), KindInvalidParameter)
	wantKind(t, td.CreateResourceServer(ctx, rs("api2", "API", "bad/scope")), KindInvalidParameter)
	wantKind(t, td.UpdateResourceServer(ctx, rs("missing", "API")), KindResourceNotFound)
	scopes, err := td.PoolScopes(ctx, p.ID)
	if err != nil || strings.Join(scopes, " ") != "https://api.example.com/read https://api.example.com/write" {
		t.Fatalf("PoolScopes = %v, %v", scopes, err)
	}
	if IsCustomScope("openid") || !IsCustomScope("https://api.example.com/read") {
		t.Fatal("IsCustomScope")
	}
}

func TestResourceServerLifecycle(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	const missing = "us-east-1_Missing00"
	rs := &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:api", Name: "API",
		Scopes: []storage.ResourceScope{{Name: "read", Description: "Read"}}}
	wantKind(t, td.CreateResourceServer(ctx, rs), 0)
	got, err := td.GetResourceServer(ctx, p.ID, "urn:api")
	if err != nil || got.Name != "API" || len(got.Scopes) != 1 {
		t.Fatalf("GetResourceServer = %+v, %v", got, err)
	}
	_, err = td.GetResourceServer(ctx, p.ID, "urn:nope")
	wantKind(t, err, KindResourceNotFound)
	_, err = td.GetResourceServer(ctx, missing, "urn:api")
	wantKind(t, err, KindResourceNotFound)
	_, err = td.ListResourceServers(ctx, missing)
	wantKind(t, err, KindResourceNotFound)

	dup := &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:dup", Name: "Dup",
		Scopes: []storage.ResourceScope{{Name: "a"}, {Name: "a"}}}
	wantKind(t, td.CreateResourceServer(ctx, dup), KindInvalidParameter)
	long := &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:long", Name: "Long",
		Scopes: []storage.ResourceScope{{Name: "a", Description: strings.Repeat("d", 257)}}}
	wantKind(t, td.CreateResourceServer(ctx, long), KindInvalidParameter)

	// At most 25 per pool.
	for i := 1; i < MaxResourceServers; i++ {
		wantKind(t, td.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: p.ID, Identifier: fmt.Sprint("urn:", i), Name: "n"}), 0)
	}
	wantKind(t, td.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:26", Name: "n"}), KindLimitExceeded)
	// An identifier already taken is still that error at the limit.
	wantKind(t, td.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:api", Name: "n"}), KindInvalidParameter)
	all, err := td.ListResourceServers(ctx, p.ID)
	if err != nil || len(all) != MaxResourceServers {
		t.Fatalf("ListResourceServers: %d, %v", len(all), err)
	}

	wantKind(t, td.DeleteResourceServer(ctx, p.ID, "urn:api"), 0)
	wantKind(t, td.DeleteResourceServer(ctx, p.ID, "urn:api"), KindResourceNotFound)
	wantKind(t, td.DeleteResourceServer(ctx, missing, "urn:1"), KindResourceNotFound)
	wantKind(t, td.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: p.ID, Identifier: "urn:26", Name: "n"}), 0)
}
