package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/web/i18n"
)

// Fuzz tests for everything that reads input from outside: redirect targets,
// client addresses, languages, form bodies and JSON bodies. Run one with
//
//	go test ./internal/web/ -run '^$' -fuzz '^FuzzForms$' -fuzztime 20s

// browserView is what a browser makes of a Location header: WHATWG URL
// parsing first removes every ASCII tab and newline.
func browserView(loc string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, loc)
}

func FuzzLocal(f *testing.F) {
	for _, s := range []string{
		"/", "/account", "/login?next=/account", "//evil.example", "/\\evil.example", "https://evil.example",
		"", "evil", "/\t/evil.example", "/\n/evil.example", "/\r\n/x", "\\/evil", "/%2F/evil", "/\x00/x",
		"/ /evil", "/\x7f/x", "/é", "/a#b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := web.Local(next)
		seen := browserView(got)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(seen, "//") || strings.HasPrefix(seen, "/\\") {
			t.Fatalf("Local(%q) = %q, which a browser reads as %q: it can leave the site", next, got, seen)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("Local(%q) = %q has a line break", next, got)
		}
		if got != "/" && got != next {
			t.Fatalf("Local(%q) = %q: it must keep a local path or give /", next, got)
		}
		// Resolved against the site, the target stays on the site.
		base, _ := url.Parse("https://samen.example/here")
		if u, err := url.Parse(seen); err == nil {
			if r := base.ResolveReference(u); r.Host != "samen.example" || r.Scheme != "https" {
				t.Fatalf("Local(%q) = %q resolves to %s", next, got, r)
			}
		}
		// Idempotent.
		if again := web.Local(got); again != got {
			t.Fatalf("Local(Local(%q)) = %q, want %q", next, again, got)
		}
	})
}

func FuzzClientIP(f *testing.F) {
	f.Add("192.0.2.1:1234", "", false)
	f.Add("192.0.2.1:1234", "203.0.113.9", false)
	f.Add("192.0.2.1:1234", "203.0.113.9", true)
	f.Add("10.0.0.1:1234", "203.0.113.9", true)
	f.Add("10.0.0.1:1234", "203.0.113.9, 10.0.0.2", true)
	f.Add("10.0.0.1:1234", "garbage, 203.0.113.9", true)
	f.Add("[::ffff:10.0.0.1]:80", "::ffff:203.0.113.9", true)
	f.Add("[fe80::1%eth0]:80", "", true)
	f.Add("unix-socket", "203.0.113.9", true)
	f.Add("", "", false)
	f.Add("10.0.0.1:1234", "10.0.0.3,10.0.0.2", true)
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff string, withProxies bool) {
		var proxies []netip.Prefix
		if withProxies {
			proxies = trusted
		}
		got := web.ClientIP(proxies, remote, xff)

		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		if _, err := netip.ParseAddr(got); err != nil && got != host {
			t.Fatalf("ClientIP(%q, %q) = %q: neither an address nor the raw host %q", remote, xff, got, host)
		}
		if got != web.ClientIP(proxies, remote, "") {
			// X-Forwarded-For changed the answer: that is allowed only
			// when the connection comes from a trusted proxy, and then
			// the answer is one of the forwarded addresses.
			remoteAddr, err := netip.ParseAddr(host)
			if err != nil || !withProxies || !containsAddr(trusted, remoteAddr.Unmap()) {
				t.Fatalf("ClientIP(%q, %q) = %q: X-Forwarded-For believed from an untrusted peer", remote, xff, got)
			}
			found := false
			for _, hop := range strings.Split(xff, ",") {
				if a, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && a.Unmap().String() == got {
					found = true
				}
			}
			if !found {
				t.Fatalf("ClientIP(%q, %q) = %q is not in X-Forwarded-For", remote, xff, got)
			}
		}
	})
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		trusted     []netip.Prefix
		remote, xff string
		want        string
	}{
		{nil, "192.0.2.1:1234", "", "192.0.2.1"},
		{nil, "192.0.2.1:1234", "203.0.113.9", "192.0.2.1"},                              // nobody trusted: XFF is a lie
		{nil, "10.0.0.1:1234", "203.0.113.9", "10.0.0.1"},                                // same
		{proxies, "192.0.2.1:1234", "203.0.113.9", "192.0.2.1"},                          // not from our proxy
		{proxies, "10.0.0.1:1234", "203.0.113.9", "203.0.113.9"},                         // from our proxy
		{proxies, "10.0.0.1:1234", "198.51.100.7, 203.0.113.9, 10.0.0.2", "203.0.113.9"}, // rightmost untrusted hop
		{proxies, "10.0.0.1:1234", "10.0.0.3, 10.0.0.2", "10.0.0.3"},                     // only proxies: the farthest
		{proxies, "10.0.0.1:1234", "junk, 203.0.113.9", "203.0.113.9"},
		{proxies, "10.0.0.1:1234", "203.0.113.9, junk", "10.0.0.1"}, // a broken hop ends the walk
		{proxies, "10.0.0.1:1234", "", "10.0.0.1"},
		{proxies, "[::ffff:10.0.0.1]:80", "::ffff:203.0.113.9", "203.0.113.9"},
		{proxies, "[fd00::1]:80", "2001:db8::5", "2001:db8::5"},
		{nil, "[2001:db8::1]:443", "", "2001:db8::1"},
		{nil, "not-an-address", "", "not-an-address"},
	} {
		if got := web.ClientIP(tc.trusted, tc.remote, tc.xff); got != tc.want {
			t.Errorf("ClientIP(trusted=%v, %q, XFF %q) = %q, want %q", tc.trusted != nil, tc.remote, tc.xff, got, tc.want)
		}
	}
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "en", "nl", "nl-BE,nl;q=0.9,en;q=0.8", "*", "en;q=0", "fr;q=1.0,de", "x-klingon",
		"en-GB;q=abc", strings.Repeat("en,", 400), "zh-Hant-TW", "\x00", ";;;,,,", "i-default", "nl-u-co-phonebk"} {
		f.Add(s)
	}
	s := newSite(f, storetest.SQLite(f), quiet)
	h := s.HTTP.Config.Handler
	f.Fuzz(func(t *testing.T, accept string) {
		if got := i18n.Match(accept); got != "nl" && got != "en" {
			t.Fatalf("Match(%q) = %q", accept, got)
		}
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("Accept-Language", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if cl := rec.Header().Get("Content-Language"); cl != "nl" && cl != "en" {
			t.Fatalf("Accept-Language %q: Content-Language %q", accept, cl)
		}
	})
}

// formPaths are the forms anyone may post.
var formPaths = []string{"/signup", "/login", "/password/forgot", "/verify/resend", "/password/reset"}

// postRaw posts a body straight into the handler, as a script would.
func postRaw(h http.Handler, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func FuzzForms(f *testing.F) {
	seeds := []string{
		"email=someone%40example.org&name=Someone&password=" + url.QueryEscape(goodPassword),
		"email=member%40example.org&password=demo-member-samen",
		"email=MEMBER%40EXAMPLE.ORG",
		"email=%ff%fe&name=%00&password=%c0%80",
		"email=a%40b.c&name=" + strings.Repeat("x", 200) + "&password=short",
		"email=%22a+b%22%40example.org&password=" + url.QueryEscape(goodPassword),
		"email=a%40b.c&email=d%40e.f",
		"%zz=%zz",
		"email=x%40y.z&name=%E2%80%A8&password=" + url.QueryEscape(goodPassword),
		"token=abc&password=" + url.QueryEscape(goodPassword),
		"next=//evil.example&email=a%40b.c&password=x",
		"",
		";;&&==",
	}
	for i, s := range seeds {
		f.Add(uint8(i), s, "application/x-www-form-urlencoded")
	}
	f.Add(uint8(0), "--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b.c\r\n--x--\r\n", "multipart/form-data; boundary=x")
	f.Add(uint8(1), "email=a@b.c", "text/plain")
	f.Add(uint8(2), "email=a@b.c", "application/x-www-form-urlencoded; charset=%")

	s := newSite(f, storetest.SQLite(f), quiet)
	s.seed()
	h := s.HTTP.Config.Handler
	f.Fuzz(func(t *testing.T, which uint8, body, contentType string) {
		path := formPaths[int(which)%len(formPaths)]
		rec := postRaw(h, path, contentType, body)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q (%s): status %d\n%s", path, body, contentType, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusSeeOther {
			if loc := rec.Header().Get("Location"); web.Local(loc) != loc {
				t.Fatalf("POST %s %q: redirect to %q leaves the site", path, body, loc)
			}
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"script"}`, `{"name":""}`, `{"name":1}`, `{"name":null}`, `null`, `[]`, `"x"`, `{`, ``,
		`{"name":"a","x":1}`, `{"name":"a"}{"name":"b"}`, `{"name":"a"}}`, `{"Name":"case"}`, `{"name":"\u0000"}`,
		`{"name":"\ud800"}`, `{"name":"` + strings.Repeat("é", 101) + `"}`, `{"name":1e999}`, `{"name":{"a":[1,2]}}`,
		strings.Repeat("[", 10001), `{"name":"a"} trailing`, "\xff\xfe", `{"name":"\t\n"}`,
	} {
		f.Add(s, "application/json")
	}
	f.Add(`{"name":"x"}`, "text/plain")
	f.Add(`{"name":"x"}`, "")
	f.Add(`{"name":"x"}`, "application/merge-patch+json")
	f.Add(`{"name":"x"}`, "application/json; charset=\"")

	s := newSite(f, storetest.SQLite(f), quiet)
	s.seed()
	token := s.tokenFor(member.Email)
	memberID := s.userID(member.Email)
	h := s.HTTP.Config.Handler
	f.Fuzz(func(t *testing.T, body, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("body %q (%s): status %d\n%s", body, contentType, rec.Code, rec.Body)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("body %q: answer is %s", body, rec.Header().Get("Content-Type"))
		}
		if rec.Code == http.StatusCreated {
			// Revoke it again, so the fuzzer does not run into the cap on
			// live tokens and see nothing but 409 from then on.
			var tok struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.ID == 0 {
				t.Fatalf("body %q: 201 with %s", body, rec.Body)
			}
			if err := s.Accounts.RevokeToken(context.Background(), memberID, tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// The inputs that broke the fuzz targets, and their kin, on every engine:
// PostgreSQL refuses text that SQLite stores.
func TestOddFormInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		h := s.HTTP.Config.Handler
		odd := []string{"\x00", "\xff\xfe", "a\x00b", "\xc0\x80", "\u2028", "\ufeff", strings.Repeat("ü", 300)}
		n := 0
		for _, path := range formPaths {
			for _, v := range odd {
				for _, field := range []string{"email", "name", "password", "token", "next"} {
					// A new address each time, so that every field
					// reaches the database.
					n++
					email := "odd" + strconv.Itoa(n) + "@example.org"
					form := url.Values{"email": {email}, "name": {"Odd"}, "password": {goodPassword}, "token": {"x"}}
					form.Set(field, v)
					if rec := postRaw(h, path, "application/x-www-form-urlencoded", form.Encode()); rec.Code >= 500 {
						t.Errorf("POST %s with %s=%q: status %d", path, field, v, rec.Code)
					}
				}
			}
		}
		// What people type once logged in, and what stewards search for.
		b := s.loggedIn(steward, "en")
		for _, v := range odd {
			for path, form := range map[string]url.Values{
				"/account/profile":  {"name": {v}, "language": {"en"}},
				"/account/tokens":   {"token_name": {v}},
				"/account/password": {"current_password": {v}, "new_password": {v}},
			} {
				if r := b.postForm(path, form); r.Status >= 500 {
					t.Errorf("POST %s with %q: status %d", path, v, r.Status)
				}
			}
			for _, path := range []string{"/admin/people?q=", "/admin/audit?action=", "/admin/audit?subject_id=", "/api/v1/users?q=", "/api/v1/audit?subject_type="} {
				if r := b.get(path + url.QueryEscape(v)); r.Status >= 500 {
					t.Errorf("GET %s%q: status %d", path, v, r.Status)
				}
			}
		}
		token := s.tokenFor(member.Email)
		for _, v := range odd {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(`{"name":`+jsonString(v)+`}`))
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Errorf("token named %q: status %d", v, rec.Code)
			}
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
