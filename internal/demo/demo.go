// Package demo fills an empty samen with content to try it out: accounts in
// each role now, and the atlas, toolbox and assessments as those parts
// arrive. It never touches a database that already has people in it.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/toolbox"
	"samen/internal/workspace"
)

// initiatives are the atlas's demo entries: made up, spread over
// Amsterdam's districts, with needs and offers that meet each other. Each
// has source "demo", which its page shows as an example.
//
//go:embed initiatives.json
var initiatives []byte

// Initiatives returns the demo initiatives.
func Initiatives() ([]atlas.Record, error) {
	var recs []atlas.Record
	if err := json.Unmarshal(initiatives, &recs); err != nil {
		return nil, fmt.Errorf("demo initiatives: %w", err)
	}
	return recs, nil
}

// Account is a demo login, printed at start so a visitor can try each role.
type Account struct {
	Email    string
	Password string
	Role     account.Role
}

// Accounts are the demo logins. The passwords are public: a demo site is
// for trying out, never for real data.
var Accounts = []Account{
	{Email: "steward@example.org", Password: "demo-steward-samen", Role: account.Steward},
	{Email: "moderator@example.org", Password: "demo-moderator-samen", Role: account.Moderator},
	{Email: "member@example.org", Password: "demo-member-samen", Role: account.Member},
}

var names = map[account.Role]string{
	account.Steward:   "Sam Steward",
	account.Moderator: "Mo Moderator",
	account.Member:    "Mia Member",
}

// memberEdits is how many demo initiatives the demo member keeps, so that
// editing one's own entry can be tried.
const memberEdits = 3

// Seed adds the demo content when the database has no accounts yet, and
// reports whether it did. The moderator enters the initiatives (so they
// are published at once); the member becomes editor of the first few.
// Services are the parts demo content goes into; a nil one is skipped.
type Services struct {
	Atlas   *atlas.Service
	Toolbox *toolbox.Service
	Assess  *assess.Service
	// Workspaces: the first initiative's back office.
	Workspaces *workspace.Service
	// Decisions: votes in that workspace, and a city budget (needs
	// Workspaces).
	Decisions *decide.Service
	// Funding: a match pool, campaigns and expenses of that workspace
	// (needs Workspaces, and a "demo" payment provider).
	Funding *fund.Service
}

func Seed(ctx context.Context, accounts *account.Service, svc Services) (bool, error) {
	atlasSvc, toolboxSvc := svc.Atlas, svc.Toolbox
	n, err := accounts.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	users := map[account.Role]account.User{}
	for _, a := range Accounts {
		u, err := accounts.Add(ctx, account.NewUser{
			Email: a.Email, Name: names[a.Role], Password: a.Password, Role: a.Role, Language: "nl",
		})
		if err != nil {
			return false, err
		}
		users[a.Role] = u
	}
	if atlasSvc == nil {
		return true, nil
	}
	recs, err := Initiatives()
	if err != nil {
		return false, err
	}
	mod := users[account.Moderator]
	ctx = audit.WithActor(ctx, audit.Actor{UserID: mod.ID, Label: audit.LabelMember})
	var ids []int64
	for i, r := range recs {
		in, err := atlasSvc.Propose(ctx, &mod, atlas.Proposal{Record: r, Note: "demo", NotDuplicate: true})
		if err != nil {
			return false, fmt.Errorf("demo initiative %q: %w", r.Name, err)
		}
		ids = append(ids, in.ID)
		if i < memberEdits {
			if err := atlasSvc.AddEditor(ctx, &mod, in.ID, users[account.Member].Email); err != nil {
				return false, err
			}
		}
	}
	if toolboxSvc != nil {
		member := users[account.Member]
		if err := seedScans(ctx, toolboxSvc, &member, &mod, ids, recs); err != nil {
			return false, err
		}
	}
	if svc.Workspaces != nil {
		if err := seedWorkspace(ctx, svc.Workspaces, users[account.Member], mod, ids[0]); err != nil {
			return false, fmt.Errorf("demo workspace: %w", err)
		}
		if svc.Decisions != nil {
			ws, _, err := svc.Workspaces.For(ctx, ids[0])
			if err != nil {
				return false, err
			}
			if err := seedDecisions(ctx, svc.Decisions, accounts, users, ws.Slug); err != nil {
				return false, fmt.Errorf("demo decisions: %w", err)
			}
		}
		if svc.Funding != nil {
			ws, _, err := svc.Workspaces.For(ctx, ids[0])
			if err != nil {
				return false, err
			}
			if err := seedFunding(ctx, svc.Funding, svc.Workspaces, users, ws.Slug); err != nil {
				return false, fmt.Errorf("demo funding: %w", err)
			}
		}
	}
	if svc.Assess != nil {
		steward := users[account.Steward]
		if err := seedAssessments(ctx, svc.Assess, &steward, &mod); err != nil {
			return false, fmt.Errorf("demo assessments: %w", err)
		}
	}
	return true, nil
}

// seedScans saves digital self-scans: two of the member's first
// initiative, three months apart, so that progress can be seen (the newer
// one shared on its page), and one each of a few more initiatives, so
// that stewards see the aggregates (they need five initiatives).
func seedScans(ctx context.Context, svc *toolbox.Service, member, mod *account.User, ids []int64, recs []atlas.Record) error {
	now := time.Now()
	at := func(daysAgo int) *toolbox.Service {
		return &toolbox.Service{DB: svc.DB, Now: func() time.Time { return now.AddDate(0, 0, -daysAgo) }}
	}
	one, two := 1, 2
	before := toolbox.ScanInput{Tools: []string{"WhatsApp", "Google Drive", "Facebook"}, Answers: toolbox.Answers{
		MemberData: "shared_document", Access: "anyone_with_link", Backups: "unknown", Maintainers: &one, Reach: toolbox.Groups}}
	after := toolbox.ScanInput{Tools: []string{"Signal", "Nextcloud", "Facebook"}, Answers: toolbox.Answers{
		MemberData: "member_system", Access: "core_team", Backups: "yes", Maintainers: &two, Reach: toolbox.Groups}}
	// The audit log names who saved each scan.
	mctx := audit.WithActor(ctx, audit.Actor{UserID: member.ID, Label: audit.LabelMember})
	if _, err := at(90).SaveScan(mctx, member, ids[0], before, false); err != nil {
		return err
	}
	if _, err := at(7).SaveScan(mctx, member, ids[0], after, true); err != nil {
		return err
	}
	for i := memberEdits; i < len(recs) && i < memberEdits+6; i++ {
		if len(recs[i].Tools) == 0 {
			continue
		}
		in := toolbox.ScanInput{Tools: recs[i].Tools}
		in.Normalize()
		if _, err := at(30).SaveScan(ctx, mod, ids[i], in, false); err != nil {
			return err
		}
	}
	return nil
}
