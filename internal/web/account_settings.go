package web

import (
	"net/http"
	"strconv"

	"samen/internal/account"
	"samen/internal/problem"
)

type accountPage struct {
	Tokens     []account.Token
	Sessions   []account.Session
	NewSecret  string // shown once, right after creating a token
	NewToken   string
	CurrentSID string
}

func (s *Server) accountData(r *http.Request) (*accountPage, error) {
	u := userFrom(r.Context())
	tokens, err := s.accounts.Tokens(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	sessions, err := s.accounts.Sessions(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	d := &accountPage{Tokens: tokens, Sessions: sessions}
	if sess := sessionFrom(r.Context()); sess != nil {
		d.CurrentSID = sess.ID
	}
	return d, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, nil, "")
}

// renderAccount shows the account page, with problems from one of its forms
// (formErr) or a newly created token secret.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, formErr error, secret string) error {
	p := s.newPage(r, "account.title")
	d, err := s.accountData(r)
	if err != nil {
		return err
	}
	u := userFrom(r.Context())
	p.Form.Set("name", u.Name)
	p.Form.Set("language", u.Language)
	if formErr != nil {
		errs, order, ok := s.fieldErrors(p.Lang, formErr)
		if !ok {
			return formErr
		}
		p.Errors, p.ErrorOrder = errs, order
		for k, v := range r.PostForm {
			if k != "current_password" && k != "new_password" {
				p.Form[k] = v
			}
		}
	}
	if secret != "" {
		d.NewSecret = secret
		d.NewToken = r.PostForm.Get("token_name")
	}
	p.Data = d
	s.renderStatus(w, r, status, "account", p)
	return nil
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u := userFrom(r.Context())
	_, err := s.accounts.UpdateProfile(r.Context(), u.ID, account.Profile{Name: r.PostForm.Get("name"), Language: r.PostForm.Get("language")})
	if err != nil {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, err, "")
	}
	http.Redirect(w, r, "/account?notice=profile_saved", http.StatusSeeOther)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u := userFrom(r.Context())
	keep := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		keep = c.Value
	}
	revoke := r.PostForm.Get("revoke_tokens")
	if revoke != "" && revoke != "yes" {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, problem.Fields{"revoke_tokens": "checkbox.invalid"}.Err(), "")
	}
	_, err := s.accounts.ChangePassword(r.Context(), u.ID, account.PasswordChange{
		Current:      r.PostForm.Get("current_password"),
		New:          r.PostForm.Get("new_password"),
		KeepSession:  keep,
		RevokeTokens: revoke == "yes",
	})
	if err != nil {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, err, "")
	}
	if revoke == "yes" {
		http.Redirect(w, r, "/account?notice=password_changed_tokens_revoked", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account?notice=password_changed", http.StatusSeeOther)
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u := userFrom(r.Context())
	_, secret, err := s.accounts.CreateToken(r.Context(), u.ID, r.PostForm.Get("token_name"))
	if err != nil {
		if p, ok := problem.As(err); ok && len(p.Fields) > 0 {
			// The form calls the field token_name; the domain calls it name.
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, problem.Fields{"token_name": p.Fields["name"]}.Err(), "")
		}
		return err
	}
	// The secret is shown in the response to this POST and never again; it is
	// not put in a redirect URL, where it would land in logs and history.
	return s.renderAccount(w, r, http.StatusOK, nil, secret)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problemNotFound
	}
	return id, nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(r.Context(), userFrom(r.Context()).ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=token_revoked#tokens", http.StatusSeeOther)
	return nil
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.accounts.EndSession(r.Context(), userFrom(r.Context()).ID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=session_ended#sessions", http.StatusSeeOther)
	return nil
}
