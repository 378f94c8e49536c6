package mollietest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"samen/internal/mollie/mollietest"
)

// These tests speak to the fake in raw HTTP, as the documentation's curl
// examples do, so that what it answers is checked without the client.

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, method, url, key, idem, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(data, &a.body); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %s", method, url, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("%s %s: Content-Type %q", method, url, ct)
	}
	return a
}

// paymentBody is the documentation's example request, with a webhook on
// the loopback interface: the fake calls it, and tests must send nothing
// off this machine.
func paymentBody(hook string) string {
	return `{"amount":{"currency":"EUR","value":"10.00"},"description":"Order #12345",
	"redirectUrl":"https://webshop.example.org/order/12345/","webhookUrl":"` + hook + `",
	"metadata":{"order_id":"12345"}}`
}

// hook is a webhook endpoint that answers 200 and counts the calls.
func hook(t *testing.T) (string, *atomic.Int32) {
	n := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			n.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/payments/webhook/", n
}

// checkError checks an answer against Mollie's documented error object.
func checkError(t *testing.T, what string, a answer, status int, field string) {
	t.Helper()
	if a.status != status || a.body["status"] != float64(status) || a.body["title"] == "" || a.body["detail"] == "" {
		t.Errorf("%s: %d %v, want %d", what, a.status, a.body, status)
	}
	if got, _ := a.body["field"].(string); got != field {
		t.Errorf("%s: field %q, want %q (%v)", what, got, field, a.body["detail"])
	}
	links, _ := a.body["_links"].(map[string]any)
	if doc, _ := links["documentation"].(map[string]any); doc["href"] == nil {
		t.Errorf("%s: no _links.documentation: %v", what, a.body)
	}
}

// The documentation's create-payment example gives the documented answer.
func TestCreateLikeTheDocs(t *testing.T) {
	s := mollietest.Start(t)
	hookURL, hookCalls := hook(t)
	payment := paymentBody(hookURL)
	a := call(t, "POST", s.URL+"/payments", mollietest.APIKey, "", "application/json", payment)
	if a.status != http.StatusCreated {
		t.Fatalf("create: %d %v", a.status, a.body)
	}
	id, _ := a.body["id"].(string)
	if !regexp.MustCompile(`^tr_[A-Za-z0-9]{10}$`).MatchString(id) {
		t.Errorf("id %q", id)
	}
	for name, want := range map[string]any{
		"resource": "payment", "mode": "test", "status": "open", "description": "Order #12345", "method": nil,
		"isCancelable": false, "sequenceType": "oneoff", "details": nil,
		"redirectUrl": "https://webshop.example.org/order/12345/", "webhookUrl": hookURL,
	} {
		if got := a.body[name]; got != want {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	if amount, _ := a.body["amount"].(map[string]any); amount["value"] != "10.00" || amount["currency"] != "EUR" {
		t.Errorf("amount %v", a.body["amount"])
	}
	if meta, _ := a.body["metadata"].(map[string]any); meta["order_id"] != "12345" {
		t.Errorf("metadata %v", a.body["metadata"])
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`)
	for _, name := range []string{"createdAt", "expiresAt"} {
		if v, _ := a.body[name].(string); !stamp.MatchString(v) {
			t.Errorf("%s = %q", name, v)
		}
	}
	for _, name := range []string{"paidAt", "amountRefunded", "amountRemaining"} {
		if _, ok := a.body[name]; ok {
			t.Errorf("an open payment has %s", name)
		}
	}
	links, _ := a.body["_links"].(map[string]any)
	checkout, _ := links["checkout"].(map[string]any)
	self, _ := links["self"].(map[string]any)
	if checkout["href"] != s.CheckoutURL(id) || checkout["type"] != "text/html" || self["href"] != s.URL+"/payments/"+id {
		t.Errorf("_links %v", links)
	}

	got := call(t, "GET", s.URL+"/payments/"+id, mollietest.APIKey, "", "", "")
	if got.status != http.StatusOK || got.body["id"] != id {
		t.Errorf("get: %d %v", got.status, got.body)
	}
	if n := hookCalls.Load(); n != 0 {
		t.Errorf("%d webhook calls for an open payment", n)
	}
}

func TestErrorsLikeTheDocs(t *testing.T) {
	s := mollietest.Start(t)
	key := mollietest.APIKey
	checkError(t, "no key", call(t, "GET", s.URL+"/payments/tr_WDqYK6vllg", "", "", "", ""), 401, "")
	checkError(t, "wrong key", call(t, "GET", s.URL+"/payments/tr_WDqYK6vllg", "test_deliberately_invalid_key", "", "", ""), 401, "")
	a := call(t, "GET", s.URL+"/payments/tr_I_dont_exist", key, "", "", "")
	checkError(t, "unknown payment", a, 404, "")
	if a.body["detail"] != "No payment exists with token tr_I_dont_exist." {
		t.Errorf("404 detail %q", a.body["detail"])
	}
	// The documented 422: an amount too high names the field amount.
	a = call(t, "POST", s.URL+"/payments", key, "", "application/json",
		`{"amount":{"currency":"EUR","value":"1000000000.00"},"description":"Order #66","redirectUrl":"https://www.example.org/payment/completed"}`)
	checkError(t, "too high", a, 422, "amount")
	if a.body["detail"] != "The amount is higher than the maximum" || a.body["title"] != "Unprocessable Entity" {
		t.Errorf("422: %v", a.body)
	}

	for _, c := range []struct{ name, body, field string }{
		{"no amount", `{"description":"x","redirectUrl":"https://a.example/"}`, "amount"},
		{"a number for the value", `{"amount":{"currency":"EUR","value":10.00},"description":"x","redirectUrl":"https://a.example/"}`, "amount.value"},
		{"one decimal", `{"amount":{"currency":"EUR","value":"10.0"},"description":"x","redirectUrl":"https://a.example/"}`, "amount.value"},
		{"no currency", `{"amount":{"value":"10.00"},"description":"x","redirectUrl":"https://a.example/"}`, "amount.currency"},
		{"zero", `{"amount":{"currency":"EUR","value":"0.00"},"description":"x","redirectUrl":"https://a.example/"}`, "amount"},
		{"no description", `{"amount":{"currency":"EUR","value":"1.00"},"redirectUrl":"https://a.example/"}`, "description"},
		{"no redirect", `{"amount":{"currency":"EUR","value":"1.00"},"description":"x"}`, "redirectUrl"},
		{"a misspelled name", `{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectURL":"https://a.example/"}`, "redirectURL"},
		{"a misspelled nested name", `{"amount":{"currency":"EUR","amount":"1.00"},"description":"x","redirectUrl":"https://a.example/"}`, "amount.amount"},
		{"a name in another case", `{"Amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://a.example/"}`, "Amount"},
		{"a nested name in another case", `{"amount":{"Currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://a.example/"}`, "amount.Currency"},
		{"a method array with an unknown one", `{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://a.example/","method":["ideal","cash"]}`, "method"},
		{"large metadata", `{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://a.example/","metadata":"` + strings.Repeat("x", 1100) + `"}`, "metadata"},
	} {
		checkError(t, c.name, call(t, "POST", s.URL+"/payments", key, "", "application/json", c.body), 422, c.field)
	}
	checkError(t, "not JSON", call(t, "POST", s.URL+"/payments", key, "", "application/json", `{"amount":`), 400, "")
	checkError(t, "a form", call(t, "POST", s.URL+"/payments", key, "", "application/x-www-form-urlencoded", "amount[value]=10.00"), 415, "")
	a = call(t, "GET", s.URL+"/payments", key, "", "", "")
	checkError(t, "GET the collection", a, 405, "")
	if a.header.Get("Allow") != "POST" {
		t.Errorf("405 Allow %q", a.header.Get("Allow"))
	}
	checkError(t, "elsewhere", call(t, "GET", s.URL+"/orders", key, "", "", ""), 404, "")
	if ids := s.PaymentIDs(); len(ids) != 0 {
		t.Errorf("refused requests made payments %v", ids)
	}

	// A method array of documented ones is fine, and leaves the choice.
	a = call(t, "POST", s.URL+"/payments", key, "", "application/json",
		`{"amount":{"currency":"EUR","value":"1.00"},"description":"`+strings.Repeat("é", 300)+`","redirectUrl":"https://a.example/","method":["ideal","bancontact"]}`)
	if a.status != 201 || a.body["method"] != nil {
		t.Errorf("method array: %d %v", a.status, a.body)
	}
	// A description past 255 characters is truncated, not refused.
	if d, _ := a.body["description"].(string); len([]rune(d)) != 255 {
		t.Errorf("description of %d characters", len([]rune(d)))
	}
}

// Idempotency as overview/api-idempotency documents it.
func TestIdempotencyKey(t *testing.T) {
	s := mollietest.Start(t)
	hookURL, hookCalls := hook(t)
	payment := paymentBody(hookURL)
	key := mollietest.APIKey
	first := call(t, "POST", s.URL+"/payments", key, "order-12345", "application/json", payment)
	// The same parameters in another order and spacing are the same request.
	same := `{"metadata":{"order_id":"12345"},"webhookUrl":"` + hookURL + `",
		"redirectUrl":"https://webshop.example.org/order/12345/","description":"Order #12345","amount":{"value":"10.00","currency":"EUR"}}`
	again := call(t, "POST", s.URL+"/payments", key, "order-12345", "application/json", same)
	if again.status != first.status || again.body["id"] != first.body["id"] || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %v %v", again.status, again.body["id"], again.header)
	}
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Error("the first answer says it is replayed")
	}
	if ids := s.PaymentIDs(); len(ids) != 1 {
		t.Errorf("payments %v", ids)
	}
	// Other parameters, or another endpoint, under the same key: 400.
	other := strings.Replace(payment, "10.00", "11.00", 1)
	checkError(t, "other body", call(t, "POST", s.URL+"/payments", key, "order-12345", "application/json", other), 400, "")
	id := first.body["id"].(string)
	if err := s.Settle(id, "paid"); err != nil {
		t.Fatal(err)
	}
	if n := hookCalls.Load(); n != 1 {
		t.Errorf("%d webhook calls after paying", n)
	}
	checkError(t, "other endpoint", call(t, "POST", s.URL+"/payments/"+id+"/refunds", key, "order-12345", "application/json",
		`{"amount":{"currency":"EUR","value":"1.00"}}`), 400, "")
	// GETs ignore the key.
	if a := call(t, "GET", s.URL+"/payments/"+id, key, "order-12345", "", ""); a.status != 200 || a.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("GET with a key: %d %v", a.status, a.header)
	}
	// Without a key, the same request twice is two payments, as at Mollie.
	call(t, "POST", s.URL+"/payments", key, "", "application/json", payment)
	call(t, "POST", s.URL+"/payments", key, "", "application/json", payment)
	if ids := s.PaymentIDs(); len(ids) != 3 {
		t.Errorf("payments %v, want 3", ids)
	}
}

func TestRefundsLikeTheDocs(t *testing.T) {
	s := mollietest.Start(t)
	hookURL, hookCalls := hook(t)
	payment := paymentBody(hookURL)
	key := mollietest.APIKey
	id := call(t, "POST", s.URL+"/payments", key, "", "application/json", payment).body["id"].(string)
	if err := s.Settle(id, "paid"); err != nil {
		t.Fatal(err)
	}
	refunds := s.URL + "/payments/" + id + "/refunds"
	for i := range 3 {
		a := call(t, "POST", refunds, key, "", "application/json", `{"amount":{"currency":"EUR","value":"1.00"},"metadata":{"bookkeeping_id":12345}}`)
		if a.status != 201 || a.body["resource"] != "refund" || a.body["status"] != "pending" || a.body["paymentId"] != id {
			t.Fatalf("refund %d: %d %v", i, a.status, a.body)
		}
	}
	checkError(t, "another currency", call(t, "POST", refunds, key, "", "application/json", `{"amount":{"currency":"USD","value":"1.00"}}`), 422, "amount.currency")
	checkError(t, "a long description", call(t, "POST", refunds, key, "", "application/json",
		`{"amount":{"currency":"EUR","value":"1.00"},"description":"`+strings.Repeat("x", 141)+`"}`), 422, "description")
	checkError(t, "past what remains", call(t, "POST", refunds, key, "", "application/json", `{"amount":{"currency":"EUR","value":"7.01"}}`), 422, "amount")
	checkError(t, "unknown payment", call(t, "POST", s.URL+"/payments/tr_nope/refunds", key, "", "application/json", `{"amount":{"currency":"EUR","value":"1.00"}}`), 404, "")

	// A page of two has a next link that gives the third.
	page := call(t, "GET", refunds+"?limit=2", key, "", "", "")
	links, _ := page.body["_links"].(map[string]any)
	next, _ := links["next"].(map[string]any)
	embedded, _ := page.body["_embedded"].(map[string]any)
	if page.body["count"] != float64(2) || len(embedded["refunds"].([]any)) != 2 || next["href"] == nil || links["previous"] != nil {
		t.Fatalf("page: %v", page.body)
	}
	rest := call(t, "GET", next["href"].(string), key, "", "", "")
	links, _ = rest.body["_links"].(map[string]any)
	if rest.body["count"] != float64(1) || links["next"] != nil {
		t.Errorf("next page: %v", rest.body)
	}
	checkError(t, "a limit past 250", call(t, "GET", refunds+"?limit=251", key, "", "", ""), 400, "limit")
	checkError(t, "unknown refund", call(t, "GET", refunds+"/re_nope", key, "", "", ""), 404, "")

	if n := hookCalls.Load(); n != 1 {
		t.Errorf("%d webhook calls: paying calls it, making refunds does not", n)
	}
	p := call(t, "GET", s.URL+"/payments/"+id, key, "", "", "")
	if r, _ := p.body["amountRemaining"].(map[string]any); r["value"] != "7.00" {
		t.Errorf("amountRemaining %v", p.body["amountRemaining"])
	}
	if r, _ := p.body["amountRefunded"].(map[string]any); r["value"] != "3.00" {
		t.Errorf("amountRefunded %v", p.body["amountRefunded"])
	}
}

// The checkout page is plain, accessible HTML that loads nothing from
// elsewhere, in the payment's language; the form settles the payment.
func TestCheckoutPage(t *testing.T) {
	s := mollietest.Start(t)
	hookURL, hookCalls := hook(t)
	payment := paymentBody(hookURL)
	key := mollietest.APIKey
	create := func(locale string) string {
		body := strings.Replace(payment, `"metadata"`, `"locale":"`+locale+`","cancelUrl":"https://webshop.example.org/cancel/","metadata"`, 1)
		return call(t, "POST", s.URL+"/payments", key, "", "application/json", body).body["id"].(string)
	}
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	for locale, lang := range map[string]string{"nl_NL": "nl", "en_US": "en", "de_DE": "en"} {
		id := create(locale)
		status, html := get(s.CheckoutURL(id))
		if status != 200 || !strings.Contains(html, `<html lang="`+lang+`">`) || !strings.Contains(html, "<title>") || !strings.Contains(html, "<main>") ||
			!strings.Contains(html, "<legend>") || !strings.Contains(html, "EUR 10.00") || !strings.Contains(html, "Order #12345") {
			t.Errorf("%s: %d\n%s", locale, status, html)
		}
		for _, outcome := range []string{"paid", "failed", "canceled", "expired"} {
			if !strings.Contains(html, `id="status-`+outcome+`"`) || !strings.Contains(html, `<label for="status-`+outcome+`">`) {
				t.Errorf("%s: no labelled radio for %s", locale, outcome)
			}
		}
		for _, external := range []string{"<script", "<link", "<img", "<iframe", "src=", "style", "http://", "https://"} {
			if strings.Contains(html, external) {
				t.Errorf("%s: the page has %q", locale, external)
			}
		}
	}

	id := create("nl_NL")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// No choice: the form again, with the error tied to the group.
	resp, err := noRedirect.PostForm(s.CheckoutURL(id), url.Values{"status": {"bitcoin"}})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !strings.Contains(string(data), `role="alert"`) || !strings.Contains(string(data), `aria-describedby="outcome-error"`) {
		t.Errorf("no valid choice: %d\n%s", resp.StatusCode, data)
	}
	// Canceling goes to the cancelUrl.
	resp, err = noRedirect.PostForm(s.CheckoutURL(id), url.Values{"status": {"canceled"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "https://webshop.example.org/cancel/" {
		t.Errorf("cancel: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if p := call(t, "GET", s.URL+"/payments/"+id, key, "", "", ""); p.body["status"] != "canceled" || p.body["canceledAt"] == nil {
		t.Errorf("after cancel: %v", p.body)
	}
	// The webhook was called once, with a form, and is recorded.
	if hooks := s.Webhooks(); len(hooks) != 1 || hooks[0].PaymentID != id || hooks[0].URL != hookURL || hooks[0].Status != 200 || hookCalls.Load() != 1 {
		t.Errorf("webhooks %+v, %d calls", hooks, hookCalls.Load())
	}
	if status, _ := get(s.CheckoutURL("tr_nope")); status != 404 {
		t.Errorf("unknown checkout: %d", status)
	}
	if err := s.Settle("tr_nope", "paid"); err == nil {
		t.Error("settled an unknown payment")
	}
	if err := s.Settle(create("en_US"), "refunded"); err == nil {
		t.Error("settled as refunded")
	}
}
