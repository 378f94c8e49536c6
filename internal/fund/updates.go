package fund

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Updates to backers. A campaign's treasurers write what became of the
// money and the plans; the update is on the campaign's page for everyone
// and goes by mail to each address that gave (paid, or refunded: a failed
// campaign's backers want to hear what happens next too), once per
// address, in the language the backer gave in. Every mail carries a link
// that stops updates about that campaign, without an account.

// Update is a message to a campaign's backers.
type Update struct {
	ID         int64
	CampaignID int64
	Title      string
	Body       string
	CreatedAt  time.Time
	Recipients int // the addresses it was mailed to
}

// Backer is one address an update goes to. ContributionID and Token name
// its earliest gift, whose receipt page holds the link to stop updates.
type Backer struct {
	Email          string
	Language       string
	ContributionID int64
	Token          string
}

// Letters writes the mails of funding; the web layer implements it.
type Letters interface {
	// Update is update u of campaign c for one backer.
	Update(c Campaign, u Update, to Backer) mail.Message
	// Transfer tells who gives by bank transfer where to send it: bank's
	// account, the amount and k's reference, and the receipt's address.
	Transfer(c Campaign, k Contribution, bank BankAccount) mail.Message
	// Received thanks the giver once k is paid, with the receipt's address.
	Received(c Campaign, k Contribution) mail.Message
}

// mailGiver queues a mail to contribution k's giver, in tx, if there is
// someone to write to: not for the demo's provider, where no money moves
// and the receipt is on the screen at once.
func (s *Service) mailGiver(ctx context.Context, tx store.Querier, k Contribution, msg func(Campaign) mail.Message) error {
	if s.Letters == nil || k.Email == "" || k.Method == Demo {
		return nil
	}
	c, err := loadCampaign(ctx, tx, k.CampaignID)
	if err != nil {
		return err
	}
	return mail.Enqueue(ctx, tx, msg(c))
}

// wake tells the outbox worker that mail is waiting; called after the
// transaction that queued it.
func (s *Service) wake() {
	if s.Sent != nil {
		s.Sent()
	}
}

// MaxUpdates is how many updates a campaign may have: a backer's inbox
// is not a feed.
const MaxUpdates = 100

// PostUpdate publishes an update of campaign id and mails it to its
// backers, in one transaction: the update exists with its mails or not at
// all. Its treasurers only, once the campaign has run (a draft has no
// backers).
func (s *Service) PostUpdate(ctx context.Context, u *account.User, id int64, title, body string) (Update, error) {
	now := s.Now.Time()
	var up Update
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, _, r, err := s.campaignAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if c.State == Draft {
			return problem.New(problem.Conflict, "fund.update_draft")
		}
		f := problem.Fields{}
		title, body = textcheck.Collapse(title), strings.TrimSpace(body)
		textcheck.Field(f, "title", title, MaxTitle, true)
		textcheck.Field(f, "body", body, MaxBody, true)
		if err := f.Err(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM fund_updates WHERE campaign_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxUpdates {
			return problem.New(problem.Conflict, "fund.too_many_updates")
		}
		up = Update{CampaignID: id, Title: title, Body: body, CreatedAt: now}
		if err := tx.QueryRow(ctx, `INSERT INTO fund_updates (campaign_id, title, body, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			id, title, body, u.ID, store.Millis(now)).Scan(&up.ID); err != nil {
			return err
		}
		if s.Letters != nil {
			to, err := backers(ctx, tx, id)
			if err != nil {
				return err
			}
			msgs := make([]mail.Message, len(to))
			for i, b := range to {
				msgs[i] = s.Letters.Update(c, up, b)
			}
			if err := mail.EnqueueMany(ctx, tx, msgs); err != nil {
				return err
			}
			up.Recipients = len(msgs)
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_updates SET recipients = ? WHERE id = ?`, up.Recipients, up.ID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.update_posted", "fund_update", up.ID, map[string]any{"campaign": id, "recipients": up.Recipients})
	})
	if err == nil && up.Recipients > 0 {
		s.wake()
	}
	return up, err
}

// backers are the addresses an update of campaign id goes to: each
// address that gave and has not stopped updates, once, with its earliest
// gift. Erased contributions have no address and are left out.
func backers(ctx context.Context, q store.Querier, id int64) ([]Backer, error) {
	rows, err := q.Query(ctx, `SELECT k.id, k.email, k.language, k.token FROM fund_contributions k
		WHERE k.campaign_id = ? AND k.status IN ('paid', 'refunded') AND k.email <> '' AND k.id = (
			SELECT MIN(o.id) FROM fund_contributions o WHERE o.campaign_id = k.campaign_id AND LOWER(o.email) = LOWER(k.email)
			AND o.status IN ('paid', 'refunded'))
		AND NOT EXISTS (SELECT 1 FROM fund_contributions x WHERE x.campaign_id = k.campaign_id AND LOWER(x.email) = LOWER(k.email)
			AND x.updates_off IS NOT NULL)
		ORDER BY k.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Backer
	for rows.Next() {
		var b Backer
		if err := rows.Scan(&b.ContributionID, &b.Email, &b.Language, &b.Token); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Updates are campaign id's updates, the newest first. They are as public
// as the campaign: the caller has checked that the reader may see it.
func (s *Service) Updates(ctx context.Context, q store.Querier, id int64) ([]Update, error) {
	rows, err := q.Query(ctx, `SELECT id, title, body, created_at, recipients FROM fund_updates WHERE campaign_id = ? ORDER BY created_at DESC, id DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Update
	for rows.Next() {
		up := Update{CampaignID: id}
		var at int64
		if err := rows.Scan(&up.ID, &up.Title, &up.Body, &at, &up.Recipients); err != nil {
			return nil, err
		}
		up.CreatedAt = store.Time(at)
		out = append(out, up)
	}
	return out, rows.Err()
}

// StopUpdates stops updates about a campaign to the address of
// contribution id, whose receipt token is token: for every gift from that
// address to the campaign, so that a second gift does not bring them
// back. Doing it twice is harmless.
func (s *Service) StopUpdates(ctx context.Context, id int64, token string) (Contribution, error) {
	c, err := s.contributionByToken(ctx, s.DB, id, token)
	if err != nil {
		return c, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE fund_contributions SET updates_off = ? WHERE campaign_id = ? AND updates_off IS NULL
			AND (id = ? OR (email <> '' AND LOWER(email) = LOWER(?)))`, store.Millis(s.Now.Time()), c.CampaignID, c.ID, c.Email); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.updates_stopped", "fund_contribution", c.ID, map[string]any{"campaign": c.CampaignID})
	})
	return c, err
}

// contributionByToken is contribution id if token is its receipt token;
// not found otherwise, so that a wrong token says nothing about the id.
func (s *Service) contributionByToken(ctx context.Context, q store.Querier, id int64, token string) (Contribution, error) {
	c, err := loadContribution(ctx, q, id)
	if errors.Is(err, errNotFound) || (err == nil && !tokenEqual(c.Token, token)) {
		return Contribution{}, errNotFound
	}
	return c, err
}

func tokenEqual(have, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(have), []byte(got)) == 1
}
