package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

func TestLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))

	speaks := func(t *testing.T, r *response, lang string) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("status %d; body:\n%s", r.Status, r.Body)
		}
		if !strings.Contains(r.Body, `<html lang="`+lang+`">`) {
			t.Errorf(`the page is not marked <html lang="%s">`, lang)
		}
		if got := r.Header.Get("Content-Language"); got != lang {
			t.Errorf("Content-Language %q, want %q", got, lang)
		}
		mustContain(t, r, "<h1>"+html(msgs.T(lang, "login.title"))+"</h1>")
		other := map[string]string{"nl": "en", "en": "nl"}[lang]
		if strings.Contains(r.Body, "<h1>"+html(msgs.T(other, "login.title"))+"</h1>") {
			t.Errorf("the page is in %s too", other)
		}
	}

	for _, tc := range []struct{ accept, want string }{
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"nl", "nl"},
		{"nl-BE", "nl"},
		{"de-DE,de;q=0.9,en;q=0.5", "en"},
		{"fr", "nl"}, // nothing samen speaks: Dutch
		{"", "nl"},
		{"en;q=0.1,nl;q=0.9", "nl"},
	} {
		t.Run("Accept-Language "+tc.accept, func(t *testing.T) {
			speaks(t, s.browser(tc.accept).get("/login"), tc.want)
		})
	}

	t.Run("the cookie beats Accept-Language", func(t *testing.T) {
		b := s.browser("nl")
		u, _ := url.Parse(s.HTTP.URL)
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "samen_lang", Value: "en", Path: "/"}})
		speaks(t, b.get("/login"), "en")
	})

	t.Run("a cookie with a language samen does not speak is ignored", func(t *testing.T) {
		b := s.browser("en")
		u, _ := url.Parse(s.HTTP.URL)
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "samen_lang", Value: "fr", Path: "/"}})
		speaks(t, b.get("/login"), "en")
	})

	t.Run("the switch remembers the choice and returns", func(t *testing.T) {
		b := s.browser("nl")
		speaks(t, b.get("/login"), "nl")
		r := b.get("/language?lang=en&next=/login")
		if r.Status != http.StatusSeeOther || r.Location() != "/login" {
			t.Fatalf("status %d to %q, want 303 to /login", r.Status, r.Location())
		}
		c := r.Cookie("samen_lang")
		if c == nil || c.Value != "en" || c.MaxAge <= 0 {
			t.Fatalf("language cookie %v, want a lasting samen_lang=en", c)
		}
		speaks(t, b.get("/login"), "en")
		// And back.
		b.get("/language?lang=nl&next=/login")
		speaks(t, b.get("/login"), "nl")
	})

	t.Run("the switch keeps the query of the page", func(t *testing.T) {
		r := s.browser("nl").get("/language?lang=en&next=" + url.QueryEscape("/login?next=/account"))
		if r.Location() != "/login?next=/account" {
			t.Errorf("redirect to %q", r.Location())
		}
	})

	t.Run("the switch never leaves the site", func(t *testing.T) {
		for _, next := range []string{
			"//evil.example", "https://evil.example", "http://evil.example/login", "/\\evil.example",
			"\\\\evil.example", "evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=y", "",
			" //evil.example", "\t/evil", "///evil.example", "/\r\nSet-Cookie: x=y",
			"/\t/evil.example", "/\n/evil.example",
		} {
			r := s.browser("nl").get("/language?lang=en&next=" + url.QueryEscape(next))
			if r.Status != http.StatusSeeOther {
				t.Errorf("next=%q: status %d, want 303", next, r.Status)
				continue
			}
			loc := r.Location()
			u, err := url.Parse(loc)
			if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
				t.Errorf("next=%q: redirect to %q leaves the site", next, loc)
			}
			if next != "/%0d%0aSet-Cookie:x=y" && loc != "/" {
				t.Errorf("next=%q: redirect to %q, want /", next, loc)
			}
			if r.Header.Get("Set-Cookie") != "" && r.Cookie("x") != nil {
				t.Errorf("next=%q: header injection", next)
			}
		}
	})

	t.Run("text that is not text is refused", func(t *testing.T) {
		for _, next := range []string{"/\x00/evil.example", "/\xff", "/\x7f/evil.example", "/\x1b/x"} {
			r := s.browser("en").get("/language?lang=en&next=" + url.QueryEscape(next))
			if r.Status != http.StatusBadRequest || r.Location() != "" {
				t.Errorf("next=%q: status %d to %q, want 400", next, r.Status, r.Location())
			}
			mustContain(t, r, "<code>next</code>")
		}
	})

	t.Run("unknown language", func(t *testing.T) {
		for _, q := range []string{"lang=fr&next=/", "lang=&next=/", "next=/", "lang=EN", "lang=en-GB"} {
			r := s.browser("en").get("/language?" + q)
			if r.Status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", q, r.Status)
			}
			if r.Cookie("samen_lang") != nil {
				t.Errorf("%s: set a language cookie", q)
			}
		}
	})

	t.Run("the language links on a page point at the switch", func(t *testing.T) {
		r := s.browser("nl").get("/login?next=%2Faccount")
		mustContain(t, r, `href="/language?lang=en&amp;next=%2Flogin%3Fnext%3D%252Faccount"`)
	})
}
