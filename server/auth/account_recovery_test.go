package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestForgotPasswordRecoveryOrder: the pool's AccountRecovery decides
// where a reset code goes (the hosted UI and the API share this), Cognito's
// legacy order (SMS first) without one; admin_only is refused for every
// username and reads as ErrCannotReset to a front that words that.
func TestForgotPasswordRecoveryOrder(t *testing.T) {
	s, eng, _ := accountStack(t)
	ctx := context.Background()
	attrs := map[string]string{"email": "bo@example.com", "email_verified": "true",
		"phone_number": "+15550006666", "phone_number_verified": "true"}
	for _, tt := range []struct {
		name     string
		recovery []string
		medium   string
	}{
		{"legacy", nil, "SMS"},
		{"email first", []string{directory.RecoveryVerifiedEmail, directory.RecoveryVerifiedPhone}, "EMAIL"},
		{"phone first", []string{directory.RecoveryVerifiedPhone}, "SMS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pool := s.pool(t, func(p *storage.Pool) { p.AccountRecovery = tt.recovery })
			client := s.client(t, pool, nil)
			s.user(t, pool, directory.NewUser{Username: "bo", Attributes: attrs})
			d, err := eng.ForgotPassword(ctx, pool, client, "bo", "")
			if err != nil || d.DeliveryMedium != tt.medium {
				t.Fatalf("ForgotPassword: %+v, %v; want %s", d, err, tt.medium)
			}
		})
	}
	pool := s.pool(t, func(p *storage.Pool) { p.AccountRecovery = []string{directory.RecoveryAdminOnly} })
	client := s.client(t, pool, func(c *storage.Client) { c.PreventUserExistenceErrors = "ENABLED" })
	s.user(t, pool, directory.NewUser{Username: "bo", Attributes: attrs})
	for _, username := range []string{"bo", "nobody"} {
		_, err := eng.ForgotPassword(ctx, pool, client, username, "")
		if !errors.Is(err, auth.ErrAdminOnlyRecovery) || !errors.Is(err, auth.ErrCannotReset) ||
			directory.KindOf(err) != directory.KindNotAuthorized {
			t.Errorf("ForgotPassword %s with admin_only: %v", username, err)
		}
	}
}
