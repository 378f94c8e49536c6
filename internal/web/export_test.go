package web

import (
	"net/http"
	"net/netip"
)

// This file lends the tests of package web_test a few internals. It is
// compiled only into the test binary.

// RouteForTest is one entry of the site map as the tests see it.
type RouteForTest struct {
	Method string
	Path   string // ServeMux pattern path, with /api/v1 for API routes
	Access string // anyone, signedIn, moderators, stewards
	API    bool
}

func accessName(a access) string {
	switch a {
	case anyone:
		return "anyone"
	case signedIn:
		return "signedIn"
	case moderators:
		return "moderators"
	case stewards:
		return "stewards"
	}
	return "unknown"
}

// RoutesForTest returns every registered route.
func (s *Server) RoutesForTest() []RouteForTest {
	out := make([]RouteForTest, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteForTest{Method: rt.method, Path: rt.path, Access: accessName(rt.access), API: rt.api})
	}
	return out
}

// HandleForTest adds a route anyone may use, behind the whole middleware
// chain, for behaviour no real route shows on demand (a panic, say).
func (s *Server) HandleForTest(pattern string, h http.HandlerFunc) {
	s.handle(pattern, anyone, func(w http.ResponseWriter, r *http.Request) error {
		h(w, r)
		return nil
	})
}

// Local is the redirect-target guard.
var Local = local

// ClientIP is the address a server that trusts the given proxies sees for a
// request from remoteAddr carrying xff in X-Forwarded-For ("" for none).
func ClientIP(trusted []netip.Prefix, remoteAddr, xff string) string {
	s := &Server{opts: Options{TrustedProxies: trusted}}
	r := &http.Request{RemoteAddr: remoteAddr, Header: http.Header{}}
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	return s.clientIP(r)
}

// PatternOf is the route pattern ("GET /atlas/{id}") that serves a request,
// or "" when none but the catch-all does.
func (s *Server) PatternOf(method, target string) string {
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		return ""
	}
	_, pattern := s.mux.Handler(r)
	if pattern == "/" {
		return ""
	}
	return pattern
}
