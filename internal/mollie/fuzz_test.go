package mollie

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// What Mollie (or something posing as it) sends samen: a webhook's body,
// a payment as JSON, an amount's value, an error answer. Run one with
//
//	go test ./internal/mollie/ -run '^$' -fuzz '^FuzzWebhook$' -fuzztime 60s

// FuzzWebhook: any body and content type give a payment id of Mollie's
// shape or an error, never a panic; an id given is one ParseWebhook's own
// rules accept.
func FuzzWebhook(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "id=tr_WDqYK6vllg")
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "id=tr_WDqYK6vllg&id=tr_x")
	f.Add("application/json", `{"id": "tr_WDqYK6vllg"}`)
	f.Add("application/x-www-form-urlencoded", "id=%ZZ")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/payments/mollie", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		id, err := ParseWebhook(r)
		if err == nil && !ValidPaymentID(id) {
			t.Fatalf("accepted %q from %q", id, body)
		}
	})
}

// FuzzPayment: a payment as Mollie's documented v2 JSON (the example of
// its "Get payment" reference, trimmed) decodes or is refused; its amounts
// read as cents only from values of the form 10.00, never negative.
func FuzzPayment(f *testing.F) {
	f.Add([]byte(`{"resource": "payment", "id": "tr_WDqYK6vllg", "mode": "test", "status": "paid",
		"amount": {"value": "10.00", "currency": "EUR"}, "amountRefunded": {"value": "0.00", "currency": "EUR"},
		"description": "Order #12345", "metadata": {"contribution": "12"},
		"_links": {"checkout": {"href": "https://www.mollie.com/payscreen/select-method/WDqYK6vllg", "type": "text/html"}}}`))
	f.Add([]byte(`{"amount": {"value": "1.5", "currency": "EUR"}}`))
	f.Add([]byte(`{"amount": {"value": "99999999999999999999.00", "currency": "EUR"}, "metadata": [1, 2]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Payment
		if json.Unmarshal(data, &p) != nil {
			return
		}
		for _, read := range []func() (int64, error){p.Cents, p.RefundedCents, p.RemainingCents} {
			if c, err := read(); err == nil && c < 0 {
				t.Fatalf("a negative amount %d from %s", c, data)
			}
		}
		_, _ = p.MetadataString("contribution")
		_ = p.CheckoutURL()
		_ = p.Status.Final()
	})
}

// FuzzParseCents: a value reads back as it was written, and nothing else
// is read at all.
func FuzzParseCents(f *testing.F) {
	for _, v := range []string{"10.00", "0.01", "1234567.89", "010.00", "1,00", "1.5", "-1.00", "92233720368547758.07", ""} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := ParseCents(v)
		if err != nil {
			return
		}
		back, err := FormatCents(c)
		if err != nil || back != v {
			t.Fatalf("%q read as %d, written back as %q (%v)", v, c, back, err)
		}
	})
}

// FuzzAnswerError: any answer of any status gives an *Error with that
// status.
func FuzzAnswerError(f *testing.F) {
	f.Add(422, []byte(`{"status": 422, "title": "Unprocessable Entity", "detail": "The amount is higher than the maximum", "field": "amount"}`))
	f.Add(502, []byte(`<html><body>Bad gateway</body></html>`))
	f.Add(404, []byte(`{"status": 0}`))
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		err := answerError(status, bytes.Clone(data))
		e, ok := err.(*Error)
		if !ok || e.Status != status {
			t.Fatalf("status %d, body %q: %#v", status, data, err)
		}
		_ = e.Error()
	})
}
