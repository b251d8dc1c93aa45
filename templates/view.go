// Package templates holds the hosted UI's pages as templ components: one
// .templ file per page, a layout and shared components. Each page takes a
// view struct that the handlers in ui fill; the package imports nothing of
// Gatehouse, only templ, so pages are rendered the same from any front.
//
// Stable hooks for scripts and tests: form fields are named as CONTRACT.md
// says (username, password, code, attribute names), the CSRF field is a
// hidden input, errors are in role="alert" (the form's error has id
// form-error, a field's error id {field}-error), and notable elements carry
// data-testid.
//
// Run `make generate` after editing a .templ file; the generated
// *_templ.go files are committed.
package templates

import "strings"

// Text looks up a message of the page's language. Args are name, value
// pairs that fill {name} placeholders.
type Text interface {
	T(key string, args ...any) string
}

// Page is what every page shares.
type Page struct {
	// Lang is the BCP 47 tag of the page's language (html lang).
	Lang string
	// Title is the page's own title, translated; the document title adds
	// the application's name.
	Title string
	Text  Text
	Brand Brand
	// StylesheetURL and ScriptURL are the embedded assets' hashed URLs.
	StylesheetURL, ScriptURL string
	// Languages link to this page in every language.
	Languages []Language
	// CSRFField and CSRF are the hidden field every form carries.
	CSRFField, CSRF string
	// Notice is a confirmation shown in role="status" (for example after
	// a password reset).
	Notice string
}

// T translates key.
func (p Page) T(key string, args ...any) string {
	if p.Text == nil {
		return key
	}
	return p.Text.T(key, args...)
}

// DocumentTitle is the <title>: the page, then the application.
func (p Page) DocumentTitle() string {
	if p.Brand.AppName == "" || p.Brand.AppName == p.Title {
		return p.Title
	}
	return p.Title + " – " + p.Brand.AppName
}

// Brand is the look of a pool or app client.
type Brand struct {
	// AppName names the application (the client's name) beside the logo.
	AppName string
	// LogoURL, FaviconURL and ThemeURL are same-origin URLs of the
	// branding's files; ThemeURL is a stylesheet of colour and font
	// overrides plus the custom CSS. Empty: the defaults.
	LogoURL, FaviconURL, ThemeURL string
	// ColorScheme is light, dark or auto (follow the device).
	ColorScheme string
}

// Theme is the data-theme value of the document.
func (b Brand) Theme() string {
	switch b.ColorScheme {
	case "dark", "auto":
		return b.ColorScheme
	}
	return "light"
}

// Language is a link to the current page in another language.
type Language struct {
	Tag, Name, URL string
	Current        bool
}

// Link is a labelled URL.
type Link struct {
	Text, URL string
	// TestID names the link for tests (data-testid).
	TestID string
}

// Field is one form input.
type Field struct {
	ID, Name, Label string
	// Type is the input type (text, email, tel, password, date, number,
	// url, checkbox).
	Type                    string
	Value                   string
	Autocomplete, InputMode string
	// Hint is help shown under the label; Error is this field's own error.
	Hint, Error string
	// DescribedBy are further element ids that describe the field (the
	// form's error, a rules list).
	DescribedBy []string
	Required    bool
	Autofocus   bool
	// Reveal adds a show/hide button (password fields, with script).
	Reveal                 bool
	Min, Max               string
	MinLength, MaxLength   string
	Pattern                string
	Spellcheck, Capitalize bool
	Class                  string
}

// describedBy is the aria-describedby value: hint, error, then the rest.
func (f Field) describedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	ids = append(ids, f.DescribedBy...)
	return strings.Join(ids, " ")
}

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

// Rule is one password rule, shown before submission and marked failed
// after the server refused the password for it.
type Rule struct {
	// Key is the rule's kind for the script: length, lower, upper,
	// number, symbol.
	Key    string
	Text   string
	Min    int
	Failed bool
}

// LoginView is the sign-in page.
type LoginView struct {
	Page
	Action             string
	Username, Password Field
	// Error is the form's error (role="alert"); it describes both fields.
	Error string
	// ForgotURL links to password recovery; SignUpURL to sign-up (empty
	// when only administrators create users).
	ForgotURL, SignUpURL string
	// Providers are the client's identity providers' sign-in links.
	Providers []Link
}

// NewPasswordView is the step for users who signed in with a temporary
// password: a new password and the required attributes not yet set.
type NewPasswordView struct {
	Page
	Action            string
	Session, Username string
	Password          Field
	Attributes        []Field
	Rules             []Rule
	Error             string
}

// SignUpView is the sign-up page.
type SignUpView struct {
	Page
	Action string
	// Fields are the username (unless the pool signs in by email or
	// phone, which is then the first attribute) and required attributes.
	Fields    []Field
	Password  Field
	Rules     []Rule
	Error     string
	SignInURL string
}

// ConfirmView is the confirm-sign-up page: the code sent at sign-up.
type ConfirmView struct {
	Page
	Action string
	// Username is a hidden field when known, else a visible one.
	Username      Field
	UsernameKnown bool
	Code          Field
	// Destination is where the code went (masked), when known.
	Destination string
	Error       string
	// ResendAction is where the resend form posts; ResendWait is the
	// cooldown left in seconds.
	ResendAction string
	ResendWait   int
	SignInURL    string
}

// ForgotView is the first step of a password reset: who.
type ForgotView struct {
	Page
	Action    string
	Username  Field
	Error     string
	SignInURL string
}

// ResetView is the second step of a password reset: the code and a new
// password.
type ResetView struct {
	Page
	Action       string
	Username     string
	Code         Field
	Password     Field
	Rules        []Rule
	Destination  string
	Error        string
	ResendAction string
	ResendWait   int
	SignInURL    string
}

// MessageView is a page that only tells something: an error that cannot
// go back to the application, or that the user signed out.
type MessageView struct {
	Page
	Heading string
	Message string
	// Alert shows Message in role="alert" (an error); otherwise it is a
	// role="status" message.
	Alert bool
	// Detail is technical detail for the app developer, shown folded.
	Detail string
	Links  []Link
}
