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

// MessageRule is Cognito's constraint on one of a pool's messages (API
// Reference, VerificationMessageTemplateType, MessageTemplateType): its
// length in characters and the placeholders it must hold ("{##" stands for
// a link placeholder {##text##}).
type MessageRule struct {
	Min, Max int
	Must     []string
}

// MessageRuleFor is the rule of the message key; ok is false for
// DefaultEmailOption, which is an enum, and for keys that are no message.
// ValidateMessage applies it; the Cognito API phrases its refusals itself.
func MessageRuleFor(key string) (r MessageRule, ok bool) {
	r, ok = messageRules[key]
	return r, ok
}

var messageRules = map[string]MessageRule{
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
	if n := len([]rune(value)); n < r.Min || n > r.Max {
		return newErr(KindInvalidParameter, "must be %d to %d characters", r.Min, r.Max)
	}
	for _, p := range r.Must {
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
