package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"samen/internal/account"
	"samen/internal/problem"
)

// OIDCProvider is an OpenID Connect provider (Keycloak and the like) that
// people may log in with. Discovery happens on first use and is retried
// while it fails, so a provider that is down at start does not stop samen.
type OIDCProvider struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Name         string // the label on the login button

	mu       sync.Mutex
	provider *oidc.Provider
}

func (o *OIDCProvider) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		return nil, err
	}
	o.provider = p
	return p, nil
}

func (s *Server) oauthConfig(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.opts.OIDC.ClientID,
		ClientSecret: s.opts.OIDC.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  s.opts.BaseURL + "/auth/oidc/callback",
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

const oidcCookie = "samen_oidc"

var problemOIDC = problem.New(problem.Unavailable, "oidc.unavailable")

// oidcLogin sends the visitor to the provider. State, nonce and the PKCE
// verifier travel in a short-lived cookie that only this site can read, and
// are checked when the visitor comes back.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.opts.OIDC == nil {
		return problemNotFound
	}
	p, err := s.opts.OIDC.discover(r.Context())
	if err != nil {
		s.log.Error("OpenID Connect discovery", "issuer", s.opts.OIDC.Issuer, "err", err)
		return problemOIDC
	}
	state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	// next is escaped: a cookie value cannot hold every byte a URL can
	// (net/http would silently drop a ';').
	next := url.QueryEscape(local(r.URL.Query().Get("next")))
	http.SetCookie(w, &http.Cookie{
		Name:     oidcCookie,
		Value:    strings.Join([]string{state, nonce, verifier, next}, " "),
		Path:     "/auth/oidc/",
		MaxAge:   600,
		HttpOnly: true,
		Secure:   s.base.Scheme == "https",
		SameSite: http.SameSiteLaxMode, // the provider's redirect back is a top-level GET
	})
	dest := s.oauthConfig(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, dest, http.StatusFound)
	return nil
}

var problemOIDCFailed = problem.New(problem.Unauthorized, "oidc.failed")

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.opts.OIDC == nil {
		return problemNotFound
	}
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return problemOIDCFailed
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true})
	parts := strings.SplitN(c.Value, " ", 4)
	q := r.URL.Query()
	if len(parts) != 4 || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(q.Get("state"))) != 1 {
		return problemOIDCFailed
	}
	nonce, verifier := parts[1], parts[2]
	next, err := url.QueryUnescape(parts[3])
	if err != nil {
		return problemOIDCFailed
	}
	next = local(next)
	if e := q.Get("error"); e != "" {
		s.log.Info("OpenID Connect provider refused", "error", e, "description", q.Get("error_description"))
		return problemOIDCFailed
	}
	p, err := s.opts.OIDC.discover(r.Context())
	if err != nil {
		return problemOIDC
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	tok, err := s.oauthConfig(p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.log.Warn("OpenID Connect code exchange", "err", err)
		return problemOIDCFailed
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return problemOIDCFailed
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.opts.OIDC.ClientID}).Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		s.log.Warn("OpenID Connect ID token rejected", "err", err)
		return problemOIDCFailed
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
		Locale        string `json:"locale"`
	}
	if err := idt.Claims(&claims); err != nil {
		return problemOIDCFailed
	}
	lang := claims.Locale
	if len(lang) > 2 {
		lang = lang[:2]
	}
	u, session, err := s.accounts.LoginExternal(r.Context(), account.External{
		Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, EmailVerified: claims.EmailVerified,
		Name: claims.Name, Language: lang, IP: ipFrom(r.Context()), UserAgent: r.UserAgent(),
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, session)
	s.rememberDevice(w, r, u.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
