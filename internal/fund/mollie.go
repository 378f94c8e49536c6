package fund

import (
	"context"

	"samen/internal/mollie"
)

// MollieProvider takes payments through Mollie's v2 API (iDEAL, cards,
// SEPA): the payer goes to Mollie's checkout, Mollie calls samen's webhook
// with the payment's id, and samen asks Mollie where it stands.
type MollieProvider struct {
	Client *mollie.Client
}

// Start creates the payment, with the contribution's id in its metadata
// and an idempotency key from it: asked twice, Mollie makes one payment.
func (m *MollieProvider) Start(ctx context.Context, p PaymentStart) (Checkout, error) {
	locale := "nl_NL"
	if p.Language == "en" {
		locale = "en_US"
	}
	pay, err := m.Client.CreatePayment(ctx, mollie.PaymentRequest{Cents: p.Cents, Description: p.Description, RedirectURL: p.RedirectURL,
		WebhookURL: p.WebhookURL, Metadata: map[string]string{"contribution": itoa64(p.Contribution)}, Locale: locale, IdempotencyKey: p.Key})
	if err != nil {
		return Checkout{}, err
	}
	return Checkout{Ref: pay.ID, URL: pay.CheckoutURL()}, nil
}

// Status asks Mollie. Pending and authorized payments are open to samen:
// not paid yet.
func (m *MollieProvider) Status(ctx context.Context, ref string) (Status, error) {
	pay, err := m.Client.GetPayment(ctx, ref)
	if err != nil {
		return "", err
	}
	switch pay.Status {
	case mollie.StatusPaid:
		return PaymentPaid, nil
	case mollie.StatusFailed:
		return PaymentFailed, nil
	case mollie.StatusCanceled:
		return PaymentCanceled, nil
	case mollie.StatusExpired:
		return PaymentExpired, nil
	}
	return PaymentOpen, nil
}

// Refund pays cents back, once per key.
func (m *MollieProvider) Refund(ctx context.Context, ref string, cents int64, description, key string) error {
	_, err := m.Client.CreateRefund(ctx, ref, mollie.RefundRequest{Cents: cents, Description: description, IdempotencyKey: key})
	return err
}
