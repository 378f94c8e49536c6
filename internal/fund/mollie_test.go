package fund

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"samen/internal/mollie"
	"samen/internal/mollie/mollietest"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A gift through Mollie, against the fake that speaks Mollie's documented
// v2 API: the payer goes to the checkout, Mollie calls the webhook with
// only the payment's id, samen asks Mollie and books; the webhook again
// books nothing more; a refund goes to Mollie once.
func TestMollie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		fake := mollietest.Start(t)
		f.svc.Providers["mollie"] = &MollieProvider{Client: &mollie.Client{BaseURL: fake.URL, APIKey: mollietest.APIKey}}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := mollie.ParseWebhook(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := f.svc.Sync(r.Context(), Mollie, id); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		}))
		defer hook.Close()
		c := f.campaign(t, true)
		back := func(Contribution) (string, string) { return "https://samen.example/thanks", hook.URL }

		g, err := f.svc.Contribute(ctx, f.cato, c.ID, Gift{Cents: 1250, Name: "Cato", Method: Mollie, Language: "en", Return: back})
		if err != nil || g.Status != PaymentOpen || !mollie.ValidPaymentID(g.Ref) || g.CheckoutURL == "" {
			t.Fatalf("a gift through Mollie: %+v %v", g, err)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 0 {
			t.Errorf("the campaign holds %d before the payment is made", got)
		}
		if err := fake.Settle(g.Ref, "paid"); err != nil {
			t.Fatal(err)
		}
		if hooks := fake.Webhooks(); len(hooks) != 1 || hooks[0].Status != http.StatusOK {
			t.Fatalf("the webhook: %+v", hooks)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 1250 {
			t.Errorf("after Mollie's webhook the campaign holds %d, want 1250", got)
		}
		// The same notice again (Mollie retries) books nothing more.
		if err := f.svc.Sync(ctx, Mollie, g.Ref); err != nil {
			t.Fatal(err)
		}
		if got := f.held(t, providerAccount("mollie")); got != 1250 {
			t.Errorf("Mollie's clearing account holds %d after a second notice", got)
		}

		// A payer who gives up: the contribution closes, nothing is booked.
		gone, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 500, Email: "x@example.org", Name: "X", Method: Mollie, Return: back})
		if err != nil {
			t.Fatal(err)
		}
		if err := fake.Settle(gone.Ref, "canceled"); err != nil {
			t.Fatal(err)
		}
		if got, _ := loadContribution(ctx, db, gone.ID); got.Status != PaymentCanceled {
			t.Errorf("a canceled payment leaves the contribution %s", got.Status)
		}

		// A refund reaches Mollie once, with its key; asked again, samen
		// finds it done. (A refund cut short is asked again with the same
		// key, which Mollie answers with the first refund.)
		if err := f.svc.Refund(ctx, f.anna, g.ID, "Op verzoek"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.refund(ctx, nil, g.ID, "Nog eens"); err != nil {
			t.Fatal(err)
		}
		var refunds int
		for _, r := range fake.Requests() {
			if r.Method == http.MethodPost && r.Path == "/v2/payments/"+g.Ref+"/refunds" {
				refunds++
				if r.Header.Get("Idempotency-Key") != "refund-"+itoa64(g.ID) {
					t.Errorf("a refund without its key: %v", r.Header)
				}
			}
		}
		pay, err := (&mollie.Client{BaseURL: fake.URL, APIKey: mollietest.APIKey}).GetPayment(ctx, g.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if done, _ := pay.RefundedCents(); done != 1250 || refunds != 1 {
			t.Errorf("Mollie refunded %d in %d requests; want 1250 in one", done, refunds)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 0 {
			t.Errorf("after the refund the campaign holds %d", got)
		}
		checkBooks(t, db)
	})
}
