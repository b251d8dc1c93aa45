// Package notify delivers Gatehouse's messages to people: mail over SMTP,
// SMS through a webhook, Cognito-style message templates, and in dev mode an
// outbox page at /_dev/mail.
//
// A Notifier is built once from Config and shared:
//
//	SendMail(ctx, Message)  SMTPURL set  → SMTP (smtp:// with STARTTLS when
//	                                       offered, smtps:// implicit TLS)
//	                        otherwise    → the log (masked recipient, subject,
//	                                       size) and, in dev, the outbox
//	SendSMS(ctx, SMS)       SMSWebhookURL set → POST {"phone_number", "message"}
//	                        otherwise         → the log and, in dev, the outbox
//
// Neither path ever logs a message body: bodies carry codes and temporary
// passwords. Subjects are logged, which is why Template.Mail substitutes
// placeholders in bodies only, as Cognito does.
//
// Errors: a message the caller got wrong (a line break in a header, an
// address that does not parse) wraps ErrInvalidMessage; anything the mail
// server or webhook refused or failed at wraps ErrDelivery, with the
// *textproto.Error of an SMTP reply reachable through errors.As. The API
// front maps ErrDelivery to CodeDeliveryFailureException.
//
// Templates follow Cognito's placeholders (Developer Guide, "Message
// templates"): {####} for the code or temporary password, {username}, and
// {##label##} for a verification link. Render is for text bodies and SMS,
// RenderHTML escapes the values for HTML bodies. Mask shortens a destination
// the way Cognito's CodeDeliveryDetails.Destination does.
//
// Package notifytest holds the fakes tests use: a recording SMTP server and
// an SMS webhook sink.
package notify
