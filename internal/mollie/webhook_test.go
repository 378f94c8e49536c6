package mollie_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"samen/internal/mollie"
)

func TestParseWebhook(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name, method, contentType, body string
		id                              string // "" for an error
	}{
		{"Mollie's call", "POST", form, "id=tr_d0b0E3EA3v", "tr_d0b0E3EA3v"},
		{"with a charset", "POST", form + "; charset=utf-8", "id=tr_d0b0E3EA3v", "tr_d0b0E3EA3v"},
		{"other fields are ignored", "POST", form, "id=tr_abc123&testByMollie=1", "tr_abc123"},
		{"64 characters", "POST", form, "id=tr_" + strings.Repeat("a", 64), "tr_" + strings.Repeat("a", 64)},
		{"GET", "GET", form, "id=tr_d0b0E3EA3v", ""},
		{"JSON", "POST", "application/json", `{"id":"tr_d0b0E3EA3v"}`, ""},
		{"no content type", "POST", "", "id=tr_d0b0E3EA3v", ""},
		{"empty", "POST", form, "", ""},
		{"no id", "POST", form, "payment=tr_d0b0E3EA3v", ""},
		{"two ids", "POST", form, "id=tr_abc&id=tr_def", ""},
		{"a refund id", "POST", form, "id=re_4qqhO89gsT", ""},
		{"only the prefix", "POST", form, "id=tr_", ""},
		{"a path", "POST", form, "id=tr_abc%2F..%2Fx", ""},
		{"a space", "POST", form, "id=tr_abc+def", ""},
		{"65 characters", "POST", form, "id=tr_" + strings.Repeat("a", 65), ""},
		{"too large", "POST", form, "id=tr_abc&pad=" + strings.Repeat("x", 2000), ""},
		{"broken form", "POST", form, "id=tr_abc%zz", ""},
	} {
		r := httptest.NewRequest(c.method, "/mollie/webhook", strings.NewReader(c.body))
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		id, err := mollie.ParseWebhook(r)
		switch {
		case c.id != "" && (err != nil || id != c.id):
			t.Errorf("%s: %q, %v; want %q", c.name, id, err, c.id)
		case c.id == "" && (err == nil || !errors.Is(err, mollie.ErrWebhook) || id != ""):
			t.Errorf("%s: %q, %v; want ErrWebhook", c.name, id, err)
		}
	}
	// The method check does not depend on the body being read.
	r := httptest.NewRequest(http.MethodPut, "/", nil)
	if _, err := mollie.ParseWebhook(r); !errors.Is(err, mollie.ErrWebhook) {
		t.Errorf("PUT: %v", err)
	}
}
