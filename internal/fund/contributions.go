package fund

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/ledger"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Contribution is one gift to a campaign.
type Contribution struct {
	ID          int64
	CampaignID  int64
	UserID      int64  // 0: given without an account
	Email       string // for the receipt; personal data, never on a public page
	PublicName  string // "" when the contributor chose to stay anonymous
	Message     string
	RewardID    int64
	Cents       int64
	Method      Method
	Ref         string // the provider's id, or the bank transfer's reference
	Token       string // the secret of its receipt page
	Status      Status
	CheckoutURL string // where to pay at the provider ("" for a transfer, or once paid at once)
	Language    string // the giver's, for their mails: nl or en
	CreatedAt   time.Time
	PaidAt      time.Time
}

// Gift is what a contributor fills in.
type Gift struct {
	Cents     int64
	Email     string // required without an account
	Name      string // shown on the campaign's page unless Anonymous
	Anonymous bool
	Message   string
	RewardID  int64
	Method    Method
	Language  string
	// Return gives the addresses the provider needs once the
	// contribution has its id: where the contributor comes back, and where
	// the provider reports.
	Return func(c Contribution) (redirect, webhook string)
}

// MaxMessage is the longest message with a gift.
const MaxMessage = 500

const contributionColumns = `id, campaign_id, COALESCE(user_id, 0), email, public_name, message, COALESCE(reward_id, 0), cents, provider,
	provider_ref, token, status, checkout_url, language, created_at, COALESCE(paid_at, 0)`

func scanContribution(row interface{ Scan(...any) error }) (Contribution, error) {
	var c Contribution
	var created, paid int64
	err := row.Scan(&c.ID, &c.CampaignID, &c.UserID, &c.Email, &c.PublicName, &c.Message, &c.RewardID, &c.Cents, &c.Method,
		&c.Ref, &c.Token, &c.Status, &c.CheckoutURL, &c.Language, &created, &paid)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	c.CreatedAt, c.PaidAt = store.Time(created), optTime(paid)
	return c, err
}

func loadContribution(ctx context.Context, q store.Querier, id int64) (Contribution, error) {
	return scanContribution(q.QueryRow(ctx, `SELECT `+contributionColumns+` FROM fund_contributions WHERE id = ?`, id))
}

// contributor names who gave for the cap per contributor, without keeping
// an address in the matches: an account by its id, anyone else by a hash
// of their address.
func (c Contribution) contributor() string {
	if c.UserID != 0 {
		return "u:" + itoa64(c.UserID)
	}
	h := sha256.Sum256([]byte(strings.ToLower(c.Email)))
	return "e:" + hex.EncodeToString(h[:12])
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Contribute records a gift to a running campaign and starts its payment:
// at Mollie (the contributor goes to CheckoutURL), by bank transfer (the
// contributor transfers with the reference in Ref), or, in the demo, paid
// at once. u may be nil: giving needs no account, only an address for the
// receipt.
func (s *Service) Contribute(ctx context.Context, u *account.User, campaignID int64, g Gift) (Contribution, error) {
	f := problem.Fields{}
	if g.Cents < MinContribution || g.Cents > MaxContribution {
		f.Add("amount", "fund.contribution_range")
	}
	if u == nil || g.Email != "" {
		if email, code := account.NormalizeEmail(g.Email); code != "" {
			f.Add("email", code)
		} else {
			g.Email = email
		}
	}
	g.Name, g.Message = textcheck.Collapse(g.Name), strings.TrimSpace(g.Message)
	if g.Anonymous {
		g.Name = ""
	} else {
		textcheck.Field(f, "name", g.Name, 100, true)
	}
	textcheck.Field(f, "message", g.Message, MaxMessage, false)
	if g.Language != "en" {
		g.Language = "nl" // the site's first language; updates are written in it
	}
	provider := s.Providers[string(g.Method)]
	if !slices.Contains(s.Methods(), g.Method) {
		f.Add("method", "choice.unknown")
	}
	if err := f.Err(); err != nil {
		return Contribution{}, err
	}
	now := s.Now.Time()
	var c Contribution
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		camp, _, r, err := s.campaignAs(ctx, tx, u, campaignID)
		if err != nil {
			return err
		}
		if !r.Give || !camp.Deadline.After(now) {
			return problem.New(problem.Conflict, "fund.campaign_closed")
		}
		var reward any
		if g.RewardID != 0 {
			var found bool
			for _, rw := range camp.Rewards {
				if rw.ID != g.RewardID {
					continue
				}
				found = true
				switch {
				case g.Cents < rw.MinCents:
					f.Add("reward", "fund.reward_min")
				case rw.Available > 0 && rw.Taken >= rw.Available:
					f.Add("reward", "fund.reward_gone")
				}
			}
			if !found {
				f.Add("reward", "choice.unknown")
			}
			reward = g.RewardID
		}
		if err := f.Err(); err != nil {
			return err
		}
		var user any
		if u != nil {
			user = u.ID
			if g.Email == "" {
				g.Email = u.Email
			}
		}
		c = Contribution{CampaignID: campaignID, Email: g.Email, PublicName: g.Name, Message: g.Message, Cents: g.Cents, Method: g.Method,
			Token: randomToken(), Status: PaymentOpen, Language: g.Language, CreatedAt: now}
		if u != nil {
			c.UserID = u.ID
		}
		// Until the provider names the payment, the reference is a
		// placeholder of our own (unique, as the column asks).
		c.Ref = "new-" + c.Token
		// A transfer's reference has 30 random bits: among tens of
		// thousands, two may meet. The one that comes second draws again.
		for attempt := 0; ; attempt++ {
			if g.Method == Bank {
				c.Ref = newReference()
			}
			err := tx.QueryRow(ctx, `INSERT INTO fund_contributions (campaign_id, user_id, email, public_name, message, reward_id, cents, provider,
				provider_ref, token, status, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (provider, provider_ref) DO NOTHING RETURNING id`,
				campaignID, user, c.Email, c.PublicName, c.Message, reward, c.Cents, c.Method, c.Ref, c.Token, g.Language, store.Millis(now)).Scan(&c.ID)
			if errors.Is(err, sql.ErrNoRows) && g.Method == Bank && attempt < 5 {
				continue
			}
			if err != nil {
				return err
			}
			break
		}
		if g.Method == Bank {
			// Where to send it, kept in the giver's mail: the page may be
			// closed before the transfer is made.
			if err := s.mailGiver(ctx, tx, c, func(camp Campaign) mail.Message { return s.Letters.Transfer(camp, c, s.Bank) }); err != nil {
				return err
			}
		}
		return audit.RecordID(ctx, tx, "fund.contribution_started", "fund_contribution", c.ID,
			map[string]any{"campaign": campaignID, "cents": c.Cents, "method": string(c.Method)})
	})
	if err != nil || g.Method == Bank {
		if err == nil {
			s.wake()
		}
		return c, err
	}
	// The provider is asked outside the transaction: a slow provider
	// must not hold the database.
	var redirect, webhook string
	if g.Return != nil {
		redirect, webhook = g.Return(c)
	}
	out, err := provider.Start(ctx, PaymentStart{Contribution: c.ID, Cents: c.Cents, Description: "samen #" + itoa64(c.ID),
		RedirectURL: redirect, WebhookURL: webhook, Language: g.Language, Key: "contribution-" + itoa64(c.ID)})
	if err != nil {
		_, _ = s.DB.Exec(ctx, `UPDATE fund_contributions SET status = 'failed' WHERE id = ? AND status = 'open'`, c.ID)
		return c, problem.New(problem.Unavailable, "fund.provider_down")
	}
	if _, err := s.DB.Exec(ctx, `UPDATE fund_contributions SET provider_ref = ?, checkout_url = ? WHERE id = ?`, out.Ref, out.URL, c.ID); err != nil {
		return c, err
	}
	c.Ref, c.CheckoutURL = out.Ref, out.URL
	if out.URL == "" {
		// Paid at once (the demo's provider): ask, as for any payment.
		if err := s.Sync(ctx, g.Method, out.Ref); err != nil {
			return c, err
		}
		return loadContribution(ctx, s.DB, c.ID)
	}
	return c, nil
}

// Sync asks the provider where payment ref stands and acts on it: a paid
// payment is booked (once), a failed, canceled or expired one closes its
// contribution. It is what a webhook calls: the webhook says only which
// payment to look at, and samen believes the provider's answer to its own
// question, not the notice.
func (s *Service) Sync(ctx context.Context, method Method, ref string) error {
	provider, ok := s.Providers[string(method)]
	if !ok {
		return errNotFound
	}
	c, err := scanContribution(s.DB.QueryRow(ctx, `SELECT `+contributionColumns+` FROM fund_contributions WHERE provider = ? AND provider_ref = ?`, method, ref))
	if err != nil {
		return err
	}
	st, err := provider.Status(ctx, ref)
	if err != nil {
		return problem.New(problem.Unavailable, "fund.provider_down")
	}
	switch st {
	case PaymentPaid:
		return s.paid(ctx, c.ID)
	case PaymentFailed, PaymentCanceled, PaymentExpired:
		return s.DB.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE fund_contributions SET status = ? WHERE id = ? AND status = 'open'`, st, c.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return audit.RecordID(ctx, tx, "fund.contribution_"+string(st), "fund_contribution", c.ID, nil)
		})
	}
	return nil
}

// paid books contribution id as paid, once: the first of several notices
// (or processes) to get here books it, the others find it done. Its
// campaign's pools match it in the same transaction.
func (s *Service) paid(ctx context.Context, id int64) error {
	var late bool
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		late, err = s.book(ctx, tx, id)
		return err
	})
	if err == nil {
		s.wake()
	}
	return s.afterBooking(ctx, id, late, err)
}

// afterBooking refunds a contribution that came in after its campaign
// failed (a bank transfer takes days).
func (s *Service) afterBooking(ctx context.Context, id int64, late bool, err error) error {
	if err != nil || !late {
		return err
	}
	return s.refund(ctx, nil, id, "Campagne niet gehaald / campaign failed")
}

// book marks contribution id paid in tx and books it, unless it was booked
// before. late says that its campaign had failed: the caller refunds it.
func (s *Service) book(ctx context.Context, tx *store.Tx, id int64) (late bool, err error) {
	now := s.Now.Time()
	res, err := tx.Exec(ctx, `UPDATE fund_contributions SET status = 'paid', paid_at = ? WHERE id = ? AND status = 'open'`, store.Millis(now), id)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	c, err := loadContribution(ctx, tx, id)
	if err != nil {
		return false, err
	}
	camp, err := loadCampaign(ctx, tx, c.CampaignID)
	if err != nil {
		return false, err
	}
	if _, err := ledger.Open(ctx, tx, providerAccount(string(c.Method)), ledger.Asset, "", now); err != nil {
		return false, err
	}
	if _, err := ledger.Open(ctx, tx, campaignAccount(camp.ID), ledger.Fund, camp.Title, now); err != nil {
		return false, err
	}
	t := ledger.Move("contribution", campaignAccount(camp.ID), providerAccount(string(c.Method)), c.Cents, "Bijdrage / contribution #"+itoa64(c.ID))
	t.Ref = "contribution:" + itoa64(c.ID)
	txID, err := ledger.Post(ctx, tx, t, now)
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE fund_contributions SET paid_tx = ? WHERE id = ?`, txID, id); err != nil {
		return false, err
	}
	if err := s.bookFee(ctx, tx, c, now); err != nil {
		return false, err
	}
	// Thanks, unless the campaign failed meanwhile: then the money goes
	// back (afterBooking), and the receipt page says so.
	if camp.State != Failed {
		if err := s.mailGiver(ctx, tx, c, func(camp Campaign) mail.Message { return s.Letters.Received(camp, c) }); err != nil {
			return false, err
		}
	}
	if err := audit.RecordID(ctx, tx, "fund.contribution_paid", "fund_contribution", id, map[string]any{"cents": c.Cents, "tx": txID}); err != nil {
		return false, err
	}
	switch camp.State {
	case Running:
		return false, s.matchContribution(ctx, tx, camp, c, now)
	case Succeeded:
		// Late money for a campaign that ended well goes on to the
		// initiative.
		_, err := s.payOut(ctx, tx, camp, now)
		return false, err
	}
	return true, nil
}

// Refund pays contribution id back, with its match returned to the
// funders. The campaign's treasurers may, while it runs.
func (s *Service) Refund(ctx context.Context, u *account.User, id int64, why string) error {
	c, err := loadContribution(ctx, s.DB, id)
	if err != nil {
		return err
	}
	camp, _, r, err := s.campaignAs(ctx, s.DB, u, c.CampaignID)
	if err != nil {
		return err
	}
	if !r.Manage {
		return errForbidden
	}
	if c.Status != PaymentPaid {
		return problem.New(problem.Conflict, "fund.not_paid")
	}
	if camp.State != Running {
		// Once ended, the money is the initiative's (or went back).
		return problem.New(problem.Conflict, "fund.campaign_ended")
	}
	f := problem.Fields{}
	textcheck.Field(f, "reason", strings.TrimSpace(why), ledger.MaxText, true)
	if err := f.Err(); err != nil {
		return err
	}
	return s.refund(ctx, u, id, strings.TrimSpace(why))
}

// refund claims the contribution (paid → refunded), asks the provider to
// pay it back, then reverses its booking and its matches. The provider is
// asked with the same idempotency key every time, so a refund cut short
// (a crash, a provider down) is finished by calling refund again
// (FinishRefunds) without paying twice.
func (s *Service) refund(ctx context.Context, u *account.User, id int64, why string) error {
	res, err := s.DB.Exec(ctx, `UPDATE fund_contributions SET status = 'refunded' WHERE id = ? AND status = 'paid'`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Refunded before, or being refunded: finish it if it was cut
		// short, else there is nothing to do.
		var status string
		var booked int64
		if err := s.DB.QueryRow(ctx, `SELECT status, COALESCE(refund_tx, 0) FROM fund_contributions WHERE id = ?`, id).Scan(&status, &booked); err != nil {
			return err
		}
		if status != string(PaymentRefunded) {
			return problem.New(problem.Conflict, "fund.not_paid")
		}
		if booked != 0 {
			return nil
		}
	}
	c, err := loadContribution(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if provider, ok := s.Providers[string(c.Method)]; ok {
		if err := provider.Refund(ctx, c.Ref, c.Cents, "samen #"+itoa64(c.ID), "refund-"+itoa64(c.ID)); err != nil {
			return problem.New(problem.Unavailable, "fund.provider_down")
		}
	}
	// A bank transfer goes back by a transfer the treasurer makes: it is
	// booked now, and listed among the refunds to transfer.
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var paidTx int64
		var done sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(paid_tx, 0), refund_tx FROM fund_contributions WHERE id = ?`, id).Scan(&paidTx, &done); err != nil {
			return err
		}
		if done.Valid {
			return nil
		}
		back, err := ledger.Reverse(ctx, tx, paidTx, why, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_contributions SET refund_tx = ? WHERE id = ? AND refund_tx IS NULL`, back, id); err != nil {
			return err
		}
		if err := s.returnMatches(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.contribution_refunded", "fund_contribution", id, map[string]any{"cents": c.Cents, "tx": back})
	})
}

// FinishRefunds completes refunds that were claimed but not booked.
func (s *Service) FinishRefunds(ctx context.Context) (int, error) {
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_contributions WHERE status = 'refunded' AND refund_tx IS NULL ORDER BY id LIMIT 100`)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		if err := s.refund(ctx, nil, id, "Terugbetaald / refunded"); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// Receipt is a contribution as its giver sees it, on the page whose
// address holds its secret token: no account needed.
type Receipt struct {
	Contribution
	Campaign string
	Bank     BankAccount // where to transfer to, for a bank transfer
	// UpdatesOff says that this address stopped the campaign's updates.
	UpdatesOff bool
	// Refunding: the refund is claimed but the provider has not taken it
	// yet (it was down); the ticker finishes it.
	Refunding bool
}

// ReceiptOf returns contribution id to whoever holds its token. For a
// payment still open at the provider, it asks the provider first (the
// giver may come back before the webhook did).
func (s *Service) ReceiptOf(ctx context.Context, id int64, token string) (Receipt, error) {
	c, err := s.contributionByToken(ctx, s.DB, id, token)
	if err != nil {
		return Receipt{}, err
	}
	if c.Status == PaymentOpen && c.Method != Bank && !strings.HasPrefix(c.Ref, "new-") {
		if err := s.Sync(ctx, c.Method, c.Ref); err == nil {
			c, err = loadContribution(ctx, s.DB, id)
			if err != nil {
				return Receipt{}, err
			}
		}
	}
	camp, err := loadCampaign(ctx, s.DB, c.CampaignID)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Contribution: c, Campaign: camp.Title}
	if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fund_contributions WHERE campaign_id = ? AND updates_off IS NOT NULL
		AND (id = ? OR (email <> '' AND LOWER(email) = LOWER(?)))), EXISTS (SELECT 1 FROM fund_contributions WHERE id = ?
		AND status = 'refunded' AND refund_tx IS NULL)`, c.CampaignID, c.ID, c.Email, c.ID).Scan(&r.UpdatesOff, &r.Refunding); err != nil {
		return Receipt{}, err
	}
	if c.Method == Bank {
		r.Bank = s.Bank
	}
	return r, nil
}
