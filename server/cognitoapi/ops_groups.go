package cognitoapi

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Group operations: CreateGroup, GetGroup, UpdateGroup, DeleteGroup,
// ListGroups, AdminAddUserToGroup, AdminRemoveUserFromGroup,
// AdminListGroupsForUser, ListUsersInGroup.

func registerGroupOps(a *API, svc *service) {
	register(a, "CreateGroup", AuthSigV4, svc.createGroup)
	register(a, "GetGroup", AuthSigV4, svc.getGroup)
	register(a, "UpdateGroup", AuthSigV4, svc.updateGroup)
	register(a, "DeleteGroup", AuthSigV4, svc.deleteGroup)
	register(a, "ListGroups", AuthSigV4, svc.listGroups)
	register(a, "AdminAddUserToGroup", AuthSigV4, svc.adminAddUserToGroup)
	register(a, "AdminRemoveUserFromGroup", AuthSigV4, svc.adminRemoveUserFromGroup)
	register(a, "AdminListGroupsForUser", AuthSigV4, svc.adminListGroupsForUser)
	register(a, "ListUsersInGroup", AuthSigV4, svc.listUsersInGroup)
}

// groupType is Cognito's GroupType.
type groupType struct {
	GroupName        string
	UserPoolId       string
	Description      *string `json:",omitempty"`
	RoleArn          *string `json:",omitempty"`
	Precedence       *int64  `json:",omitempty"`
	CreationDate     Timestamp
	LastModifiedDate Timestamp
}

func newGroupType(g *storage.Group) groupType {
	out := groupType{GroupName: g.Name, UserPoolId: g.PoolID, Precedence: g.Precedence,
		CreationDate: Timestamp(g.CreatedAt), LastModifiedDate: Timestamp(g.UpdatedAt)}
	if g.Description != "" {
		out.Description = &g.Description
	}
	if g.RoleArn != "" {
		out.RoleArn = &g.RoleArn
	}
	return out
}

func groupList(groups []*storage.Group) []groupType {
	out := make([]groupType, 0, len(groups))
	for _, g := range groups {
		out = append(out, newGroupType(g))
	}
	return out
}

type groupOutput struct {
	Group groupType
}

// poolGroupInput is the {UserPoolId, GroupName} of the group operations.
type poolGroupInput struct {
	UserPoolId string
	GroupName  string
}

func (in *poolGroupInput) validate(v *validation) {
	v.required("groupName", in.GroupName)
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
}

// ---- CreateGroup, UpdateGroup ----

type groupInput struct {
	poolGroupInput
	Description *string
	RoleArn     *string
	Precedence  *int64
}

func (in *groupInput) validate() error {
	var v validation
	in.poolGroupInput.validate(&v)
	if p := in.Precedence; p != nil && (*p < 0 || *p > 2147483647) {
		v.check(false, "precedence", fmt.Sprint(*p), "Member must have value greater than or equal to 0")
	}
	return v.err()
}

func (s *service) createGroup(ctx context.Context, in *groupInput) (*groupOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	g := &storage.Group{PoolID: in.UserPoolId, Name: in.GroupName, Description: deref(in.Description),
		RoleArn: deref(in.RoleArn), Precedence: in.Precedence}
	if err := s.dir.CreateGroup(ctx, g); err != nil {
		return nil, err
	}
	return &groupOutput{Group: newGroupType(g)}, nil
}

// updateGroup changes the members given and keeps the others, as Cognito
// does; an empty Description or RoleArn removes it.
func (s *service) updateGroup(ctx context.Context, in *groupInput) (*groupOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	g, err := s.dir.GetGroup(ctx, in.UserPoolId, in.GroupName)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.RoleArn != nil {
		g.RoleArn = *in.RoleArn
	}
	if in.Precedence != nil {
		g.Precedence = in.Precedence
	}
	if err := s.dir.UpdateGroup(ctx, g); err != nil {
		return nil, err
	}
	return &groupOutput{Group: newGroupType(g)}, nil
}

// ---- GetGroup, DeleteGroup ----

func (s *service) getGroup(ctx context.Context, in *poolGroupInput) (*groupOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	g, err := s.dir.GetGroup(ctx, in.UserPoolId, in.GroupName)
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: newGroupType(g)}, nil
}

func (s *service) deleteGroup(ctx context.Context, in *poolGroupInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteGroup(ctx, in.UserPoolId, in.GroupName)
}

// ---- ListGroups ----

type listGroupsInput struct {
	UserPoolId string
	Limit      *int
	NextToken  *string
}

type listGroupsOutput struct {
	Groups    []groupType
	NextToken *string `json:",omitempty"`
}

func (s *service) listGroups(ctx context.Context, in *listGroupsInput) (*listGroupsOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	limit := pageLimit(v.limit("limit", in.Limit, 0, 60, 60))
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	groups, err := s.dir.ListGroups(ctx, in.UserPoolId, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listGroupsOutput{}
	if len(groups) > limit {
		groups = groups[:limit]
		out.NextToken = nextToken(groups[limit-1].Name)
	}
	out.Groups = groupList(groups)
	return out, nil
}

// pageLimit is a validated Limit of 0..60 as a page size: 0 is Cognito's
// default of 60.
func pageLimit(n int) int {
	if n == 0 {
		return 60
	}
	return n
}

// ---- AdminAddUserToGroup, AdminRemoveUserFromGroup ----

type userGroupInput struct {
	poolUserInput
	GroupName string
}

func (s *service) userAndGroup(ctx context.Context, in *userGroupInput) (*storage.User, error) {
	var v validation
	in.poolUserInput.validate(&v)
	v.required("groupName", in.GroupName)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	// The group first: a missing group is ResourceNotFound whoever the user.
	if _, err := s.dir.GetGroup(ctx, pool.ID, in.GroupName); err != nil {
		return nil, err
	}
	return s.user(ctx, pool, in.Username)
}

func (s *service) adminAddUserToGroup(ctx context.Context, in *userGroupInput) (*struct{}, error) {
	u, err := s.userAndGroup(ctx, in)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.AddUserToGroup(ctx, in.UserPoolId, in.GroupName, u.Sub)
}

func (s *service) adminRemoveUserFromGroup(ctx context.Context, in *userGroupInput) (*struct{}, error) {
	u, err := s.userAndGroup(ctx, in)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.RemoveUserFromGroup(ctx, in.UserPoolId, in.GroupName, u.Sub)
}

// ---- AdminListGroupsForUser ----

type adminListGroupsForUserInput struct {
	poolUserInput
	Limit     *int
	NextToken *string
}

// adminListGroupsForUser lists a user's groups by precedence, then name,
// the order the token claims take them in. A user has at most
// directory.MaxGroupsPerUser groups, so the list is read whole and the
// token is the offset of the next page.
func (s *service) adminListGroupsForUser(ctx context.Context, in *adminListGroupsForUserInput) (*listGroupsOutput, error) {
	var v validation
	in.validate(&v)
	limit := pageLimit(v.limit("limit", in.Limit, 0, 60, 60))
	if err := v.err(); err != nil {
		return nil, err
	}
	raw, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	offset := 0
	if raw != "" {
		if offset, err = strconv.Atoi(raw); err != nil || offset < 0 || offset > directory.MaxGroupsPerUser {
			return nil, InvalidParameter("Invalid pagination token.")
		}
	}
	pool, u, err := s.poolAndUser(ctx, &in.poolUserInput)
	if err != nil {
		return nil, err
	}
	groups, err := s.dir.GroupsForUser(ctx, pool.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	groups = groups[min(offset, len(groups)):]
	out := &listGroupsOutput{}
	if len(groups) > limit {
		groups = groups[:limit]
		out.NextToken = nextToken(strconv.Itoa(offset + limit))
	}
	out.Groups = groupList(groups)
	return out, nil
}

// ---- ListUsersInGroup ----

type listUsersInGroupInput struct {
	UserPoolId string
	GroupName  string
	Limit      *int
	NextToken  *string
}

type listUsersInGroupOutput struct {
	Users     []*userType
	NextToken *string `json:",omitempty"`
}

func (s *service) listUsersInGroup(ctx context.Context, in *listUsersInGroupInput) (*listUsersInGroupOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("groupName", in.GroupName)
	limit := pageLimit(v.limit("limit", in.Limit, 0, 60, 60))
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	users, err := s.dir.ListUsersInGroup(ctx, in.UserPoolId, in.GroupName, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listUsersInGroupOutput{Users: make([]*userType, 0, len(users))}
	if len(users) > limit {
		users = users[:limit]
		out.NextToken = nextToken(users[limit-1].Sub)
	}
	for _, u := range users {
		out.Users = append(out.Users, newUserType(u))
	}
	return out, nil
}
