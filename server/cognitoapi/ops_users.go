package cognitoapi

import (
	"context"
	"fmt"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Admin user operations: AdminCreateUser, AdminSetUserPassword,
// AdminGetUser, AdminDeleteUser, AdminUpdateUserAttributes,
// AdminDeleteUserAttributes, AdminDisableUser, AdminEnableUser, ListUsers.

func registerUserOps(a *API, svc *service) {
	register(a, "AdminCreateUser", AuthSigV4, svc.adminCreateUser)
	register(a, "AdminSetUserPassword", AuthSigV4, svc.adminSetUserPassword)
	register(a, "AdminGetUser", AuthSigV4, svc.adminGetUser)
	register(a, "AdminDeleteUser", AuthSigV4, svc.adminDeleteUser)
	register(a, "AdminUpdateUserAttributes", AuthSigV4, svc.adminUpdateUserAttributes)
	register(a, "AdminDeleteUserAttributes", AuthSigV4, svc.adminDeleteUserAttributes)
	register(a, "AdminDisableUser", AuthSigV4, svc.adminDisableUser)
	register(a, "AdminEnableUser", AuthSigV4, svc.adminEnableUser)
	register(a, "ListUsers", AuthSigV4, svc.listUsers)
}

// poolUserInput is the {UserPoolId, Username} every admin user operation
// starts with.
type poolUserInput struct {
	UserPoolId string
	Username   string
}

func (in *poolUserInput) validate(v *validation) {
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("username", in.Username)
}

// poolAndUser resolves the pool and the user an admin operation names.
func (s *service) poolAndUser(ctx context.Context, in *poolUserInput) (*storage.Pool, *storage.User, error) {
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.user(ctx, pool, in.Username)
	if err != nil {
		return nil, nil, err
	}
	return pool, u, nil
}

// ---- AdminCreateUser ----

type adminCreateUserInput struct {
	poolUserInput
	UserAttributes         []attributeType
	ValidationData         []attributeType // only for the pre sign-up trigger, which does not exist yet
	TemporaryPassword      *string
	ForceAliasCreation     bool
	MessageAction          string
	DesiredDeliveryMediums []string
	ClientMetadata         map[string]string
}

type adminCreateUserOutput struct {
	User *userType
}

func (s *service) adminCreateUser(ctx context.Context, in *adminCreateUserInput) (*adminCreateUserOutput, error) {
	var v validation
	in.validate(&v)
	v.enum("messageAction", in.MessageAction, "RESEND", "SUPPRESS")
	for i, m := range in.DesiredDeliveryMediums {
		v.enum(fmt.Sprintf("desiredDeliveryMediums.%d.member", i+1), m, "SMS", "EMAIL")
	}
	if in.TemporaryPassword != nil {
		v.check(len(*in.TemporaryPassword) <= 256, "temporaryPassword", "***", "Member must have length less than or equal to 256")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	attrs, err := attributeMap("userAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	password := deref(in.TemporaryPassword)
	if password == "" {
		password = directory.GeneratePassword(pool.PasswordPolicy)
	}
	invite := in.MessageAction != "SUPPRESS"
	var u *storage.User
	if in.MessageAction == "RESEND" {
		// Resend the invitation of a user who never signed in, with a new
		// temporary password.
		if u, err = s.user(ctx, pool, in.Username); err != nil {
			return nil, err
		}
		if u.Status != storage.StatusForceChangePassword {
			return nil, UnsupportedUserState("Resend not possible. " + u.Username + " status is not FORCE_CHANGE_PASSWORD.")
		}
		if err := auth.CheckInvitation(pool, u.Username, u.Attributes, in.DesiredDeliveryMediums); err != nil {
			return nil, err
		}
		err = s.saveUser(ctx, pool, u, func(u *storage.User) error { return s.dir.SetPassword(pool, u, password, false) })
		if err != nil {
			return nil, err
		}
	} else {
		if invite {
			// Refused before the user exists, as Cognito does.
			if err := auth.CheckInvitation(pool, in.Username, attrs, in.DesiredDeliveryMediums); err != nil {
				return nil, err
			}
		}
		u, err = s.dir.CreateUser(ctx, pool, directory.NewUser{
			Username: in.Username, Attributes: attrs, Password: password, Temporary: true,
			ForceAlias: in.ForceAliasCreation,
		})
		if err != nil {
			return nil, err
		}
	}
	if invite {
		// The user exists even when the message could not go out; RESEND
		// tries again (CodeDeliveryFailureException).
		if err := s.engine.SendInvitation(ctx, pool, u, password, in.DesiredDeliveryMediums); err != nil {
			return nil, err
		}
	}
	return &adminCreateUserOutput{User: newUserType(u)}, nil
}

// ---- AdminSetUserPassword ----

type adminSetUserPasswordInput struct {
	poolUserInput
	Password  string
	Permanent bool
}

func (s *service) adminSetUserPassword(ctx context.Context, in *adminSetUserPasswordInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	v.required("password", in.Password)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, u, err := s.poolAndUser(ctx, &in.poolUserInput)
	if err != nil {
		return nil, err
	}
	return nil, s.saveUser(ctx, pool, u, func(u *storage.User) error {
		return s.dir.SetPassword(pool, u, in.Password, in.Permanent)
	})
}

// ---- AdminGetUser ----

type adminGetUserOutput struct {
	Username             string
	UserAttributes       []attributeType
	UserCreateDate       Timestamp `json:",omitzero"`
	UserLastModifiedDate Timestamp `json:",omitzero"`
	Enabled              bool
	UserStatus           string
}

func (s *service) adminGetUser(ctx context.Context, in *poolUserInput) (*adminGetUserOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	_, u, err := s.poolAndUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return &adminGetUserOutput{
		Username:             u.Username,
		UserAttributes:       attributeList(u.Attributes),
		UserCreateDate:       Timestamp(u.CreatedAt),
		UserLastModifiedDate: Timestamp(u.UpdatedAt),
		Enabled:              u.Enabled,
		UserStatus:           u.Status,
	}, nil
}

// ---- AdminDeleteUser ----

func (s *service) adminDeleteUser(ctx context.Context, in *poolUserInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, u, err := s.poolAndUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteUser(ctx, pool.ID, u.Sub)
}

// ---- AdminUpdateUserAttributes ----

type adminUpdateUserAttributesInput struct {
	poolUserInput
	UserAttributes []attributeType
	ClientMetadata map[string]string // for the custom message trigger, which does not exist yet
}

// adminUpdateUserAttributes sets attributes, email_verified and
// phone_number_verified included, as an administrator may. It is the
// engine's UpdateAttributes, as UpdateUserAttributes is: a changed email or
// phone number becomes unverified unless the call verifies it too, a code
// goes to it when the pool auto-verifies it, and with
// AttributesRequireVerificationBeforeUpdate the verified old value stays
// until the code (or an administrator's <attribute>_verified) verifies the
// new one. Cognito answers {} here: where the codes went is not told.
func (s *service) adminUpdateUserAttributes(ctx context.Context, in *adminUpdateUserAttributesInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if in.UserAttributes == nil {
		v.required("userAttributes", "")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	attrs, err := attributeMap("userAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	pool, u, err := s.poolAndUser(ctx, &in.poolUserInput)
	if err != nil {
		return nil, err
	}
	_, err = s.engine.UpdateAttributes(ctx, pool, u, attrs)
	return nil, err
}

// ---- AdminDeleteUserAttributes ----

type adminDeleteUserAttributesInput struct {
	poolUserInput
	UserAttributeNames []string
}

func (s *service) adminDeleteUserAttributes(ctx context.Context, in *adminDeleteUserAttributesInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if in.UserAttributeNames == nil {
		v.required("userAttributeNames", "")
	}
	for i, n := range in.UserAttributeNames {
		v.required(fmt.Sprintf("userAttributeNames.%d.member", i+1), n)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, u, err := s.poolAndUser(ctx, &in.poolUserInput)
	if err != nil {
		return nil, err
	}
	return nil, s.engine.DeleteAttributes(ctx, pool, u, in.UserAttributeNames)
}

// ---- AdminDisableUser, AdminEnableUser ----

// adminDisableUser disables a user: sign-in is refused, and so are the
// tokens they hold; their SSO sessions end.
func (s *service) adminDisableUser(ctx context.Context, in *poolUserInput) (*struct{}, error) {
	return nil, s.setEnabled(ctx, in, false)
}

func (s *service) adminEnableUser(ctx context.Context, in *poolUserInput) (*struct{}, error) {
	return nil, s.setEnabled(ctx, in, true)
}

func (s *service) setEnabled(ctx context.Context, in *poolUserInput, enabled bool) error {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return err
	}
	pool, u, err := s.poolAndUser(ctx, in)
	if err != nil {
		return err
	}
	return s.dir.SetUserEnabled(ctx, pool.ID, u.Sub, enabled)
}

// ---- ListUsers ----

type listUsersInput struct {
	UserPoolId      string
	AttributesToGet []string
	Limit           *int
	PaginationToken *string
	Filter          *string
}

type listUsersOutput struct {
	Users           []*userType
	PaginationToken *string `json:",omitempty"`
}

// listUsers lists a pool's users, filtered (see directory.ParseUserFilter)
// in the directory. A filtered page may hold fewer users than Limit, even
// none, with a PaginationToken to go on from: read until it is absent, as
// Cognito's documentation says of its own filtered pages.
func (s *service) listUsers(ctx context.Context, in *listUsersInput) (*listUsersOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	limit := v.limit("limit", in.Limit, 0, 60, 60)
	if in.Filter != nil {
		v.check(len(*in.Filter) <= 256, "filter", *in.Filter, "Member must have length less than or equal to 256")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	limit = pageLimit(limit)
	filter, err := directory.ParseUserFilter(deref(in.Filter))
	if err != nil {
		return nil, err
	}
	after, err := readToken(in.PaginationToken)
	if err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	for _, name := range in.AttributesToGet {
		if _, ok := directory.PoolAttribute(pool, name); !ok {
			return nil, InvalidParameter("One or more requested attributes do not exist: " + clip(name))
		}
	}
	users, next, err := s.dir.ListUsers(ctx, pool.ID, filter, after, limit)
	if err != nil {
		return nil, err
	}
	out := &listUsersOutput{Users: make([]*userType, 0, len(users))}
	for _, u := range users {
		ut := newUserType(u)
		if in.AttributesToGet != nil {
			ut.Attributes = attributeList(pick(u.Attributes, in.AttributesToGet))
		}
		out.Users = append(out.Users, ut)
	}
	if next != "" {
		out.PaginationToken = nextToken(next)
	}
	return out, nil
}

// pick returns the attributes named in names that attrs has.
func pick(attrs map[string]string, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		if v, ok := attrs[n]; ok {
			out[n] = v
		}
	}
	return out
}
