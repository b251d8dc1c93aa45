package cognitoapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func scope(name, desc string) types.ResourceServerScopeType {
	return types.ResourceServerScopeType{ScopeName: aws.String(name), ScopeDescription: aws.String(desc)}
}

func TestResourceServers(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	const id = "https://api.example.com"

	created, err := st.admin.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id),
		Name: aws.String("Orders API"), Scopes: []types.ResourceServerScopeType{scope("read", "Read orders"), scope("write", "Write orders")}})
	if err != nil {
		t.Fatalf("CreateResourceServer: %v", err)
	}
	want := types.ResourceServerType{UserPoolId: &poolID, Identifier: aws.String(id), Name: aws.String("Orders API"),
		Scopes: []types.ResourceServerScopeType{scope("read", "Read orders"), scope("write", "Write orders")}}
	same := func(what string, got *types.ResourceServerType, want types.ResourceServerType) {
		t.Helper()
		if got == nil || aws.ToString(got.UserPoolId) != aws.ToString(want.UserPoolId) || aws.ToString(got.Identifier) != aws.ToString(want.Identifier) ||
			aws.ToString(got.Name) != aws.ToString(want.Name) || fmt.Sprint(scopeList(got.Scopes)) != fmt.Sprint(scopeList(want.Scopes)) {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	same("CreateResourceServer", created.ResourceServer, want)
	desc, err := st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeResourceServer: %v", err)
	}
	same("DescribeResourceServer", desc.ResourceServer, want)

	// Its scopes are the pool's: a client may allow them now.
	st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, AllowedOAuthScopes: []string{id + "/read"}})

	// Update replaces name and scopes.
	upd, err := st.admin.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id),
		Name: aws.String("Orders"), Scopes: []types.ResourceServerScopeType{scope("admin", "Everything")}})
	if err != nil {
		t.Fatalf("UpdateResourceServer: %v", err)
	}
	want.Name, want.Scopes = aws.String("Orders"), []types.ResourceServerScopeType{scope("admin", "Everything")}
	same("UpdateResourceServer", upd.ResourceServer, want)
	desc, _ = st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id)})
	same("DescribeResourceServer after update", desc.ResourceServer, want)
	_, err = st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("c"),
		AllowedOAuthScopes: []string{id + "/read"}})
	wantAPIError(t, err, "ScopeDoesNotExistException", "")
	// Without scopes, an update leaves none.
	upd, err = st.admin.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id), Name: aws.String("Orders")})
	if err != nil || upd.ResourceServer.Scopes == nil || len(upd.ResourceServer.Scopes) != 0 {
		t.Errorf("update without scopes: %+v, %v", upd, err)
	}

	other := st.newPool(t, nil)
	createTests := []struct {
		name string
		in   cip.CreateResourceServerInput
		code string
	}{
		{"identifier taken", cip.CreateResourceServerInput{Identifier: aws.String(id), Name: aws.String("n")}, "InvalidParameterException"},
		{"unknown pool", cip.CreateResourceServerInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Identifier: aws.String("x"), Name: aws.String("n")}, "ResourceNotFoundException"},
		{"identifier with a space", cip.CreateResourceServerInput{Identifier: aws.String("has space"), Name: aws.String("n")}, "InvalidParameterException"},
		{"identifier too long", cip.CreateResourceServerInput{Identifier: aws.String(strings.Repeat("i", 257)), Name: aws.String("n")}, "InvalidParameterException"},
		{"name with a slash", cip.CreateResourceServerInput{Identifier: aws.String("urn:x"), Name: aws.String("a/b")}, "InvalidParameterException"},
		{"scope name with a slash", cip.CreateResourceServerInput{Identifier: aws.String("urn:x"), Name: aws.String("n"),
			Scopes: []types.ResourceServerScopeType{scope("a/b", "d")}}, "InvalidParameterException"},
		{"scope twice", cip.CreateResourceServerInput{Identifier: aws.String("urn:x"), Name: aws.String("n"),
			Scopes: []types.ResourceServerScopeType{scope("a", "d"), scope("a", "e")}}, "InvalidParameterException"},
		{"scope description too long", cip.CreateResourceServerInput{Identifier: aws.String("urn:x"), Name: aws.String("n"),
			Scopes: []types.ResourceServerScopeType{scope("a", strings.Repeat("d", 257))}}, "InvalidParameterException"},
	}
	for _, tt := range createTests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &poolID
			}
			_, err := st.admin.CreateResourceServer(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}
	// The same identifier in another pool is another resource server.
	if _, err := st.admin.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &other, Identifier: aws.String(id), Name: aws.String("n")}); err != nil {
		t.Errorf("same identifier in another pool: %v", err)
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID,
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("a")}}})
	wantAPIError(t, err, "InvalidParameterException",
		"3 validation errors detected: Value null at 'identifier' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'name' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must not be null")

	_, err = st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("urn:nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Resource server urn:nope does not exist.")
	_, err = st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Identifier: aws.String(id)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("urn:nope"), Name: aws.String("n")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id), Name: aws.String("n"),
		Scopes: []types.ResourceServerScopeType{scope("bad scope", "d")}})
	wantAPIError(t, err, "InvalidParameterException", "")

	if _, err := st.admin.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id)}); err != nil {
		t.Fatalf("DeleteResourceServer: %v", err)
	}
	_, err = st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	if _, err := st.admin.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &other, Identifier: aws.String(id)}); err != nil {
		t.Errorf("the other pool's resource server went too: %v", err)
	}
}

func scopeList(scopes []types.ResourceServerScopeType) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = aws.ToString(s.ScopeName) + "=" + aws.ToString(s.ScopeDescription)
	}
	return out
}

func TestListResourceServers(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("urn:api:%d", i)
		want = append(want, id)
		if _, err := st.admin.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id),
			Name: aws.String("n"), Scopes: []types.ResourceServerScopeType{scope("read", "r")}}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	pages := 0
	for p := cip.NewListResourceServersPaginator(st.admin, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListResourceServers: %v", err)
		}
		pages++
		for _, rs := range page.ResourceServers {
			got = append(got, aws.ToString(rs.Identifier))
			if len(rs.Scopes) != 1 || aws.ToString(rs.UserPoolId) != poolID {
				t.Errorf("listed %+v", rs)
			}
		}
	}
	if !equal(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	out, err := st.admin.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID})
	if err != nil || len(out.ResourceServers) != 5 || out.NextToken != nil {
		t.Errorf("without MaxResults: %d, %v, %v", len(out.ResourceServers), out.NextToken, err)
	}
	// At most 25 per pool.
	for i := 5; i < 25; i++ {
		if _, err := st.admin.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID,
			Identifier: aws.String(fmt.Sprintf("urn:more:%d", i)), Name: aws.String("n")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.admin.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("urn:26"), Name: aws.String("n")})
	wantAPIError(t, err, "LimitExceededException", "")

	_, err = st.admin.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(51)})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50")
	_, err = st.admin.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, NextToken: aws.String("%%")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}
