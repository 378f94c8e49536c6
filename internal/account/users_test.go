package account_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want account.Role
	}{
		{"member", account.Member},
		{"Moderator", account.Moderator},
		{" STEWARD\n", account.Steward},
	} {
		got, err := account.ParseRole(tc.in)
		if got != tc.want || err != nil {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "admin", "members", "steward!"} {
		got, err := account.ParseRole(in)
		if got != "" {
			t.Errorf("ParseRole(%q) = %q, want no role", in, got)
		}
		wantField(t, err, "role", "role.unknown")
	}
}

func TestRoleAtLeast(t *testing.T) {
	for _, tc := range []struct {
		r, min account.Role
		want   bool
	}{
		{account.Member, account.Member, true},
		{account.Member, account.Moderator, false},
		{account.Member, account.Steward, false},
		{account.Moderator, account.Member, true},
		{account.Moderator, account.Moderator, true},
		{account.Moderator, account.Steward, false},
		{account.Steward, account.Member, true},
		{account.Steward, account.Moderator, true},
		{account.Steward, account.Steward, true},
		{"", account.Member, false},
		{"admin", account.Member, false},
		{account.Steward, "admin", false},
		{account.Steward, "", false},
	} {
		if got := tc.r.AtLeast(tc.min); got != tc.want {
			t.Errorf("Role(%q).AtLeast(%q) = %v, want %v", tc.r, tc.min, got, tc.want)
		}
	}
}

// role returns an account's current role.
func (e *env) role(id int64) account.Role {
	e.t.Helper()
	u, err := e.svc.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Role
}

func TestLastSteward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		first := e.add("uma@example.org", account.Steward)
		member := e.add("victor@example.org", account.Member)

		wantProblem(t, e.svc.SetRole(e.ctx, first.ID, account.Moderator), problem.Conflict, "role.last_steward")
		wantProblem(t, e.svc.SetDisabled(e.ctx, first.ID, true), problem.Conflict, "role.last_steward")
		if r := e.role(first.ID); r != account.Steward {
			t.Errorf("the last steward became %s", r)
		}
		if u, _ := e.svc.Get(e.ctx, first.ID); u.Disabled() {
			t.Errorf("the last steward was disabled")
		}

		if err := e.svc.SetRole(e.ctx, member.ID, account.Steward); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetRole(e.ctx, first.ID, account.Moderator); err != nil {
			t.Fatalf("demoting one of two stewards = %v", err)
		}
		if r := e.role(first.ID); r != account.Moderator {
			t.Errorf("role after SetRole = %s, want moderator", r)
		}
		roles := e.auditFor("user.role", first.ID)
		if len(roles) != 1 || roles[0].Detail["from"] != "steward" || roles[0].Detail["to"] != "moderator" {
			t.Errorf("user.role entries = %+v, want one from steward to moderator", roles)
		}

		// A disabled steward cannot run the platform, so does not count.
		if err := e.svc.SetRole(e.ctx, first.ID, account.Steward); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetDisabled(e.ctx, first.ID, true); err != nil {
			t.Fatalf("disabling one of two stewards = %v", err)
		}
		wantProblem(t, e.svc.SetRole(e.ctx, member.ID, account.Member), problem.Conflict, "role.last_steward")

		wantField(t, e.svc.SetRole(e.ctx, member.ID, "admin"), "role", "role.unknown")
		wantProblem(t, e.svc.SetRole(e.ctx, 999999, account.Member), problem.NotFound, "user.not_found")
		wantProblem(t, e.svc.SetDisabled(e.ctx, 999999, true), problem.NotFound, "user.not_found")
	})
}

func TestListAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		steward := e.add("wendy@example.org", account.Steward)
		for _, u := range []account.NewUser{
			{Email: "anna.jansen@example.org", Name: "Anna Jansen"},
			{Email: "bram@example.net", Name: "Bram de Vries", Role: account.Moderator},
			{Email: "chris@example.org", Name: "Christa Özdemir"},
		} {
			u.Password = password
			if u.Role == "" {
				u.Role = account.Member
			}
			if _, err := e.svc.Add(e.ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		ctx := audit.WithActor(e.ctx, audit.Actor{UserID: steward.ID, Label: audit.LabelMember, IP: "192.0.2.5"})

		list := func(f account.ListFilter) []string {
			t.Helper()
			users, _, err := e.svc.List(ctx, f)
			if err != nil {
				t.Fatalf("List(%+v): %v", f, err)
			}
			var emails []string
			for _, u := range users {
				emails = append(emails, u.Email)
			}
			return emails
		}
		for _, tc := range []struct {
			f    account.ListFilter
			want string
		}{
			{account.ListFilter{}, "wendy@example.org anna.jansen@example.org bram@example.net chris@example.org"},
			{account.ListFilter{Query: "JANSEN"}, "anna.jansen@example.org"},
			{account.ListFilter{Query: " de vries "}, "bram@example.net"},
			{account.ListFilter{Query: "Özdemir"}, "chris@example.org"},
			{account.ListFilter{Query: "example.org"}, "wendy@example.org anna.jansen@example.org chris@example.org"},
			{account.ListFilter{Query: "nobody"}, ""},
			{account.ListFilter{Query: "%"}, ""},
			{account.ListFilter{Role: account.Moderator}, "bram@example.net"},
			{account.ListFilter{Role: account.Member, Query: "chris"}, "chris@example.org"},
		} {
			if got := strings.Join(list(tc.f), " "); got != tc.want {
				t.Errorf("List(%+v) = %q, want %q", tc.f, got, tc.want)
			}
		}

		entries, _, err := audit.List(e.ctx, e.db, audit.Filter{Action: "user.list"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 9 {
			t.Fatalf("%d user.list audit entries after 9 lists, want 9", len(entries))
		}
		last := entries[0]
		if last.ActorID != steward.ID || last.ActorLabel != audit.LabelMember || last.IP != "192.0.2.5" {
			t.Errorf("user.list entry actor = %d %q %q, want the steward", last.ActorID, last.ActorLabel, last.IP)
		}
		// Whether the steward searched, never for what: a query may be
		// someone's address or name, which the audit log does not keep.
		if _, ok := last.Detail["query"]; ok || last.Detail["searched"] != true || last.Detail["count"] != 1.0 {
			t.Errorf("user.list detail = %v, want searched and count 1, without the query", last.Detail)
		}

		// Paging: two at a time, oldest first, until the cursor says done.
		var pages [][]string
		for after := int64(0); ; {
			users, next, err := e.svc.List(ctx, account.ListFilter{Limit: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			var page []string
			for _, u := range users {
				page = append(page, u.Email)
			}
			pages = append(pages, page)
			if next == 0 {
				break
			}
			after = next
		}
		if got := fmt.Sprint(pages); got != "[[wendy@example.org anna.jansen@example.org] [bram@example.net chris@example.org]]" {
			t.Errorf("pages = %s", got)
		}

		anna := e.userID("anna.jansen@example.org")
		u, err := e.svc.Read(ctx, anna)
		if err != nil || u.Email != "anna.jansen@example.org" || u.Name != "Anna Jansen" {
			t.Fatalf("Read = %+v, %v", u, err)
		}
		reads := e.auditFor("user.read", anna)
		if len(reads) != 1 || reads[0].ActorID != steward.ID {
			t.Errorf("user.read entries for anna = %+v, want one by the steward", reads)
		}
		_, err = e.svc.Read(ctx, 999999)
		wantProblem(t, err, problem.NotFound, "user.not_found")
		if got := e.auditFor("user.read", 0); len(got) != 1 {
			t.Errorf("%d user.read entries, want 1: reading nobody is not a read", len(got))
		}
	})
}

func TestAuditActor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		steward := e.add("xander@example.org", account.Steward)
		member := e.add("yara@example.org", account.Member)

		// Without an actor in the context, the system acted.
		created := e.auditFor("user.create", member.ID)
		if len(created) != 1 || created[0].ActorID != 0 || created[0].ActorLabel != "system" {
			t.Errorf("user.create by a command = %+v, want the system as actor", created)
		}

		ctx := audit.WithActor(e.ctx, audit.Actor{UserID: steward.ID, Label: audit.LabelMember, IP: "2001:db8::1"})
		if err := e.svc.SetRole(ctx, member.ID, account.Moderator); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetDisabled(ctx, member.ID, true); err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{"user.role", "user.disable"} {
			got := e.auditFor(action, member.ID)
			if len(got) != 1 {
				t.Fatalf("%d %s entries, want 1", len(got), action)
			}
			if a := got[0]; a.ActorID != steward.ID || a.ActorLabel != audit.LabelMember || a.IP != "2001:db8::1" || a.SubjectID != strconv.FormatInt(member.ID, 10) {
				t.Errorf("%s entry = %+v, want steward %d from 2001:db8::1 about %d", action, a, steward.ID, member.ID)
			}
		}
		mine, _, err := audit.List(e.ctx, e.db, audit.Filter{ActorID: steward.ID})
		if err != nil || len(mine) != 2 {
			t.Errorf("audit entries by the steward = %+v, %v; want 2", mine, err)
		}
	})
}

func TestUpdateProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.add("zoe@example.org", account.Member)
		got, err := e.svc.UpdateProfile(e.ctx, u.ID, account.Profile{Name: "  Zoë  ", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Zoë" || got.Language != "en" || got.DisplayName() != "Zoë" {
			t.Errorf("after UpdateProfile: %+v", got)
		}
		_, err = e.svc.UpdateProfile(e.ctx, u.ID, account.Profile{Language: "de"})
		wantField(t, err, "language", "language.unknown")
		_, err = e.svc.UpdateProfile(e.ctx, u.ID, account.Profile{Name: strings.Repeat("z", account.MaxNameLen+1)})
		wantField(t, err, "name", "name.too_long")
		if again, _ := e.svc.Get(e.ctx, u.ID); again.Name != "Zoë" || again.Language != "en" {
			t.Errorf("refused updates changed the profile: %+v", again)
		}
		got, err = e.svc.UpdateProfile(e.ctx, u.ID, account.Profile{})
		if err != nil || got.Name != "" || got.DisplayName() != "zoe" {
			t.Errorf("clearing the name: %+v, %v; want display name zoe", got, err)
		}
		if n := len(e.auditFor("user.update", u.ID)); n != 2 {
			t.Errorf("%d user.update entries, want 2", n)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.add("amir@example.org", account.Member)
		other := e.add("bea@example.org", account.Member)

		tok, secret, err := e.svc.CreateToken(e.ctx, owner.ID, "  backup script ")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, account.TokenPrefix) || len(secret) < len(account.TokenPrefix)+40 {
			t.Errorf("secret %q does not look like a samen token", secret)
		}
		if tok.Name != "backup script" || !strings.HasPrefix(secret, tok.Prefix) || tok.Prefix == secret {
			t.Errorf("token = %+v, want name 'backup script' and a short prefix of the secret", tok)
		}
		if u, err := e.svc.TokenUser(e.ctx, secret); err != nil || u.ID != owner.ID {
			t.Fatalf("TokenUser = %+v, %v; want the owner", u, err)
		}
		notStored(t, e, "api_tokens", secret)

		list, err := e.svc.Tokens(e.ctx, owner.ID)
		if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsedAt.IsZero() || list[0].Revoked() {
			t.Errorf("Tokens = %+v, %v; want the token, used and not revoked", list, err)
		}
		if list, _ := e.svc.Tokens(e.ctx, other.ID); len(list) != 0 {
			t.Errorf("someone else's Tokens = %+v", list)
		}

		for _, bad := range []string{"", secret[len(account.TokenPrefix):], secret + "x", account.TokenPrefix, strings.ToUpper(secret)} {
			_, err := e.svc.TokenUser(e.ctx, bad)
			wantProblem(t, err, problem.Unauthorized, "token.invalid")
		}

		// A closed account's tokens stop working while it is closed.
		if err := e.svc.SetDisabled(e.ctx, owner.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.TokenUser(e.ctx, secret)
		wantProblem(t, err, problem.Unauthorized, "token.invalid")
		if err := e.svc.SetDisabled(e.ctx, owner.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.TokenUser(e.ctx, secret); err != nil {
			t.Errorf("TokenUser after reopening the account = %v", err)
		}

		wantProblem(t, e.svc.RevokeToken(e.ctx, other.ID, tok.ID), problem.NotFound, "token.not_found")
		if _, err := e.svc.TokenUser(e.ctx, secret); err != nil {
			t.Errorf("someone else's revoke stopped the token: %v", err)
		}
		if err := e.svc.RevokeToken(e.ctx, owner.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.TokenUser(e.ctx, secret)
		wantProblem(t, err, problem.Unauthorized, "token.invalid")
		wantProblem(t, e.svc.RevokeToken(e.ctx, owner.ID, tok.ID), problem.NotFound, "token.not_found")
		if list, _ := e.svc.Tokens(e.ctx, owner.ID); len(list) != 1 || !list[0].Revoked() {
			t.Errorf("Tokens after revoking = %+v, want the token marked revoked", list)
		}

		_, _, err = e.svc.CreateToken(e.ctx, owner.ID, " \t ")
		wantField(t, err, "name", "token_name.required")
		_, _, err = e.svc.CreateToken(e.ctx, owner.ID, strings.Repeat("t", account.MaxTokenNameLen+1))
		wantField(t, err, "name", "token_name.too_long")

		entries, _, err := audit.List(e.ctx, e.db, audit.Filter{Action: "api_token.", SubjectType: "api_token"})
		if err != nil || len(entries) != 2 || entries[0].Action != "api_token.revoke" || entries[1].Action != "api_token.create" {
			t.Errorf("api_token audit entries = %+v, %v; want create then revoke", entries, err)
		}
		for _, en := range entries {
			if strings.Contains(fmt.Sprint(en.Detail), secret) {
				t.Errorf("the audit log holds the token secret")
			}
		}
	})
}

// notStored checks that no column of any row of a table holds the secret.
func notStored(t *testing.T, e *env, table, secret string) {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			s := fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				s = string(b)
			}
			if strings.Contains(s, secret) {
				t.Errorf("%s.%s holds the secret", table, cols[i])
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("%s is empty: nothing was checked", table)
	}
}
