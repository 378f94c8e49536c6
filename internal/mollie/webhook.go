package mollie

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// ErrWebhook is the error ParseWebhook returns (wrapped) for a request that
// is not Mollie's webhook call: answer it 400.
var ErrWebhook = errors.New("mollie: not a webhook call")

func notWebhook(why string) error { return fmt.Errorf("%w: %s", ErrWebhook, why) }

// maxWebhook bounds the body read: Mollie sends id=tr_… and nothing else.
const maxWebhook = 1024

// ParseWebhook reads the payment id from Mollie's webhook call: a POST with
// a form body id=tr_… and nothing more (guides/webhooks). The call carries
// no status and no signature on purpose: anyone can make it, so it proves
// nothing. The caller MUST then GetPayment(id) and act on what Mollie
// answers, never on the call itself; an id samen does not know is answered
// 200 all the same, as Mollie advises, so that probing learns nothing.
// Answer 200 once the payment is processed: any other status, or more than
// 15 seconds, makes Mollie call again later (up to 10 times in 26 hours),
// so processing must be safe to repeat.
//
// ParseWebhook reads at most 1 kB of the body and checks the id's shape
// (ValidPaymentID); it ignores other form fields.
func ParseWebhook(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", notWebhook("method is " + r.Method + ", not POST")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return "", notWebhook("body is not a form")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhook+1))
	if err != nil {
		return "", notWebhook(err.Error())
	}
	if len(body) > maxWebhook {
		return "", notWebhook("body too large")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", notWebhook(err.Error())
	}
	ids := form["id"]
	if len(ids) != 1 {
		return "", notWebhook("no single id")
	}
	if !ValidPaymentID(ids[0]) {
		return "", notWebhook("id is not a payment id")
	}
	return ids[0], nil
}
