// Package mollietest runs a fake Mollie on the loopback interface, for
// tests and for development: it speaks the part of Mollie's documented v2
// API that samen uses (https://docs.mollie.com/reference/v2) with the same
// paths, JSON field names, status codes and error bodies, keeps payments
// in memory, and serves a checkout page where a test or a person chooses
// how a payment ends. It then calls the payment's webhookUrl with a form
// body id=tr_…, as Mollie does.
//
// It is written from Mollie's documentation, not from the mollie package,
// and imports nothing of it: a field the client names wrongly is a field
// the fake refuses (it decodes requests with the documented names and no
// unknown members), so the two cannot agree on a mistake.
//
// Where it is stricter or simpler than Mollie, it says so:
//   - requests must be JSON (Mollie also takes form bodies);
//   - a member it does not know is a 422 naming it, where Mollie would
//     ignore or refuse it;
//   - EUR only, 0.01 to 1,000,000.00 (Mollie's limits depend on the method
//     and the account; its documented example refuses 1000000000.00);
//   - payments never expire by themselves, and refunds stay pending until
//     SettleRefund;
//   - idempotency keys are kept for the server's life, not 24 hours, and
//     only answers that succeeded are replayed, so a request refused for
//     its content can be corrected under the same key; requests are served
//     one at a time, so Mollie's 409 for a key still in progress never
//     happens;
//   - webhook calls happen once, synchronously, with no retries.
package mollietest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// APIKey is the key the server accepts: a test mode key of Mollie's shape
// (test_ and 30 letters and digits).
const APIKey = "test_samenFakeMollieKey000000000000"

// docs is where Mollie's documentation lives; the fake's error bodies link
// to it as Mollie's do.
const docs = "https://docs.mollie.com"

// Limits of the fake.
const (
	minCents      = 1                // €0.01
	maxCents      = 1_000_000_00     // €1,000,000.00
	maxBody       = 64 << 10         // a request body
	maxMetadata   = 1024             // "approximately 1kB"
	maxDesc       = 255              // a payment's description is truncated past it
	maxRefundDesc = 140              // a refund's description may not pass it
	expiry        = 15 * time.Minute // iDEAL's expiry time (payments/status-changes)
)

// Request is one API request the server received.
type Request struct {
	Method string
	Path   string // with the query, as sent: /v2/payments/tr_…?limit=250
	Header http.Header
	Body   []byte
}

// Webhook is one call of a payment's webhookUrl.
type Webhook struct {
	URL       string
	PaymentID string
	Status    int    // the HTTP status the webhook answered; 0 when it did not
	Err       string // why it did not answer
}

// Server is a running fake Mollie. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the API's base, for mollie.Client.BaseURL: http://127.0.0.1:port/v2.
	URL string

	ts    *httptest.Server
	hooks *http.Client

	mu       sync.Mutex
	payments map[string]*payment
	order    []string // payment ids, oldest first
	idem     map[string]*replay
	requests []Request
	webhooks []Webhook
	changed  chan struct{} // closed and replaced when a webhook call ends
}

type payment struct {
	id, mode                              string
	created                               time.Time
	status                                string
	cents                                 int64
	currency                              string
	description                           string
	redirectURL, cancelURL, webhookURL    string
	locale                                string
	method                                string // "" until forced or chosen
	metadata                              json.RawMessage
	paidAt, canceledAt, expiredAt, failed time.Time
	refunded                              int64 // cents refunded and not failed
	refunds                               []*refund
}

type refund struct {
	id, status, description string
	cents                   int64
	metadata                json.RawMessage
	created                 time.Time
}

// replay is a stored answer to an idempotent request.
type replay struct {
	endpoint string // method and path
	body     []byte
	status   int
	answer   []byte
}

// Start starts a server on 127.0.0.1 at a free port. It stops when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a server on 127.0.0.1 at a free port, for development
// (samen pointed at a fake Mollie). Close stops it.
func NewServer() *Server {
	s := &Server{
		payments: map[string]*payment{},
		idem:     map[string]*replay{},
		changed:  make(chan struct{}),
		// Mollie gives up on a webhook call after 15 seconds and does not
		// follow a redirect as a POST (guides/webhooks).
		hooks: &http.Client{
			Timeout:       15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/", s.serveAPI)
	mux.HandleFunc("/checkout/{id}", s.serveCheckout)
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL + "/v2"
	return s
}

// Close stops the server, after the requests under way.
func (s *Server) Close() { s.ts.Close() }

// CheckoutURL is the checkout page of payment id, as _links.checkout.href
// gives it.
func (s *Server) CheckoutURL(id string) string { return s.ts.URL + "/checkout/" + id }

// Requests returns a copy of every API request so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// PaymentIDs returns the ids of every payment created, oldest first.
func (s *Server) PaymentIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// Webhooks returns every webhook call so far, oldest first.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Webhook(nil), s.webhooks...)
}

// WaitWebhooks waits until at least n webhook calls have ended and returns
// them all; it fails the test if they have not within timeout. Like
// t.Fatal, it must be called from the test's goroutine.
func (s *Server) WaitWebhooks(t testing.TB, n int, timeout time.Duration) []Webhook {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.webhooks) >= n {
			out := append([]Webhook(nil), s.webhooks...)
			s.mu.Unlock()
			return out
		}
		got, changed := len(s.webhooks), s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mollietest: %d of %d webhook calls within %v", got, n, timeout)
			return nil
		}
	}
}

// Settle ends an open or pending payment as the payer would at the
// checkout: paid, failed, canceled or expired (or moves it to pending,
// which ends nothing). For an ending it then calls the payment's
// webhookUrl, if it has one, and returns once the call is answered; the
// call is in Webhooks.
func (s *Server) Settle(id, status string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("mollietest: no payment %s", id)
	}
	if p.status != "open" && p.status != "pending" {
		s.mu.Unlock()
		return fmt.Errorf("mollietest: payment %s is %s already", id, p.status)
	}
	now := time.Now().UTC()
	switch status {
	case "pending":
	case "paid":
		p.paidAt = now
		if p.method == "" {
			// A paid payment always has a method; the fake's checkout
			// pays by iDEAL unless one was forced.
			p.method = "ideal"
		}
	case "failed":
		p.failed = now
	case "canceled":
		p.canceledAt = now
	case "expired":
		p.expiredAt = now
	default:
		s.mu.Unlock()
		return fmt.Errorf("mollietest: %q is not an outcome (paid, failed, canceled, expired, pending)", status)
	}
	p.status = status
	hook := p.webhookURL
	s.mu.Unlock()
	// Mollie calls the webhook on reaching canceled, expired, failed or
	// paid, not pending (payments/status-changes).
	if status != "pending" && hook != "" {
		s.callWebhook(hook, id)
	}
	return nil
}

// SettleRefund ends a pending refund: refunded (paid back) or failed
// (nothing paid back: the amount can be refunded again). Mollie calls the
// payment's webhook when a refund reaches either (guides/webhooks), and so
// does the fake.
func (s *Server) SettleRefund(paymentID, refundID, status string) error {
	if status != "refunded" && status != "failed" {
		return fmt.Errorf("mollietest: %q is not a refund outcome (refunded, failed)", status)
	}
	s.mu.Lock()
	p, ok := s.payments[paymentID]
	var rf *refund
	if ok {
		for _, r := range p.refunds {
			if r.id == refundID {
				rf = r
			}
		}
	}
	if rf == nil {
		s.mu.Unlock()
		return fmt.Errorf("mollietest: no refund %s of payment %s", refundID, paymentID)
	}
	if rf.status != "pending" {
		s.mu.Unlock()
		return fmt.Errorf("mollietest: refund %s is %s already", refundID, rf.status)
	}
	rf.status = status
	if status == "failed" {
		p.refunded -= rf.cents
	}
	hook := p.webhookURL
	s.mu.Unlock()
	if hook != "" {
		s.callWebhook(hook, paymentID)
	}
	return nil
}

// callWebhook calls a webhook like Mollie: a POST with the form body
// id=tr_… (guides/webhooks). The lock must not be held: the webhook's
// handler will ask the server for the payment.
func (s *Server) callWebhook(hook, id string) {
	w := Webhook{URL: hook, PaymentID: id}
	resp, err := s.hooks.Post(hook, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"id": {id}}.Encode()))
	if err != nil {
		w.Err = err.Error()
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		w.Status = resp.StatusCode
	}
	s.mu.Lock()
	s.webhooks = append(s.webhooks, w)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// mollieError is Mollie's error object (guides/handling-errors).
type mollieError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
	Links  struct {
		Documentation link `json:"documentation"`
	} `json:"_links"`
}

func fail(status int, detail, field string) (int, any) {
	e := mollieError{Status: status, Title: http.StatusText(status), Detail: detail, Field: field}
	if status == http.StatusUnauthorized {
		// The title of Mollie's documented 401.
		e.Title = "Unauthorized Request"
	}
	e.Links.Documentation = link{Href: docs + "/overview/handling-errors", Type: "text/html"}
	return status, e
}

// serveAPI answers /v2/…: it records the request, checks the key, replays
// idempotent requests, and routes the rest.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body})
	var status int
	var answer any
	switch {
	case err != nil || len(body) > maxBody:
		status, answer = fail(http.StatusBadRequest, "The request body could not be read or is too large", "")
	case r.Header.Get("Authorization") != "Bearer "+APIKey:
		status, answer = fail(http.StatusUnauthorized, "Missing authentication, or failed to authenticate", "")
	default:
		key := r.Header.Get("Idempotency-Key")
		endpoint := r.Method + " " + r.URL.Path
		// Keys matter for POST only; Mollie ignores them on GET, PATCH and
		// DELETE (overview/api-idempotency).
		if key != "" && r.Method == http.MethodPost {
			if old, ok := s.idem[key]; ok {
				if old.endpoint != endpoint || !sameJSON(old.body, body) {
					status, answer = fail(http.StatusBadRequest, "The Idempotency-Key was used before for another request", "")
					break
				}
				w.Header().Set("Idempotent-Replayed", "true")
				write(w, old.status, old.answer)
				return
			}
		}
		status, answer = s.route(w, r, body)
		if key != "" && r.Method == http.MethodPost && status >= 200 && status < 300 {
			data := encode(answer)
			s.idem[key] = &replay{endpoint: endpoint, body: body, status: status, answer: data}
			write(w, status, data)
			return
		}
	}
	write(w, status, encode(answer))
}

func encode(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // the fake's own types always encode
	}
	return data
}

func write(w http.ResponseWriter, status int, data []byte) {
	// Mollie answers successes and errors as application/hal+json.
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// sameJSON reports whether two bodies hold the same JSON value, whatever
// their spacing and member order: "the same parameters".
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
}

// route sends an authenticated request to its endpoint. s.mu is held.
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) (int, any) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v2/"), "/")
	allow := func(methods string) (int, any) {
		w.Header().Set("Allow", methods) // as guides/handling-errors says of 405
		return fail(http.StatusMethodNotAllowed, "The method "+r.Method+" is not available on this endpoint; use "+methods, "")
	}
	switch {
	case len(parts) == 1 && parts[0] == "payments":
		if r.Method != http.MethodPost {
			return allow("POST")
		}
		return s.createPayment(r, body)
	case len(parts) == 2 && parts[0] == "payments":
		if r.Method != http.MethodGet {
			return allow("GET")
		}
		p, ok := s.payments[parts[1]]
		if !ok {
			return fail(http.StatusNotFound, "No payment exists with token "+parts[1]+".", "")
		}
		return http.StatusOK, s.paymentJSON(p)
	case len(parts) == 3 && parts[0] == "payments" && parts[2] == "refunds":
		p, ok := s.payments[parts[1]]
		if !ok {
			return fail(http.StatusNotFound, "No payment exists with token "+parts[1]+".", "")
		}
		switch r.Method {
		case http.MethodPost:
			return s.createRefund(r, p, body)
		case http.MethodGet:
			return s.listRefunds(r, p)
		}
		return allow("GET, POST")
	case len(parts) == 4 && parts[0] == "payments" && parts[2] == "refunds":
		if r.Method != http.MethodGet {
			return allow("GET")
		}
		if p, ok := s.payments[parts[1]]; ok {
			for _, rf := range p.refunds {
				if rf.id == parts[3] {
					return http.StatusOK, s.refundJSON(p, rf)
				}
			}
		}
		return fail(http.StatusNotFound, "No refund exists with token "+parts[3]+".", "")
	}
	return fail(http.StatusNotFound, "The resource does not exist (mollietest serves payments and their refunds only)", "")
}

// decode reads a JSON request body into v, refusing members v has no
// field for. A problem is an answer as Mollie would give it: 415 for a body
// that is not JSON, 400 for JSON that does not parse, 422 naming the
// field for a wrong type or an unknown member.
func decode(r *http.Request, body []byte, v any) (int, any, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		st, a := fail(http.StatusUnsupportedMediaType, "Send the request body as JSON (Content-Type: application/json)", "")
		return st, a, false
	}
	// encoding/json matches member names without regard to case, so
	// "redirectURL" would pass for "redirectUrl": names are checked
	// exactly first.
	if name := unknownMember(body, reflect.TypeOf(v).Elem(), ""); name != "" {
		st, a := fail(http.StatusUnprocessableEntity, "mollietest does not know the field "+name+" of this request", name)
		return st, a, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more after the JSON value")
	}
	if err == nil {
		return 0, nil, true
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		st, a := fail(http.StatusUnprocessableEntity, "The value of "+typ.Field+" is of the wrong type (amounts are strings like \"10.00\")", typ.Field)
		return st, a, false
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		st, a := fail(http.StatusUnprocessableEntity, "mollietest does not know the field "+name+" of this request", name)
		return st, a, false
	}
	st, a := fail(http.StatusBadRequest, "The request body is not valid JSON: "+err.Error(), "")
	return st, a, false
}

// unknownMember is the path of the first member of the JSON object data
// that struct type t has no field for, by its exact json name; "" when
// there is none, or when data is not an object (decode says what is
// wrong then).
func unknownMember(data []byte, t reflect.Type, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var members map[string]json.RawMessage
	if t.Kind() != reflect.Struct || json.Unmarshal(data, &members) != nil {
		return ""
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names) // the same answer every time
	for _, name := range names {
		f, ok := fieldNamed(t, name)
		if !ok {
			return prefix + name
		}
		if deeper := unknownMember(members[name], f.Type, prefix+name+"."); deeper != "" {
			return deeper
		}
	}
	return ""
}

func fieldNamed(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// amountIn is an amount object as requests send it.
type amountIn struct {
	Currency *string `json:"currency"`
	Value    *string `json:"value"`
}

var valueShape = regexp.MustCompile(`^(0|[1-9][0-9]{0,15})\.[0-9]{2}$`)

// checkAmount checks an amount against the documentation's rules: both
// members, strings, an ISO 4217 code the account supports, exactly two
// decimals. It returns cents, or the field and detail of the 422.
func checkAmount(a *amountIn) (cents int64, currency, field, detail string) {
	switch {
	case a == nil:
		return 0, "", "amount", "The amount is required"
	case a.Currency == nil || *a.Currency == "":
		return 0, "", "amount.currency", "The currency is required"
	case *a.Currency != "EUR":
		return 0, "", "amount.currency", "The currency " + *a.Currency + " is not supported (mollietest's account has EUR only)"
	case a.Value == nil:
		return 0, "", "amount.value", "The amount value is required"
	case !valueShape.MatchString(*a.Value):
		return 0, "", "amount.value", "The amount value must be a string with exactly two decimals, like \"10.00\""
	}
	whole, frac, _ := strings.Cut(*a.Value, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, *a.Currency, "", ""
}

func formatCents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// httpURL reports whether u is an absolute http(s) URL.
func httpURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// methods are the documented values of create-payment's method.
var methods = map[string]bool{
	"applepay": true, "bancontact": true, "banktransfer": true, "belfius": true, "creditcard": true,
	"directdebit": true, "eps": true, "giftcard": true, "giropay": true, "ideal": true, "kbc": true,
	"mybank": true, "paypal": true, "paysafecard": true, "przelewy24": true, "sofort": true,
}

var localeShape = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)

// paymentIn is the body of POST /v2/payments with the documented names
// (reference/v2/payments-api/create-payment) of the parameters a one-off
// payment takes.
type paymentIn struct {
	Amount      *amountIn       `json:"amount"`
	Description *string         `json:"description"`
	RedirectURL *string         `json:"redirectUrl"`
	CancelURL   *string         `json:"cancelUrl"`
	WebhookURL  *string         `json:"webhookUrl"`
	Locale      *string         `json:"locale"`
	Method      json.RawMessage `json:"method"` // a string, or an array of them
	Metadata    json.RawMessage `json:"metadata"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) createPayment(r *http.Request, body []byte) (int, any) {
	var in paymentIn
	if st, a, ok := decode(r, body, &in); !ok {
		return st, a
	}
	unprocessable := func(detail, field string) (int, any) {
		return fail(http.StatusUnprocessableEntity, detail, field)
	}
	cents, currency, field, detail := checkAmount(in.Amount)
	switch {
	case field != "":
		return unprocessable(detail, field)
	case cents < minCents:
		return unprocessable("The amount is lower than the minimum", "amount")
	case cents > maxCents:
		return unprocessable("The amount is higher than the maximum", "amount")
	case strings.TrimSpace(str(in.Description)) == "":
		return unprocessable("The description is required", "description")
	case in.RedirectURL == nil || *in.RedirectURL == "":
		return unprocessable("The redirect URL is required", "redirectUrl")
	case !httpURL(*in.RedirectURL):
		return unprocessable("The redirect URL is invalid", "redirectUrl")
	case in.CancelURL != nil && !httpURL(*in.CancelURL):
		return unprocessable("The cancel URL is invalid", "cancelUrl")
	case in.WebhookURL != nil && !httpURL(*in.WebhookURL):
		return unprocessable("The webhook URL is invalid", "webhookUrl")
	case in.Locale != nil && !localeShape.MatchString(*in.Locale):
		return unprocessable("The locale is invalid; use the xx_XX form, like nl_NL", "locale")
	case len(in.Metadata) > maxMetadata:
		return unprocessable("The metadata is larger than 1 kB", "metadata")
	}
	method, ok := checkMethod(in.Method)
	if !ok {
		return unprocessable("The payment method is invalid", "method")
	}
	desc := []rune(*in.Description)
	if len(desc) > maxDesc {
		desc = desc[:maxDesc] // truncated, not refused (create-payment, description)
	}
	var meta json.RawMessage
	if len(in.Metadata) > 0 && string(in.Metadata) != "null" {
		var b bytes.Buffer
		_ = json.Compact(&b, in.Metadata)
		meta = b.Bytes()
	}
	p := &payment{
		id:          s.newID("tr_", func(id string) bool { _, ok := s.payments[id]; return ok }),
		mode:        "test",
		created:     time.Now().UTC(),
		status:      "open",
		cents:       cents,
		currency:    currency,
		description: string(desc),
		redirectURL: *in.RedirectURL,
		cancelURL:   str(in.CancelURL),
		webhookURL:  str(in.WebhookURL),
		locale:      str(in.Locale),
		method:      method,
		metadata:    meta,
	}
	s.payments[p.id] = p
	s.order = append(s.order, p.id)
	return http.StatusCreated, s.paymentJSON(p)
}

// checkMethod accepts no method, a documented one, or a non-empty array of
// documented ones; it returns the method forced, "" for a choice.
func checkMethod(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one, methods[one]
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 {
		return "", false
	}
	for _, m := range many {
		if !methods[m] {
			return "", false
		}
	}
	return "", true
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID makes an id like Mollie's: a prefix and ten letters and digits.
func (s *Server) newID(prefix string, taken func(string) bool) string {
	for {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = idChars[int(b[i])%len(idChars)]
		}
		if id := prefix + string(b); !taken(id) {
			return id
		}
	}
}

// JSON of the answers, with the documented names (get-payment,
// get-payment-refund, list-refunds).

type amountOut struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

type link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

type paymentOut struct {
	Resource        string           `json:"resource"`
	ID              string           `json:"id"`
	Mode            string           `json:"mode"`
	CreatedAt       string           `json:"createdAt"`
	Amount          amountOut        `json:"amount"`
	AmountRefunded  *amountOut       `json:"amountRefunded,omitempty"`
	AmountRemaining *amountOut       `json:"amountRemaining,omitempty"`
	Description     string           `json:"description"`
	Method          *string          `json:"method"`
	Metadata        json.RawMessage  `json:"metadata"`
	Status          string           `json:"status"`
	IsCancelable    bool             `json:"isCancelable"`
	ExpiresAt       string           `json:"expiresAt,omitempty"`
	PaidAt          string           `json:"paidAt,omitempty"`
	CanceledAt      string           `json:"canceledAt,omitempty"`
	ExpiredAt       string           `json:"expiredAt,omitempty"`
	FailedAt        string           `json:"failedAt,omitempty"`
	Locale          string           `json:"locale,omitempty"`
	ProfileID       string           `json:"profileId"`
	SequenceType    string           `json:"sequenceType"`
	RedirectURL     string           `json:"redirectUrl,omitempty"`
	CancelURL       string           `json:"cancelUrl,omitempty"`
	WebhookURL      string           `json:"webhookUrl,omitempty"`
	Details         any              `json:"details"`
	Links           map[string]*link `json:"_links"`
}

// stamp formats a time as Mollie does: 2018-03-20T09:13:37+00:00.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}

func (s *Server) paymentJSON(p *payment) paymentOut {
	self := s.URL + "/payments/" + p.id
	out := paymentOut{
		Resource:     "payment",
		ID:           p.id,
		Mode:         p.mode,
		CreatedAt:    stamp(p.created),
		Amount:       amountOut{p.currency, formatCents(p.cents)},
		Description:  p.description,
		Metadata:     p.metadata,
		Status:       p.status,
		PaidAt:       stamp(p.paidAt),
		CanceledAt:   stamp(p.canceledAt),
		ExpiredAt:    stamp(p.expiredAt),
		FailedAt:     stamp(p.failed),
		Locale:       p.locale,
		ProfileID:    "pfl_mollietest",
		SequenceType: "oneoff",
		RedirectURL:  p.redirectURL,
		CancelURL:    p.cancelURL,
		WebhookURL:   p.webhookURL,
		Links: map[string]*link{
			"self":          {self, "application/hal+json"},
			"documentation": {docs + "/reference/v2/payments-api/get-payment", "text/html"},
		},
	}
	if p.method != "" {
		out.Method = &p.method
	}
	if p.status == "open" || p.status == "pending" {
		// The payer can still pay: the checkout link is there, and the
		// payment will expire.
		out.ExpiresAt = stamp(p.created.Add(expiry))
		out.Links["checkout"] = &link{s.CheckoutURL(p.id), "text/html"}
	}
	if p.status == "paid" {
		// amountRefunded and amountRemaining are "only available when
		// refunds are available for this payment".
		out.AmountRefunded = &amountOut{p.currency, formatCents(p.refunded)}
		out.AmountRemaining = &amountOut{p.currency, formatCents(p.cents - p.refunded)}
	}
	if len(p.refunds) > 0 {
		out.Links["refunds"] = &link{self + "/refunds", "application/hal+json"}
	}
	return out
}

// refundIn is the body of POST /v2/payments/{id}/refunds with the
// documented names (reference/v2/refunds-api/create-payment-refund).
type refundIn struct {
	Amount      *amountIn       `json:"amount"`
	Description *string         `json:"description"`
	Metadata    json.RawMessage `json:"metadata"`
}

func (s *Server) createRefund(r *http.Request, p *payment, body []byte) (int, any) {
	var in refundIn
	if st, a, ok := decode(r, body, &in); !ok {
		return st, a
	}
	unprocessable := func(detail, field string) (int, any) {
		return fail(http.StatusUnprocessableEntity, detail, field)
	}
	if p.status != "paid" {
		return unprocessable("The payment is "+p.status+" and cannot be refunded", "")
	}
	cents, currency, field, detail := checkAmount(in.Amount)
	switch {
	case field != "":
		return unprocessable(detail, field)
	case currency != p.currency:
		return unprocessable("The currency must be the payment's, "+p.currency, "amount.currency")
	case cents < minCents:
		return unprocessable("The amount is lower than the minimum", "amount")
	case cents > p.cents-p.refunded:
		return unprocessable("The amount is higher than the amount remaining of the payment, "+p.currency+" "+formatCents(p.cents-p.refunded), "amount")
	case len([]rune(str(in.Description))) > maxRefundDesc:
		return unprocessable("The description is longer than 140 characters", "description")
	case len(in.Metadata) > maxMetadata:
		return unprocessable("The metadata is larger than 1 kB", "metadata")
	}
	var meta json.RawMessage
	if len(in.Metadata) > 0 && string(in.Metadata) != "null" {
		var b bytes.Buffer
		_ = json.Compact(&b, in.Metadata)
		meta = b.Bytes()
	}
	rf := &refund{
		id: s.newID("re_", func(id string) bool {
			for _, r := range p.refunds {
				if r.id == id {
					return true
				}
			}
			return false
		}),
		// Mollie executes refunds with a delay; until then they are
		// pending (the documented example answer).
		status:      "pending",
		description: str(in.Description),
		cents:       cents,
		metadata:    meta,
		created:     time.Now().UTC(),
	}
	p.refunds = append(p.refunds, rf)
	p.refunded += cents
	return http.StatusCreated, s.refundJSON(p, rf)
}

type refundOut struct {
	Resource    string           `json:"resource"`
	ID          string           `json:"id"`
	Amount      amountOut        `json:"amount"`
	Status      string           `json:"status"`
	CreatedAt   string           `json:"createdAt"`
	Description string           `json:"description"`
	Metadata    json.RawMessage  `json:"metadata"`
	PaymentID   string           `json:"paymentId"`
	Links       map[string]*link `json:"_links"`
}

func (s *Server) refundJSON(p *payment, rf *refund) refundOut {
	return refundOut{
		Resource:    "refund",
		ID:          rf.id,
		Amount:      amountOut{p.currency, formatCents(rf.cents)},
		Status:      rf.status,
		CreatedAt:   stamp(rf.created),
		Description: rf.description,
		Metadata:    rf.metadata,
		PaymentID:   p.id,
		Links: map[string]*link{
			"self":          {s.URL + "/payments/" + p.id + "/refunds/" + rf.id, "application/hal+json"},
			"payment":       {s.URL + "/payments/" + p.id, "application/hal+json"},
			"documentation": {docs + "/reference/v2/refunds-api/get-payment-refund", "text/html"},
		},
	}
}

// listRefunds answers GET /v2/payments/{id}/refunds with from and limit
// (default 50, at most 250), as list-refunds documents.
func (s *Server) listRefunds(r *http.Request, p *payment) (int, any) {
	q := r.URL.Query()
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 250 {
			return fail(http.StatusBadRequest, "The limit must be a number from 1 to 250", "limit")
		}
		limit = n
	}
	start := 0
	if from := q.Get("from"); from != "" {
		start = -1
		for i, rf := range p.refunds {
			if rf.id == from {
				start = i
			}
		}
		if start < 0 {
			return fail(http.StatusBadRequest, "No refund "+from+" to start from", "from")
		}
	}
	end := min(start+limit, len(p.refunds))
	page := struct {
		Count    int `json:"count"`
		Embedded struct {
			Refunds []refundOut `json:"refunds"`
		} `json:"_embedded"`
		Links map[string]*link `json:"_links"`
	}{Count: end - start}
	page.Embedded.Refunds = []refundOut{}
	for _, rf := range p.refunds[start:end] {
		page.Embedded.Refunds = append(page.Embedded.Refunds, s.refundJSON(p, rf))
	}
	list := s.URL + "/payments/" + p.id + "/refunds"
	page.Links = map[string]*link{
		"self":          {list + "?" + q.Encode(), "application/hal+json"},
		"previous":      nil,
		"next":          nil,
		"documentation": {docs + "/reference/v2/refunds-api/list-refunds", "text/html"},
	}
	if end < len(p.refunds) {
		page.Links["next"] = &link{fmt.Sprintf("%s?from=%s&limit=%d", list, p.refunds[end].id, limit), "application/hal+json"}
	}
	return http.StatusOK, page
}
