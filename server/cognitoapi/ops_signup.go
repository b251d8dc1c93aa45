package cognitoapi

import (
	"context"
	"errors"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Sign-up and recovery operations. Every one is a thin front over the
// account flows of server/auth (account.go), which the hosted UI drives
// too, so both answer alike:
//
//	SignUp, ConfirmSignUp, ResendConfirmationCode,      public: client id,
//	ForgotPassword, ConfirmForgotPassword               SecretHash if it has a secret
//	AdminConfirmSignUp, AdminResetUserPassword          SigV4
//	GetUserAttributeVerificationCode,                   access token (accessCaller)
//	VerifyUserAttribute

func registerSignUpOps(a *API, svc *service) {
	register(a, "SignUp", AuthNone, svc.signUp)
	register(a, "ConfirmSignUp", AuthNone, svc.confirmSignUp)
	register(a, "ResendConfirmationCode", AuthNone, svc.resendConfirmationCode)
	register(a, "ForgotPassword", AuthNone, svc.forgotPassword)
	register(a, "ConfirmForgotPassword", AuthNone, svc.confirmForgotPassword)
	register(a, "AdminConfirmSignUp", AuthSigV4, svc.adminConfirmSignUp)
	register(a, "AdminResetUserPassword", AuthSigV4, svc.adminResetUserPassword)
	register(a, "GetUserAttributeVerificationCode", AuthNone, svc.getUserAttributeVerificationCode)
	register(a, "VerifyUserAttribute", AuthNone, svc.verifyUserAttribute)
}

// codeDelivery is a delivery as Cognito's CodeDeliveryDetailsType
// (ops_self.go's codeDeliveryDetailsType).
func codeDelivery(d *auth.CodeDelivery) *codeDeliveryDetailsType {
	if d == nil {
		return nil
	}
	return &codeDeliveryDetailsType{Destination: d.Destination, DeliveryMedium: d.DeliveryMedium, AttributeName: d.AttributeName}
}

// publicUserInput is the {ClientId, Username, SecretHash} the public
// operations of a user start with.
type publicUserInput struct {
	ClientId   string
	Username   string
	SecretHash *string
}

func (in *publicUserInput) validate(v *validation) {
	v.required("clientId", in.ClientId)
	v.required("username", in.Username)
}

// publicUser resolves the client of a public user operation and checks
// its SecretHash over the username as given.
func (s *service) publicUser(ctx context.Context, in *publicUserInput) (*publicCall, error) {
	pool, client, err := s.publicClient(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(client, deref(in.SecretHash), in.Username); err != nil {
		return nil, err
	}
	return &publicCall{pool: pool, client: client}, nil
}

// publicCall is the pool and client of a public operation.
type publicCall struct {
	pool   *storage.Pool
	client *storage.Client
}

// userNotFoundForClient words a public operation's unknown user as
// Cognito does (with PreventUserExistenceErrors LEGACY; ENABLED never gets
// here, the engine answers as for a known user).
func userNotFoundForClient(err error) error {
	if errors.Is(err, directory.ErrUserNotFound) {
		return UserNotFound("Username/client id combination not found.")
	}
	return err
}

// ---- SignUp ----

type signUpInput struct {
	publicUserInput
	Password       *string
	UserAttributes []attributeType
	ValidationData []attributeType // only for the pre sign-up trigger, which does not exist yet
	ClientMetadata map[string]string
}

type signUpOutput struct {
	UserConfirmed       bool
	UserSub             string
	CodeDeliveryDetails *codeDeliveryDetailsType `json:",omitempty"`
}

func (s *service) signUp(ctx context.Context, in *signUpInput) (*signUpOutput, error) {
	var v validation
	in.validate(&v)
	if in.Password != nil {
		v.check(len(*in.Password) <= 256, "password", "***", "Member must have length less than or equal to 256")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	call, err := s.publicUser(ctx, &in.publicUserInput)
	if err != nil {
		return nil, err
	}
	attrs, err := attributeMap("userAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	res, err := s.engine.SignUp(ctx, auth.SignUpRequest{Pool: call.pool, Client: call.client, Username: in.Username,
		Password: deref(in.Password), Attributes: attrs, IP: remoteIP(ctx)})
	if err != nil {
		return nil, err
	}
	return &signUpOutput{
		UserConfirmed:       res.User.Status == storage.StatusConfirmed,
		UserSub:             res.User.Sub,
		CodeDeliveryDetails: codeDelivery(res.Delivery),
	}, nil
}

// ---- ConfirmSignUp ----

type confirmSignUpInput struct {
	publicUserInput
	ConfirmationCode   string
	ForceAliasCreation bool
	ClientMetadata     map[string]string
}

func (s *service) confirmSignUp(ctx context.Context, in *confirmSignUpInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	v.required("confirmationCode", in.ConfirmationCode)
	if err := v.err(); err != nil {
		return nil, err
	}
	call, err := s.publicUser(ctx, &in.publicUserInput)
	if err != nil {
		return nil, err
	}
	_, err = s.engine.ConfirmSignUpWith(ctx, auth.ConfirmSignUpRequest{Pool: call.pool, Client: call.client,
		Username: in.Username, Code: in.ConfirmationCode, ForceAliasCreation: in.ForceAliasCreation, IP: remoteIP(ctx)})
	return nil, userNotFoundForClient(err)
}

// ---- ResendConfirmationCode ----

// userCodeInput is ResendConfirmationCode's and ForgotPassword's input.
type userCodeInput struct {
	publicUserInput
	ClientMetadata map[string]string
}

type codeDeliveryOutput struct {
	CodeDeliveryDetails *codeDeliveryDetailsType `json:",omitempty"`
}

func (s *service) resendConfirmationCode(ctx context.Context, in *userCodeInput) (*codeDeliveryOutput, error) {
	return s.sendUserCode(ctx, in, s.engine.ResendConfirmationCode)
}

// sendUserCode runs a public operation that sends the user a code
// (ResendConfirmationCode, ForgotPassword) through the engine's send.
func (s *service) sendUserCode(ctx context.Context, in *userCodeInput,
	send func(ctx context.Context, pool *storage.Pool, client *storage.Client, username, ip string) (*auth.CodeDelivery, error),
) (*codeDeliveryOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	call, err := s.publicUser(ctx, &in.publicUserInput)
	if err != nil {
		return nil, err
	}
	d, err := send(ctx, call.pool, call.client, in.Username, remoteIP(ctx))
	if err != nil {
		return nil, userNotFoundForClient(err)
	}
	return &codeDeliveryOutput{CodeDeliveryDetails: codeDelivery(d)}, nil
}

// ---- ForgotPassword ----

func (s *service) forgotPassword(ctx context.Context, in *userCodeInput) (*codeDeliveryOutput, error) {
	return s.sendUserCode(ctx, in, s.engine.ForgotPassword)
}

// ---- ConfirmForgotPassword ----

type confirmForgotPasswordInput struct {
	publicUserInput
	ConfirmationCode string
	Password         string
	ClientMetadata   map[string]string
}

func (s *service) confirmForgotPassword(ctx context.Context, in *confirmForgotPasswordInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	v.required("confirmationCode", in.ConfirmationCode)
	v.required("password", in.Password)
	v.check(len(in.Password) <= 256, "password", "***", "Member must have length less than or equal to 256")
	if err := v.err(); err != nil {
		return nil, err
	}
	call, err := s.publicUser(ctx, &in.publicUserInput)
	if err != nil {
		return nil, err
	}
	err = s.engine.ConfirmForgotPassword(ctx, call.pool, call.client, in.Username, in.ConfirmationCode, in.Password, remoteIP(ctx))
	return nil, userNotFoundForClient(err)
}

// ---- AdminConfirmSignUp ----

type adminUserOpInput struct {
	poolUserInput
	ClientMetadata map[string]string
}

func (s *service) adminConfirmSignUp(ctx context.Context, in *adminUserOpInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	_, err = s.engine.AdminConfirmSignUp(ctx, pool, in.Username)
	return nil, err
}

// ---- AdminResetUserPassword ----

func (s *service) adminResetUserPassword(ctx context.Context, in *adminUserOpInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	_, err = s.engine.AdminResetUserPassword(ctx, pool, in.Username)
	return nil, err
}

// ---- GetUserAttributeVerificationCode ----

type getUserAttributeVerificationCodeInput struct {
	AccessToken    string
	AttributeName  string
	ClientMetadata map[string]string
}

func (s *service) getUserAttributeVerificationCode(ctx context.Context, in *getUserAttributeVerificationCodeInput) (*codeDeliveryOutput, error) {
	var v validation
	v.required("accessToken", in.AccessToken)
	v.required("attributeName", in.AttributeName)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := s.engine.GetUserAttributeVerificationCode(ctx, c.pool, c.client, c.user, in.AttributeName, remoteIP(ctx))
	if err != nil {
		return nil, err
	}
	return &codeDeliveryOutput{CodeDeliveryDetails: codeDelivery(d)}, nil
}

// ---- VerifyUserAttribute ----

type verifyUserAttributeInput struct {
	AccessToken   string
	AttributeName string
	Code          string
}

func (s *service) verifyUserAttribute(ctx context.Context, in *verifyUserAttributeInput) (*struct{}, error) {
	var v validation
	v.required("accessToken", in.AccessToken)
	v.required("attributeName", in.AttributeName)
	v.required("code", in.Code)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	_, err = s.engine.VerifyUserAttribute(ctx, c.pool, c.user, in.AttributeName, in.Code)
	return nil, err
}
