// Package mollie is samen's client of Mollie's documented v2 REST API
// (https://docs.mollie.com/reference/v2): it creates a payment and sends
// the contributor to Mollie's checkout, reads a payment back when Mollie's
// webhook says that something changed, and refunds.
//
// What it is built against, in Mollie's documentation (mirrored in the
// mollie/api-documentation repository):
//
//   - POST /v2/payments, GET /v2/payments/{id}
//     (reference/v2/payments-api/create-payment, get-payment);
//   - POST and GET /v2/payments/{id}/refunds, GET …/refunds/{id}
//     (reference/v2/refunds-api/create-payment-refund, get-payment-refund,
//     list-refunds);
//   - errors as {"status","title","detail","field"} (guides/handling-errors);
//   - the Idempotency-Key header (overview/api-idempotency);
//   - the webhook, a form POST of id=tr_… only (guides/webhooks).
//
// The package mollietest beside it is a fake Mollie that speaks the same
// API on the loopback interface, for tests and for development.
//
// Money is int64 cents everywhere; Mollie's decimal strings are made from
// cents and read back into cents exactly (see Amount). The client never
// retries: a POST that timed out may have been carried out, and only the
// caller knows whether to ask again — with the same idempotency key, so
// that Mollie answers the first request's result instead of charging or
// refunding twice.
package mollie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is Mollie's API, version 2.
const DefaultBaseURL = "https://api.mollie.com/v2"

// APIKeySetting is the setting that holds the API key; errors about the
// key name it so that an operator knows what to fix.
const APIKeySetting = "SAMEN_MOLLIE_API_KEY"

// Timeout bounds one request of the default HTTP client: the contributor
// waits for CreatePayment before being sent to the checkout, and Mollie
// gives up on a webhook after 15 seconds (guides/webhooks, "Retry
// schema"), so a GetPayment inside a webhook must not take longer either.
const Timeout = 15 * time.Second

// maxResponse bounds what is read of one answer. A payment is about 2 kB
// and a page of 250 refunds under 250 kB; anything past 1 MiB is not
// Mollie's.
const maxResponse = 1 << 20

// Client calls Mollie's API. The zero value is not usable: APIKey is
// required. A Client is safe for concurrent use.
type Client struct {
	// BaseURL is the API's address including the version, without a
	// trailing slash; empty means DefaultBaseURL. It must be https, except
	// on the loopback interface (mollietest), so that the key is never sent
	// in the clear.
	BaseURL string
	// APIKey is the profile's key, test_… or live_… (dashboard: Developers
	// → API keys). It goes in the Authorization header as a Bearer token.
	APIKey string
	// HTTP sends the requests; nil means a client with Timeout that does
	// not follow redirects (the API has none; a redirect means a wrong
	// BaseURL, and following it would resend the key).
	HTTP *http.Client
}

var defaultHTTP = &http.Client{
	Timeout:       Timeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// CheckAPIKey says whether key looks like a Mollie API key: test_ or live_
// and then letters and digits. Organization access tokens (access_…) and
// OAuth tokens are not API keys, and a key with a space, a line break or
// a quote pasted along would break or bend the Authorization header. The
// key itself never appears in the error.
func CheckAPIKey(key string) error {
	rest, ok := strings.CutPrefix(key, "test_")
	if !ok {
		rest, ok = strings.CutPrefix(key, "live_")
	}
	if !ok {
		return fmt.Errorf("mollie: %s must be a Mollie API key starting with test_ or live_", APIKeySetting)
	}
	if rest == "" || len(rest) > 100 || !alnum(rest) {
		return fmt.Errorf("mollie: %s must be test_ or live_ followed by letters and digits only", APIKeySetting)
	}
	return nil
}

// IsTestKey reports whether key is a test mode key: its payments move no
// money.
func IsTestKey(key string) bool { return strings.HasPrefix(key, "test_") }

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// checkKey accepts an idempotency key: Mollie documents no format (it
// recommends a UUID), so samen's own ids are fine, but the key travels in
// a header and must be visible ASCII of a sane length.
func checkKey(key string) error {
	if key == "" {
		return errors.New("mollie: a POST needs an idempotency key, derived from samen's own id, so that asking again cannot charge or refund twice")
	}
	if len(key) > 255 || strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return fmt.Errorf("mollie: idempotency key %q must be 1 to 255 visible ASCII characters", key)
	}
	return nil
}

// Error is an error answer of the API. Mollie answers errors as
// application/hal+json with the HTTP status repeated in the body, its
// reason phrase as title, a human-readable detail and, mostly with 422,
// the request field that caused it (guides/handling-errors):
//
//	{"status":422,"title":"Unprocessable Entity",
//	 "detail":"The amount is higher than the maximum","field":"amount",
//	 "_links":{"documentation":{…}}}
type Error struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("mollie: %d %s", e.Status, e.Title)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// IsNotFound reports whether err is Mollie's 404: the payment or refund
// does not exist (for this key's mode: a test key does not see live
// payments and the other way round).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// base is BaseURL checked: https, or http on the loopback interface.
func (c *Client) base() (string, error) {
	base := strings.TrimSuffix(c.BaseURL, "/")
	if base == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("mollie: base URL %q is not an absolute URL", c.BaseURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	default:
		return "", fmt.Errorf("mollie: base URL %q must be https (http only on the loopback interface)", c.BaseURL)
	}
	return base, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// do sends one request and decodes the answer into out. in, when not nil,
// is sent as JSON; key, when not empty, as the Idempotency-Key header.
func (c *Client) do(ctx context.Context, method, path, key string, in, out any) error {
	base, err := c.base()
	if err != nil {
		return err
	}
	if err := CheckAPIKey(c.APIKey); err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("mollie: %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return fmt.Errorf("mollie: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	req.Header.Set("Accept", "application/hal+json, application/json")
	req.Header.Set("User-Agent", "samen")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		// Mollie keeps the first answer to a key for 24 hours and answers
		// the same key and body with it again ("Idempotent-Replayed:
		// true"); the same key with another body or endpoint is a 400
		// (overview/api-idempotency).
		req.Header.Set("Idempotency-Key", key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL in err holds no secret: the key is in a header.
		return fmt.Errorf("mollie: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("mollie: %s %s: reading the answer: %w", method, path, err)
	}
	if len(data) > maxResponse {
		return fmt.Errorf("mollie: %s %s: the answer is larger than %d bytes", method, path, maxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answerError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mollie: %s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

// answerError is the *Error for a non-2xx answer. A body that is not
// Mollie's error object (a proxy's HTML page, say) still gives an *Error
// with the HTTP status, so that callers can always branch on Status.
func answerError(status int, data []byte) error {
	e := &Error{}
	if json.Unmarshal(data, e) != nil || e.Status == 0 {
		e = &Error{Title: http.StatusText(status), Detail: "the answer is not a Mollie error object"}
	}
	e.Status = status
	return e
}
