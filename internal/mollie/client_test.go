package mollie_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/mollie"
	"samen/internal/mollie/mollietest"
)

// shop is what samen's side looks like in these tests: a client of the
// fake, and a webhook endpoint that does what ParseWebhook asks of its
// caller, fetching the payment before believing anything.
type shop struct {
	t      *testing.T
	fake   *mollietest.Server
	client *mollie.Client
	hook   *httptest.Server

	mu   sync.Mutex
	seen []mollie.Payment // what GetPayment said after each webhook call
}

func newShop(t *testing.T) *shop {
	t.Helper()
	s := &shop{t: t, fake: mollietest.Start(t)}
	s.client = &mollie.Client{BaseURL: s.fake.URL, APIKey: mollietest.APIKey}
	s.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := mollie.ParseWebhook(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p, err := s.client.GetPayment(r.Context(), id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		s.seen = append(s.seen, p)
		s.mu.Unlock()
	}))
	t.Cleanup(s.hook.Close)
	return s
}

// request is a valid payment request for cents, keyed by contribution.
func (s *shop) request(contribution string, cents int64) mollie.PaymentRequest {
	return mollie.PaymentRequest{
		Cents:          cents,
		Description:    "Bijdrage " + contribution + " aan Buurttuin",
		RedirectURL:    "https://samen.example/bijdragen/" + contribution + "/terug",
		WebhookURL:     s.hook.URL + "/mollie/webhook",
		Metadata:       map[string]string{"contribution": contribution},
		Locale:         "nl_NL",
		IdempotencyKey: "samen-contribution-" + contribution,
	}
}

func (s *shop) create(contribution string, cents int64) mollie.Payment {
	s.t.Helper()
	p, err := s.client.CreatePayment(context.Background(), s.request(contribution, cents))
	if err != nil {
		s.t.Fatalf("CreatePayment: %v", err)
	}
	return p
}

// lastSeen is what the webhook handler last read of a payment.
func (s *shop) lastSeen() (mollie.Payment, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) == 0 {
		return mollie.Payment{}, 0
	}
	return s.seen[len(s.seen)-1], len(s.seen)
}

func (s *shop) pay(contribution string, cents int64) mollie.Payment {
	s.t.Helper()
	p := s.create(contribution, cents)
	if err := s.fake.Settle(p.ID, "paid"); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func asError(t *testing.T, err error) *mollie.Error {
	t.Helper()
	var e *mollie.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *mollie.Error", err, err)
	}
	return e
}

// noRedirect is a browser that shows where it is sent instead of going.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// The whole journey: create, the payer pays at the checkout page, Mollie
// calls the webhook, the webhook's GetPayment says paid.
func TestPaidThroughCheckout(t *testing.T) {
	s := newShop(t)
	p := s.create("42", 1250)

	if p.Status != mollie.StatusOpen || p.Mode != "test" || p.Resource != "payment" {
		t.Errorf("new payment: status %q mode %q resource %q", p.Status, p.Mode, p.Resource)
	}
	if cents, err := p.Cents(); err != nil || cents != 1250 || p.Amount != (mollie.Amount{Currency: "EUR", Value: "12.50"}) {
		t.Errorf("amount %+v = %d cents, %v", p.Amount, cents, err)
	}
	if v, ok := p.MetadataString("contribution"); !ok || v != "42" {
		t.Errorf("metadata %s: contribution = %q, %v", p.Metadata, v, ok)
	}
	if p.CheckoutURL() != s.fake.CheckoutURL(p.ID) || p.AmountRemaining != nil || p.ExpiresAt.IsZero() || p.CreatedAt.IsZero() {
		t.Errorf("new payment: checkout %q, remaining %v, expires %v, created %v", p.CheckoutURL(), p.AmountRemaining, p.ExpiresAt, p.CreatedAt)
	}

	// The payer opens the checkout and chooses "paid".
	page, err := http.Get(p.CheckoutURL())
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("checkout page: %s %s", page.Status, page.Header.Get("Content-Type"))
	}
	resp, err := noRedirect.PostForm(p.CheckoutURL(), url.Values{"status": {"paid"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://samen.example/bijdragen/42/terug" {
		t.Fatalf("after paying: %s to %q", resp.Status, resp.Header.Get("Location"))
	}

	// By the time the payer is sent back, the webhook has been called and
	// answered, and it learned "paid" from GetPayment.
	hooks := s.fake.WaitWebhooks(t, 1, 5*time.Second)
	if hooks[0].PaymentID != p.ID || hooks[0].Status != http.StatusOK || hooks[0].URL != s.hook.URL+"/mollie/webhook" {
		t.Errorf("webhook call %+v", hooks[0])
	}
	seen, n := s.lastSeen()
	if n != 1 || seen.ID != p.ID || seen.Status != mollie.StatusPaid || seen.PaidAt.IsZero() || seen.Method != "ideal" {
		t.Fatalf("webhook saw %d: %+v", n, seen)
	}
	if rem, err := seen.RemainingCents(); err != nil || rem != 1250 {
		t.Errorf("remaining %d, %v", rem, err)
	}
	if ref, err := seen.RefundedCents(); err != nil || ref != 0 || seen.AmountRefunded == nil {
		t.Errorf("refunded %d, %v (%v)", ref, err, seen.AmountRefunded)
	}
	if seen.CheckoutURL() != "" {
		t.Errorf("a paid payment still has a checkout link %q", seen.CheckoutURL())
	}

	// Back at the checkout (the back button), the payer is sent on: a paid
	// payment cannot be paid again, nor settled again.
	again, err := noRedirect.Get(p.CheckoutURL())
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusSeeOther {
		t.Errorf("checkout of a paid payment: %s", again.Status)
	}
	if err := s.fake.Settle(p.ID, "failed"); err == nil {
		t.Error("a paid payment was settled again")
	}
	if len(s.fake.Webhooks()) != 1 {
		t.Errorf("webhook calls: %+v", s.fake.Webhooks())
	}
}

// Every other ending reaches samen the same way, with its own timestamp and
// no refundable amount.
func TestOtherEndings(t *testing.T) {
	s := newShop(t)
	for i, status := range []mollie.Status{mollie.StatusFailed, mollie.StatusExpired, mollie.StatusCanceled} {
		p := s.create(string(status), 500)
		if err := s.fake.Settle(p.ID, string(status)); err != nil {
			t.Fatal(err)
		}
		seen, n := s.lastSeen()
		if n != i+1 || seen.ID != p.ID || seen.Status != status || !seen.Status.Final() {
			t.Fatalf("%s: webhook saw %d: %+v", status, n, seen)
		}
		at := map[mollie.Status]time.Time{mollie.StatusFailed: seen.FailedAt, mollie.StatusExpired: seen.ExpiredAt, mollie.StatusCanceled: seen.CanceledAt}
		if at[status].IsZero() || !seen.PaidAt.IsZero() || seen.AmountRemaining != nil || seen.CheckoutURL() != "" {
			t.Errorf("%s: %+v", status, seen)
		}
	}
	// Pending ends nothing: Mollie does not call the webhook for it.
	p := s.create("pending", 500)
	if err := s.fake.Settle(p.ID, "pending"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.client.GetPayment(context.Background(), p.ID); err != nil || got.Status != mollie.StatusPending || got.Status.Final() {
		t.Errorf("pending: %+v, %v", got, err)
	}
	if n := len(s.fake.Webhooks()); n != 3 {
		t.Errorf("%d webhook calls, want 3", n)
	}
}

func TestRefunds(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	refund := func(id string, cents int64, key string) (mollie.Refund, error) {
		return s.client.CreateRefund(ctx, id, mollie.RefundRequest{Cents: cents, Description: "Terug", IdempotencyKey: key})
	}
	remaining := func(id string) (int64, int64) {
		t.Helper()
		p, err := s.client.GetPayment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rem, err1 := p.RemainingCents()
		ref, err2 := p.RefundedCents()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return rem, ref
	}

	t.Run("partial, then the rest, then too much", func(t *testing.T) {
		p := s.pay("p", 1000)
		r1, err := refund(p.ID, 250, "samen-refund-p-1")
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := r1.Cents(); c != 250 || r1.Status != mollie.RefundPending || r1.PaymentID != p.ID || !mollie.ValidRefundID(r1.ID) || r1.Description != "Terug" {
			t.Errorf("refund %+v", r1)
		}
		if rem, ref := remaining(p.ID); rem != 750 || ref != 250 {
			t.Errorf("after 2.50 of 10.00: remaining %d, refunded %d", rem, ref)
		}
		if _, err := refund(p.ID, 750, "samen-refund-p-2"); err != nil {
			t.Fatal(err)
		}
		if rem, ref := remaining(p.ID); rem != 0 || ref != 1000 {
			t.Errorf("after all: remaining %d, refunded %d", rem, ref)
		}
		_, err = refund(p.ID, 1, "samen-refund-p-3")
		if e := asError(t, err); e.Status != http.StatusUnprocessableEntity || e.Field != "amount" {
			t.Errorf("refunding past the amount: %v", e)
		}
		list, err := s.client.ListRefunds(ctx, p.ID)
		if err != nil || len(list) != 2 || list[0].ID != r1.ID {
			t.Fatalf("ListRefunds: %+v, %v", list, err)
		}
		got, err := s.client.GetRefund(ctx, p.ID, r1.ID)
		if err != nil || got.ID != r1.ID || got.Amount.Value != "2.50" {
			t.Errorf("GetRefund: %+v, %v", got, err)
		}
	})

	t.Run("full", func(t *testing.T) {
		p := s.pay("f", 1999)
		if _, err := refund(p.ID, 1999, "samen-refund-f"); err != nil {
			t.Fatal(err)
		}
		if rem, ref := remaining(p.ID); rem != 0 || ref != 1999 {
			t.Errorf("remaining %d, refunded %d", rem, ref)
		}
		got, err := s.client.GetPayment(ctx, p.ID)
		if err != nil || got.Status != mollie.StatusPaid {
			// v2 has no "refunded" payment status: the amounts say it.
			t.Errorf("a refunded payment is %q, %v", got.Status, err)
		}
	})

	t.Run("more than paid at once", func(t *testing.T) {
		p := s.pay("m", 1000)
		_, err := refund(p.ID, 1001, "samen-refund-m")
		if e := asError(t, err); e.Status != http.StatusUnprocessableEntity || e.Field != "amount" || e.Detail == "" {
			t.Errorf("refunding 10.01 of 10.00: %v", e)
		}
		if rem, ref := remaining(p.ID); rem != 1000 || ref != 0 {
			t.Errorf("a refused refund changed the payment: remaining %d, refunded %d", rem, ref)
		}
	})

	t.Run("not paid", func(t *testing.T) {
		p := s.create("o", 1000)
		_, err := refund(p.ID, 100, "samen-refund-o")
		if e := asError(t, err); e.Status != http.StatusUnprocessableEntity {
			t.Errorf("refunding an open payment: %v", e)
		}
	})

	t.Run("the same refund asked twice is made once", func(t *testing.T) {
		p := s.pay("i", 1000)
		a, err := refund(p.ID, 300, "samen-refund-i")
		if err != nil {
			t.Fatal(err)
		}
		b, err := refund(p.ID, 300, "samen-refund-i")
		if err != nil || b.ID != a.ID {
			t.Fatalf("second ask: %+v, %v", b, err)
		}
		if rem, _ := remaining(p.ID); rem != 700 {
			t.Errorf("remaining %d after one refund asked twice", rem)
		}
	})

	t.Run("a failed refund can be made again and calls the webhook", func(t *testing.T) {
		p := s.pay("x", 1000)
		before := len(s.fake.Webhooks())
		r, err := refund(p.ID, 1000, "samen-refund-x")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.fake.SettleRefund(p.ID, r.ID, "failed"); err != nil {
			t.Fatal(err)
		}
		if rem, ref := remaining(p.ID); rem != 1000 || ref != 0 {
			t.Errorf("after a failed refund: remaining %d, refunded %d", rem, ref)
		}
		if hooks := s.fake.Webhooks(); len(hooks) != before+1 || hooks[len(hooks)-1].PaymentID != p.ID {
			t.Errorf("webhook calls %+v", hooks[before:])
		}
		if got, err := s.client.GetRefund(ctx, p.ID, r.ID); err != nil || got.Status != mollie.RefundFailed {
			t.Errorf("refund %+v, %v", got, err)
		}
	})
}

func TestWrongKeyIs401(t *testing.T) {
	s := newShop(t)
	p := s.create("1", 100)
	other := &mollie.Client{BaseURL: s.fake.URL, APIKey: "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"}
	_, err := other.GetPayment(context.Background(), p.ID)
	e := asError(t, err)
	if e.Status != http.StatusUnauthorized || e.Title != "Unauthorized Request" || e.Detail == "" {
		t.Errorf("wrong key: %+v", e)
	}
	if strings.Contains(err.Error(), "dHar4XY7") {
		t.Errorf("the error shows the key: %v", err)
	}
}

// A key that is not test_… or live_… is refused before anything is sent,
// naming the setting, and never quoting the key.
func TestAPIKeyRefused(t *testing.T) {
	s := newShop(t)
	for _, key := range []string{"", "access_abcdef123456", "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM", "test_", "live_abc def", "test_abc\r\nX-Evil: 1", "test_abc'", "TEST_abc"} {
		c := &mollie.Client{BaseURL: s.fake.URL, APIKey: key}
		_, err := c.GetPayment(context.Background(), "tr_abc")
		if err == nil || !strings.Contains(err.Error(), mollie.APIKeySetting) {
			t.Errorf("key %q: %v", key, err)
		}
		if len(key) > len("live_") && strings.Contains(err.Error(), key) {
			t.Errorf("key %q: the error quotes the key: %v", key, err)
		}
		if mollie.CheckAPIKey(key) == nil {
			t.Errorf("CheckAPIKey(%q) accepted it", key)
		}
	}
	for _, key := range []string{mollietest.APIKey, "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"} {
		if err := mollie.CheckAPIKey(key); err != nil {
			t.Errorf("CheckAPIKey(%q): %v", key, err)
		}
	}
	if !mollie.IsTestKey(mollietest.APIKey) || mollie.IsTestKey("live_abc") {
		t.Error("IsTestKey")
	}
	if n := len(s.fake.Requests()); n != 0 {
		t.Errorf("%d requests reached Mollie with a refused key", n)
	}
}

// Mollie's 422 names the field; the client carries it in *mollie.Error.
func TestUnprocessableNamesTheField(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	for i, c := range []struct {
		name   string
		change func(*mollie.PaymentRequest)
		field  string
	}{
		{"no redirect URL", func(r *mollie.PaymentRequest) { r.RedirectURL = "" }, "redirectUrl"},
		{"relative redirect URL", func(r *mollie.PaymentRequest) { r.RedirectURL = "/terug" }, "redirectUrl"},
		{"no description", func(r *mollie.PaymentRequest) { r.Description = " " }, "description"},
		{"above the maximum", func(r *mollie.PaymentRequest) { r.Cents = 100_000_000_000 }, "amount"},
		{"nothing", func(r *mollie.PaymentRequest) { r.Cents = 0 }, "amount"},
		{"unknown method", func(r *mollie.PaymentRequest) { r.Method = "cash" }, "method"},
		{"bad locale", func(r *mollie.PaymentRequest) { r.Locale = "nl" }, "locale"},
		{"bad webhook", func(r *mollie.PaymentRequest) { r.WebhookURL = "mailto:x@example.org" }, "webhookUrl"},
		{"other currency", func(r *mollie.PaymentRequest) { r.Currency = "USD" }, "amount.currency"},
	} {
		r := s.request("1", 1000)
		r.IdempotencyKey = "samen-test-" + strconv.Itoa(i)
		c.change(&r)
		_, err := s.client.CreatePayment(ctx, r)
		e := asError(t, err)
		if e.Status != http.StatusUnprocessableEntity || e.Title != "Unprocessable Entity" || e.Field != c.field || e.Detail == "" {
			t.Errorf("%s: %+v", c.name, e)
		}
		if !strings.Contains(err.Error(), "(field "+c.field+")") {
			t.Errorf("%s: message %q does not name the field", c.name, err)
		}
	}
	// The documented example: 1000000000.00 is higher than the maximum.
	r := s.request("2", 1_000_000_000_00)
	_, err := s.client.CreatePayment(ctx, r)
	if e := asError(t, err); e.Field != "amount" || e.Detail != "The amount is higher than the maximum" {
		t.Errorf("documented example: %+v", e)
	}
	if ids := s.fake.PaymentIDs(); len(ids) != 0 {
		t.Errorf("refused requests made payments %v", ids)
	}
}

func TestNotFound(t *testing.T) {
	s := newShop(t)
	_, err := s.client.GetPayment(context.Background(), "tr_I0dontexist")
	if !mollie.IsNotFound(err) || asError(t, err).Detail != "No payment exists with token tr_I0dontexist." {
		t.Errorf("unknown payment: %v", err)
	}
	// Ids are checked before they become a path.
	for _, id := range []string{"", "tr_", "re_abc", "tr_../refunds", "tr_abc?x=1", "tr_" + strings.Repeat("a", 65)} {
		if _, err := s.client.GetPayment(context.Background(), id); err == nil || mollie.IsNotFound(err) {
			t.Errorf("GetPayment(%q): %v", id, err)
		}
	}
	if n := len(s.fake.Requests()); n != 1 {
		t.Errorf("%d requests, want the one with a valid id", n)
	}
}

// The same request with the same key yields the same payment, once; the
// same key with another request is Mollie's 400; no key, no request.
func TestIdempotentCreate(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	r := s.request("7", 700)
	a, err := s.client.CreatePayment(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.client.CreatePayment(ctx, r)
	if err != nil || b.ID != a.ID {
		t.Fatalf("the same request again: %+v, %v", b, err)
	}
	if ids := s.fake.PaymentIDs(); len(ids) != 1 {
		t.Errorf("payments %v, want one", ids)
	}
	for _, req := range s.fake.Requests() {
		if req.Header.Get("Idempotency-Key") != "samen-contribution-7" {
			t.Errorf("%s %s: Idempotency-Key %q", req.Method, req.Path, req.Header.Get("Idempotency-Key"))
		}
	}

	changed := r
	changed.Cents = 800
	_, err = s.client.CreatePayment(ctx, changed)
	if e := asError(t, err); e.Status != http.StatusBadRequest {
		t.Errorf("the same key for another amount: %+v", e)
	}

	// A refused request is not stored: under the same key, the corrected
	// request goes through.
	bad := s.request("8", 800)
	bad.RedirectURL = ""
	if _, err := s.client.CreatePayment(ctx, bad); asError(t, err).Status != http.StatusUnprocessableEntity {
		t.Fatal(err)
	}
	if _, err := s.client.CreatePayment(ctx, s.request("8", 800)); err != nil {
		t.Errorf("corrected under the same key: %v", err)
	}

	before := len(s.fake.Requests())
	none := s.request("9", 900)
	none.IdempotencyKey = ""
	if _, err := s.client.CreatePayment(ctx, none); err == nil {
		t.Error("a payment without an idempotency key was sent")
	}
	none.IdempotencyKey = "two words"
	if _, err := s.client.CreatePayment(ctx, none); err == nil {
		t.Error("an idempotency key with a space was sent")
	}
	if _, err := s.client.CreateRefund(ctx, a.ID, mollie.RefundRequest{Cents: 100}); err == nil {
		t.Error("a refund without an idempotency key was sent")
	}
	if len(s.fake.Requests()) != before {
		t.Error("refused requests reached Mollie")
	}
}

// The JSON the client sends uses exactly the names Mollie documents. The
// fake decodes with those names and refuses any other member; here the
// recorded bodies are also checked member by member.
func TestDocumentedFieldNames(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	r := s.request("5", 500)
	r.Method = "ideal"
	p, err := s.client.CreatePayment(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "ideal" || p.Locale != "nl_NL" || p.WebhookURL != r.WebhookURL || p.RedirectURL != r.RedirectURL || p.Description != r.Description {
		t.Errorf("payment as created: %+v", p)
	}
	if err := s.fake.Settle(p.ID, "paid"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateRefund(ctx, p.ID, mollie.RefundRequest{Cents: 100, Description: "Terug", Metadata: map[string]string{"refund": "1"}, IdempotencyKey: "samen-refund-5"}); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{
		"/v2/payments":                      {"amount", "description", "locale", "metadata", "method", "redirectUrl", "webhookUrl"},
		"/v2/payments/" + p.ID + "/refunds": {"amount", "description", "metadata"},
	}
	posts := 0
	for _, req := range s.fake.Requests() {
		if req.Method != http.MethodPost {
			continue
		}
		posts++
		if ct := req.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", req.Path, ct)
		}
		if auth := req.Header.Get("Authorization"); auth != "Bearer "+mollietest.APIKey {
			t.Errorf("%s: Authorization %q", req.Path, auth)
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		var names []string
		for name := range body {
			names = append(names, name)
		}
		slices.Sort(names)
		if !slices.Equal(names, want[req.Path]) {
			t.Errorf("%s: members %v, want %v", req.Path, names, want[req.Path])
		}
		var amount map[string]any
		if err := json.Unmarshal(body["amount"], &amount); err != nil || len(amount) != 2 {
			t.Errorf("%s: amount %s", req.Path, body["amount"])
		}
		if _, ok := amount["value"].(string); !ok || amount["currency"] != "EUR" {
			t.Errorf("%s: amount %s: the value must be a string", req.Path, body["amount"])
		}
	}
	if posts != 2 {
		t.Errorf("%d POSTs recorded, want 2", posts)
	}
}

// The key goes only to https, or to http on the loopback interface.
func TestBaseURL(t *testing.T) {
	for _, base := range []string{"http://api.mollie.com/v2", "ftp://127.0.0.1/v2", "api.mollie.com/v2", "http://10.0.0.1/v2"} {
		c := &mollie.Client{BaseURL: base, APIKey: mollietest.APIKey}
		if _, err := c.GetPayment(context.Background(), "tr_abc"); err == nil || mollie.IsNotFound(err) {
			t.Errorf("base %q: %v", base, err)
		}
	}
}

// Answers that are not Mollie's still become an *mollie.Error with the HTTP
// status; answers that are too large are refused; redirects are not
// followed.
func TestOddAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/payments/tr_gateway":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad Gateway</html>"))
		case "/v2/payments/tr_huge":
			w.Header().Set("Content-Type", "application/hal+json")
			_, _ = w.Write([]byte(`{"id":"tr_huge","description":"` + strings.Repeat("x", 2<<20) + `"}`))
		case "/v2/payments/tr_moved":
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		case "/v2/payments/tr_other":
			_, _ = w.Write([]byte(`{"resource":"payment","id":"tr_someoneelse"}`))
		}
	}))
	defer srv.Close()
	c := &mollie.Client{BaseURL: srv.URL + "/v2", APIKey: mollietest.APIKey}
	ctx := context.Background()
	_, err := c.GetPayment(ctx, "tr_gateway")
	if e := asError(t, err); e.Status != http.StatusBadGateway || e.Title != "Bad Gateway" {
		t.Errorf("502 from a proxy: %+v", e)
	}
	if _, err := c.GetPayment(ctx, "tr_huge"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("2 MiB answer: %v", err)
	}
	_, err = c.GetPayment(ctx, "tr_moved")
	if e := asError(t, err); e.Status != http.StatusFound {
		t.Errorf("redirect: %+v", e)
	}
	if _, err := c.GetPayment(ctx, "tr_other"); err == nil {
		t.Error("an answer about another payment was taken")
	}
}
