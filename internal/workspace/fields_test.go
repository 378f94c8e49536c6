package workspace

import (
	"context"
	"slices"
	"testing"

	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestFieldParse(t *testing.T) {
	diet := Field{Type: FieldChoice, Choices: []string{"Vegan", "Vegetarian", "Anything"}}
	cases := []struct {
		f       Field
		in, out string
		code    string
		what    string
	}{
		{Field{Type: FieldNumber}, "12,50", "12.50", "", "a Dutch decimal comma"},
		{Field{Type: FieldNumber}, "1e9", "", "number.invalid", "exponents are not how people write numbers"},
		{Field{Type: FieldNumber}, "twaalf", "", "number.invalid", "words"},
		{Field{Type: FieldDate}, "7-3-1990", "1990-03-07", "", "a Dutch date"},
		{Field{Type: FieldDate}, "1990-02-30", "", "date.invalid", "no such day"},
		{diet, "vegan", "Vegan", "", "a choice in any case"},
		{diet, "Carnivore", "", "choice.unknown", "not a choice"},
		{Field{Type: FieldText}, "  Noord  ", "Noord", "", "text is tidied"},
		{Field{Type: FieldText}, "a\x00b", "", "text.control", "control characters"},
		{Field{Type: FieldText}, "", "", "", "empty is empty"},
	}
	for _, tc := range cases {
		out, code := tc.f.Parse(tc.in)
		if out != tc.out || code != tc.code {
			t.Errorf("%s: Parse(%q) = %q %q, want %q %q", tc.what, tc.in, out, code, tc.out, tc.code)
		}
	}
}

func TestFieldClean(t *testing.T) {
	f, err := Field{Label: "Datum van geboorte", Type: FieldDate, Visibility: Visibility(Core)}.Clean()
	if err != nil || f.Key != "datum_van_geboorte" {
		t.Errorf("%+v %v", f, err)
	}
	for _, tc := range []struct {
		f           Field
		field, code string
	}{
		{Field{Key: "email", Label: "E-mail", Type: FieldText, Visibility: Public}, "key", "field_key.invalid"},
		{Field{Key: "9lives", Label: "x", Type: FieldText, Visibility: Public}, "key", "field_key.invalid"},
		{Field{Key: "diet", Label: "Diet", Type: FieldChoice, Visibility: Public}, "choices", "required"},
		{Field{Key: "x", Label: "x", Type: "colour", Visibility: Public}, "type", "choice.unknown"},
		{Field{Key: "x", Label: "x", Type: FieldText, Visibility: "friends"}, "visibility", "choice.unknown"},
		{Field{Key: "x", Type: FieldText, Visibility: Public}, "label", "required"},
		{Field{Label: "!!!", Type: FieldText, Visibility: Public}, "key", "field_key.invalid"},
	} {
		_, err := tc.f.Clean()
		if problemFields(err)[tc.field] != tc.code {
			t.Errorf("%+v: %v, want %s %s", tc.f, err, tc.field, tc.code)
		}
	}
	// The key is optional (it follows from the label): with neither, only
	// the label is asked for, not the key said to be "required".
	if _, err := (Field{Type: FieldText, Visibility: Public}).Clean(); problemFields(err)["label"] != "required" || problemFields(err)["key"] != "" {
		t.Errorf("no key and no label: %v, want only the label required", err)
	}
}

func TestRegisterFieldsAndConsents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Energie Noord"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		cato, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: "Cato", Email: "cato@example.org", Circle: Members})
		if err != nil {
			t.Fatal(err)
		}
		bert, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: "Bert", Email: "bert@example.org", Circle: Members})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveField(ctx, f.cato, ref, Field{Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a member defines a field: %v", err)
		}
		iban, err := s.SaveField(ctx, f.anna, ref, Field{Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)})
		if err != nil {
			t.Fatal(err)
		}
		diet, err := s.SaveField(ctx, f.anna, ref, Field{Key: "diet", Label: "Dieet", Type: FieldChoice, Choices: []string{"Vegan", "Alles"}, Visibility: Visibility(Members)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveField(ctx, f.anna, ref, Field{Key: "diet", Label: "Again", Type: FieldText, Visibility: Public}); problemFields(err)["key"] != "field_key.taken" {
			t.Errorf("a key twice: %v", err)
		}
		// Cato fills in her own; one bad value changes nothing.
		err = s.SetValues(ctx, f.cato, ref, cato.ID, map[string]string{"iban": "NL91ABNA0417164300", "diet": "Carnivoor"})
		if problemFields(err)["fields.diet"] != "choice.unknown" {
			t.Fatalf("a bad choice: %v", err)
		}
		if self, _ := s.Person(ctx, f.cato, ref, cato.ID); len(self.Fields) != 0 {
			t.Errorf("half a form was saved: %v", self.Fields)
		}
		if err := s.SetValues(ctx, f.cato, ref, cato.ID, map[string]string{"iban": "NL91ABNA0417164300", "diet": "vegan"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetValues(ctx, f.cato, ref, bert.ID, map[string]string{"diet": "Alles"}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Cato fills in Bert's: %v", err)
		}
		if err := s.SetValues(ctx, f.anna, ref, bert.ID, map[string]string{"diet": "Alles", "shoe_size": "44"}); problemFields(err)["fields.shoe_size"] != "column.unknown" {
			t.Errorf("an unknown field: %v", err)
		}
		// Bert (members; his account was linked by his address) sees
		// Cato's diet, not her IBAN; core sees both.
		asBert, err := s.Person(ctx, f.bert, ref, cato.ID)
		if err != nil {
			t.Fatal(err)
		}
		if asBert.Fields["diet"] != "Vegan" || asBert.Fields["iban"] != "" || !slices.Contains(asBert.Hidden, "fields.iban") {
			t.Errorf("Bert sees %v, hidden %v", asBert.Fields, asBert.Hidden)
		}
		asAnna, _ := s.Person(ctx, f.anna, ref, cato.ID)
		if asAnna.Fields["iban"] != "NL91ABNA0417164300" {
			t.Errorf("core sees %v", asAnna.Fields)
		}
		// The field's key and type stay; its label and visibility change.
		iban.Label, iban.Visibility, iban.Type = "Rekeningnummer", Visibility(Members), FieldNumber
		if saved, err := s.SaveField(ctx, f.anna, ref, iban); err != nil || saved.Type != FieldText || saved.Label != "Rekeningnummer" {
			t.Errorf("changing a field: %+v %v", saved, err)
		}
		if asBert, _ = s.Person(ctx, f.bert, ref, cato.ID); asBert.Fields["iban"] == "" {
			t.Error("a field made visible to members stays hidden")
		}
		if err := s.RemoveField(ctx, f.anna, ref, diet.ID); err != nil {
			t.Fatal(err)
		}
		if asAnna, _ = s.Person(ctx, f.anna, ref, cato.ID); asAnna.Fields["diet"] != "" {
			t.Error("a removed field's value is still shown")
		}

		// Consents: Cato agrees to version 1; version 2 asks again; the
		// register shows which version she agreed to, and when.
		v1, err := s.PublishConsent(ctx, f.anna, ref, "photos", "We may show your photo in the newsletter.")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetConsent(ctx, f.cato, ref, cato.ID, v1.ID, true); err != nil {
			t.Fatal(err)
		}
		v2, err := s.PublishConsent(ctx, f.anna, ref, "photos", "We may show your photo in the newsletter and on the website.")
		if err != nil || v2.Version != 2 {
			t.Fatalf("version 2: %+v %v", v2, err)
		}
		texts, _ := s.ConsentTexts(ctx, f.cato, ref)
		if len(texts) != 1 || texts[0].ID != v2.ID {
			t.Errorf("current texts %+v", texts)
		}
		self, _ := s.Person(ctx, f.cato, ref, cato.ID)
		if len(self.Consents) != 1 || self.Consents[0].Version != 1 || !self.Consents[0].Active() || !self.Consents[0].GivenAt.Equal(f.clock.t) {
			t.Errorf("Cato's consents %+v", self.Consents)
		}
		if other, _ := s.Person(ctx, f.bert, ref, cato.ID); len(other.Consents) != 0 {
			t.Error("Bert sees Cato's consents")
		}
		if err := s.SetConsent(ctx, f.cato, ref, cato.ID, v2.ID, false); err != nil {
			t.Fatal(err)
		}
		self, _ = s.Person(ctx, f.cato, ref, cato.ID)
		if self.Consents[0].Active() {
			t.Error("withdrawing the key leaves version 1 standing")
		}
	})
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ws, err := f.svc.Create(ctx, f.anna, Draft{Name: "Eerst"})
		if err != nil {
			t.Fatal(err)
		}
		set := DefaultSettings()
		set.Fields["email"] = "friends"
		_, err = f.svc.Update(ctx, f.anna, ws.Slug, Draft{Name: "Tweede"}, &set)
		if problemFields(err)["field_email"] != "choice.unknown" {
			t.Fatalf("a bad visibility: %v", err)
		}
		if v, _ := f.svc.Open(ctx, f.anna, ws.Slug); v.Name != "Eerst" {
			t.Errorf("the name changed with a refused form: %q", v.Name)
		}
		set.Fields["email"] = Visibility(Members)
		if got, err := f.svc.Update(ctx, f.anna, ws.Slug, Draft{Name: "Tweede", Slug: ws.Slug}, &set); err != nil || got.Name != "Tweede" || got.Settings.Fields["email"] != Visibility(Members) {
			t.Errorf("saving: %+v %v", got, err)
		}
	})
}
