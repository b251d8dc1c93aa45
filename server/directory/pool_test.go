package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestIDs(t *testing.T) {
	poolID := regexp.MustCompile(`^eu-west-2_[0-9A-Za-z]{9}$`)
	seen := map[string]bool{}
	for range 200 {
		id := NewPoolID("eu-west-2")
		if !poolID.MatchString(id) || !ValidPoolID(id) {
			t.Fatalf("pool id %q", id)
		}
		if seen[id] {
			t.Fatalf("pool id %q twice", id)
		}
		seen[id] = true
	}
	if id := NewClientID(); !regexp.MustCompile(`^[0-9a-z]{26}$`).MatchString(id) || !ValidClientID(id) {
		t.Fatalf("client id %q", id)
	}
	if s := NewClientSecret(); !regexp.MustCompile(`^[0-9a-z]{51}$`).MatchString(s) {
		t.Fatalf("client secret %q", s)
	}
}

func TestValidPoolIDAndRegion(t *testing.T) {
	tests := []struct {
		s            string
		pool, region bool
	}{
		{s: "us-east-1_AbC123xyZ", pool: true},
		{s: "us-east-1", region: true},
		{s: "ap-southeast-2", region: true},
		{s: "us-gov-west-1", region: true},
		{s: "local_1", pool: true},
		{s: "us-east-1_"},
		{s: "_abc"},
		{s: "us east-1_abc"},
		{s: "us-east-1_abc/def"},
		{s: "us-east-1_" + strings.Repeat("a", 50)},
		{s: "US-EAST-1"},
		{s: "useast1"},
		{s: ""},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := ValidPoolID(tt.s); got != tt.pool {
				t.Errorf("ValidPoolID = %v", got)
			}
			if got := ValidRegion(tt.s); got != tt.region {
				t.Errorf("ValidRegion = %v", got)
			}
		})
	}
}

func TestCreatePoolDefaults(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p, err := td.CreatePool(ctx, &storage.Pool{Name: "  demo  "}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(p.ID) {
		t.Errorf("id %q", p.ID)
	}
	if p.Name != "demo" {
		t.Errorf("name %q", p.Name)
	}
	if p.PasswordPolicy != DefaultPasswordPolicy {
		t.Errorf("policy %+v", p.PasswordPolicy)
	}
	if p.MfaConfiguration != "OFF" || p.DeletionProtection != "INACTIVE" || p.UserPoolTier != "ESSENTIALS" {
		t.Errorf("defaults %q %q %q", p.MfaConfiguration, p.DeletionProtection, p.UserPoolTier)
	}
	if len(p.Schema) != len(standardAttributes) {
		t.Errorf("schema has %d attributes", len(p.Schema))
	}
	if !p.CreatedAt.Equal(td.now) || !p.UpdatedAt.Equal(td.now) {
		t.Errorf("times %v %v", p.CreatedAt, p.UpdatedAt)
	}
	got, err := td.GetPool(ctx, p.ID)
	if err != nil || got.Name != "demo" || got.PasswordPolicy != DefaultPasswordPolicy {
		t.Fatalf("stored pool %+v, %v", got, err)
	}

	// The region of a signed call names the pool.
	p2, err := td.CreatePool(ctx, &storage.Pool{Name: "eu"}, "eu-central-1")
	if err != nil || !strings.HasPrefix(p2.ID, "eu-central-1_") {
		t.Fatalf("pool in region: %v, %v", p2, err)
	}

	// A partial policy keeps what it says and fills the rest.
	p3 := td.pool(t, func(p *storage.Pool) { p.PasswordPolicy = storage.PasswordPolicy{RequireNumbers: true} })
	want := storage.PasswordPolicy{MinimumLength: 8, RequireNumbers: true, TemporaryPasswordValidityDays: 7}
	if p3.PasswordPolicy != want {
		t.Errorf("partial policy %+v, want %+v", p3.PasswordPolicy, want)
	}
}

func TestCreatePoolValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*storage.Pool)
		kind Kind
	}{
		{name: "ok", edit: func(p *storage.Pool) {}},
		{name: "empty name", edit: func(p *storage.Pool) { p.Name = " " }, kind: KindInvalidParameter},
		{name: "long name", edit: func(p *storage.Pool) { p.Name = strings.Repeat("n", 129) }, kind: KindInvalidParameter},
		{name: "128 character name", edit: func(p *storage.Pool) { p.Name = strings.Repeat("n", 128) }},
		{name: "minimum length 5", edit: func(p *storage.Pool) { p.PasswordPolicy.MinimumLength = 5 }, kind: KindInvalidParameter},
		{name: "minimum length 6", edit: func(p *storage.Pool) { p.PasswordPolicy.MinimumLength = 6 }},
		{name: "minimum length 99", edit: func(p *storage.Pool) { p.PasswordPolicy.MinimumLength = 99 }},
		{name: "minimum length 100", edit: func(p *storage.Pool) { p.PasswordPolicy.MinimumLength = 100 }, kind: KindInvalidParameter},
		{name: "temporary validity 365", edit: func(p *storage.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = 365 }},
		{name: "temporary validity 366", edit: func(p *storage.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = 366 }, kind: KindInvalidParameter},
		{name: "temporary validity negative", edit: func(p *storage.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = -1 }, kind: KindInvalidParameter},
		{name: "history 24", edit: func(p *storage.Pool) { p.PasswordPolicy.PasswordHistorySize = 24 }},
		{name: "history 25", edit: func(p *storage.Pool) { p.PasswordPolicy.PasswordHistorySize = 25 }, kind: KindInvalidParameter},
		{name: "email username", edit: func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} }},
		{name: "email and phone usernames", edit: func(p *storage.Pool) { p.UsernameAttributes = []string{"email", "phone_number"} }},
		{name: "preferred_username is no username attribute", edit: func(p *storage.Pool) { p.UsernameAttributes = []string{"preferred_username"} }, kind: KindInvalidParameter},
		{name: "aliases", edit: func(p *storage.Pool) {
			p.AliasAttributes = []string{"email", "phone_number", "preferred_username"}
		}},
		{name: "name is no alias", edit: func(p *storage.Pool) { p.AliasAttributes = []string{"name"} }, kind: KindInvalidParameter},
		{name: "username and alias attributes together", edit: func(p *storage.Pool) {
			p.UsernameAttributes, p.AliasAttributes = []string{"email"}, []string{"phone_number"}
		}, kind: KindInvalidParameter},
		{name: "auto-verified email", edit: func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} }},
		{name: "auto-verified name", edit: func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"name"} }, kind: KindInvalidParameter},
		{name: "old email kept until verified", edit: func(p *storage.Pool) {
			p.AutoVerifiedAttributes = []string{"email"}
			p.AttributesRequireVerificationBeforeUpdate = []string{"email"}
		}},
		{name: "old value kept of an attribute not auto-verified", edit: func(p *storage.Pool) {
			p.AutoVerifiedAttributes = []string{"email"}
			p.AttributesRequireVerificationBeforeUpdate = []string{"phone_number"}
		}, kind: KindInvalidParameter},
		{name: "old name kept until verified", edit: func(p *storage.Pool) {
			p.AttributesRequireVerificationBeforeUpdate = []string{"name"}
		}, kind: KindInvalidParameter},
		{name: "required standard attribute", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}}
		}},
		{name: "standard attribute of another type", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "email", AttributeDataType: "Number"}}
		}, kind: KindInvalidParameter},
		{name: "custom attribute", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "tenant", Mutable: true}}
		}},
		{name: "custom attribute with prefix", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "custom:tenant", AttributeDataType: "Number"}}
		}},
		{name: "duplicate custom attribute", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "tenant"}, {Name: "custom:tenant"}}
		}, kind: KindInvalidParameter},
		{name: "custom attribute name too long", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: strings.Repeat("a", 21)}}
		}, kind: KindInvalidParameter},
		{name: "custom attribute of unknown type", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "tenant", AttributeDataType: "Blob"}}
		}, kind: KindInvalidParameter},
		{name: "required custom attribute", edit: func(p *storage.Pool) {
			p.Schema = []storage.SchemaAttribute{{Name: "tenant", Required: true}}
		}, kind: KindInvalidParameter},
		{name: "50 custom attributes", edit: func(p *storage.Pool) {
			for i := range 50 {
				p.Schema = append(p.Schema, storage.SchemaAttribute{Name: fmt.Sprint("a", i)})
			}
		}},
		{name: "51 custom attributes", edit: func(p *storage.Pool) {
			for i := range 51 {
				p.Schema = append(p.Schema, storage.SchemaAttribute{Name: fmt.Sprint("a", i)})
			}
		}, kind: KindInvalidParameter},
		{name: "pinned id", edit: func(p *storage.Pool) { p.ID = "us-east-1_Pinned123" }},
		{name: "bad pinned id", edit: func(p *storage.Pool) { p.ID = "not a pool" }, kind: KindInvalidParameter},
	}
	td := newTestDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &storage.Pool{Name: "test"}
			tt.edit(p)
			_, err := td.CreatePool(context.Background(), p, "")
			wantKind(t, err, tt.kind)
		})
	}
}

func TestCreatePoolPinnedID(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.ID = "eu-west-1_Fixed0001" })
	if p.ID != "eu-west-1_Fixed0001" {
		t.Fatalf("pinned id became %q", p.ID)
	}
	_, err := td.CreatePool(ctx, &storage.Pool{ID: "eu-west-1_Fixed0001", Name: "again"}, "")
	wantKind(t, err, KindInvalidParameter)
}

func TestPoolLifecycle(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	_, err := td.GetPool(ctx, "us-east-1_Missing00")
	wantKind(t, err, KindResourceNotFound)

	p := td.pool(t, func(p *storage.Pool) { p.DeletionProtection = "ACTIVE" })
	wantKind(t, td.DeletePool(ctx, p.ID), KindInvalidParameter)

	p.DeletionProtection = "INACTIVE"
	p.PasswordPolicy = storage.PasswordPolicy{MinimumLength: 3}
	wantKind(t, td.UpdatePool(ctx, p), KindInvalidParameter)
	p.PasswordPolicy = storage.PasswordPolicy{}
	wantKind(t, td.UpdatePool(ctx, p), 0)
	if p.PasswordPolicy != DefaultPasswordPolicy {
		t.Errorf("update with an empty policy: %+v", p.PasswordPolicy)
	}
	wantKind(t, td.DeletePool(ctx, p.ID), 0)
	wantKind(t, td.DeletePool(ctx, p.ID), KindResourceNotFound)
	wantKind(t, td.UpdatePool(ctx, p), KindResourceNotFound)
}

func TestAddCustomAttributes(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) { p.Schema = []storage.SchemaAttribute{{Name: "tenant"}} })
	wantKind(t, td.AddCustomAttributes(ctx, p.ID, []storage.SchemaAttribute{{Name: "tenant"}}), KindInvalidParameter)
	wantKind(t, td.AddCustomAttributes(ctx, p.ID, []storage.SchemaAttribute{{Name: "level", AttributeDataType: "Number", Mutable: true}}), 0)
	got, _ := td.GetPool(ctx, p.ID)
	a, ok := schemaAttr(got, "custom:level")
	if !ok || a.AttributeDataType != "Number" || !a.Mutable {
		t.Fatalf("custom:level = %+v, %v", a, ok)
	}
	var many []storage.SchemaAttribute
	for i := range 49 {
		many = append(many, storage.SchemaAttribute{Name: fmt.Sprint("x", i)})
	}
	wantKind(t, td.AddCustomAttributes(ctx, p.ID, many), KindInvalidParameter)
	wantKind(t, td.AddCustomAttributes(ctx, "us-east-1_Missing00", many[:1]), KindResourceNotFound)
}

func TestUpdatePoolReplaces(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, func(p *storage.Pool) {
		p.Name = "before"
		p.AliasAttributes = []string{"email"}
		p.AutoVerifiedAttributes = []string{"email"}
		p.PasswordPolicy = storage.PasswordPolicy{MinimumLength: 12, RequireNumbers: true}
		p.DeletionProtection = "ACTIVE"
		p.AllowAdminCreateUserOnly = true
		p.Messages = map[string]string{"EmailVerificationSubject": "Hi"}
		p.Tags = map[string]string{"team": "a"}
		p.Schema = []storage.SchemaAttribute{{Name: "tenant", Mutable: true}}
	})
	created := p.CreatedAt
	td.now = td.now.Add(time.Hour)

	// What the update leaves out returns to Cognito's defaults; what it
	// says about the fixed settings is ignored.
	next := &storage.Pool{ID: p.ID, UsernameAttributes: []string{"email"}, CaseSensitive: true,
		Schema: []storage.SchemaAttribute{{Name: "other"}}, CreatedAt: td.now}
	wantKind(t, td.UpdatePool(ctx, next), 0)
	got, err := td.GetPool(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name kept when empty", got.Name, "before"},
		{"AliasAttributes kept", got.AliasAttributes, []string{"email"}},
		{"UsernameAttributes kept", len(got.UsernameAttributes), 0},
		{"CaseSensitive kept", got.CaseSensitive, false},
		{"Schema kept", len(got.Schema), len(p.Schema)},
		{"CreatedAt kept", got.CreatedAt.Equal(created), true},
		{"UpdatedAt", got.UpdatedAt.Equal(td.now), true},
		{"AutoVerifiedAttributes reset", len(got.AutoVerifiedAttributes), 0},
		{"PasswordPolicy reset", got.PasswordPolicy, DefaultPasswordPolicy},
		{"DeletionProtection reset", got.DeletionProtection, "INACTIVE"},
		{"MfaConfiguration default", got.MfaConfiguration, "OFF"},
		{"UserPoolTier default", got.UserPoolTier, "ESSENTIALS"},
		{"AllowAdminCreateUserOnly reset", got.AllowAdminCreateUserOnly, false},
		{"Messages reset", len(got.Messages), 0},
		{"Tags reset", len(got.Tags), 0},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, ok := schemaAttr(got, "custom:tenant"); !ok {
		t.Error("custom:tenant lost")
	}

	wantKind(t, td.UpdatePool(ctx, &storage.Pool{ID: p.ID, Name: "renamed"}), 0)
	if got, _ := td.GetPool(ctx, p.ID); got.Name != "renamed" {
		t.Errorf("name %q after rename", got.Name)
	}
	for _, bad := range []storage.Pool{
		{ID: p.ID, MfaConfiguration: "SOMETIMES"},
		{ID: p.ID, DeletionProtection: "MAYBE"},
		{ID: p.ID, UserPoolTier: "GOLD"},
		{ID: p.ID, AutoVerifiedAttributes: []string{"name"}},
		{ID: p.ID, Name: strings.Repeat("n", 129)},
	} {
		wantKind(t, td.UpdatePool(ctx, &bad), KindInvalidParameter)
	}
}
