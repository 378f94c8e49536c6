// Package fund is funding together (issue 14; roadmap action 13):
// crowdfunding campaigns of initiatives, match pools of the municipality
// and funds (Goteo's "duplicate" and "criteria" rules), and expenses paid
// from what was raised (Open Collective's flow). Every cent moves through
// the one ledger (internal/ledger); the rows here say what happened and
// name the ledger transaction that booked it.
//
// The accounts it keeps in the ledger:
//
//	campaign:C          fund   what campaign C has raised and not yet paid out
//	initiative:W        fund   what workspace W may spend (a campaign's money once it ends)
//	pool:P:funder:F     fund   what funder F has left in pool P
//	provider:mollie     asset  money at Mollie, not yet settled to the bank
//	provider:bank       asset  the host's bank account
//	provider:demo       asset  the demo's pretend money (--demo only)
//	fees:mollie         cost   what a provider kept of payments (fee.go)
//
// Rules that hold whatever the order of events:
//   - a contribution is booked once, when the provider says it is paid
//     (samen asks the provider; a webhook only says "look"), and refunded
//     at most once, by reversing its booking;
//   - a match is computed when its contribution is booked, under a lock on
//     the pool, so that contributions at once never over-match; a refund
//     returns the match to the funders exactly as it was split, by
//     reversing the match's transaction;
//   - an all-or-nothing campaign below its minimum at its deadline refunds
//     every contribution and returns every match.
package fund

import (
	"context"
	"crypto/rand"

	"strconv"
	"time"

	"samen/internal/camt"
	"samen/internal/decide"
	"samen/internal/ledger"
	"samen/internal/problem"
	"samen/internal/store"
)

// Service is the funding part of samen.
type Service struct {
	DB *store.DB
	// Providers take payments, by name ("mollie", "demo"); bank transfers
	// need none.
	Providers map[string]Provider
	// Budgets are deciding together's participatory budgets, whose
	// winners a pool can pay (inverse crowdfunding); may be nil.
	Budgets *decide.Service
	// Standing is what the atlas and the assessments say of an initiative,
	// for the pools that take only some (principles, an assessment); nil:
	// AtlasStanding on DB.
	Standing Standing
	// Bank is the host's account that bank transfers go to; without an
	// IBAN, giving by bank transfer is not offered.
	Bank BankAccount
	// Fees are the providers' prices per payment, by provider name
	// ("mollie", "bank", "demo"); none: no fees are booked.
	Fees map[string]Fee
	// Letters writes the mails to backers; without it, none are sent.
	Letters Letters
	// Sent wakes the outbox worker; may be nil.
	Sent func()
	// Now is the clock; tests replace it.
	Now store.Clock
}

// BankAccount is where contributors transfer to.
type BankAccount struct {
	IBAN string
	Name string // the account holder, as the bank app asks for it
}

// Methods are the ways of paying this installation offers, in the order
// the give form lists them.
func (s *Service) Methods() []Method {
	var out []Method
	for _, m := range []Method{Mollie, Demo} {
		if _, ok := s.Providers[string(m)]; ok {
			out = append(out, m)
		}
	}
	if s.Bank.IBAN != "" {
		out = append(out, Bank)
	}
	return out
}

var (
	errNotFound  = problem.New(problem.NotFound, "fund.not_found")
	errForbidden = problem.New(problem.Forbidden, "fund.forbidden")
	errSignIn    = problem.New(problem.Unauthorized, "fund.sign_in")
)

// Limits.
const (
	MinContribution = 100            // €1: below it the provider's fee eats the gift
	MaxContribution = 10_000_00      // €10,000 at once; more goes by arrangement
	MaxGoal         = 10_000_000_00  // €10 million
	MaxPool         = 100_000_000_00 // €100 million in one pool
	MaxTitle        = 150
	MaxSummary      = 300
	MaxBody         = 20000
	MaxLines        = 50
	MaxRewards      = 20
)

// Account codes in the ledger.
func campaignAccount(id int64) string   { return ledger.Code("campaign", id) }
func initiativeAccount(id int64) string { return ledger.Code("initiative", id) }
func funderAccount(pool, funder int64) string {
	return ledger.Code("pool", pool, "funder", funder)
}
func providerAccount(name string) string { return ledger.Code("provider", name) }

// Method is how a contribution is paid.
type Method string

const (
	Mollie Method = "mollie" // iDEAL, cards, SEPA through Mollie
	Bank   Method = "bank"   // a bank transfer with samen's reference, reconciled from the statement
	Demo   Method = "demo"   // --demo only: paid at once, no money moves
)

// Status is where a payment stands, in Mollie's words.
type Status string

const (
	PaymentOpen     Status = "open"
	PaymentPaid     Status = "paid"
	PaymentFailed   Status = "failed"
	PaymentCanceled Status = "canceled"
	PaymentExpired  Status = "expired"
	PaymentRefunded Status = "refunded" // samen's own: the contribution went back
)

// The values pages name, for the test that every one has its words.
var (
	CampaignStates = []CampaignState{Draft, Running, Succeeded, Failed}
	AllMethods     = []Method{Mollie, Bank, Demo}
	Statuses       = []Status{PaymentOpen, PaymentPaid, PaymentFailed, PaymentCanceled, PaymentExpired, PaymentRefunded}
	// Kinds of the ledger transactions funding books.
	Kinds = []string{"contribution", "match", "grant", "payout", "expense", "deposit", "reversal"}
	// AccountKinds are the first words of the accounts' codes.
	AccountKinds = []string{"campaign", "initiative", "pool", "provider", "fees"}
)

// Provider takes payments: Mollie in production, the demo's in --demo.
type Provider interface {
	// Start asks for a payment and returns the provider's id for it and
	// the address where the contributor pays.
	Start(ctx context.Context, p PaymentStart) (Checkout, error)
	// Status says where the payment stands, as the provider knows it.
	Status(ctx context.Context, ref string) (Status, error)
	// Refund pays cents of the payment back. The same key asks for the
	// same refund: asked twice, the provider refunds once.
	Refund(ctx context.Context, ref string, cents int64, description, key string) error
}

// PaymentStart is what a provider is asked for.
type PaymentStart struct {
	Contribution int64
	Cents        int64
	Description  string
	RedirectURL  string // where the contributor comes back to
	WebhookURL   string // where the provider says that something changed
	Language     string
	Key          string // the same key for the same request: the provider makes one payment
}

// Checkout is a started payment.
type Checkout struct {
	Ref string // the provider's id
	URL string // where to pay; "" when it is paid already (demo)
}

func optTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return store.Time(ms)
}

func itoa(i int) string     { return strconv.Itoa(i) }
func itoa64(i int64) string { return strconv.FormatInt(i, 10) }
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NewReference is a new payment reference for a bank transfer
// (internal/camt's, found again in the statement's remittance text).
func NewReference() string { return camt.NewReference(rand.Reader) }

// newReference makes the references of contributions; a test makes two
// meet.
var newReference = NewReference

// ValidReference reports whether s is one of samen's payment references.
func ValidReference(s string) bool { return camt.ValidReference(s) }
