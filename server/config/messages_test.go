package config

import (
	"maps"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
)

const messagesFile = `pools:
  - name: acme
    id: us-east-1_Msgs00001
    sms_authentication_message: "Your Acme sign-in code is {####}."
    verification_message_template:
      default_email_option: CONFIRM_WITH_CODE
      email_subject: Your Acme code
      email_message: "<p>Welcome to Acme. Your code is <b>{####}</b>.</p>"
      email_subject_by_link: Verify your Acme address
      email_message_by_link: "Open {##this link##} to verify."
      sms_message: "Acme code: {####}"
    invite_message_template:
      email_subject: Welcome to Acme
      email_message: "Hello {username}, your temporary password is {####}."
      sms_message: "Acme: user {username}, password {####}"
`

// TestMessagesParse: the file's message templates land in the pool's
// Messages under Cognito's names.
func TestMessagesParse(t *testing.T) {
	f := mustParse(t, messagesFile)
	got := f.Pools[0].storagePool().Messages
	want := map[string]string{
		directory.MsgSmsAuthentication:        "Your Acme sign-in code is {####}.",
		directory.MsgDefaultEmailOption:       "CONFIRM_WITH_CODE",
		directory.MsgEmailVerificationSubject: "Your Acme code",
		directory.MsgEmailVerification:        "<p>Welcome to Acme. Your code is <b>{####}</b>.</p>",
		directory.MsgEmailSubjectByLink:       "Verify your Acme address",
		directory.MsgEmailByLink:              "Open {##this link##} to verify.",
		directory.MsgSmsVerification:          "Acme code: {####}",
		directory.MsgInviteEmailSubject:       "Welcome to Acme",
		directory.MsgInviteEmail:              "Hello {username}, your temporary password is {####}.",
		directory.MsgInviteSMS:                "Acme: user {username}, password {####}",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("Messages\n%v\nwant\n%v", got, want)
	}
	if m := mustParse(t, "pools:\n  - name: plain\n").Pools[0].storagePool().Messages; m != nil {
		t.Fatalf("no templates: Messages %v", m)
	}
}

// TestMessagesParseErrors: a bad template is refused with its line and
// field.
func TestMessagesParseErrors(t *testing.T) {
	wantParseErrors(t, []parseErrorCase{
		{"code placeholder missing", "pools:\n  - name: a\n    verification_message_template:\n      email_message: Welcome aboard\n",
			4, "pools[0].verification_message_template.email_message: must contain {####}"},
		{"link placeholder missing", "pools:\n  - name: a\n    verification_message_template:\n      email_message_by_link: Click here to verify\n",
			4, "pools[0].verification_message_template.email_message_by_link: must contain a link placeholder {##text##}"},
		{"invitation without the user name", "pools:\n  - name: a\n    invite_message_template:\n      email_message: \"Password {####}\"\n",
			4, "pools[0].invite_message_template.email_message: must contain {username}"},
		{"SMS too long", "pools:\n  - name: a\n    verification_message_template:\n      sms_message: \"{####}" + strings.Repeat("x", 140) + "\"\n",
			4, "pools[0].verification_message_template.sms_message: must be 6 to 140 characters"},
		{"subject too long", "pools:\n  - name: a\n    invite_message_template:\n      email_subject: " + strings.Repeat("s", 141) + "\n",
			4, "pools[0].invite_message_template.email_subject: must be 1 to 140 characters"},
		{"bad option", "pools:\n  - name: a\n    verification_message_template:\n      default_email_option: CONFIRM_WITH_PIGEON\n",
			4, `pools[0].verification_message_template.default_email_option: "CONFIRM_WITH_PIGEON" is not one of CONFIRM_WITH_CODE, CONFIRM_WITH_LINK`},
		{"unknown field", "pools:\n  - name: a\n    verification_message_template:\n      email_body: x\n",
			4, `pools[0].verification_message_template.email_body: unknown field "email_body"`},
		{"Cognito's name at the wrong level", "pools:\n  - name: a\n    invite_message_template:\n      SMSMessage: x\n",
			4, `did you mean "sms_message"?`},
	})
}

// TestMessagesApply: applied, stored with the pool; applied again,
// nothing written; changed, updated; left out, back to Cognito's defaults.
func TestMessagesApply(t *testing.T) {
	e := newTestEnv(t)
	f := mustParse(t, messagesFile)
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 1, 0, 0)
	pool, err := e.dir.GetPool(t.Context(), "us-east-1_Msgs00001")
	if err != nil || !maps.Equal(pool.Messages, f.Pools[0].storagePool().Messages) {
		t.Fatalf("stored %v %v", pool.Messages, err)
	}
	before := e.dump(t)
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 0, 0, 1)
	if e.dump(t) != before {
		t.Fatal("applying the same templates again wrote something")
	}
	changed := mustParse(t, strings.Replace(messagesFile, "Your Acme code\n", "Your new Acme code\n", 1))
	wantCounts(t, mustApply(t, e, changed, ApplyOptions{}), 0, 1, 0)
	if pool, _ = e.dir.GetPool(t.Context(), pool.ID); pool.Messages[directory.MsgEmailVerificationSubject] != "Your new Acme code" {
		t.Fatalf("after the change %v", pool.Messages)
	}
	bare := mustParse(t, "pools:\n  - name: acme\n    id: us-east-1_Msgs00001\n")
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 1, 0)
	if pool, _ = e.dir.GetPool(t.Context(), pool.ID); len(pool.Messages) != 0 {
		t.Fatalf("templates left after removal: %v", pool.Messages)
	}
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 0, 1)
}
