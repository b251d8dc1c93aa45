package cognitoapi

import (
	"context"
	"fmt"
	"slices"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Admin user operations: AdminCreateUser, AdminSetUserPassword,
// AdminGetUser, AdminDeleteUser.

func registerUserOps(a *API, svc *service) {
	register(a, "AdminCreateUser", AuthSigV4, svc.adminCreateUser)
	register(a, "AdminSetUserPassword", AuthSigV4, svc.adminSetUserPassword)
	register(a, "AdminGetUser", AuthSigV4, svc.adminGetUser)
	register(a, "AdminDeleteUser", AuthSigV4, svc.adminDeleteUser)
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
		err = s.saveUser(ctx, pool, u, func(u *storage.User) error { return s.dir.SetPassword(pool, u, password, false) })
		if err != nil {
			return nil, err
		}
	} else {
		u, err = s.dir.CreateUser(ctx, pool, directory.NewUser{
			Username: in.Username, Attributes: attrs, Password: password, Temporary: true,
		})
		if err != nil {
			return nil, err
		}
	}
	if in.MessageAction != "SUPPRESS" {
		mediums := in.DesiredDeliveryMediums
		if len(mediums) == 0 {
			mediums = []string{"SMS"} // Cognito's default
		}
		// No mail or SMS sender exists yet: say what would have gone out,
		// never the password.
		s.log.InfoContext(ctx, "cognitoapi: invitation not sent, no message sender is configured",
			"pool", pool.ID, "username", u.Username, "mediums", mediums,
			"email", slices.Contains(mediums, "EMAIL") && u.Attributes["email"] != "",
			"sms", slices.Contains(mediums, "SMS") && u.Attributes["phone_number"] != "")
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
