package mollie

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// PaymentRequest asks for a one-off payment (POST /v2/payments,
// reference/v2/payments-api/create-payment).
type PaymentRequest struct {
	Cents    int64  // what the contributor pays, in cents
	Currency string // ISO 4217; empty means EUR
	// Description is shown to the payer and on the bank statement where
	// the method allows; required; Mollie truncates it past 255 characters.
	Description string
	// RedirectURL is where the payer comes back to after the checkout,
	// whatever the outcome; required for a one-off payment.
	RedirectURL string
	// WebhookURL is where Mollie says that the payment changed. Optional
	// for Mollie, but without it samen learns of a payment only when it
	// asks. Mollie must be able to reach it: not localhost.
	WebhookURL string
	// Metadata is stored with the payment and returned with it (about
	// 1 kB at most): samen puts its own contribution id here. Strings
	// only, so that ids survive JSON unchanged.
	Metadata map[string]string
	// Method, when set, skips Mollie's method choice: ideal, creditcard,
	// banktransfer, bancontact, paypal, … Empty lets the payer choose.
	Method string
	// Locale sets the checkout's language, as xx_XX: nl_NL, en_US, …
	// Empty lets Mollie follow the browser.
	Locale string
	// IdempotencyKey is required: derive it from samen's own id for this
	// payment, so that the same request sent again yields the same payment.
	IdempotencyKey string
}

// paymentBody is the JSON of PaymentRequest, with the documented names.
type paymentBody struct {
	Amount      Amount            `json:"amount"`
	Description string            `json:"description"`
	RedirectURL string            `json:"redirectUrl"`
	WebhookURL  string            `json:"webhookUrl,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	Method      string            `json:"method,omitempty"`
	Locale      string            `json:"locale,omitempty"`
}

// Status is where a payment stands (payments/status-changes).
type Status string

// The payment statuses of the v2 API. Mollie calls the webhook on reaching
// canceled, expired, failed or paid, not on open or pending.
const (
	StatusOpen       Status = "open"       // created; the payer has not finished
	StatusPending    Status = "pending"    // started, not yet complete
	StatusAuthorized Status = "authorized" // held, to be captured (not used by samen)
	StatusCanceled   Status = "canceled"   // the payer canceled; definitive
	StatusExpired    Status = "expired"    // abandoned; definitive
	StatusFailed     Status = "failed"     // cannot be completed; definitive
	StatusPaid       Status = "paid"       // the money is there; definitive (refunds are separate)
)

// Final reports whether the status is definitive.
func (s Status) Final() bool {
	switch s {
	case StatusCanceled, StatusExpired, StatusFailed, StatusPaid:
		return true
	}
	return false
}

// Link is a URL object of a resource's _links.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// Payment is a payment as the API describes it
// (reference/v2/payments-api/get-payment). Fields samen does not use are
// left out; times are zero when Mollie omits them.
type Payment struct {
	Resource     string    `json:"resource"` // "payment"
	ID           string    `json:"id"`       // tr_…
	Mode         string    `json:"mode"`     // live or test
	CreatedAt    time.Time `json:"createdAt"`
	Status       Status    `json:"status"`
	IsCancelable bool      `json:"isCancelable"`
	Amount       Amount    `json:"amount"`
	// AmountRefunded and AmountRemaining are there only once refunds are
	// possible (a paid payment); nil before.
	AmountRefunded  *Amount `json:"amountRefunded"`
	AmountRemaining *Amount `json:"amountRemaining"`
	Description     string  `json:"description"`
	RedirectURL     string  `json:"redirectUrl"`
	WebhookURL      string  `json:"webhookUrl"`
	// Method is the method forced at creation or chosen by the payer;
	// empty (null) until then.
	Method string `json:"method"`
	// Metadata is what was sent at creation, as JSON; "null" or empty
	// without. MetadataString reads samen's string values from it.
	Metadata   json.RawMessage `json:"metadata"`
	Locale     string          `json:"locale"`
	ExpiresAt  time.Time       `json:"expiresAt"`
	PaidAt     time.Time       `json:"paidAt"`
	CanceledAt time.Time       `json:"canceledAt"`
	ExpiredAt  time.Time       `json:"expiredAt"`
	FailedAt   time.Time       `json:"failedAt"`
	Links      struct {
		Self     Link `json:"self"`
		Checkout Link `json:"checkout"` // only while the payer can still pay
	} `json:"_links"`
}

// CheckoutURL is where to send the payer, with a 303 so that the browser
// GETs it (get-payment, _links.checkout); empty once the payment is done.
func (p Payment) CheckoutURL() string { return p.Links.Checkout.Href }

// Cents is the payment's amount in cents.
func (p Payment) Cents() (int64, error) { return p.Amount.Cents() }

// RefundedCents is what has been refunded so far, in cents; 0 when Mollie
// gives no amountRefunded.
func (p Payment) RefundedCents() (int64, error) { return optCents(p.AmountRefunded) }

// RemainingCents is what can still be refunded, in cents; 0 when Mollie
// gives no amountRemaining (the payment is not paid).
func (p Payment) RemainingCents() (int64, error) { return optCents(p.AmountRemaining) }

func optCents(a *Amount) (int64, error) {
	if a == nil {
		return 0, nil
	}
	return a.Cents()
}

// MetadataString is the string value of key in the payment's metadata
// object, and whether it is there.
func (p Payment) MetadataString(key string) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(p.Metadata, &m) != nil {
		return "", false
	}
	var s string
	if json.Unmarshal(m[key], &s) != nil {
		return "", false
	}
	return s, true
}

// CreatePayment asks Mollie for a payment and returns it, open, with the
// checkout URL to send the payer to. Nothing is retried: when it fails
// without an answer (a timeout), the payment may exist; calling again with
// the same request and IdempotencyKey within 24 hours returns that same
// payment rather than a second one.
func (c *Client) CreatePayment(ctx context.Context, r PaymentRequest) (Payment, error) {
	if err := checkKey(r.IdempotencyKey); err != nil {
		return Payment{}, err
	}
	currency := r.Currency
	if currency == "" {
		currency = "EUR"
	}
	amount, err := NewAmount(currency, r.Cents)
	if err != nil {
		return Payment{}, err
	}
	body := paymentBody{
		Amount:      amount,
		Description: r.Description,
		RedirectURL: r.RedirectURL,
		WebhookURL:  r.WebhookURL,
		Metadata:    r.Metadata,
		Method:      r.Method,
		Locale:      r.Locale,
	}
	var p Payment
	if err := c.do(ctx, "POST", "/payments", r.IdempotencyKey, body, &p); err != nil {
		return Payment{}, err
	}
	if !ValidPaymentID(p.ID) {
		return Payment{}, fmt.Errorf("mollie: created payment has no valid id (%q)", p.ID)
	}
	return p, nil
}

// GetPayment reads a payment as Mollie knows it now: the only source of
// truth about its status, whatever a webhook or a redirect suggested.
func (c *Client) GetPayment(ctx context.Context, id string) (Payment, error) {
	if !ValidPaymentID(id) {
		return Payment{}, fmt.Errorf("mollie: %q is not a payment id", id)
	}
	var p Payment
	if err := c.do(ctx, "GET", "/payments/"+url.PathEscape(id), "", nil, &p); err != nil {
		return Payment{}, err
	}
	if p.ID != id {
		return Payment{}, fmt.Errorf("mollie: asked for payment %s, got %q", id, p.ID)
	}
	return p, nil
}

// ValidPaymentID reports whether id has the shape of a payment id: tr_
// and then 1 to 64 letters and digits (Mollie's are tr_ and ten, like
// tr_7UhSN1zuXS; the bound leaves room for longer ones without letting a
// path or a query through).
func ValidPaymentID(id string) bool { return validID(id, "tr_") }

// ValidRefundID reports whether id has the shape of a refund id, re_….
func ValidRefundID(id string) bool { return validID(id, "re_") }

func validID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	return ok && rest != "" && len(rest) <= 64 && alnum(rest)
}
