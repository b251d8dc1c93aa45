package directory

import (
	"strings"
)

// Keys of storage.Pool.Messages: Cognito's member names, the verification
// ones as CreateUserPool's flat members (VerificationMessageTemplate's
// EmailMessage, EmailSubject and SmsMessage are the same messages).
const (
	MsgEmailVerification        = "EmailVerificationMessage"
	MsgEmailVerificationSubject = "EmailVerificationSubject"
	MsgSmsVerification          = "SmsVerificationMessage"
	MsgSmsAuthentication        = "SmsAuthenticationMessage"
	MsgEmailByLink              = "EmailMessageByLink"
	MsgEmailSubjectByLink       = "EmailSubjectByLink"
	MsgDefaultEmailOption       = "DefaultEmailOption"
	MsgInviteEmail              = "InviteMessageTemplate.EmailMessage"
	MsgInviteEmailSubject       = "InviteMessageTemplate.EmailSubject"
	MsgInviteSMS                = "InviteMessageTemplate.SMSMessage"
)

// messageRules are Cognito's constraints on each message (API Reference,
// VerificationMessageTemplateType, MessageTemplateType): lengths in
// characters and the placeholders it must hold.
var messageRules = map[string]struct {
	min, max int
	must     []string
}{
	MsgEmailVerification:        {6, 20000, []string{"{####}"}},
	MsgEmailVerificationSubject: {1, 140, nil},
	MsgSmsVerification:          {6, 140, []string{"{####}"}},
	MsgSmsAuthentication:        {6, 140, []string{"{####}"}},
	MsgEmailByLink:              {6, 20000, []string{"{##"}},
	MsgEmailSubjectByLink:       {1, 140, nil},
	MsgInviteEmail:              {6, 20000, []string{"{username}", "{####}"}},
	MsgInviteEmailSubject:       {1, 140, nil},
	MsgInviteSMS:                {6, 140, []string{"{username}", "{####}"}},
}

// ValidateMessage checks one of a pool's messages, by its key, against
// Cognito's rules; the error is a sentence without the key, for the
// caller to place.
func ValidateMessage(key, value string) error {
	if key == MsgDefaultEmailOption {
		if value != "CONFIRM_WITH_CODE" && value != "CONFIRM_WITH_LINK" {
			return newErr(KindInvalidParameter, "%q is not one of CONFIRM_WITH_CODE, CONFIRM_WITH_LINK", value)
		}
		return nil
	}
	r, ok := messageRules[key]
	if !ok {
		return newErr(KindInvalidParameter, "%q is not a message of a user pool", key)
	}
	if n := len([]rune(value)); n < r.min || n > r.max {
		return newErr(KindInvalidParameter, "must be %d to %d characters", r.min, r.max)
	}
	for _, p := range r.must {
		if !strings.Contains(value, p) {
			if p == "{##" {
				p = "a link placeholder {##text##}"
			}
			return newErr(KindInvalidParameter, "must contain %s", p)
		}
	}
	if strings.ContainsAny(value, "\r\n") && strings.Contains(key, "Subject") {
		return newErr(KindInvalidParameter, "must be one line")
	}
	return nil
}
