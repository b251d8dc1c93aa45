package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/templates"
)

// signUpAttributes are the attributes the sign-up form asks for: the
// pool's required ones and those it verifies by code (without them no code
// could be sent), less the one that is the username.
func signUpAttributes(pool *storage.Pool) []storage.SchemaAttribute {
	var out []storage.SchemaAttribute
	for _, a := range pool.Schema {
		if a.Name == "sub" || a.DeveloperOnlyAttribute {
			continue
		}
		if !a.Required && !slices.Contains(pool.AutoVerifiedAttributes, a.Name) {
			continue
		}
		if a.Name == "email" && directory.UsesEmailAsUsername(pool) || a.Name == "phone_number" && directory.UsesPhoneAsUsername(pool) {
			continue
		}
		a.Required = true
		out = append(out, a)
	}
	return out
}

// signUpView is the sign-up form, filled from form (nil: empty).
func (u *UI) signUpView(rq *request, form url.Values) templates.SignUpView {
	v := templates.SignUpView{Page: u.page(rq, "signup.title"), Action: rq.r.URL.RequestURI(),
		Password: passwordField(rq, "password", "password", true), Rules: passwordRules(rq, nil),
		SignInURL: rq.pageURL("login", nil)}
	name := usernameField(rq, form.Get("username"))
	name.Autofocus = true
	if len(rq.pool.UsernameAttributes) == 0 {
		name.Hint = rq.T("field.username.hint")
	}
	v.Fields = append(v.Fields, name)
	for _, a := range signUpAttributes(rq.pool) {
		value := ""
		if form != nil {
			value = attributeValue(a, form)
		}
		v.Fields = append(v.Fields, attributeField(rq, a, value))
	}
	return v
}

func (u *UI) signUpPage(rq *request) {
	if !u.flow(rq, "signup") {
		return
	}
	if rq.pool.AllowAdminCreateUserOnly {
		u.message(rq, http.StatusForbidden, rq.T("signup.title"), rq.T("error.signup_disabled"), true, "",
			templates.Link{Text: rq.T("common.back_to_signin"), URL: rq.pageURL("login", nil), TestID: "signin-link"})
		return
	}
	u.render(rq, http.StatusOK, templates.SignUpPage(u.signUpView(rq, nil)))
}

func (u *UI) signUpSubmit(rq *request) {
	if !u.readForm(rq) || !u.flow(rq, "signup") {
		return
	}
	if rq.pool.AllowAdminCreateUserOnly {
		u.message(rq, http.StatusForbidden, rq.T("signup.title"), rq.T("error.signup_disabled"), true, "")
		return
	}
	form := rq.r.PostForm
	username := strings.TrimSpace(form.Get("username"))
	v := u.signUpView(rq, form)
	fail := func(status int, msg string) {
		v.Error = msg
		u.render(rq, status, templates.SignUpPage(v))
	}
	if !u.csrfOK(rq) {
		fail(http.StatusForbidden, rq.T("error.csrf"))
		return
	}
	// Each field's own error, checked as the directory will check it, so
	// that the page can tie a translated error to the field.
	fieldErr := map[string]string{}
	if username == "" {
		fieldErr["username"] = rq.T("error.field_required")
	}
	attrs := map[string]string{}
	for _, a := range signUpAttributes(rq.pool) {
		value := attributeValue(a, form)
		if msg := checkAttribute(rq, a, value); msg != "" {
			fieldErr[a.Name] = msg
		}
		if value != "" {
			attrs[a.Name] = value
		}
	}
	password := form.Get("password")
	if failed := directory.UnmetPasswordRules(rq.pool.PasswordPolicy, password); len(failed) > 0 || password == "" {
		v.Rules = passwordRules(rq, failed)
		fieldErr["password"] = rq.T("error.password_policy")
	}
	if len(fieldErr) > 0 {
		setFieldErrors(&v, fieldErr)
		fail(http.StatusBadRequest, rq.T("error.check_fields"))
		return
	}
	if ok, _ := u.allowAll(rq, "code", username, u.lim.CodesPerIP, u.lim.CodesPerUser); !ok {
		fail(http.StatusTooManyRequests, rq.T("error.too_many"))
		return
	}
	res, err := u.cfg.Engine.SignUp(rq.r.Context(), auth.SignUpRequest{Pool: rq.pool, Client: rq.client, Username: username,
		Password: password, Attributes: attrs, IP: clientIP(rq.r)})
	if err != nil && (res == nil || !errors.Is(err, auth.ErrDelivery)) {
		if !expected(err) {
			u.serverError(rq, err)
			return
		}
		switch directory.KindOf(err) {
		case directory.KindUsernameExists:
			setFieldErrors(&v, map[string]string{"username": rq.T("error.username_exists")})
		case directory.KindAliasExists:
			setFieldErrors(&v, map[string]string{"email": rq.T("error.alias_exists"), "phone_number": rq.T("error.alias_exists")})
		case directory.KindInvalidPassword:
			v.Rules = passwordRules(rq, directory.UnmetPasswordRules(rq.pool.PasswordPolicy, password))
			setFieldErrors(&v, map[string]string{"password": rq.T("error.password_policy")})
		case directory.KindInvalidParameter:
			if strings.Contains(err.Error(), "'username'") || strings.Contains(err.Error(), "Username") {
				setFieldErrors(&v, map[string]string{"username": rq.T("error.username_invalid")})
			}
		}
		fail(http.StatusBadRequest, rq.T(errorKey(err)))
		return
	}
	if res.Delivery == nil {
		u.message(rq, http.StatusOK, rq.T("signup.title"), rq.T("signup.no_delivery"), false, "",
			templates.Link{Text: rq.T("common.back_to_signin"), URL: rq.pageURL("login", nil), TestID: "signin-link"})
		return
	}
	u.setSignupCookie(rq, signupState{Sub: res.User.Sub, Destination: res.Delivery.Destination, SentAt: u.cfg.Now()})
	q := url.Values{"username": {username}}
	if err != nil {
		// The user exists but the code did not go out: the confirmation
		// page says so and offers to send it again.
		q.Set("error", "delivery")
	}
	http.Redirect(rq.w, rq.r, rq.pageURL("confirmUser", q), http.StatusSeeOther)
}

// setFieldErrors ties errors to the sign-up form's fields by name.
func setFieldErrors(v *templates.SignUpView, errs map[string]string) {
	for i := range v.Fields {
		if msg, ok := errs[v.Fields[i].Name]; ok {
			v.Fields[i].Error = msg
		}
	}
	if msg, ok := errs["password"]; ok {
		v.Password.Error = msg
	}
}

// ---- the sign-up cookie ----

// signupCookie lets the confirmation of a sign-up, in the browser that
// signed up, sign the new user in (Cognito's hosted UI does so): whoever
// holds it chose the password. It lives as long as the code.
const signupCookie = "gatehouse_signup"

const signupCookieLifetime = directory.SignUpCodeLifetime

// signupState is what the sign-up cookie carries.
type signupState struct {
	Sub string `json:"s"`
	// Destination is where the code went (masked), for the page to say.
	Destination string    `json:"d,omitempty"`
	SentAt      time.Time `json:"t"`
}

func (u *UI) setSignupCookie(rq *request, st signupState) {
	value, err := u.signup.Encode(signupCookie+rq.pool.ID, st)
	if err != nil {
		u.cfg.Logger.Warn("ui: signup cookie", "err", err)
		return
	}
	http.SetCookie(rq.w, &http.Cookie{Name: signupCookie, Value: value, Path: rq.issuerPath(),
		MaxAge: int(signupCookieLifetime / time.Second), HttpOnly: true, Secure: u.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// signupCookieState reads the sign-up cookie; ok is false without one.
func (u *UI) signupCookieState(rq *request) (signupState, bool) {
	var st signupState
	c, err := rq.r.Cookie(signupCookie)
	if err != nil || u.signup.Decode(signupCookie+rq.pool.ID, c.Value, &st) != nil {
		return st, false
	}
	return st, true
}

func (u *UI) clearSignupCookie(rq *request) {
	http.SetCookie(rq.w, &http.Cookie{Name: signupCookie, Value: "", Path: rq.issuerPath(), MaxAge: -1,
		HttpOnly: true, Secure: u.cfg.Secure, SameSite: http.SameSiteLaxMode})
}
