package personal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/decide"
	"samen/internal/mail"
	"samen/internal/mapindex"
	"samen/internal/personal"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/toolbox"
	"samen/internal/web"
	"samen/internal/workspace"
)

// The person of this test: a name and an address found nowhere else, so
// that any trace of them after erasure is theirs.
const (
	zoeEmail = "zoe.ueberschaer@example.org"
	zoeName  = "Zoë Überschär-Quist"
)

// parts are the services as cmd/samen builds them, with the holders list.
type parts struct {
	accounts *account.Service
	atlas    *atlas.Service
	toolbox  *toolbox.Service
	assess   *assess.Service
	ws       *workspace.Service
	decide   *decide.Service
	holders  []personal.Holder
}

func newParts(t *testing.T, db *store.DB) parts {
	t.Helper()
	letters, err := web.NewLetters("https://samen.example")
	if err != nil {
		t.Fatal(err)
	}
	p := parts{
		accounts: &account.Service{DB: db, Letters: letters},
		atlas:    &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Letters: letters},
		toolbox:  &toolbox.Service{DB: db},
		assess:   &assess.Service{DB: db},
		ws:       &workspace.Service{DB: db, Letters: letters, Files: t.TempDir()},
		decide:   &decide.Service{DB: db, Letters: letters},
	}
	p.holders = []personal.Holder{p.accounts, p.atlas, p.toolbox, p.assess, p.ws, p.decide}
	ctx := context.Background()
	if _, err := p.toolbox.SeedIfEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.assess.SeedFramework(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Done when (issue 12): after erasure of a person who had data in every
// part, the database holds neither their address nor their name, and the
// export worked for them before.
func TestEraseLeavesNoTrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := newParts(t, db)
		stewardU, err := p.accounts.Add(ctx, account.NewUser{Email: "wendy@example.org", Name: "Wendy Steward", Password: "a long steward password", Role: account.Steward})
		must(t, err)
		steward := &stewardU
		zoeU, err := p.accounts.Add(ctx, account.NewUser{Email: "Zoe.Ueberschaer@Example.org", Name: zoeName, Password: "a long member password", Language: "nl", Role: account.Member})
		must(t, err)
		zoe := &zoeU
		asZoe := audit.WithActor(ctx, audit.Actor{UserID: zoe.ID, Label: zoe.Email, IP: "192.0.2.12"})
		asSteward := audit.WithActor(ctx, audit.Actor{UserID: steward.ID, Label: audit.LabelMember, IP: "192.0.2.1"})

		// Account: a session, a token, a failed login, a sign-in through
		// another service, a reset mail.
		_, _, err = p.accounts.Login(asZoe, account.LoginAttempt{Email: zoeEmail, Password: "a long member password", IP: "192.0.2.12", UserAgent: "Firefox"})
		must(t, err)
		_, _, err = p.accounts.Login(asZoe, account.LoginAttempt{Email: zoeEmail, Password: "wrong password!", IP: "192.0.2.12"})
		if err == nil {
			t.Fatal("a wrong password logged in")
		}
		_, _, err = p.accounts.CreateToken(asZoe, zoe.ID, "Zoë Überschär-Quist's laptop")
		must(t, err)
		_, _, err = p.accounts.LoginExternal(asZoe, account.External{Issuer: "https://id.example", Subject: "zoe-42", Email: zoeEmail, EmailVerified: true, Name: zoeName})
		must(t, err)
		must(t, p.accounts.RequestReset(asZoe, zoeEmail))
		_, err = p.accounts.UpdateProfile(asZoe, zoe.ID, account.Profile{Name: zoeName, Language: "en"})
		must(t, err)

		// Atlas: an initiative the steward publishes with Zoë as its
		// contact, which Zoë then edits; a report and a contact message
		// from her; another person's text naming her.
		lat, lon := 52.37, 4.89
		rec := atlas.Record{Name: "Repair Café Oost", Summary: atlas.Text{NL: "Samen repareren.", EN: "Repairing together."},
			Sectors: []string{"energy"}, Location: atlas.Location{Latitude: &lat, Longitude: &lon},
			Contact: atlas.Contact{Email: zoeEmail}}
		in, err := p.atlas.Propose(asSteward, steward, atlas.Proposal{Record: rec, NotDuplicate: true, Note: "asked by " + zoeName})
		must(t, err)
		must(t, p.atlas.AddEditor(asSteward, steward, in.ID, zoeEmail))
		rec.Description = atlas.Text{NL: "Elke zaterdag, met " + zoeName + " (" + strings.ToUpper(zoeEmail) + ")."}
		_, err = p.atlas.Edit(asZoe, zoe, in.ID, atlas.Proposal{Record: rec, Note: "Zoë Überschär-Quist adds the opening", BaseID: in.RevisionID})
		must(t, err)
		must(t, p.atlas.Report(asZoe, zoe, "192.0.2.12", in.ID, "other", "I am "+zoeName+", the hours are wrong"))
		must(t, p.atlas.Contact(asZoe, zoe, "192.0.2.12", in.ID, atlas.ContactMessage{Name: zoeName, Email: zoeEmail, Message: "Hello, I would like to help on Saturdays."}))

		// Toolbox: a scan she saved.
		_, err = p.toolbox.SaveScan(asZoe, zoe, in.ID, toolbox.ScanInput{Tools: []string{"Signal", zoeName + " wiki"}}, false)
		must(t, err)

		// Assessments: a review by her, with reasons that name her.
		aid, err := p.assess.Create(asSteward, steward, assess.Subject{Name: "Nextcloud", Tool: "nextcloud", Kind: "software", Website: "https://nextcloud.com"}, false)
		must(t, err)
		must(t, p.assess.AddReviewer(asSteward, steward, aid, zoeEmail))
		for i := 1; i < assess.MinReviews; i++ {
			other, err := p.accounts.Add(ctx, account.NewUser{Email: fmt.Sprintf("reviewer%d@example.org", i), Password: "a long reviewer password", Role: account.Member})
			must(t, err)
			must(t, p.assess.AddReviewer(asSteward, steward, aid, other.Email))
		}
		must(t, p.assess.StartReview(asSteward, steward, aid))
		f, err := p.assess.Framework(ctx, "")
		must(t, err)
		two := 2
		crit := f.Criteria()[0].ID
		must(t, p.assess.SaveScores(asZoe, zoe, aid, []assess.Score{{Criterion: crit, Level: &two, Reason: "Checked by " + zoeName, Confidence: assess.ConfidenceHigh,
			Evidence: []assess.Evidence{{URL: "https://example.org/" + zoeEmail, Title: "notes of " + zoeName}}}}, false))

		// Workspaces: she is in the register of one (with a field and a
		// consent), asks to join another, and someone else's
		// announcement names her.
		ws, err := p.ws.Create(asSteward, steward, workspace.Draft{Name: "Energie Oost"})
		must(t, err)
		zoeRow, err := p.ws.AddMember(asSteward, steward, ws.Slug, workspace.NewMember{Name: zoeName, Email: zoeEmail, Phone: "06 9999 1234",
			Address: "Kastanjeplein 7", Circle: workspace.Members, Joined: "2024-01-15"})
		must(t, err)
		_, err = p.ws.SaveField(asSteward, steward, ws.Slug, workspace.Field{Key: "iban", Label: "IBAN", Type: workspace.FieldText, Visibility: workspace.Visibility(workspace.Core)})
		must(t, err)
		must(t, p.ws.SetValues(asZoe, zoe, ws.Slug, zoeRow.ID, map[string]string{"iban": "NL02ZOEQ0123456789"}))
		// A participation of hers, paid: the register of shares and the
		// ledger keep it after erasure, under her id.
		class, err := p.ws.AddShareClass(asSteward, steward, ws.Slug, workspace.ShareClass{Name: "Zonnedak", NominalCents: 25000, MinShares: 1})
		must(t, err)
		part, err := p.ws.AddParticipation(asZoe, zoe, ws.Slug, workspace.NewParticipation{MemberID: zoeRow.ID, ClassID: class.ID, Shares: 2})
		must(t, err)
		_, err = p.ws.Book(asSteward, steward, ws.Slug, workspace.Booking{MemberID: zoeRow.ID, ParticipationID: part.ID, Account: workspace.Capital,
			Kind: workspace.Deposit, AmountCents: 50000})
		must(t, err)
		text, err := p.ws.PublishConsent(asSteward, steward, ws.Slug, "photos", "Photos of Zoë may be shown.")
		must(t, err)
		must(t, p.ws.SetConsent(asZoe, zoe, ws.Slug, zoeRow.ID, text.ID, true))
		other, err := p.ws.Create(asSteward, steward, workspace.Draft{Name: "Voedselcoöp West"})
		must(t, err)
		_, err = p.ws.RequestJoin(asZoe, zoe, other.Slug, "I am "+zoeName+", write to "+zoeEmail)
		must(t, err)
		_, err = p.ws.Invite(asSteward, steward, other.Slug, zoeEmail, workspace.Supporters)
		must(t, err)
		_, err = p.ws.Announce(asSteward, steward, ws.Slug, workspace.NewAnnouncement{Title: "Welcome " + zoeName,
			Body: "Say hello to " + zoeName + " on Saturday.", Visibility: workspace.Visibility(workspace.Members)})
		must(t, err)
		_, err = p.ws.UploadFile(asSteward, steward, ws.Slug, workspace.Upload{Name: "Notes of " + zoeName + ".txt",
			Visibility: workspace.Visibility(workspace.Core), Body: strings.NewReader("minutes")})
		must(t, err)
		// She keeps the minutes too, and tells the members.
		must(t, p.ws.Grant(asSteward, steward, ws.Slug, zoeRow.ID, workspace.RoleFiles))
		_, err = p.ws.UploadFile(asZoe, zoe, ws.Slug, workspace.Upload{Name: "Minutes May.txt", Visibility: workspace.Visibility(workspace.Members),
			Body: strings.NewReader("we met")})
		must(t, err)

		// Decisions: she proposes (naming herself), comments, amends
		// someone's proposal, votes openly with a reason and secretly,
		// proposes a budget project; the steward's comment names her.
		closes := decide.Local(time.Now().Add(7 * 24 * time.Hour))
		prop, err := p.decide.Create(asZoe, zoe, ws.Slug, decide.DraftDecision{Title: "Zoë's proposal: a bike shed", Body: "Proposed by " + zoeName + ".",
			Language: "en", Method: decide.Consent, Secrecy: decide.Open, Circles: []workspace.Circle{workspace.Core, workspace.Members}, ClosesAt: closes})
		must(t, err)
		must(t, p.decide.Publish(asZoe, zoe, prop.ID))
		_, err = p.decide.Comment(asZoe, zoe, prop.ID, 0, "Write to "+zoeEmail+" with ideas.")
		must(t, err)
		_, err = p.decide.Comment(asSteward, steward, prop.ID, 0, "Thank you, "+zoeName+"!")
		must(t, err)
		theirs, err := p.decide.Create(asSteward, steward, ws.Slug, decide.DraftDecision{Title: "A new oven", Body: "Gas.",
			Language: "en", Method: decide.Majority, Secrecy: decide.Anonymous, Circles: []workspace.Circle{workspace.Core, workspace.Members}, ClosesAt: closes})
		must(t, err)
		must(t, p.decide.Publish(asSteward, steward, theirs.ID))
		_, err = p.decide.Amend(asZoe, zoe, theirs.ID, "Electric, says "+zoeName+".", "Zoë's amendment")
		must(t, err)
		must(t, p.decide.OpenVoting(asZoe, zoe, prop.ID))
		must(t, p.decide.Vote(asZoe, zoe, prop.ID, decide.Ballot{Position: "object", Reason: "I, " + zoeName + ", changed my mind."}, false))
		must(t, p.decide.OpenVoting(asSteward, steward, theirs.ID))
		must(t, p.decide.Vote(asZoe, zoe, theirs.ID, decide.Ballot{Position: "yes"}, false))
		budget, err := p.decide.CreateBudget(asSteward, steward, "", decide.DraftBudget{Title: "Buurtbudget Oost", Language: "nl", Total: "10000",
			BallotKind: decide.ApprovalBallot, Rule: "equal-shares", ClosesAt: closes})
		must(t, err)
		_, err = p.decide.Propose(asZoe, zoe, budget.ID, decide.DraftProject{Title: "Zoë's garden", Description: "By " + zoeName + ", " + zoeEmail, Cost: "500"})
		must(t, err)

		// The outbox: a mail to someone else that names her.
		must(t, mail.Enqueue(ctx, db, mail.Message{To: "other@example.org", Subject: "News from " + zoeName, Body: "Write to " + zoeEmail}))
		// And she asks to be erased (a mail to the steward, by number).
		must(t, p.accounts.RequestErasure(asZoe, zoe.ID))

		// Before: the export holds her data from every part.
		parts, err := personal.Export(asZoe, db, p.holders, zoe.ID, "json")
		must(t, err)
		doc, _ := json.Marshal(parts)
		for _, want := range []string{zoeEmail, zoeName, "Firefox", "https://id.example", "Repair Café Oost", "adds the opening",
			"the hours are wrong", "wiki", "Checked by", "user.erasure_request", "/password/reset",
			"Kastanjeplein 7", "NL02ZOEQ0123456789", "Photos of Zoë may be shown.", "energie-oost", "voedselcoop-west", "Minutes May.txt",
			"a bike shed", "with ideas", "Electric, says", "changed my mind", "Zoë's garden"} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("the export lacks %q", want)
			}
		}
		for _, part := range parts {
			for _, tb := range part.Tables {
				if !strings.HasPrefix(tb.Name, part.Name+"_") {
					t.Errorf("table %s of part %s: names start with their part", tb.Name, part.Name)
				}
				for _, row := range tb.Rows {
					if len(row) != len(tb.Columns) {
						t.Errorf("table %s: a row of %d cells for %d columns", tb.Name, len(row), len(tb.Columns))
					}
				}
			}
		}
		if strings.Contains(strings.ToLower(string(doc)), "token_hash") || strings.Contains(string(doc), "password_hash") {
			t.Error("the export holds secrets' hashes")
		}

		// The search finds her now, or it is broken.
		if hits := search(t, db, zoeEmail, zoeName, "zoe-42", "Kastanjeplein", "NL02ZOEQ"); len(hits) < 10 {
			t.Fatalf("before erasure the search finds only %q", hits)
		}

		// The last steward cannot be erased.
		if _, err := personal.Erase(asSteward, db, p.holders, steward.ID); err == nil {
			t.Fatal("the last steward was erased")
		}

		erased, err := personal.Erase(asSteward, db, p.holders, zoe.ID)
		must(t, err)
		if erased.Email != zoeEmail || erased.Name != zoeName {
			t.Errorf("Erase returned %+v", erased)
		}
		if _, err := personal.Erase(asSteward, db, p.holders, zoe.ID); err == nil {
			t.Error("erasing twice succeeded")
		}

		// After: nothing in any column of any table.
		for _, hit := range search(t, db, zoeEmail, zoeName, "zoe-42", "Kastanjeplein", "NL02ZOEQ") {
			t.Errorf("after erasure: %s", hit)
		}
		// The rows stay, by id.
		u, err := account.ByID(ctx, db, zoe.ID)
		must(t, err)
		if !u.Erased() || !u.Disabled() || u.Email != account.ErasedEmail(zoe.ID) || u.Name != "" || u.HasPassword {
			t.Errorf("the erased account = %+v", u)
		}
		got, err := p.atlas.Get(ctx, steward, in.ID)
		must(t, err)
		if got.Contact.Email != "" || !strings.Contains(got.Description.NL, personal.Removed) || got.Status != atlas.Published {
			t.Errorf("the initiative after erasure = %+v", got.Record)
		}
		// Her row of the register stays, with its number and dates, under
		// her id, blanked and ended.
		rows, _, err := p.ws.Register(asSteward, steward, ws.Slug, workspace.Filter{Left: true})
		must(t, err)
		if len(rows) != 1 || rows[0].ID != zoeRow.ID || rows[0].Number != zoeRow.Number || rows[0].Joined != "2024-01-15" ||
			rows[0].Name != "" || rows[0].Email != "" || !rows[0].Erased || rows[0].Left == "" {
			t.Errorf("her row of the register after erasure = %+v", rows)
		}
		held, err := p.ws.Participations(asSteward, steward, ws.Slug, workspace.ParticipationFilter{All: true})
		must(t, err)
		if len(held) != 1 || held[0].ID != part.ID || held[0].PaidCents != 50000 || held[0].MemberName != "" {
			t.Errorf("her participation after erasure = %+v", held)
		}
		// Her ballots still count, unnamed; her proposal stays, unsigned.
		view, err := p.decide.Get(asSteward, steward, prop.ID)
		must(t, err)
		if view.Cast != 1 || view.AuthorID != 0 || view.Result == nil || view.Result.Motion.Counts["object"] != 1 ||
			len(view.Comments) != 2 || view.Comments[0].Body != "" || !strings.Contains(view.Comments[1].Body, personal.Removed) {
			t.Errorf("her proposal after erasure: cast %d, author %d, result %+v, comments %+v", view.Cast, view.AuthorID, view.Result, view.Comments)
		}
		names, err := account.People(ctx, db, []int64{zoe.ID})
		must(t, err)
		if len(names) != 1 || !names[0].Erased {
			t.Errorf("People after erasure = %+v", names)
		}
		entries, _, err := audit.List(ctx, db, audit.Filter{Action: "user.erase"})
		must(t, err)
		if len(entries) != 1 || entries[0].SubjectID != fmt.Sprint(zoe.ID) || entries[0].ActorID != steward.ID {
			t.Errorf("user.erase entries = %+v", entries)
		}
		// The export after erasure names her nowhere either; her review
		// is still there, under her number, without her name.
		parts, err = personal.Export(ctx, db, p.holders, zoe.ID, "json")
		must(t, err)
		doc, _ = json.Marshal(parts)
		for _, part := range parts {
			for _, tb := range part.Tables {
				if tb.Name == "assess_scores" && (len(tb.Rows) != 1 || tb.Rows[0][2] != "2" || tb.Rows[0][3] != "Checked by "+personal.Removed) {
					t.Errorf("her scores after erasure = %q", tb.Rows)
				}
			}
		}
		for _, term := range []string{zoeEmail, zoeName} {
			if strings.Contains(strings.ToLower(string(doc)), strings.ToLower(term)) {
				t.Errorf("the export after erasure holds %q", term)
			}
		}
	})
}

// search reads every column of every table and returns where any of the
// terms occurs, in any case.
func search(t *testing.T, db *store.DB, terms ...string) []string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	var err error
	if db.Engine() == store.Postgres {
		err = personal.EachRow(ctx, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, nil,
			func(scan func(...any) error) error {
				var n string
				err := scan(&n)
				tables = append(tables, n)
				return err
			})
	} else {
		err = personal.EachRow(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table'`, nil,
			func(scan func(...any) error) error {
				var n string
				err := scan(&n)
				tables = append(tables, n)
				return err
			})
	}
	must(t, err)
	if len(tables) < 30 {
		t.Fatalf("only %d tables found: %v", len(tables), tables)
	}
	var hits []string
	for _, table := range tables {
		rows, err := db.Query(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case []byte:
					s = string(x)
				case nil:
					continue
				default:
					s = fmt.Sprint(x)
				}
				low := strings.ToLower(s)
				for _, term := range terms {
					if strings.Contains(low, strings.ToLower(term)) {
						hits = append(hits, fmt.Sprintf("%s.%s holds %q: %.200s", table, cols[i], term, s))
					}
				}
			}
		}
		must(t, rows.Err())
		rows.Close()
	}
	return hits
}
