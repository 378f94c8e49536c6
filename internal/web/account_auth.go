package web

import (
	"net/http"
	"strconv"
	"strings"

	"samen/internal/account"
	"samen/internal/problem"
)

// maxFormBytes bounds a form body; samen's forms are small.
const maxFormBytes = 64 << 10

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) error {
	if userFrom(r.Context()) != nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "signup", s.newPage(r, "signup.title"))
	return nil
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.newPage(r, "signup.title")
	email := r.PostForm.Get("email")
	err := s.accounts.Register(r.Context(), account.SignUp{
		Email:    email,
		Name:     r.PostForm.Get("name"),
		Password: r.PostForm.Get("password"),
		Language: p.Lang,
	})
	if err != nil {
		return s.formError(w, r, "signup", p, err)
	}
	p.TitleKey = "signup.done_title"
	p.Data = strings.TrimSpace(email)
	s.render(w, r, "signup_done", p)
	return nil
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	_, err := s.accounts.Verify(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		if problem.Is(err, problem.Gone) {
			p := s.newPage(r, "verify.failed_title")
			pr, _ := problem.As(err)
			p.Data = s.msgs.T(p.Lang, "error."+pr.Code)
			s.renderStatus(w, r, http.StatusGone, "verify_failed", p)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/login?notice=verified", http.StatusSeeOther)
	return nil
}

func (s *Server) resendForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "resend.title")
	p.Form.Set("email", r.URL.Query().Get("email"))
	s.render(w, r, "resend", p)
	return nil
}

func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.newPage(r, "resend.title")
	if err := s.accounts.ResendVerification(r.Context(), r.PostForm.Get("email")); err != nil {
		return s.formError(w, r, "resend", p, err)
	}
	p.TitleKey = "signup.done_title"
	p.Data = strings.TrimSpace(r.PostForm.Get("email"))
	s.render(w, r, "signup_done", p)
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if userFrom(r.Context()) != nil {
		http.Redirect(w, r, local(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	p := s.newPage(r, "login.title")
	p.Form.Set("next", local(r.URL.Query().Get("next")))
	s.render(w, r, "login", p)
	return nil
}

type loginPage struct {
	Alert      string // a problem that belongs to no single field
	Unverified bool   // offer to send the link again
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.newPage(r, "login.title")
	u, token, err := s.accounts.Login(r.Context(), account.LoginAttempt{
		Email:     r.PostForm.Get("email"),
		Password:  r.PostForm.Get("password"),
		IP:        ipFrom(r.Context()),
		UserAgent: r.UserAgent(),
		Device:    deviceCookieValue(r),
	})
	if err != nil {
		pr, ok := problem.As(err)
		if !ok || pr.Kind == problem.Invalid {
			return s.formError(w, r, "login", p, err)
		}
		p.Form.Set("email", r.PostForm.Get("email"))
		p.Form.Set("next", local(r.PostForm.Get("next")))
		p.Data = loginPage{Alert: s.msgs.T(p.Lang, "error."+pr.Code), Unverified: pr.Code == "login.unverified"}
		if pr.Kind == problem.RateLimited {
			w.Header().Set("Retry-After", strconv.Itoa(int(account.FailureWindow.Seconds())))
		}
		s.renderStatus(w, r, statusFor(pr, false), "login", p)
		return nil
	}
	s.setSessionCookie(w, token)
	s.rememberDevice(w, r, u.ID)
	s.log.Info("login", "user", u.ID)
	http.Redirect(w, r, local(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request) error {
	if userFrom(r.Context()) == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "logout", s.newPage(r, "logout.title"))
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.accounts.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/?notice=logged_out", http.StatusSeeOther)
	return nil
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "forgot", s.newPage(r, "forgot.title"))
	return nil
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.newPage(r, "forgot.title")
	if err := s.accounts.RequestReset(r.Context(), r.PostForm.Get("email")); err != nil {
		return s.formError(w, r, "forgot", p, err)
	}
	p.TitleKey = "forgot.sent_title"
	p.Data = strings.TrimSpace(r.PostForm.Get("email"))
	s.render(w, r, "forgot_sent", p)
	return nil
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	p := s.newPage(r, "reset.title")
	if err := s.accounts.CheckResetToken(r.Context(), token); err != nil {
		pr, _ := problem.As(err)
		p.TitleKey = "reset.failed_title"
		p.Data = s.msgs.T(p.Lang, "error."+pr.Code)
		s.renderStatus(w, r, http.StatusGone, "reset_failed", p)
		return nil
	}
	p.Form.Set("token", token)
	s.render(w, r, "reset", p)
	return nil
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.newPage(r, "reset.title")
	u, err := s.accounts.ResetPassword(r.Context(), r.PostForm.Get("token"), r.PostForm.Get("password"))
	if problem.Is(err, problem.Gone) {
		pr, _ := problem.As(err)
		p.TitleKey = "reset.failed_title"
		p.Data = s.msgs.T(p.Lang, "error."+pr.Code)
		s.renderStatus(w, r, http.StatusGone, "reset_failed", p)
		return nil
	}
	if err != nil {
		return s.formError(w, r, "reset", p, err)
	}
	s.clearSessionCookie(w)
	// Whoever read the mail is the owner: this browser counts as theirs
	// from now on, past any lockout that strangers cause.
	s.rememberDevice(w, r, u.ID)
	http.Redirect(w, r, "/login?notice=password_reset", http.StatusSeeOther)
	return nil
}

// deviceCookie holds the browser's device entries: signed proof that it has
// logged in to an account before, which lets it past a login lockout that
// strangers cause (see account.IssueDevice).
const deviceCookie = "samen_device"

func deviceCookieValue(r *http.Request) string {
	if c, err := r.Cookie(deviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// rememberDevice gives the browser a fresh device cookie for an account it
// has just proved it belongs to. Without one the login still stands, so a
// failure here is logged, not shown.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, userID int64) {
	v, err := s.accounts.IssueDevice(r.Context(), userID, deviceCookieValue(r))
	if err != nil {
		s.log.Warn("no device cookie issued", "user", userID, "err", err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     deviceCookie,
		Value:    v,
		Path:     "/",
		MaxAge:   int(account.DeviceTTL.Seconds()),
		HttpOnly: true,
		Secure:   s.base.Scheme == "https",
		SameSite: http.SameSiteLaxMode,
	})
}
