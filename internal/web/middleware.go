package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/web/i18n"
)

type ctxKey int

const (
	keyLang ctxKey = iota
	keyUser
	keySession
	keyIP
)

func langFrom(ctx context.Context) string {
	if l, ok := ctx.Value(keyLang).(string); ok {
		return l
	}
	return i18n.Languages[0]
}

func userFrom(ctx context.Context) *account.User {
	u, _ := ctx.Value(keyUser).(*account.User)
	return u
}

func sessionFrom(ctx context.Context) *account.Session {
	s, _ := ctx.Value(keySession).(*account.Session)
	return s
}

func ipFrom(ctx context.Context) string {
	ip, _ := ctx.Value(keyIP).(string)
	return ip
}

// statusRecorder remembers the status code for the log and the metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// withLogging logs one line per request. It logs the path without the query:
// queries carry one-time tokens (verification and reset links).
func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ip := s.clientIP(r)
		r = r.WithContext(context.WithValue(r.Context(), keyIP, ip))
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		level := slogLevelFor(rec.status)
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds(), "ip", ip)
	})
}

// withRecovery turns a panic into a 500 page and a logged stack, so one bad
// request does not take the site down.
func (s *Server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing inline and nothing from other hosts.
// Later parts that need more (a tile server the operator configured, a page
// meant for iframes) widen it for their own routes only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// mapPolicy widens a policy for the pages that show the map when the
// operator configured a tile server: browsers fetch its tiles as images and
// through fetch. Tiles samen serves itself need nothing beyond 'self'.
func (s *Server) mapPolicy(policy string) string {
	origin := tileOrigin(s.opts.Map.TileURL)
	if origin == "" {
		return policy
	}
	directives := strings.Split(policy, ";")
	for i, d := range directives {
		name, _, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name == "img-src" || name == "connect-src" {
			directives[i] = d + " " + origin
		}
	}
	return strings.Join(directives, ";")
}

// tileOrigin is the scheme and host of a tile URL template, or "" when it
// has none that can stand in a policy.
func tileOrigin(tileURL string) string {
	u, err := url.Parse(tileURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.ContainsFunc(u.Host, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(".-:[]", r))
		}) {
		return ""
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	secure := s.base.Scheme == "https"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

const langCookie = "samen_lang"

// withLanguage picks the reader's language: the switch (a cookie), then the
// browser's Accept-Language, then Dutch.
func (s *Server) withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if c, err := r.Cookie(langCookie); err == nil {
			lang = i18n.Supported(c.Value)
		}
		if lang == "" {
			lang = i18n.Match(r.Header.Get("Accept-Language"))
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		w.Header().Set("Content-Language", lang)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyLang, lang)))
	})
}

const sessionCookie = "samen_session"

// withSession finds the signed-in person, from the session cookie or, for
// scripts, an API token in the Authorization header, and puts them and the
// audit actor in the request context.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var user *account.User
		// /metrics reads its own bearer token (SAMEN_METRICS_TOKEN), which
		// is no person's API token.
		if authz := r.Header.Get("Authorization"); authz != "" && r.URL.Path != "/metrics" {
			secret, ok := strings.CutPrefix(authz, "Bearer ")
			u, err := s.accounts.TokenUser(ctx, strings.TrimSpace(secret))
			if !ok || err != nil {
				// A script that sends a bad token must hear so, not be
				// treated as an anonymous visitor.
				s.fail(w, r, problemBadToken)
				return
			}
			user = &u
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			u, sess, err := s.accounts.SessionUser(ctx, c.Value)
			if err == nil {
				user = &u
				ctx = context.WithValue(ctx, keySession, &sess)
			} else {
				s.clearSessionCookie(w)
			}
		}
		actor := audit.Actor{IP: ipFrom(ctx), Label: audit.LabelVisitor}
		if user != nil {
			ctx = context.WithValue(ctx, keyUser, user)
			actor.UserID, actor.Label = user.ID, audit.LabelMember
		}
		ctx = audit.WithActor(ctx, actor)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int((30 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   s.base.Scheme == "https",
		// Lax, not Strict: someone who follows a link to samen from a
		// mail should arrive signed in. CSRF is stopped by the origin
		// check, not by the cookie.
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.base.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

// clientIP is the address of the visitor. X-Forwarded-For is believed only
// when the connection comes from a proxy the operator named; otherwise anyone
// could pick their own address and dodge the login rate limit.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	// Walk X-Forwarded-For from the right: the rightmost address not of a
	// trusted proxy is the client.
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
		addr = a
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
