package mollie

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// RefundRequest asks to pay (part of) a paid payment back (POST
// /v2/payments/{id}/refunds, reference/v2/refunds-api/create-payment-refund).
type RefundRequest struct {
	Cents    int64  // what to pay back, at most what remains of the payment
	Currency string // the payment's currency; empty means EUR
	// Description may be shown to the payer; optional, at most 140
	// characters.
	Description string
	// Metadata is stored with the refund, like a payment's.
	Metadata map[string]string
	// IdempotencyKey is required. Mollie's own documentation names partial
	// refunds as the case where a retry without a key pays out twice.
	IdempotencyKey string
}

type refundBody struct {
	Amount      Amount            `json:"amount"`
	Description string            `json:"description,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// RefundStatus is where a refund stands (get-payment-refund, status).
type RefundStatus string

// The refund statuses. Mollie executes a refund with a delay; the webhook
// of its payment is called when it becomes refunded or failed.
const (
	RefundQueued     RefundStatus = "queued"     // waiting for enough balance
	RefundPending    RefundStatus = "pending"    // will be executed (cancelable until then)
	RefundProcessing RefundStatus = "processing" // being executed
	RefundRefunded   RefundStatus = "refunded"   // paid back
	RefundFailed     RefundStatus = "failed"     // could not be paid back
	RefundCanceled   RefundStatus = "canceled"   // canceled before execution
)

// Refund is a refund as the API describes it.
type Refund struct {
	Resource    string       `json:"resource"` // "refund"
	ID          string       `json:"id"`       // re_…
	Amount      Amount       `json:"amount"`
	Status      RefundStatus `json:"status"`
	CreatedAt   time.Time    `json:"createdAt"`
	Description string       `json:"description"`
	PaymentID   string       `json:"paymentId"`
}

// Cents is the refund's amount in cents.
func (r Refund) Cents() (int64, error) { return r.Amount.Cents() }

// CreateRefund refunds r.Cents of the paid payment paymentID. Mollie
// refuses more than the payment's amountRemaining with a 422. As with
// CreatePayment, nothing is retried; asking again with the same request
// and key returns the first refund.
func (c *Client) CreateRefund(ctx context.Context, paymentID string, r RefundRequest) (Refund, error) {
	if !ValidPaymentID(paymentID) {
		return Refund{}, fmt.Errorf("mollie: %q is not a payment id", paymentID)
	}
	if err := checkKey(r.IdempotencyKey); err != nil {
		return Refund{}, err
	}
	currency := r.Currency
	if currency == "" {
		currency = "EUR"
	}
	amount, err := NewAmount(currency, r.Cents)
	if err != nil {
		return Refund{}, err
	}
	body := refundBody{Amount: amount, Description: r.Description, Metadata: r.Metadata}
	var rf Refund
	if err := c.do(ctx, "POST", "/payments/"+url.PathEscape(paymentID)+"/refunds", r.IdempotencyKey, body, &rf); err != nil {
		return Refund{}, err
	}
	if !ValidRefundID(rf.ID) {
		return Refund{}, fmt.Errorf("mollie: created refund has no valid id (%q)", rf.ID)
	}
	return rf, nil
}

// GetRefund reads one refund of a payment (GET
// /v2/payments/{paymentId}/refunds/{id}). A canceled refund is a 404.
func (c *Client) GetRefund(ctx context.Context, paymentID, refundID string) (Refund, error) {
	if !ValidPaymentID(paymentID) || !ValidRefundID(refundID) {
		return Refund{}, fmt.Errorf("mollie: %q/%q is not a payment and refund id", paymentID, refundID)
	}
	var rf Refund
	path := "/payments/" + url.PathEscape(paymentID) + "/refunds/" + url.PathEscape(refundID)
	if err := c.do(ctx, "GET", path, "", nil, &rf); err != nil {
		return Refund{}, err
	}
	return rf, nil
}

// maxRefunds is the largest page Mollie gives (list-refunds, limit).
const maxRefunds = 250

// ListRefunds reads the refunds of a payment, oldest first (GET
// /v2/payments/{id}/refunds?limit=250). samen makes a handful per payment
// at most, so it reads one page and says so rather than paginate when
// there are more.
func (c *Client) ListRefunds(ctx context.Context, paymentID string) ([]Refund, error) {
	if !ValidPaymentID(paymentID) {
		return nil, fmt.Errorf("mollie: %q is not a payment id", paymentID)
	}
	var page struct {
		Count    int `json:"count"`
		Embedded struct {
			Refunds []Refund `json:"refunds"`
		} `json:"_embedded"`
		Links struct {
			Next *Link `json:"next"`
		} `json:"_links"`
	}
	path := fmt.Sprintf("/payments/%s/refunds?limit=%d", url.PathEscape(paymentID), maxRefunds)
	if err := c.do(ctx, "GET", path, "", nil, &page); err != nil {
		return nil, err
	}
	if page.Links.Next != nil && page.Links.Next.Href != "" {
		return nil, errors.New("mollie: payment " + paymentID + " has more refunds than one page holds")
	}
	return page.Embedded.Refunds, nil
}
