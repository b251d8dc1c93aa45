package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/templates"
)

// The password reset is one URL, /forgotPassword, in two steps: who
// (username), then the code that was sent and a new password (step=reset).
// With the client's PreventUserExistenceErrors ENABLED, an unknown user
// sees what a known one sees: the code step, then a code that is wrong.

func (u *UI) forgotView(rq *request, username string) templates.ForgotView {
	v := templates.ForgotView{Page: u.page(rq, "forgot.title"), Action: rq.pageURL("forgotPassword", nil),
		Username: usernameField(rq, username), SignInURL: rq.pageURL("login", nil)}
	v.Username.Autofocus = true
	return v
}

func (u *UI) resetView(rq *request, username, destination string) templates.ResetView {
	v := templates.ResetView{Page: u.page(rq, "reset.title"), Action: rq.pageURL("forgotPassword", nil), Username: username,
		Code: codeField(rq), Password: passwordField(rq, "password", "password", true), Rules: passwordRules(rq, nil),
		Destination: destination, ResendAction: rq.pageURL("forgotPassword", nil), SignInURL: rq.pageURL("login", nil)}
	v.Code.Autofocus = true
	return v
}

func (u *UI) forgotPage(rq *request) {
	if !u.flow(rq, "forgotPassword") {
		return
	}
	u.render(rq, http.StatusOK, templates.ForgotPage(u.forgotView(rq, strings.TrimSpace(rq.r.URL.Query().Get("username")))))
}

func (u *UI) forgotSubmit(rq *request) {
	if !u.readForm(rq) || !u.flow(rq, "forgotPassword") {
		return
	}
	form := rq.r.PostForm
	username := strings.TrimSpace(form.Get("username"))
	reset := form.Get("step") == "reset"
	if !u.csrfOK(rq) {
		if reset {
			v := u.resetView(rq, username, "")
			v.Error = rq.T("error.csrf")
			u.render(rq, http.StatusForbidden, templates.ResetPage(v))
			return
		}
		v := u.forgotView(rq, username)
		v.Error = rq.T("error.csrf")
		u.render(rq, http.StatusForbidden, templates.ForgotPage(v))
		return
	}
	if reset {
		u.resetSubmit(rq, username)
		return
	}
	u.sendResetCode(rq, username, form.Get("resend") != "", "")
}

// sendResetCode sends a code and shows the code step; resend keeps the
// user on the code step when something is refused. notice, when set, is
// shown on the code step (sign-in sends users here who must reset).
func (u *UI) sendResetCode(rq *request, username string, resend bool, notice string) {
	failForgot := func(status int, msg string) {
		if resend {
			v := u.resetView(rq, username, "")
			v.Error = msg
			u.render(rq, status, templates.ResetPage(v))
			return
		}
		v := u.forgotView(rq, username)
		v.Error = msg
		v.Username.Error = msg
		v.Username.DescribedBy = append(v.Username.DescribedBy, "form-error")
		u.render(rq, status, templates.ForgotPage(v))
	}
	if username == "" {
		failForgot(http.StatusBadRequest, rq.T("error.field_required"))
		return
	}
	if ok, _ := u.allowAll(rq, "code", username, u.lim.CodesPerIP, u.lim.CodesPerUser); !ok {
		failForgot(http.StatusTooManyRequests, rq.T("error.too_many"))
		return
	}
	d, err := u.cfg.Engine.ForgotPassword(rq.r.Context(), rq.pool, rq.client, username, clientIP(rq.r))
	var le *directory.CodeLimitError
	switch {
	case errors.As(err, &le):
		// A code went out a moment ago: the code step, with the wait. A
		// client that hides user existence never gets here: the engine
		// answers a known user's limit as a sent code, as for an unknown one.
		v := u.resetView(rq, username, "")
		v.ResendWait = int(le.Wait.Round(time.Second) / time.Second)
		v.Error = rq.T("error.cooldown", "seconds", v.ResendWait)
		u.render(rq, http.StatusTooManyRequests, templates.ResetPage(v))
		return
	case err != nil && !expected(err):
		u.serverError(rq, err)
		return
	case err != nil:
		key := errorKey(err)
		switch {
		case errors.Is(err, directory.ErrUserNotFound):
			key = "error.user_not_found"
		case errors.Is(err, auth.ErrNoRecoveryAddress):
			key = "error.no_recovery"
		case errors.Is(err, auth.ErrCannotReset):
			key = "error.cannot_reset"
		case errors.Is(err, auth.ErrDelivery):
			key = "error.delivery"
		}
		failForgot(http.StatusBadRequest, rq.T(key))
		return
	}
	v := u.resetView(rq, username, d.Destination)
	v.ResendWait = int(directory.CodeResendCooldown / time.Second)
	switch {
	case notice != "":
		v.Notice = notice
	case resend:
		v.Notice = rq.T("reset.resent")
	}
	u.render(rq, http.StatusOK, templates.ResetPage(v))
}

// resetSubmit sets the new password with the code.
func (u *UI) resetSubmit(rq *request, username string) {
	form := rq.r.PostForm
	password := form.Get("password")
	v := u.resetView(rq, username, "")
	fail := func(status int, msg string) {
		v.Error = msg
		u.render(rq, status, templates.ResetPage(v))
	}
	if ok, _ := u.allowAll(rq, "verify", "", u.lim.VerifyPerIP, Limit{}); !ok {
		fail(http.StatusTooManyRequests, rq.T("error.too_many"))
		return
	}
	if failed := directory.UnmetPasswordRules(rq.pool.PasswordPolicy, password); len(failed) > 0 {
		v.Rules = passwordRules(rq, failed)
		v.Password.Error = rq.T("error.password_policy")
		fail(http.StatusBadRequest, rq.T("error.password_policy"))
		return
	}
	err := u.cfg.Engine.ConfirmForgotPassword(rq.r.Context(), rq.pool, rq.client, username, form.Get("code"), password, clientIP(rq.r))
	switch {
	case err == nil:
		u.toLogin(rq, username, "password_reset")
	case !expected(err):
		u.serverError(rq, err)
	case directory.KindOf(err) == directory.KindInvalidPassword:
		v.Rules = passwordRules(rq, directory.UnmetPasswordRules(rq.pool.PasswordPolicy, password))
		v.Password.Error = rq.T("error.password_policy")
		fail(http.StatusBadRequest, rq.T("error.password_policy"))
	case errors.Is(err, directory.ErrCodeAttempts):
		v.Code.Error = rq.T("error.code_attempts")
		fail(http.StatusBadRequest, v.Code.Error)
	case directory.KindOf(err) == directory.KindCodeMismatch, directory.KindOf(err) == directory.KindExpiredCode:
		v.Code.Error = rq.T(errorKey(err))
		fail(http.StatusBadRequest, v.Code.Error)
	case directory.KindOf(err) == directory.KindUserNotFound:
		fail(http.StatusBadRequest, rq.T("error.user_not_found"))
	default:
		fail(http.StatusBadRequest, rq.T(errorKey(err)))
	}
}
