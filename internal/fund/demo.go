package fund

import (
	"context"
	"sync"
)

// DemoProvider is the demo's payment provider (samen serve --demo only):
// every payment is paid the moment it is asked for, and no money moves.
// Pages name it plainly as the demo's, so that nobody takes a demo gift for
// a real one.
type DemoProvider struct {
	mu       sync.Mutex
	refunded map[string]bool
}

// Start pays at once: there is nowhere to go to pay.
func (d *DemoProvider) Start(_ context.Context, p PaymentStart) (Checkout, error) {
	return Checkout{Ref: "demo_" + itoa64(p.Contribution)}, nil
}

// Status says every demo payment is paid.
func (d *DemoProvider) Status(context.Context, string) (Status, error) { return PaymentPaid, nil }

// Refund notes the refund; asked twice with the same key, it refunds once.
func (d *DemoProvider) Refund(_ context.Context, _ string, _ int64, _, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.refunded == nil {
		d.refunded = map[string]bool{}
	}
	d.refunded[key] = true
	return nil
}
