package directory

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestDomainNames(t *testing.T) {
	tests := []struct {
		s              string
		prefix, custom bool
	}{
		{s: "my-app", prefix: true},
		{s: "a", prefix: true},
		{s: "0", prefix: true},
		{s: strings.Repeat("a", 63), prefix: true},
		{s: strings.Repeat("a", 64)},
		{s: "-app"},
		{s: "app-"},
		{s: "My-App"},
		{s: "my_app"},
		{s: ""},
		{s: "auth.example.com", custom: true},
		{s: "a.b", custom: true},
		{s: "auth.example.com."},
		{s: "Auth.Example.com"},
		{s: "auth..example.com"},
		{s: "-auth.example.com"},
		{s: "auth.example.com/x"},
		{s: strings.Repeat("a.", 127) + "com"},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := ValidDomainPrefix(tt.s); got != tt.prefix {
				t.Errorf("ValidDomainPrefix = %v", got)
			}
			if got := ValidCustomDomain(tt.s); got != tt.custom {
				t.Errorf("ValidCustomDomain = %v", got)
			}
		})
	}
}

func TestDomains(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p1, p2 := td.pool(t, nil), td.pool(t, nil)
	const arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	tests := []struct {
		name string
		dom  storage.Domain
		kind Kind
	}{
		{"prefix", storage.Domain{PoolID: p1.ID, Name: "my-app"}, 0},
		{"custom, upper case folded", storage.Domain{PoolID: p1.ID, Name: "Auth.Example.com", Custom: true, CertificateArn: arn, ManagedLoginVersion: 2}, 0},
		{"second prefix", storage.Domain{PoolID: p1.ID, Name: "my-other-app"}, KindInvalidParameter},
		{"second custom", storage.Domain{PoolID: p1.ID, Name: "login.example.com", Custom: true, CertificateArn: arn}, KindInvalidParameter},
		{"name taken", storage.Domain{PoolID: p2.ID, Name: "my-app"}, KindInvalidParameter},
		{"custom name taken", storage.Domain{PoolID: p2.ID, Name: "auth.example.com", Custom: true, CertificateArn: arn}, KindInvalidParameter},
		{"bad prefix", storage.Domain{PoolID: p2.ID, Name: "My_App"}, KindInvalidParameter},
		{"reserved word", storage.Domain{PoolID: p2.ID, Name: "my-cognito"}, KindInvalidParameter},
		{"reserved word aws", storage.Domain{PoolID: p2.ID, Name: "awsome"}, KindInvalidParameter},
		{"custom without certificate", storage.Domain{PoolID: p2.ID, Name: "auth.other.com", Custom: true}, KindInvalidParameter},
		{"custom not a name", storage.Domain{PoolID: p2.ID, Name: "localhost", Custom: true, CertificateArn: arn}, KindInvalidParameter},
		{"bad version", storage.Domain{PoolID: p2.ID, Name: "p2-app", ManagedLoginVersion: 3}, KindInvalidParameter},
		{"unknown pool", storage.Domain{PoolID: "us-east-1_Missing00", Name: "x-app"}, KindResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dom := tt.dom
			wantKind(t, td.CreateDomain(ctx, &dom), tt.kind)
		})
	}
	got, err := td.GetDomain(ctx, "AUTH.example.com")
	if err != nil || got.PoolID != p1.ID || !got.Custom || got.Name != "auth.example.com" || got.CertificateArn != arn ||
		got.ManagedLoginVersion != 2 || !got.CreatedAt.Equal(td.now) {
		t.Fatalf("GetDomain = %+v, %v", got, err)
	}
	if got, _ := td.GetDomain(ctx, "my-app"); got.ManagedLoginVersion != 1 {
		t.Errorf("default ManagedLoginVersion %d, want 1", got.ManagedLoginVersion)
	}
	_, err = td.GetDomain(ctx, "nope")
	wantKind(t, err, KindResourceNotFound)
	ds, err := td.PoolDomains(ctx, p1.ID)
	if err != nil || len(ds) != 2 || ds[0].Name != "my-app" {
		t.Fatalf("PoolDomains = %v, %v", ds, err)
	}

	// Routing by host.
	routes := []struct {
		host, pool string
	}{
		{"my-app.auth.example.net", p1.ID},
		{"MY-APP.auth.example.net.", p1.ID},
		{"auth.example.com", p1.ID},
		{"auth.example.com.auth.example.net", ""}, // a custom name is no prefix
		{"my-app", ""},                            // a prefix only under the public host
		{"my-app.elsewhere.net", ""},
		{"x.my-app.auth.example.net", ""},
		{"auth.example.net", ""},
		{"127.0.0.1", ""},
	}
	for _, r := range routes {
		id, ok, err := td.DomainPool(ctx, r.host, "auth.example.net")
		if err != nil || ok != (r.pool != "") || id != r.pool && ok {
			t.Errorf("DomainPool(%q) = %q, %v, %v; want %q", r.host, id, ok, err, r.pool)
		}
	}
	// A custom domain under the public host is found as itself.
	wantKind(t, td.CreateDomain(ctx, &storage.Domain{PoolID: p2.ID, Name: "login.auth.example.net", Custom: true, CertificateArn: arn}), 0)
	if id, ok, _ := td.DomainPool(ctx, "login.auth.example.net", "auth.example.net"); !ok || id != p2.ID {
		t.Errorf("custom domain under the public host: %q, %v", id, ok)
	}

	wantKind(t, td.DeleteDomain(ctx, p2.ID, "my-app"), KindInvalidParameter)
	wantKind(t, td.DeleteDomain(ctx, "us-east-1_Missing00", "my-app"), KindResourceNotFound)
	wantKind(t, td.DeleteDomain(ctx, p1.ID, "my-app"), 0)
	if _, ok, _ := td.DomainPool(ctx, "my-app.auth.example.net", "auth.example.net"); ok {
		t.Error("deleted domain still routes")
	}
	wantKind(t, td.DeleteDomain(ctx, p1.ID, "my-app"), KindInvalidParameter)
	// The pool may take a prefix again, and its deletion frees its names.
	wantKind(t, td.CreateDomain(ctx, &storage.Domain{PoolID: p1.ID, Name: "my-new-app"}), 0)
	wantKind(t, td.DeletePool(ctx, p1.ID), 0)
	wantKind(t, td.CreateDomain(ctx, &storage.Domain{PoolID: p2.ID, Name: "my-new-app"}), 0)
}
