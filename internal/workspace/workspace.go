// Package workspace is an initiative's shared back office: its people in
// the four circles of the roadmap's figure 2, the register a coöperatie or
// vereniging must keep, shares and participations with their ledger, fees,
// announcements, channels and files. Rules are plain functions on plain
// values (circle.go, rules in each file); the Service stores them. The
// tables are this package's alone (internal/store/migrations/OWNERS.md);
// people are read through internal/account, initiatives through
// internal/atlas.
package workspace

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

// Workspace is one initiative's back office.
type Workspace struct {
	ID           int64
	Slug         string // in addresses: /workspaces/{slug}
	Name         string
	Description  string
	InitiativeID int64 // its entry in the atlas; 0 while it has none
	Settings     Settings
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Settings are core's choices for the workspace.
type Settings struct {
	// Register is the outermost circle that sees the list of people (names,
	// circles, roles). Default: members.
	Register Visibility `json:"register"`
	// Fields says which circle sees each standard field of other people's
	// records: "email", "phone", "address", "number", "joined". A person
	// always sees their own record; the register role sees everything.
	Fields map[string]Visibility `json:"fields"`
	// QuotaBytes is how much the workspace's files may take, all versions
	// together.
	QuotaBytes int64 `json:"quota_bytes"`
}

// StandardFields are the register's fields every workspace has, besides
// the name and circle, whose visibility core chooses.
var StandardFields = []string{"email", "phone", "address", "number", "joined"}

// DefaultQuota is a workspace's room for files unless core or a steward
// chooses otherwise: minutes, statutes and photos for years fit.
const DefaultQuota = 500 << 20

// DefaultSettings are a new workspace's: contact details for core, the
// number and date of joining for members, the list for members.
func DefaultSettings() Settings {
	return Settings{
		Register: Visibility(Members),
		Fields: map[string]Visibility{
			"email": Visibility(Core), "phone": Visibility(Core), "address": Visibility(Core),
			"number": Visibility(Members), "joined": Visibility(Members),
		},
		QuotaBytes: DefaultQuota,
	}
}

// normalise fills what an older or partial settings document leaves out.
func (s Settings) normalise() Settings {
	d := DefaultSettings()
	if !s.Register.Valid() {
		s.Register = d.Register
	}
	fields := make(map[string]Visibility, len(StandardFields))
	for _, f := range StandardFields {
		if v := s.Fields[f]; v.Valid() {
			fields[f] = v
		} else {
			fields[f] = d.Fields[f]
		}
	}
	s.Fields = fields
	if s.QuotaBytes <= 0 {
		s.QuotaBytes = d.QuotaBytes
	}
	return s
}

func parseSettings(data string) Settings {
	var s Settings
	_ = json.Unmarshal([]byte(data), &s) // a damaged document falls back to the defaults
	return s.normalise()
}

func (s Settings) json() string {
	b, _ := json.Marshal(s.normalise())
	return string(b)
}

// Limits on what people type.
const (
	MaxName        = 100
	MaxDescription = 4000
	MaxSlug        = 60
	MaxMessage     = 2000
	MaxContact     = 200 // phone, address
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// reservedSlugs are path segments under /workspaces that are not a
// workspace.
var reservedSlugs = map[string]bool{"new": true, "invitation": true, "invitations": true, "mine": true}

// Draft is what someone types to start or change a workspace.
type Draft struct {
	Name        string
	Slug        string // empty: made from the name
	Description string
}

// Clean tidies a draft and says what is wrong with it, field by field.
func (d Draft) Clean() (Draft, error) {
	f := problem.Fields{}
	d.Name = textcheck.Collapse(d.Name)
	d.Description = strings.TrimSpace(d.Description)
	d.Slug = strings.TrimSpace(d.Slug)
	checkText(f, "name", d.Name, MaxName, true)
	checkText(f, "description", d.Description, MaxDescription, false)
	if d.Slug == "" && d.Name != "" {
		d.Slug = Slugify(d.Name)
	}
	switch {
	case d.Slug == "" && d.Name != "":
		f.Add("slug", "required")
	case utf8.RuneCountInString(d.Slug) > MaxSlug:
		f.Add("slug", "too_long")
	case d.Slug != "" && (!slugPattern.MatchString(d.Slug) || reservedSlugs[d.Slug] || isDigits(d.Slug)):
		f.Add("slug", "slug.invalid")
	}
	return d, f.Err()
}

// checkText adds the first problem of a typed value to f.
func checkText(f problem.Fields, field, s string, max int, required bool) {
	textcheck.Field(f, field, s, max, required)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Slugify makes an address segment of a name: "Buurtkracht Noord" becomes
// "buurtkracht-noord", accents dropped, at most MaxSlug characters. A name
// with nothing usable in it gives "".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if m, ok := plainLetter[r]; ok {
			r = m
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= MaxSlug {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > MaxSlug {
		s = strings.Trim(s[:MaxSlug], "-")
	}
	if isDigits(s) || reservedSlugs[s] {
		s = "ws-" + s
	}
	return s
}

// plainLetter maps the accented letters of Dutch, German, French and the
// Nordic languages to plain ones for addresses.
var plainLetter = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y', 'ß': 's',
}
