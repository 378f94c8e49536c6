package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// FieldType is the kind of value a register field holds.
type FieldType string

const (
	FieldText   FieldType = "text"
	FieldDate   FieldType = "date"
	FieldNumber FieldType = "number"
	FieldChoice FieldType = "choice"
)

// FieldTypes lists the types core can choose.
var FieldTypes = []FieldType{FieldText, FieldDate, FieldNumber, FieldChoice}

// Field is a column of the register that core added: "IBAN", "Date of
// birth", "Diet", each typed, each with its own visibility for other
// people's values (a person always sees their own).
type Field struct {
	ID         int64
	Key        string // the column's header in imports and exports
	Label      string
	Type       FieldType
	Choices    []string // for FieldChoice
	Visibility Visibility
	Position   int
}

// Limits of fields.
const (
	MaxFields      = 50
	MaxChoices     = 50
	MaxFieldValue  = 1000
	maxFieldKeyLen = 40
)

var fieldKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reservedKeys are the register's own columns: a field cannot take their
// names, or an import could not tell them apart.
var reservedKeys = map[string]bool{"id": true, "name": true, "email": true, "phone": true, "address": true, "number": true,
	"joined": true, "joined_on": true, "left": true, "left_on": true, "circle": true, "roles": true}

// Clean tidies a field's definition and says what is wrong, field by field.
func (f Field) Clean() (Field, error) {
	fs := problem.Fields{}
	f.Key = strings.ToLower(strings.TrimSpace(f.Key))
	f.Label = textcheck.Collapse(f.Label)
	if f.Key == "" && f.Label != "" {
		f.Key = strings.ReplaceAll(Slugify(f.Label), "-", "_")
		if f.Key != "" && !fieldKeyPattern.MatchString(f.Key) {
			f.Key = "f_" + f.Key
		}
	}
	switch {
	case f.Key == "" && f.Label == "":
		// The key is optional: it follows from the label, whose own
		// problem ("fill this in") says what to do.
	case f.Key == "":
		// A label of which no key can be made: the key must be written.
		fs.Add("key", "field_key.invalid")
	case len(f.Key) > maxFieldKeyLen:
		fs.Add("key", "too_long")
	case !fieldKeyPattern.MatchString(f.Key) || reservedKeys[f.Key]:
		fs.Add("key", "field_key.invalid")
	}
	checkText(fs, "label", f.Label, MaxName, true)
	if !slices.Contains(FieldTypes, f.Type) {
		fs.Add("type", "choice.unknown")
	}
	if !f.Visibility.Valid() {
		fs.Add("visibility", "choice.unknown")
	}
	var choices []string
	for _, c := range f.Choices {
		c = textcheck.Collapse(c)
		if c == "" {
			continue
		}
		if code, _ := textcheck.Check(c); code != "" {
			fs.Add("choices", code)
		} else if utf8.RuneCountInString(c) > MaxName {
			fs.Add("choices", "too_long")
		}
		if !slices.ContainsFunc(choices, func(x string) bool { return strings.EqualFold(x, c) }) {
			choices = append(choices, c)
		}
	}
	f.Choices = nil
	if f.Type == FieldChoice {
		f.Choices = choices
		switch {
		case len(choices) == 0:
			fs.Add("choices", "required")
		case len(choices) > MaxChoices:
			fs.Add("choices", "too_many")
		}
	}
	return f, fs.Err()
}

// Parse checks a value typed for the field and returns it as stored: dates
// as YYYY-MM-DD, numbers with a point ("12,50" becomes "12.50"), choices
// spelled as defined. The code names what is wrong; "" for an empty value.
func (f Field) Parse(value string) (string, string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", ""
	}
	if code, _ := textcheck.Check(value); code != "" {
		return "", code
	}
	switch f.Type {
	case FieldDate:
		if d, ok := parseDate(value); ok {
			return d, ""
		}
		return "", "date.invalid"
	case FieldNumber:
		n := strings.ReplaceAll(value, " ", "")
		if strings.Count(n, ",") == 1 && !strings.Contains(n, ".") {
			n = strings.Replace(n, ",", ".", 1)
		}
		if _, err := strconv.ParseFloat(n, 64); err != nil || strings.ContainsAny(n, "eEinfINFxX") || len(n) > 40 {
			return "", "number.invalid"
		}
		return n, ""
	case FieldChoice:
		for _, c := range f.Choices {
			if strings.EqualFold(c, value) {
				return c, ""
			}
		}
		return "", "choice.unknown"
	}
	if utf8.RuneCountInString(value) > MaxFieldValue {
		return "", "too_long"
	}
	return textcheck.Collapse(value), ""
}

func fieldsOf(ctx context.Context, q store.Querier, wsID int64) ([]Field, error) {
	rows, err := q.Query(ctx, `SELECT id, key, label, type, choices, visibility, position FROM workspace_fields
		WHERE workspace_id = ? ORDER BY position, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Field
	for rows.Next() {
		var f Field
		var choices string
		if err := rows.Scan(&f.ID, &f.Key, &f.Label, &f.Type, &choices, &f.Visibility, &f.Position); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(choices), &f.Choices)
		out = append(out, f)
	}
	return out, rows.Err()
}

// Fields lists the workspace's own register fields, for anyone who may
// read the register.
func (s *Service) Fields(ctx context.Context, u *account.User, ref string) ([]Field, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.Sees(ws.Settings.Register) && !v.Has(RoleRegister) {
		return nil, errForbidden
	}
	return fieldsOf(ctx, s.DB, ws.ID)
}

// SaveField adds a field (f.ID 0) or changes one: its label, choices,
// visibility and place. Its key and type stay as they were made, since
// imports and stored values depend on them. Core only.
func (s *Service) SaveField(ctx context.Context, u *account.User, ref string, f Field) (Field, error) {
	var out Field
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		existing, err := fieldsOf(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		if f.ID != 0 {
			i := slices.IndexFunc(existing, func(x Field) bool { return x.ID == f.ID })
			if i < 0 {
				return problem.New(problem.NotFound, "workspace.field_unknown")
			}
			f.Key, f.Type = existing[i].Key, existing[i].Type
		}
		if f, err = f.Clean(); err != nil {
			return err
		}
		choices, _ := json.Marshal(f.Choices)
		if f.Choices == nil {
			choices = []byte("[]")
		}
		action := "workspace.field_update"
		if f.ID == 0 {
			if len(existing) >= MaxFields {
				return problem.New(problem.Conflict, "workspace.too_many_fields")
			}
			if slices.ContainsFunc(existing, func(x Field) bool { return x.Key == f.Key }) {
				return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"key": "field_key.taken"}}
			}
			if f.Position == 0 {
				f.Position = len(existing) + 1
			}
			action = "workspace.field_add"
			err = tx.QueryRow(ctx, `INSERT INTO workspace_fields (workspace_id, key, label, type, choices, visibility, position, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, f.Key, f.Label, f.Type, string(choices), f.Visibility, f.Position, s.Now.Millis()).Scan(&f.ID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE workspace_fields SET label = ?, choices = ?, visibility = ?, position = ? WHERE id = ? AND workspace_id = ?`,
				f.Label, string(choices), f.Visibility, f.Position, f.ID, ws.ID)
		}
		if err != nil {
			return err
		}
		out = f
		return audit.RecordID(ctx, tx, action, "workspace", ws.ID, map[string]any{"field": f.ID, "key": f.Key, "visibility": string(f.Visibility)})
	})
	return out, err
}

// RemoveField deletes a field and every value of it. Core only.
func (s *Service) RemoveField(ctx context.Context, u *account.User, ref string, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		if _, err := tx.Exec(ctx, `DELETE FROM workspace_field_values WHERE field_id IN (SELECT id FROM workspace_fields WHERE id = ? AND workspace_id = ?)`, id, ws.ID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM workspace_fields WHERE id = ? AND workspace_id = ?`, id, ws.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "workspace.field_unknown")
		}
		return audit.RecordID(ctx, tx, "workspace.field_remove", "workspace", ws.ID, map[string]any{"field": id})
	})
}

// checkValues parses values (by field key) for fields and returns them by
// field id; every problem is named with the field's key.
func checkValues(fields []Field, values map[string]string) (map[int64]string, error) {
	f := problem.Fields{}
	out := map[int64]string{}
	for key, raw := range values {
		i := slices.IndexFunc(fields, func(x Field) bool { return x.Key == key })
		if i < 0 {
			f.Add("fields."+key, "column.unknown")
			continue
		}
		v, code := fields[i].Parse(raw)
		if code != "" {
			f.Add("fields."+key, code)
			continue
		}
		out[fields[i].ID] = v
	}
	return out, f.Err()
}

// writeValues stores parsed values of one person: an empty value removes
// the field's value.
func writeValues(ctx context.Context, tx store.Querier, memberID int64, values map[int64]string) error {
	for id, v := range values {
		if _, err := tx.Exec(ctx, `DELETE FROM workspace_field_values WHERE member_id = ? AND field_id = ?`, memberID, id); err != nil {
			return err
		}
		if v == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO workspace_field_values (member_id, field_id, value) VALUES (?, ?, ?)`, memberID, id, v); err != nil {
			return err
		}
	}
	return nil
}

// SetValues fills in a person's own fields: the person themselves or the
// register role. All values are checked first; one wrong value changes
// nothing.
func (s *Service) SetValues(ctx context.Context, u *account.User, ref string, memberID int64, values map[string]string) error {
	_, err := s.Change(ctx, u, ref, memberID, Change{Fields: values})
	return err
}

func (s *Service) setValues(ctx context.Context, tx store.Querier, ws Workspace, v Viewer, memberID int64, values map[string]string) error {
	if memberID != v.MemberID && !v.Has(RoleRegister) {
		return errForbidden
	}
	m, err := memberByID(ctx, tx, ws.ID, memberID)
	if err != nil {
		return err
	}
	if m.Erased {
		return problem.New(problem.Gone, "workspace.member_erased")
	}
	fields, err := fieldsOf(ctx, tx, ws.ID)
	if err != nil {
		return err
	}
	parsed, err := checkValues(fields, values)
	if err != nil {
		return err
	}
	if err := writeValues(ctx, tx, memberID, parsed); err != nil {
		return err
	}
	keys := slices.Sorted(maps.Keys(values))
	return audit.RecordID(ctx, tx, "workspace.member_fields", "workspace_member", memberID, map[string]any{"workspace": ws.ID, "fields": keys})
}

// attachValues fills Fields of each member with the values of fields.
func attachValues(ctx context.Context, q store.Querier, fields []Field, ms []Member) error {
	if len(ms) == 0 || len(fields) == 0 {
		return nil
	}
	keys := map[int64]string{}
	for _, f := range fields {
		keys[f.ID] = f.Key
	}
	index := make(map[int64]int, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		index[m.ID] = i
		args[i] = m.ID
	}
	rows, err := q.Query(ctx, `SELECT member_id, field_id, value FROM workspace_field_values WHERE member_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ms)), ", ")+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var mid, fid int64
		var v string
		if err := rows.Scan(&mid, &fid, &v); err != nil {
			return err
		}
		m := &ms[index[mid]]
		if m.Fields == nil {
			m.Fields = map[string]string{}
		}
		m.Fields[keys[fid]] = v
	}
	return rows.Err()
}

// ---- consents

// ConsentText is one version of what people agree to: "We may show your
// photo in the newsletter". A new version does not carry consents over.
type ConsentText struct {
	ID        int64
	Key       string
	Version   int
	Text      string
	CreatedAt time.Time
}

// Consent is a person's agreement to one version of a text.
type Consent struct {
	ConsentText
	GivenAt     time.Time
	WithdrawnAt time.Time
}

// Active reports whether the consent stands.
func (c Consent) Active() bool { return !c.GivenAt.IsZero() && c.WithdrawnAt.IsZero() }

// MaxConsentText is the longest text people can be asked to agree to.
const MaxConsentText = 4000

// ConsentTexts lists the current version of each text, for everyone in
// the workspace (they are what members are asked to agree to).
func (s *Service) ConsentTexts(ctx context.Context, u *account.User, ref string) ([]ConsentText, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.In() {
		return nil, errForbidden
	}
	return currentTexts(ctx, s.DB, ws.ID)
}

func currentTexts(ctx context.Context, q store.Querier, wsID int64) ([]ConsentText, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.key, t.version, t.text, t.created_at FROM workspace_consent_texts t
		WHERE t.workspace_id = ? AND t.version = (SELECT MAX(o.version) FROM workspace_consent_texts o WHERE o.workspace_id = t.workspace_id AND o.key = t.key)
		ORDER BY t.key`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsentText
	for rows.Next() {
		var t ConsentText
		var at int64
		if err := rows.Scan(&t.ID, &t.Key, &t.Version, &t.Text, &at); err != nil {
			return nil, err
		}
		t.CreatedAt = store.Time(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// PublishConsent adds a text, or a new version of the text with this key.
// Core only. People's consents to an older version stay recorded as given
// to that version; the new one asks again.
func (s *Service) PublishConsent(ctx context.Context, u *account.User, ref, key, text string) (ConsentText, error) {
	var t ConsentText
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		f := problem.Fields{}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" {
			f.Add("key", "required")
		} else if len(key) > maxFieldKeyLen || !fieldKeyPattern.MatchString(key) {
			f.Add("key", "field_key.invalid")
		}
		text = strings.TrimSpace(text)
		checkText(f, "text", text, MaxConsentText, true)
		if err := f.Err(); err != nil {
			return err
		}
		t = ConsentText{Key: key, Text: text, CreatedAt: s.Now.Time()}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM workspace_consent_texts WHERE workspace_id = ? AND key = ?`,
			ws.ID, key).Scan(&t.Version); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO workspace_consent_texts (workspace_id, key, version, text, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			ws.ID, key, t.Version, text, store.Millis(t.CreatedAt)).Scan(&t.ID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.consent_publish", "workspace", ws.ID, map[string]any{"key": key, "version": t.Version})
	})
	return t, err
}

// SetConsent gives (agree) or withdraws a person's consent to the text
// textID. The person themselves, or the register role recording a consent
// given on paper.
func (s *Service) SetConsent(ctx context.Context, u *account.User, ref string, memberID, textID int64, agree bool) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if memberID != v.MemberID && !v.Has(RoleRegister) {
			return errForbidden
		}
		if _, err := memberByID(ctx, tx, ws.ID, memberID); err != nil {
			return err
		}
		var key string
		err = tx.QueryRow(ctx, `SELECT key FROM workspace_consent_texts WHERE id = ? AND workspace_id = ?`, textID, ws.ID).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "workspace.consent_unknown")
		}
		if err != nil {
			return err
		}
		now := s.Now.Millis()
		if agree {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_consents WHERE member_id = ? AND text_id = ? AND withdrawn_at IS NULL`,
				memberID, textID).Scan(&n); err != nil || n > 0 {
				return err
			}
			// Giving again after withdrawing starts a new agreement.
			if _, err := tx.Exec(ctx, `DELETE FROM workspace_consents WHERE member_id = ? AND text_id = ?`, memberID, textID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO workspace_consents (member_id, text_id, given_at) VALUES (?, ?, ?)`, memberID, textID, now); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `UPDATE workspace_consents SET withdrawn_at = ? WHERE member_id = ? AND withdrawn_at IS NULL
			AND text_id IN (SELECT id FROM workspace_consent_texts WHERE workspace_id = ? AND key = ?)`, now, memberID, ws.ID, key); err != nil {
			return err
		}
		action := "workspace.consent_withdraw"
		if agree {
			action = "workspace.consent_give"
		}
		return audit.RecordID(ctx, tx, action, "workspace_member", memberID, map[string]any{"workspace": ws.ID, "text": textID, "by_self": memberID == v.MemberID})
	})
}

// consentsOf lists every consent a person gave, newest first.
func consentsOf(ctx context.Context, q store.Querier, memberID int64) ([]Consent, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.key, t.version, t.text, t.created_at, c.given_at, COALESCE(c.withdrawn_at, 0)
		FROM workspace_consents c JOIN workspace_consent_texts t ON t.id = c.text_id WHERE c.member_id = ? ORDER BY c.given_at DESC, t.id DESC`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		var c Consent
		var created, given, withdrawn int64
		if err := rows.Scan(&c.ID, &c.Key, &c.Version, &c.Text, &created, &given, &withdrawn); err != nil {
			return nil, err
		}
		c.CreatedAt, c.GivenAt = store.Time(created), store.Time(given)
		if withdrawn != 0 {
			c.WithdrawnAt = store.Time(withdrawn)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
