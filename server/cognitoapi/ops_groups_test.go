package cognitoapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const adminRole = "arn:aws:iam::123456789012:role/Admins"

func TestGroups(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)

	created, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"),
		Description: aws.String("The admins"), RoleArn: aws.String(adminRole), Precedence: aws.Int32(1)})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	g := created.Group
	if aws.ToString(g.GroupName) != "admins" || aws.ToString(g.UserPoolId) != poolID || aws.ToString(g.Description) != "The admins" ||
		aws.ToString(g.RoleArn) != adminRole || aws.ToInt32(g.Precedence) != 1 || g.CreationDate == nil || g.LastModifiedDate == nil {
		t.Errorf("CreateGroup = %+v", g)
	}
	got, err := st.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins")})
	if err != nil || !equal(*got.Group, *g) {
		t.Errorf("GetGroup = %+v, %v; want %+v", got, err, g)
	}
	plain, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("readers")})
	if err != nil || plain.Group.Precedence != nil || plain.Group.Description != nil || plain.Group.RoleArn != nil {
		t.Errorf("CreateGroup without options: %+v, %v", plain, err)
	}

	// UpdateGroup changes what it is given and keeps the rest.
	st.clock.Advance(time.Minute)
	upd, err := st.admin.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"), Precedence: aws.Int32(0)})
	if err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	u := upd.Group
	if aws.ToInt32(u.Precedence) != 0 || u.Precedence == nil || aws.ToString(u.Description) != "The admins" || aws.ToString(u.RoleArn) != adminRole ||
		!u.CreationDate.Equal(*g.CreationDate) || !u.LastModifiedDate.After(*g.LastModifiedDate) {
		t.Errorf("UpdateGroup = %+v", u)
	}
	upd, err = st.admin.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"),
		Description: aws.String(""), RoleArn: aws.String("")})
	if err != nil || upd.Group.Description != nil || upd.Group.RoleArn != nil || aws.ToInt32(upd.Group.Precedence) != 0 {
		t.Errorf("UpdateGroup clearing description and role: %+v, %v", upd, err)
	}

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"create existing", func() error {
			_, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins")})
			return err
		}, "GroupExistsException"},
		{"create in unknown pool", func() error {
			_, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), GroupName: aws.String("g")})
			return err
		}, "ResourceNotFoundException"},
		{"create with negative precedence", func() error {
			_, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("g"), Precedence: aws.Int32(-1)})
			return err
		}, "InvalidParameterException"},
		{"create with a bad role", func() error {
			_, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("g"), RoleArn: aws.String("admins")})
			return err
		}, "InvalidParameterException"},
		{"create with a long name", func() error {
			_, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String(strings.Repeat("g", 129))})
			return err
		}, "InvalidParameterException"},
		{"get unknown", func() error {
			_, err := st.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException"},
		{"get in unknown pool", func() error {
			_, err := st.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), GroupName: aws.String("admins")})
			return err
		}, "ResourceNotFoundException"},
		{"update unknown", func() error {
			_, err := st.admin.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope"), Precedence: aws.Int32(3)})
			return err
		}, "ResourceNotFoundException"},
		{"update with a bad role", func() error {
			_, err := st.admin.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"), RoleArn: aws.String("x")})
			return err
		}, "InvalidParameterException"},
		{"delete unknown", func() error {
			_, err := st.admin.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException"},
		{"delete in unknown pool", func() error {
			_, err := st.admin.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), GroupName: aws.String("admins")})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.call(), tt.code, "") })
	}
	_, err = st.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Group not found.")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.CreateGroup(ctx, &cip.CreateGroupInput{})
	wantAPIError(t, err, "InvalidParameterException",
		"2 validation errors detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")

	// Deleting a group leaves its members without it.
	st.newUser(t, poolID, "alice", "Correct-Horse-1")
	if _, err := st.admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("alice"), GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.admin.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &poolID, GroupName: aws.String("readers")}); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	_, err = st.admin.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("readers")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	mine, err := st.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err != nil || len(mine.Groups) != 0 {
		t.Errorf("groups of alice after the delete: %+v, %v", mine, err)
	}
	if _, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Errorf("alice went with her group: %v", err)
	}
}

func TestListGroups(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("group-%d", i)
		want = append(want, name)
		if _, err := st.admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: &name}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	pages := 0
	for p := cip.NewListGroupsPaginator(st.admin, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		pages++
		for _, g := range page.Groups {
			got = append(got, aws.ToString(g.GroupName))
			if aws.ToString(g.UserPoolId) != poolID || g.CreationDate == nil {
				t.Errorf("GroupType %+v", g)
			}
		}
	}
	if !equal(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	all, err := st.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(0)})
	if err != nil || len(all.Groups) != 5 || all.NextToken != nil {
		t.Errorf("Limit 0: %+v, %v", all, err)
	}
	empty := st.newPool(t, nil)
	none, err := st.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &empty})
	if err != nil || none.Groups == nil || len(none.Groups) != 0 {
		t.Errorf("empty pool: %+v, %v", none, err)
	}
	_, err = st.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(61)})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, NextToken: aws.String("%%")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestGroupMembership(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	clientID := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID}).ClientId)
	for _, g := range []struct {
		name string
		prec *int32
		role string
	}{{"staff", aws.Int32(5), ""}, {"admins", aws.Int32(1), adminRole}, {"zeta", nil, ""}, {"alpha", aws.Int32(5), ""}} {
		in := &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String(g.name), Precedence: g.prec}
		if g.role != "" {
			in.RoleArn = aws.String(g.role)
		}
		if _, err := st.admin.CreateGroup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	st.newUser(t, poolID, "Alice", "Correct-Horse-1")
	st.newUser(t, poolID, "bob", "Correct-Horse-1")
	add := func(user, group string) error {
		_, err := st.admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: &user, GroupName: &group})
		return err
	}
	for _, g := range []string{"staff", "admins", "zeta", "alpha"} {
		if err := add("alice", g); err != nil { // any case finds Alice
			t.Fatalf("AdminAddUserToGroup %s: %v", g, err)
		}
	}
	if err := add("alice", "staff"); err != nil {
		t.Errorf("adding again: %v", err)
	}
	if err := add("bob", "staff"); err != nil {
		t.Fatal(err)
	}

	// By precedence, then name, unset last: the order of cognito:groups.
	var got []string
	pages := 0
	for p := cip.NewAdminListGroupsForUserPaginator(st.admin, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice"),
		Limit: aws.Int32(3)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("AdminListGroupsForUser: %v", err)
		}
		pages++
		for _, g := range page.Groups {
			got = append(got, aws.ToString(g.GroupName))
		}
	}
	if want := []string{"admins", "alpha", "staff", "zeta"}; !equal(got, want) || pages != 2 {
		t.Errorf("groups of alice %v in %d pages, want %v in 2", got, pages, want)
	}
	signIn, err := st.passwordAuth(t, clientID, "alice", "Correct-Horse-1")
	if err != nil {
		t.Fatal(err)
	}
	c := claims(t, aws.ToString(signIn.AuthenticationResult.IdToken))
	if fmt.Sprint(c["cognito:groups"]) != "[admins alpha staff zeta]" || c["cognito:preferred_role"] != adminRole {
		t.Errorf("id token groups %v, preferred role %v", c["cognito:groups"], c["cognito:preferred_role"])
	}

	// Members of a group, by page.
	var members []string
	for p := cip.NewListUsersInGroupPaginator(st.admin, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff"),
		Limit: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUsersInGroup: %v", err)
		}
		for _, u := range page.Users {
			members = append(members, aws.ToString(u.Username))
			if u.UserStatus != types.UserStatusTypeConfirmed || !u.Enabled || attrsOf(u.Attributes)["sub"] == "" {
				t.Errorf("UserType %+v", u)
			}
		}
	}
	slices.Sort(members)
	if !equal(members, []string{"Alice", "bob"}) {
		t.Errorf("members of staff: %v", members)
	}

	// Remove, also when not a member.
	remove := func(user, group string) error {
		_, err := st.admin.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &poolID, Username: &user, GroupName: &group})
		return err
	}
	if err := remove("bob", "staff"); err != nil {
		t.Fatalf("AdminRemoveUserFromGroup: %v", err)
	}
	if err := remove("bob", "staff"); err != nil {
		t.Errorf("removing a non-member: %v", err)
	}
	out, err := st.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff")})
	if err != nil || len(out.Users) != 1 || aws.ToString(out.Users[0].Username) != "Alice" || out.NextToken != nil {
		t.Errorf("members after removing bob: %+v, %v", out, err)
	}

	errTests := []struct {
		name string
		err  error
		code string
	}{
		{"add to unknown group", add("alice", "nope"), "ResourceNotFoundException"},
		{"add unknown user", add("carol", "staff"), "UserNotFoundException"},
		{"remove from unknown group", remove("alice", "nope"), "ResourceNotFoundException"},
		{"remove unknown user", remove("carol", "staff"), "UserNotFoundException"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.err, tt.code, "") })
	}
	_, err = st.admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Username: aws.String("alice"), GroupName: aws.String("staff")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("carol")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = st.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Username: aws.String("alice")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice"), Limit: aws.Int32(61)})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice"), NextToken: aws.String(nextTokenOf("x"))})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Group not found.")
	_, err = st.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), GroupName: aws.String("staff")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff"), Limit: aws.Int32(-1)})
	wantAPIError(t, err, "InvalidParameterException", "")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("alice")})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null")
}

func nextTokenOf(s string) string { return *nextToken(s) }
