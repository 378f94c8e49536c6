// Package oidctest is a small OpenID Connect provider for tests. It speaks
// the documented protocol (OpenID Connect Core 1.0 authorization code flow,
// OpenID Connect Discovery 1.0, RFC 6749 client authentication and RFC 7636
// PKCE with S256), so the code under test runs its real OpenID Connect and
// OAuth 2.0 libraries against it:
//
//   - GET  /.well-known/openid-configuration: the discovery document, issuer
//     being the provider's own URL;
//   - GET  /jwks: the RSA public key that signs ID tokens;
//   - GET  /authorize: checks the client, the redirect URI, response_type=code
//     and an S256 code challenge, then at once sends the browser back with a
//     code for the identity the test chose (there is no login form), or with
//     error=access_denied when told to refuse;
//   - POST /token: checks client authentication (HTTP Basic or
//     client_secret_post), that the code is known, unused, unexpired and was
//     issued for the same redirect URI, and the code_verifier against the
//     challenge, then answers with an access token and an ID token signed
//     RS256.
//
// It records what it was asked, so tests can check what the client sent.
// It is for tests only.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Identity is the person the provider vouches for at the next logins.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Locale        string
}

// ClientAuth is a way for the client to authenticate at the token endpoint.
type ClientAuth string

// The client authentication methods of OpenID Connect Core 1.0 §9 that the
// provider knows.
const (
	AuthBasic ClientAuth = "client_secret_basic"
	AuthPost  ClientAuth = "client_secret_post"
)

// Config says which client the provider knows.
type Config struct {
	ClientID     string
	ClientSecret string
	RedirectURI  string // the only registered redirect URI, compared exactly
}

// TokenRequest is one request the token endpoint answered.
type TokenRequest struct {
	ClientAuth ClientAuth // how the client authenticated; "" when it failed to
	Code       string
	Verifier   string // the code_verifier sent
	Challenge  string // the code_challenge the code was issued for; "" for an unknown code
	Error      string // the OAuth error code answered; "" when tokens were issued
	ErrorText  string // the error_description answered
}

// Provider is a running test provider.
type Provider struct {
	URL string // the issuer: http://127.0.0.1:port, no trailing slash
	cfg Config

	addr string
	key  *rsa.PrivateKey
	kid  string

	mu       sync.Mutex
	srv      *http.Server
	identity Identity
	deny     bool
	nonce    string // signed instead of the client's nonce when not ""
	edit     func(claims map[string]any)
	foreign  *rsa.PrivateKey // signs instead of the published key when not nil
	auth     []ClientAuth
	codes    map[string]*grant
	authReqs []url.Values
	tokReqs  []TokenRequest
}

type grant struct {
	nonce       string
	challenge   string
	redirectURI string
	identity    Identity
	expires     time.Time
	used        bool
}

var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// New starts a provider on 127.0.0.1 and stops it when the test ends. Both
// client authentication methods are accepted until AllowClientAuth says
// otherwise.
func New(t testing.TB, cfg Config) *Provider {
	t.Helper()
	key, err := signingKey()
	if err != nil {
		t.Fatalf("oidctest: generating key: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("oidctest: listening: %v", err)
	}
	p := &Provider{
		URL:   "http://" + l.Addr().String(),
		cfg:   cfg,
		addr:  l.Addr().String(),
		key:   key,
		kid:   "oidctest-" + random()[:8],
		auth:  []ClientAuth{AuthBasic, AuthPost},
		codes: map[string]*grant{},
	}
	p.serve(l)
	t.Cleanup(p.Stop)
	return p
}

func (p *Provider) serve(l net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("/token", p.token)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Stop takes the provider down: connections to its address are refused
// until Start.
func (p *Provider) Stop() {
	p.mu.Lock()
	srv := p.srv
	p.srv = nil
	p.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Start brings a stopped provider up again at the same address, so its
// issuer URL stays the same. Issued codes survive.
func (p *Provider) Start(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	running := p.srv != nil
	p.mu.Unlock()
	if running {
		return
	}
	var l net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if l, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("oidctest: listening on %s again: %v", p.addr, err)
	}
	p.serve(l)
}

// SetIdentity sets the person the provider vouches for from the next
// authorization on.
func (p *Provider) SetIdentity(id Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.identity = id
}

// Deny makes the authorization endpoint answer error=access_denied, as when
// the person declines, until Deny(false).
func (p *Provider) Deny(deny bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = deny
}

// SignNonce makes the token endpoint put nonce in ID tokens instead of the
// one the client sent; "" goes back to the client's nonce.
func (p *Provider) SignNonce(nonce string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nonce = nonce
}

// EditIDToken sets a function that changes the claims of every ID token
// before it is signed, to forge tokens a careful client must refuse; nil
// stops editing.
func (p *Provider) EditIDToken(edit func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.edit = edit
}

// SignWithForeignKey makes the provider sign ID tokens with a key that is
// not in its JWKS (under the same key ID), or again with its own key.
func (p *Provider) SignWithForeignKey(t testing.TB, foreign bool) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.foreign = nil
	if foreign {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatalf("oidctest: generating key: %v", err)
		}
		p.foreign = key
	}
}

// AllowClientAuth sets the client authentication methods the token endpoint
// accepts.
func (p *Provider) AllowClientAuth(methods ...ClientAuth) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.auth = methods
}

// AuthRequests returns the query of every authorization request so far.
func (p *Provider) AuthRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authReqs)
}

// TokenRequests returns every token request so far.
func (p *Provider) TokenRequests() []TokenRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.tokReqs)
}

// Challenge returns the S256 code challenge for a verifier (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.RS256)},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []ClientAuth{AuthBasic, AuthPost},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code"},
		"claims_supported":                      []string{"iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "name", "locale"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authReqs = append(p.authReqs, q)
	// An unknown client or redirect URI is shown to the person, never
	// redirected to (RFC 6749 §4.1.2.1).
	if q.Get("client_id") != p.cfg.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	if q.Get("redirect_uri") != p.cfg.RedirectURI {
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	back := func(v url.Values) {
		if state != "" {
			v.Set("state", state)
		}
		u, _ := url.Parse(p.cfg.RedirectURI)
		all := u.Query()
		for k, vs := range v {
			all[k] = vs
		}
		u.RawQuery = all.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, text string) { back(url.Values{"error": {code}, "error_description": {text}}) }
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must contain openid")
	case q.Get("code_challenge") == "":
		fail("invalid_request", "code_challenge is required")
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
	case p.deny:
		fail("access_denied", "the person declined")
	default:
		code := random()
		p.codes[code] = &grant{
			nonce:       q.Get("nonce"),
			challenge:   q.Get("code_challenge"),
			redirectURI: q.Get("redirect_uri"),
			identity:    p.identity,
			expires:     time.Now().Add(time.Minute),
		}
		back(url.Values{"code": {code}})
	}
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	rec := TokenRequest{Code: f.Get("code"), Verifier: f.Get("code_verifier")}
	refuse := func(status int, code, text string) {
		rec.Error, rec.ErrorText = code, text
		p.tokReqs = append(p.tokReqs, rec)
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="oidctest"`)
		}
		oauthError(w, status, code, text)
	}
	method, err := p.clientAuth(r)
	if err != nil {
		refuse(http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	rec.ClientAuth = method
	if f.Get("grant_type") != "authorization_code" {
		refuse(http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	g := p.codes[rec.Code]
	if g == nil {
		refuse(http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	}
	rec.Challenge = g.challenge
	if g.used {
		refuse(http.StatusBadRequest, "invalid_grant", "code already used")
		return
	}
	g.used = true // a code is good for one try (RFC 6749 §4.1.2)
	switch {
	case time.Now().After(g.expires):
		refuse(http.StatusBadRequest, "invalid_grant", "code expired")
	case f.Get("redirect_uri") != g.redirectURI:
		refuse(http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
	case len(rec.Verifier) < 43 || len(rec.Verifier) > 128:
		refuse(http.StatusBadRequest, "invalid_grant", "code_verifier missing or of the wrong length")
	case Challenge(rec.Verifier) != g.challenge:
		refuse(http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
	default:
		idToken, err := p.sign(g)
		if err != nil {
			refuse(http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		p.tokReqs = append(p.tokReqs, rec)
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": random(),
			"token_type":   "Bearer",
			"expires_in":   300,
			"id_token":     idToken,
		})
	}
}

// clientAuth authenticates the client by one method only (RFC 6749 §2.3).
// In HTTP Basic the id and secret are form-encoded first (§2.3.1).
func (p *Provider) clientAuth(r *http.Request) (ClientAuth, error) {
	user, pass, basic := r.BasicAuth()
	post := r.PostForm.Has("client_secret")
	var method ClientAuth
	var id, secret string
	switch {
	case basic && post:
		return "", errors.New("more than one client authentication method")
	case basic:
		var err1, err2 error
		id, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", errors.New("malformed Basic credentials")
		}
		method = AuthBasic
	case post:
		id, secret, method = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), AuthPost
	default:
		return "", errors.New("no client authentication")
	}
	if !slices.Contains(p.auth, method) {
		return "", errors.New(string(method) + " is not allowed for this client")
	}
	if id != p.cfg.ClientID || secret != p.cfg.ClientSecret {
		return "", errors.New("wrong client credentials")
	}
	return method, nil
}

func (p *Provider) sign(g *grant) (string, error) {
	now := time.Now()
	nonce := g.nonce
	if p.nonce != "" {
		nonce = p.nonce
	}
	claims := map[string]any{
		"iss":            p.URL,
		"sub":            g.identity.Subject,
		"aud":            p.cfg.ClientID,
		"azp":            p.cfg.ClientID,
		"exp":            now.Add(5 * time.Minute).Unix(),
		"iat":            now.Unix(),
		"auth_time":      now.Unix(),
		"email_verified": g.identity.EmailVerified,
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range map[string]string{"email": g.identity.Email, "name": g.identity.Name, "locale": g.identity.Locale} {
		if v != "" {
			claims[k] = v
		}
	}
	if p.edit != nil {
		p.edit(claims)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	key := p.key
	if p.foreign != nil {
		key = p.foreign
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, text string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": text})
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
