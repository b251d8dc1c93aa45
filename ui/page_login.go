package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/templates"
)

// loginView is the sign-in form of the request's flow.
func (u *UI) loginView(rq *request, username string) templates.LoginView {
	v := templates.LoginView{Page: u.page(rq, "login.title"), Action: rq.r.URL.RequestURI(),
		Username: usernameField(rq, username), Password: passwordField(rq, "password", "password", false),
		ForgotURL: rq.pageURL("forgotPassword", nil)}
	if username == "" {
		v.Username.Autofocus = true
	}
	if u.routesByDomain(rq) {
		v.Password.Required = false
	}
	if !rq.pool.AllowAdminCreateUserOnly {
		v.SignUpURL = rq.pageURL("signup", nil)
	}
	// One button per identity provider the client allows besides the
	// pool's own users: /oauth2/authorize with identity_provider (CONTRACT).
	for _, name := range rq.client.SupportedIdentityProviders {
		if name == "COGNITO" {
			continue
		}
		q := url.Values{}
		for k, vs := range rq.areq.Form {
			if k != "screen_hint" && k != "identity_provider" && k != "idp_identifier" {
				q[k] = vs
			}
		}
		q.Set("identity_provider", name)
		v.Providers = append(v.Providers, templates.Link{Text: rq.T("login.with_provider", "provider", providerLabel(name)),
			URL: rq.issuerPath() + "/oauth2/authorize?" + q.Encode(), TestID: "idp-" + name})
	}
	return v
}

// loginPage shows the form. Without a parked request it forwards the
// query to /oauth2/authorize, as Cognito's /login takes the same
// parameters.
func (u *UI) loginPage(rq *request) {
	if !u.flow(rq, "login") {
		return
	}
	v := u.loginView(rq, rq.r.URL.Query().Get("username"))
	if n := rq.r.URL.Query().Get("notice"); n != "" && noticeKeys[n] {
		v.Notice = rq.T("notice." + n)
	}
	u.render(rq, http.StatusOK, templates.LoginPage(v))
}

// noticeKeys are the confirmations another page may ask the sign-in page
// to show (notice=…).
var noticeKeys = map[string]bool{"password_reset": true, "confirmed": true, "signed_out": true}

// loginSubmit runs the sign-in (or the new-password step) through the
// engine, then finishes the flow.
func (u *UI) loginSubmit(rq *request) {
	if !u.readForm(rq) || !u.flow(rq, "login") {
		return
	}
	// A sign-in's event waits for signedIn's transaction.
	rq.r = rq.r.WithContext(auth.DeferEvent(rq.r.Context()))
	defer u.cfg.Engine.FlushEvent(rq.r.Context())
	form := rq.r.PostForm
	username := strings.TrimSpace(form.Get("username"))
	session := form.Get("session")
	if !u.csrfOK(rq) {
		if session != "" {
			u.renderNewPassword(rq, http.StatusForbidden, session, username, rq.T("error.csrf"), nil)
			return
		}
		u.renderLogin(rq, http.StatusForbidden, username, rq.T("error.csrf"))
		return
	}
	if ok, _ := u.allowAll(rq, "signin", username, u.lim.SignInPerIP, u.lim.SignInPerUser); !ok {
		if session != "" {
			u.renderNewPassword(rq, http.StatusTooManyRequests, session, username, rq.T("error.locked"), nil)
			return
		}
		u.renderLogin(rq, http.StatusTooManyRequests, username, rq.T("error.locked"))
		return
	}
	if session != "" {
		u.newPasswordSubmit(rq, session, username)
		return
	}
	if u.routeByDomain(rq, username) {
		return
	}
	step, err := u.cfg.Engine.Start(rq.r.Context(), auth.Request{Pool: rq.pool, Client: rq.client, Flow: auth.FlowHostedUI,
		Params: map[string]string{"USERNAME": username, "PASSWORD": form.Get("password")}, IP: clientIP(rq.r)})
	if err != nil {
		u.loginFailed(rq, username, err)
		return
	}
	u.afterStep(rq, username, step)
}

// loginFailed answers a refused sign-in. The engine tells an unconfirmed
// user or one who must reset their password so only after the right
// password: they go on to confirm (with a fresh code, and signed in once
// confirmed, as after sign-up) or to reset.
func (u *UI) loginFailed(rq *request, username string, err error) {
	if !expected(err) {
		u.serverError(rq, err)
		return
	}
	switch directory.KindOf(err) {
	case directory.KindUserNotConfirmed:
		if user, ferr := u.cfg.Dir.FindUser(rq.r.Context(), rq.pool, username); ferr == nil {
			st := signupState{Sub: user.Sub}
			if d, rerr := u.cfg.Engine.ResendConfirmationCode(rq.r.Context(), rq.pool, rq.client, username, clientIP(rq.r)); rerr == nil {
				st.Destination, st.SentAt = d.Destination, u.cfg.Now()
			}
			u.setSignupCookie(rq, st)
			http.Redirect(rq.w, rq.r, rq.pageURL("confirmUser", url.Values{"username": {username}}), http.StatusSeeOther)
			return
		}
	case directory.KindPasswordResetRequired:
		u.sendResetCode(rq, username, false, rq.T("error.reset_required"))
		return
	}
	u.renderLogin(rq, http.StatusBadRequest, username, rq.T(errorKey(err)))
}

func (u *UI) renderLogin(rq *request, status int, username, msg string) {
	v := u.loginView(rq, username)
	v.Error = msg
	if msg != "" {
		v.Username.DescribedBy = append(v.Username.DescribedBy, "form-error")
		v.Password.DescribedBy = append(v.Password.DescribedBy, "form-error")
		v.Password.Autofocus = true
	}
	u.render(rq, status, templates.LoginPage(v))
}

// afterStep goes on from an engine step: a challenge page, or done.
func (u *UI) afterStep(rq *request, username string, step *auth.Step) {
	switch {
	case step.Done != nil:
		u.signedIn(rq, step.Done)
	case step.Challenge == auth.ChallengeNewPasswordRequired:
		var required []string
		json.Unmarshal([]byte(step.ChallengeParams["requiredAttributes"]), &required)
		for i, name := range required {
			required[i] = strings.TrimPrefix(name, "userAttributes.")
		}
		u.renderNewPassword(rq, http.StatusOK, step.Session, username, "", required)
	default:
		u.serverError(rq, errUnsupportedChallenge(step.Challenge))
	}
}

type errUnsupportedChallenge string

func (e errUnsupportedChallenge) Error() string {
	return "ui: the hosted UI cannot answer challenge " + string(e)
}

// newPasswordSubmit answers NEW_PASSWORD_REQUIRED with the new password and
// the missing required attributes.
func (u *UI) newPasswordSubmit(rq *request, session, username string) {
	form := rq.r.PostForm
	password := form.Get("password")
	responses := map[string]string{"USERNAME": username, "NEW_PASSWORD": password}
	// The attributes asked for are the required ones the form carries.
	var required []string
	for _, name := range directory.RequiredAttributes(rq.pool) {
		if _, ok := form[name]; ok {
			required = append(required, name)
		}
	}
	fieldErrs := map[string]string{}
	for _, name := range required {
		a, _ := schemaAttribute(rq, name)
		v := attributeValue(a, form)
		if msg := checkAttribute(rq, a, v); msg != "" {
			fieldErrs[name] = msg
		}
		responses["userAttributes."+name] = v
	}
	if len(fieldErrs) > 0 {
		u.renderNewPasswordErrors(rq, http.StatusBadRequest, session, username, rq.T("error.check_fields"), required, fieldErrs, nil)
		return
	}
	step, err := u.cfg.Engine.Respond(rq.r.Context(), rq.pool, rq.client, auth.ChallengeNewPasswordRequired, session, responses, clientIP(rq.r))
	if err != nil {
		if !expected(err) {
			u.serverError(rq, err)
			return
		}
		if errorKey(err) == "error.session_expired" {
			// The challenge is gone (expired or used): sign in again.
			u.renderLogin(rq, http.StatusBadRequest, username, rq.T("error.session_expired"))
			return
		}
		var failed []string
		if directory.KindOf(err) == directory.KindInvalidPassword {
			failed = directory.UnmetPasswordRules(rq.pool.PasswordPolicy, password)
		}
		u.renderNewPasswordErrors(rq, http.StatusBadRequest, session, username, rq.T(errorKey(err)), required, nil, failed)
		return
	}
	u.afterStep(rq, username, step)
}

func (u *UI) renderNewPassword(rq *request, status int, session, username, msg string, required []string) {
	u.renderNewPasswordErrors(rq, status, session, username, msg, required, nil, nil)
}

// renderNewPasswordErrors shows the new-password step; required are the
// attributes to ask for (on a re-render, the ones the form had).
func (u *UI) renderNewPasswordErrors(rq *request, status int, session, username, msg string, required []string, fieldErrs map[string]string, failed []string) {
	v := templates.NewPasswordView{Page: u.page(rq, "newpassword.title"), Action: rq.r.URL.RequestURI(), Session: session,
		Username: username, Password: passwordField(rq, "password", "password", true), Rules: passwordRules(rq, failed), Error: msg}
	v.Password.Autofocus = true
	if msg != "" {
		v.Password.DescribedBy = append(v.Password.DescribedBy, "form-error")
	}
	if len(failed) > 0 {
		v.Password.Error = rq.T("error.password_policy")
	}
	for _, name := range required {
		a, ok := schemaAttribute(rq, name)
		if !ok {
			continue
		}
		f := attributeField(rq, a, attributeValue(a, rq.r.PostForm))
		f.Required = true
		f.Error = fieldErrs[name]
		v.Attributes = append(v.Attributes, f)
	}
	u.render(rq, status, templates.NewPasswordPage(v))
}

// schemaAttribute finds an attribute of the pool's schema.
func schemaAttribute(rq *request, name string) (storage.SchemaAttribute, bool) {
	for _, s := range rq.pool.Schema {
		if s.Name == name {
			return s, true
		}
	}
	return storage.SchemaAttribute{Name: name, AttributeDataType: "String"}, false
}
