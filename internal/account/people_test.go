package account_test

import (
	"context"
	"testing"

	"samen/internal/account"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestIsSteward(t *testing.T) {
	for _, tc := range []struct {
		u    *account.User
		want bool
	}{
		{nil, false},
		{&account.User{Role: account.Member}, false},
		{&account.User{Role: account.Moderator}, false},
		{&account.User{Role: account.Steward}, true},
	} {
		if got := account.IsSteward(tc.u); got != tc.want {
			t.Errorf("IsSteward(%+v) = %v, want %v", tc.u, got, tc.want)
		}
	}
}

// TestPeople: what the other parts read about people, they read here.
func TestPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &account.Service{DB: db}
		add := func(email, name string) account.User {
			u, err := svc.Add(ctx, account.NewUser{Email: email, Name: name, Password: "a long enough password", Role: account.Member})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		zoe, anna, bram := add("zoe@example.org", "Zoë"), add("anna@example.org", "Anna"), add("bram@example.org", "Bram")
		if err := svc.SetDisabled(ctx, bram.ID, true); err != nil {
			t.Fatal(err)
		}

		people, err := account.People(ctx, db, []int64{zoe.ID, 0, anna.ID, zoe.ID, 9999})
		want := []account.Person{{ID: anna.ID, Name: "Anna"}, {ID: zoe.ID, Name: "Zoë"}}
		if err != nil || len(people) != 2 || people[0] != want[0] || people[1] != want[1] {
			t.Fatalf("People = %+v, %v; want %+v (by name, once each, without 0 and unknown ids)", people, err, want)
		}
		if people, err := account.People(ctx, db, nil); err != nil || people != nil {
			t.Fatalf("People(nil) = %+v, %v", people, err)
		}
		names, err := account.Names(ctx, db, []int64{bram.ID, 0})
		if err != nil || len(names) != 1 || names[bram.ID] != "Bram" || names[0] != "" {
			t.Fatalf("Names = %v, %v", names, err)
		}

		if id, ok, err := account.ActiveID(ctx, db, "anna@example.org"); err != nil || !ok || id != anna.ID {
			t.Fatalf("ActiveID(anna) = %d, %v, %v", id, ok, err)
		}
		for _, email := range []string{"bram@example.org", "nobody@example.org"} {
			if id, ok, err := account.ActiveID(ctx, db, email); err != nil || ok || id != 0 {
				t.Fatalf("ActiveID(%s) = %d, %v, %v; want none (disabled or unknown)", email, id, ok, err)
			}
		}
		if u, err := account.ByID(ctx, db, zoe.ID); err != nil || u.Email != "zoe@example.org" || u.Name != "Zoë" {
			t.Fatalf("ByID = %+v, %v", u, err)
		}
	})
}
