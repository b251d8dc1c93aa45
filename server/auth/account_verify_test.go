package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// The account flows the Cognito API added to the hosted UI's: attribute
// changes and their verification, administrator confirmation and reset,
// invitations, aliases taken over.

func verifiedUser(t *testing.T, s *authStack, pool *storage.Pool, name string) *storage.User {
	t.Helper()
	return s.user(t, pool, directory.NewUser{Username: name, Attributes: map[string]string{
		"email": name + "@example.com", "email_verified": "true"}})
}

func TestUpdateAttributesVerification(t *testing.T) {
	ctx := context.Background()
	keepEmail := func(p *storage.Pool) {
		p.AutoVerifiedAttributes = []string{"email", "phone_number"}
		p.AttributesRequireVerificationBeforeUpdate = []string{"email"}
	}
	tests := []struct {
		name   string
		pool   func(*storage.Pool)
		start  map[string]string // the user's attributes besides a verified email
		update map[string]string
		kind   directory.Kind
		want   map[string]string // attributes afterwards (only these are checked)
		sentTo []string          // where codes went
	}{
		{name: "kept until verified", pool: keepEmail,
			update: map[string]string{"email": "new@example.com", "given_name": "Ann"},
			want:   map[string]string{"email": "ann@example.com", "email_verified": "true", "given_name": "Ann"},
			sentTo: []string{"new@example.com"}},
		{name: "changed at once", pool: func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} },
			update: map[string]string{"email": "new@example.com"},
			want:   map[string]string{"email": "new@example.com", "email_verified": "false"},
			sentTo: []string{"new@example.com"}},
		{name: "unverified old value is not kept", pool: keepEmail,
			start:  map[string]string{"email_verified": "false"},
			update: map[string]string{"email": "new@example.com"},
			want:   map[string]string{"email": "new@example.com", "email_verified": "false"},
			sentTo: []string{"new@example.com"}},
		{name: "email kept, phone changed at once", pool: keepEmail,
			update: map[string]string{"phone_number": "+15555550100", "email": "new@example.com"},
			want:   map[string]string{"email": "ann@example.com", "phone_number": "+15555550100", "phone_number_verified": "false"},
			sentTo: []string{"new@example.com", "+15555550100"}},
		{name: "not auto-verified: no code",
			update: map[string]string{"email": "new@example.com"},
			want:   map[string]string{"email": "new@example.com", "email_verified": "false"}},
		{name: "vouched for by an administrator", pool: keepEmail,
			update: map[string]string{"email": "new@example.com", "email_verified": "true"},
			want:   map[string]string{"email": "new@example.com", "email_verified": "true"}},
		{name: "removed", pool: keepEmail,
			update: map[string]string{"email": ""},
			want:   map[string]string{"email": ""}},
		{name: "bad kept value changes nothing", pool: keepEmail,
			update: map[string]string{"email": "not-an-address", "given_name": "Ann"}, kind: directory.KindInvalidParameter,
			want: map[string]string{"email": "ann@example.com", "given_name": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, eng, box := accountStack(t)
			pool := s.pool(t, tt.pool)
			attrs := map[string]string{"email": "ann@example.com", "email_verified": "true"}
			for k, v := range tt.start {
				attrs[k] = v
			}
			u := s.user(t, pool, directory.NewUser{Username: "ann", Attributes: attrs})
			sent, err := eng.UpdateAttributes(ctx, pool, u, tt.update)
			wantErr(t, err, tt.kind, "")
			got := s.reload(t, u).Attributes
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if len(sent) != len(tt.sentTo) || box.count() != len(tt.sentTo) {
				t.Fatalf("deliveries %+v, %d sent, want to %v", sent, box.count(), tt.sentTo)
			}
			for i, to := range tt.sentTo {
				if sent[i].Destination != notify.Mask(to) {
					t.Errorf("delivery %d to %s, want %s", i, sent[i].Destination, notify.Mask(to))
				}
			}
		})
	}
}

func TestVerifyPendingValue(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.AutoVerifiedAttributes = []string{"email"}
		p.AttributesRequireVerificationBeforeUpdate = []string{"email"}
	})
	client := s.client(t, pool, nil)
	u := verifiedUser(t, s, pool, "ben")
	update := func(u *storage.User, attrs map[string]string) {
		t.Helper()
		if _, err := eng.UpdateAttributes(ctx, pool, u, attrs); err != nil {
			t.Fatal(err)
		}
	}

	update(u, map[string]string{"email": "ben@new.example"})
	first, to, _ := box.lastCode(t)
	if to != "ben@new.example" {
		t.Fatalf("code went to %s", to)
	}
	// A new code goes to the pending value too.
	s.clock.Add(directory.CodeResendCooldown)
	d, err := eng.GetUserAttributeVerificationCode(ctx, pool, client, s.reload(t, u), "email", "")
	if err != nil || d.Destination != "b***@n***.example" {
		t.Fatalf("GetUserAttributeVerificationCode: %+v, %v", d, err)
	}
	second, to, _ := box.lastCode(t)
	if to != "ben@new.example" {
		t.Fatalf("second code went to %s", to)
	}
	if first != second {
		_, err := eng.VerifyUserAttribute(ctx, pool, s.reload(t, u), "email", first)
		wantErr(t, err, directory.KindCodeMismatch, "")
	}
	got, err := eng.VerifyUserAttribute(ctx, pool, s.reload(t, u), "email", second)
	if err != nil || got.Attributes["email"] != "ben@new.example" || got.Attributes["email_verified"] != "true" {
		t.Fatalf("VerifyUserAttribute: %v, %v", got, err)
	}
	if _, ok := got.Codes[directory.CodeVerifyEmail]; ok {
		t.Errorf("the code survived its use")
	}

	t.Run("the current value again drops the pending one", func(t *testing.T) {
		s.clock.Add(directory.CodeResendCooldown)
		update(s.reload(t, u), map[string]string{"email": "ben@other.example"})
		code, _, _ := box.lastCode(t)
		update(s.reload(t, u), map[string]string{"email": "ben@new.example"})
		_, err := eng.VerifyUserAttribute(ctx, pool, s.reload(t, u), "email", code)
		wantErr(t, err, directory.KindExpiredCode, "")
		if e := s.reload(t, u).Attributes["email"]; e != "ben@new.example" {
			t.Errorf("email %s", e)
		}
	})
	t.Run("an administrator vouching applies the pending value", func(t *testing.T) {
		s.clock.Add(directory.CodeResendCooldown)
		update(s.reload(t, u), map[string]string{"email": "ben@third.example"})
		box.lastCode(t)
		update(s.reload(t, u), map[string]string{"email_verified": "true"})
		got := s.reload(t, u)
		if got.Attributes["email"] != "ben@third.example" || got.Attributes["email_verified"] != "true" || len(got.Codes) != 0 {
			t.Errorf("after vouching: %v %v", got.Attributes, got.Codes)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := eng.GetUserAttributeVerificationCode(ctx, pool, client, s.reload(t, u), "given_name", "")
		wantErr(t, err, directory.KindInvalidParameter, "")
		_, err = eng.GetUserAttributeVerificationCode(ctx, pool, client, s.reload(t, u), "phone_number", "")
		wantErr(t, err, directory.KindInvalidParameter, "The user has no phone_number to verify.")
		_, err = eng.VerifyUserAttribute(ctx, pool, s.reload(t, u), "phone_number", "123456")
		wantErr(t, err, directory.KindExpiredCode, "")
	})
	t.Run("a failed send keeps the change", func(t *testing.T) {
		s.clock.Add(directory.CodeResendCooldown)
		box.fail = errors.New("smtp down")
		defer func() { box.fail = nil }()
		sent, err := eng.UpdateAttributes(ctx, pool, s.reload(t, u), map[string]string{"email": "ben@fourth.example", "nickname": "b"})
		if !errors.Is(err, auth.ErrDelivery) || len(sent) != 1 {
			t.Fatalf("%+v, %v", sent, err)
		}
		got := s.reload(t, u)
		if got.Attributes["nickname"] != "b" || got.Codes[directory.CodeVerifyEmail].Value != "ben@fourth.example" {
			t.Errorf("after a failed send: %v %v", got.Attributes, got.Codes)
		}
	})
}

func TestAdminConfirmAndReset(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} })
	client := s.client(t, pool, nil)
	res, err := eng.SignUp(ctx, auth.SignUpRequest{Pool: pool, Client: client, Username: "cal", Password: goodPassword,
		Attributes: map[string]string{"email": "cal@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	signUpCode, _, _ := box.lastCode(t)
	_, err = eng.AdminResetUserPassword(ctx, pool, "cal")
	wantErr(t, err, directory.KindInvalidParameter, "") // nothing verified yet
	u, err := eng.AdminConfirmSignUp(ctx, pool, "cal")
	if err != nil || u.Status != storage.StatusConfirmed || u.Attributes["email_verified"] == "true" {
		t.Fatalf("AdminConfirmSignUp: %v, %v", u, err)
	}
	if _, ok := s.reload(t, res.User).Codes[directory.CodeSignUp]; ok {
		t.Errorf("the sign-up code outlived the confirmation")
	}
	_, err = eng.ConfirmSignUp(ctx, pool, client, "cal", signUpCode, "")
	wantErr(t, err, directory.KindNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED")
	_, err = eng.AdminConfirmSignUp(ctx, pool, "cal")
	if !errors.Is(err, auth.ErrCannotConfirm) {
		t.Fatalf("second AdminConfirmSignUp: %v", err)
	}
	temp := s.user(t, pool, directory.NewUser{Username: "tmp", Temporary: true})
	_, err = eng.AdminConfirmSignUp(ctx, pool, temp.Username)
	wantErr(t, err, directory.KindNotAuthorized, "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
	if !errors.Is(err, auth.ErrCannotConfirm) {
		t.Errorf("errors.Is(%v, ErrCannotConfirm) = false", err)
	}

	v := verifiedUser(t, s, pool, "vic")
	d, err := eng.AdminResetUserPassword(ctx, pool, "vic")
	if err != nil || d.Destination != "v***@e***.com" {
		t.Fatalf("AdminResetUserPassword: %+v, %v", d, err)
	}
	code, _, _ := box.lastCode(t)
	if got := s.reload(t, v); got.Status != storage.StatusResetRequired {
		t.Fatalf("status %s", got.Status)
	}
	_, err = s.signIn(pool, client, "vic", goodPassword)
	wantErr(t, err, directory.KindPasswordResetRequired, "")
	if err := eng.ConfirmForgotPassword(ctx, pool, client, "vic", code, "Brand-New-1!", ""); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, v); got.Status != storage.StatusConfirmed {
		t.Fatalf("status after the reset %s", got.Status)
	}
	_, err = eng.AdminResetUserPassword(ctx, pool, "nobody")
	wantErr(t, err, directory.KindUserNotFound, "")
	_, err = eng.AdminResetUserPassword(ctx, pool, "tmp")
	wantErr(t, err, directory.KindNotAuthorized, "User password cannot be reset in the current state.")
}

func TestUnconfirmedUserWithVerifiedAddressResets(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "una", Status: storage.StatusUnconfirmed,
		Attributes: map[string]string{"email": "una@example.com", "email_verified": "true"}})
	if _, err := eng.ForgotPassword(ctx, pool, client, "una", ""); err != nil {
		t.Fatal(err)
	}
	code, _, _ := box.lastCode(t)
	if err := eng.ConfirmForgotPassword(ctx, pool, client, "una", code, "Brand-New-1!", ""); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, u); got.Status != storage.StatusConfirmed {
		t.Fatalf("status %s", got.Status)
	}
}

func TestConfirmSignUpForceAlias(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.AliasAttributes = []string{"email"}
		p.AutoVerifiedAttributes = []string{"email"}
	})
	client := s.client(t, pool, nil)
	first := s.user(t, pool, directory.NewUser{Username: "first", Attributes: map[string]string{"email": "x@example.com", "email_verified": "true"}})
	if _, err := eng.SignUp(ctx, auth.SignUpRequest{Pool: pool, Client: client, Username: "second", Password: goodPassword,
		Attributes: map[string]string{"email": "x@example.com"}}); err != nil {
		t.Fatal(err)
	}
	code, _, _ := box.lastCode(t)
	_, err := eng.ConfirmSignUp(ctx, pool, client, "second", code, "")
	wantErr(t, err, directory.KindAliasExists, "")
	u, err := eng.ConfirmSignUpWith(ctx, auth.ConfirmSignUpRequest{Pool: pool, Client: client, Username: "second", Code: code,
		ForceAliasCreation: true})
	if err != nil || u.Status != storage.StatusConfirmed {
		t.Fatalf("ConfirmSignUpWith: %v, %v", u, err)
	}
	if got := s.reload(t, first); got.Attributes["email_verified"] != "false" || got.EmailKey != "" {
		t.Errorf("first user keeps the alias: %v", got.Attributes)
	}
	found, err := s.dir.FindUser(ctx, pool, "x@example.com")
	if err != nil || found.Username != "second" {
		t.Errorf("the alias finds %v, %v", found, err)
	}
}

func TestSignUpWriteAttributes(t *testing.T) {
	s, eng, _ := accountStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.WriteAttributes = []string{"email"} })
	_, err := eng.SignUp(context.Background(), auth.SignUpRequest{Pool: pool, Client: client, Username: "w", Password: goodPassword,
		Attributes: map[string]string{"email": "w@example.com", "given_name": "W"}})
	wantErr(t, err, directory.KindNotAuthorized, "A client attempted to write unauthorized attribute")
}

func TestSendInvitation(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.Messages = map[string]string{"InviteMessageTemplate.EmailMessage": "<p>Hi {username}: <b>{####}</b></p>",
			"InviteMessageTemplate.EmailSubject": "Join us"}
	})
	u := s.user(t, pool, directory.NewUser{Username: "ida", Temporary: true,
		Attributes: map[string]string{"email": "ida@example.com", "phone_number": "+15555550111"}})
	if err := eng.SendInvitation(ctx, pool, u, "Tmp<1>&Pass", []string{"EMAIL", "SMS"}); err != nil {
		t.Fatal(err)
	}
	if box.count() != 2 {
		t.Fatalf("%d messages", box.count())
	}
	m, sms := box.mail[0], box.sms[0]
	if m.To != "ida@example.com" || m.Subject != "Join us" || m.Text != "Hi ida: Tmp<1>&Pass" ||
		!strings.Contains(m.HTML, "<p>Hi ida: <b>Tmp&lt;1&gt;&amp;Pass</b></p>") {
		t.Errorf("mail %+v", m)
	}
	if sms.PhoneNumber != "+15555550111" || sms.Text != "Your username is ida and temporary password is Tmp<1>&Pass. " {
		t.Errorf("SMS %+v", sms)
	}

	// The default medium is SMS, and a user without a phone gets nothing.
	bare := s.user(t, pool, directory.NewUser{Username: "bare", Temporary: true, Attributes: map[string]string{"email": "b@example.com"}})
	if err := eng.SendInvitation(ctx, pool, bare, "x", nil); err != nil || box.count() != 2 {
		t.Fatalf("default medium: %v, %d sent", err, box.count())
	}
	tests := []struct {
		attrs   map[string]string
		mediums []string
		msg     string
	}{
		{map[string]string{"phone_number": "+15555550111"}, []string{"EMAIL"}, "No email provided but desired delivery medium was Email"},
		{map[string]string{"email": "a@example.com"}, []string{"SMS"}, "No phone_number provided but desired delivery medium was Sms"},
		{map[string]string{"email": "a@example.com"}, []string{"EMAIL", "SMS"}, "No phone_number provided but desired delivery medium was Sms"},
	}
	for _, tt := range tests {
		wantErr(t, auth.CheckInvitation(pool, "a", tt.attrs, tt.mediums), directory.KindInvalidParameter, tt.msg)
	}
	emailPool := s.pool(t, func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} })
	wantErr(t, auth.CheckInvitation(emailPool, "a@example.com", nil, []string{"EMAIL"}), 0, "")

	box.fail = errors.New("smtp down")
	err := eng.SendInvitation(ctx, pool, u, "x", []string{"EMAIL"})
	if !errors.Is(err, auth.ErrDelivery) || directory.KindOf(err) != directory.KindCodeDeliveryFailure {
		t.Fatalf("failed send: %v", err)
	}
}
