package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/templates"
)

// confirmView is the confirm-sign-up form for username. The code's
// destination and the resend countdown come from the sign-up cookie,
// never from a lookup, so the page tells a stranger nothing.
func (u *UI) confirmView(rq *request, username string) templates.ConfirmView {
	v := templates.ConfirmView{Page: u.page(rq, "confirm.title"), Action: rq.pageURL("confirmUser", nil),
		Username: usernameField(rq, username), UsernameKnown: username != "", Code: codeField(rq),
		ResendAction: rq.pageURL("confirmUser", nil), SignInURL: rq.pageURL("login", nil)}
	v.Code.Autofocus = username != ""
	v.Username.Autofocus = username == ""
	if st, ok := u.signupCookieState(rq); ok {
		if user, err := u.cfg.Dir.FindUser(rq.r.Context(), rq.pool, username); err == nil && user.Sub == st.Sub {
			v.Destination = st.Destination
			v.ResendWait = int(max(st.SentAt.Add(directory.CodeResendCooldown).Sub(u.cfg.Now()), 0) / time.Second)
		}
	}
	return v
}

func (u *UI) confirmPage(rq *request) {
	if q := rq.r.URL.Query(); q.Get("confirmation_code") != "" && q.Get("auth_request") == "" {
		u.confirmByLink(rq, strings.TrimSpace(q.Get("user_name")), q.Get("confirmation_code"))
		return
	}
	if !u.flow(rq, "confirmUser") {
		return
	}
	v := u.confirmView(rq, strings.TrimSpace(rq.r.URL.Query().Get("username")))
	if rq.r.URL.Query().Get("error") == "delivery" {
		v.Error = rq.T("error.delivery")
	}
	u.render(rq, http.StatusOK, templates.ConfirmPage(v))
}

func (u *UI) confirmSubmit(rq *request) {
	if !u.readForm(rq) || !u.flow(rq, "confirmUser") {
		return
	}
	form := rq.r.PostForm
	username := strings.TrimSpace(form.Get("username"))
	v := u.confirmView(rq, username)
	fail := func(status int, msg string, codeErr bool) {
		v.Error = msg
		if codeErr {
			v.Code.Error = msg
		}
		v.Code.DescribedBy = append(v.Code.DescribedBy, "form-error")
		u.render(rq, status, templates.ConfirmPage(v))
	}
	if !u.csrfOK(rq) {
		fail(http.StatusForbidden, rq.T("error.csrf"), false)
		return
	}
	if username == "" {
		v.Username.Error = rq.T("error.field_required")
		fail(http.StatusBadRequest, rq.T("error.check_fields"), false)
		return
	}
	ctx := rq.r.Context()
	if form.Get("resend") != "" {
		if ok, _ := u.allowAll(rq, "code", username, u.lim.CodesPerIP, u.lim.CodesPerUser); !ok {
			fail(http.StatusTooManyRequests, rq.T("error.too_many"), false)
			return
		}
		d, err := u.cfg.Engine.ResendConfirmationCode(ctx, rq.pool, rq.client, username, clientIP(rq.r))
		var le *directory.CodeLimitError
		switch {
		case errors.As(err, &le):
			v.ResendWait = int(le.Wait.Round(time.Second) / time.Second)
			fail(http.StatusTooManyRequests, rq.T("error.cooldown", "seconds", v.ResendWait), false)
		case err != nil && !expected(err):
			u.serverError(rq, err)
		case errors.Is(err, auth.ErrAlreadyConfirmed):
			fail(http.StatusBadRequest, rq.T("error.already_confirmed"), false)
		case err != nil:
			fail(http.StatusBadRequest, rq.T(errorKey(err)), false)
		default:
			if st, ok := u.signupCookieState(rq); ok {
				st.SentAt = u.cfg.Now()
				u.setSignupCookie(rq, st)
			}
			v.Destination = d.Destination
			v.ResendWait = int(directory.CodeResendCooldown / time.Second)
			v.Notice = rq.T("confirm.resent")
			u.render(rq, http.StatusOK, templates.ConfirmPage(v))
		}
		return
	}
	if ok, _ := u.allowAll(rq, "verify", "", u.lim.VerifyPerIP, Limit{}); !ok {
		fail(http.StatusTooManyRequests, rq.T("error.too_many"), false)
		return
	}
	user, err := u.cfg.Engine.ConfirmSignUp(ctx, rq.pool, rq.client, username, form.Get("code"), clientIP(rq.r))
	if err != nil {
		switch {
		case !expected(err):
			u.serverError(rq, err)
		case errors.Is(err, auth.ErrCannotConfirm):
			u.toLogin(rq, username, "confirmed")
		case errors.Is(err, directory.ErrCodeAttempts):
			fail(http.StatusBadRequest, rq.T("error.code_attempts"), true)
		default:
			fail(http.StatusBadRequest, rq.T(errorKey(err)), directory.KindOf(err) != directory.KindUserNotFound)
		}
		return
	}
	// Confirmed. In the browser that signed up, the user is signed in and
	// goes back to the application; anywhere else, to the sign-in page.
	st, ok := u.signupCookieState(rq)
	if !ok || st.Sub != user.Sub {
		u.toLogin(rq, username, "confirmed")
		return
	}
	u.clearSignupCookie(rq)
	step, err := u.cfg.Engine.SignInAfterSignUp(ctx, rq.pool, rq.client, user, clientIP(rq.r))
	if err != nil {
		if !expected(err) {
			u.serverError(rq, err)
			return
		}
		u.toLogin(rq, username, "confirmed")
		return
	}
	u.signedIn(rq, step.Done)
}

// confirmByLink confirms a sign-up from the link of a CONFIRM_WITH_LINK
// mail ({issuer}/confirmUser?user_name=…&confirmation_code=…, Cognito's
// form; client_id, when the link has one, picks the branding). The link is
// outside any sign-in flow, so the answer is a page that says how it
// went. Every failure reads the same, so the page tells a stranger
// nothing about who exists.
func (u *UI) confirmByLink(rq *request, username, code string) {
	ctx := rq.r.Context()
	if id := rq.r.URL.Query().Get("client_id"); id != "" {
		if c, err := u.cfg.Dir.GetClient(ctx, rq.pool.ID, id); err == nil {
			rq.client = c
		}
	}
	if ok, _ := u.allowAll(rq, "verify", "", u.lim.VerifyPerIP, Limit{}); !ok {
		u.message(rq, http.StatusTooManyRequests, rq.T("confirm.link.failed.title"), rq.T("error.too_many"), true, "")
		return
	}
	_, err := u.cfg.Engine.ConfirmSignUp(ctx, rq.pool, rq.client, username, code, clientIP(rq.r))
	switch {
	case err == nil:
		u.message(rq, http.StatusOK, rq.T("confirm.link.done.title"), rq.T("confirm.link.done"), false, "")
	case !expected(err):
		u.serverError(rq, err)
	case errors.Is(err, auth.ErrCannotConfirm):
		u.message(rq, http.StatusOK, rq.T("confirm.link.done.title"), rq.T("error.already_confirmed"), false, "")
	default:
		u.message(rq, http.StatusBadRequest, rq.T("confirm.link.failed.title"), rq.T("confirm.link.failed"), true, "")
	}
}

// toLogin sends the browser to the sign-in page with a notice.
func (u *UI) toLogin(rq *request, username, notice string) {
	http.Redirect(rq.w, rq.r, rq.pageURL("login", url.Values{"username": {username}, "notice": {notice}}), http.StatusSeeOther)
}
