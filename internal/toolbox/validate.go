package toolbox

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

// Limits on an entry's fields.
const (
	maxName        = 80
	maxAliases     = 20
	maxList        = 40
	maxDescription = 1000
	maxNote        = 1000
	maxURL         = 500
	maxSteward     = 120
)

var (
	slugPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	langPattern    = regexp.MustCompile(`^[a-z]{2}$`)
	// An SPDX licence expression: identifiers (with an optional "+"),
	// AND, OR, WITH and parentheses.
	spdxToken = regexp.MustCompile(`^(\(|\)|AND|OR|WITH|[A-Za-z0-9.\-]+\+?)$`)
)

// Proprietary is the licence of closed software.
const Proprietary = "proprietary"

// Slug turns a name into an id: lower case, letters and digits joined by
// hyphens ("Wiki.js" → "wiki-js"), accents dropped ("SomNúvol" →
// "somnuvol") so that ids stay plain ASCII for addresses.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// Normalize tidies an entry before validation: trims spaces, lower-cases
// codes, upper-cases country codes and removes empty and repeated list
// items. It changes nothing a person would call content.
func (t *Tool) Normalize() {
	t.ID = strings.ToLower(strings.TrimSpace(t.ID))
	t.Name = textcheck.Collapse(t.Name)
	if t.ID == "" {
		t.ID = Slug(t.Name)
	}
	t.Aliases = list(t.Aliases, textcheck.Collapse)
	t.Kind = lower(t.Kind)
	t.Categories = list(t.Categories, lower)
	t.Uses = list(t.Uses, lower)
	t.Replaces = list(t.Replaces, lower)
	t.Governance = lower(t.Governance)
	t.Steward = textcheck.Collapse(t.Steward)
	t.Licence = textcheck.Collapse(t.Licence)
	if strings.EqualFold(t.Licence, Proprietary) {
		t.Licence = Proprietary
	}
	t.SelfHostable = lower(t.SelfHostable)
	hosting := make([]Hosting, 0, len(t.Hosting))
	for _, h := range t.Hosting {
		h.Name, h.Tool, h.Country = textcheck.Collapse(h.Name), lower(h.Tool), strings.ToUpper(strings.TrimSpace(h.Country))
		h.Membership, h.URL = lower(h.Membership), strings.TrimSpace(h.URL)
		if h.Name != "" || h.Tool != "" || h.URL != "" {
			hosting = append(hosting, h)
		}
	}
	t.Hosting = nilIfEmpty(hosting)
	t.Offers = list(t.Offers, lower)
	t.Country = strings.ToUpper(strings.TrimSpace(t.Country))
	t.DataLocation = t.DataLocation.trimmed()
	t.Languages = list(t.Languages, lower)
	t.Accessibility = t.Accessibility.trimmed()
	t.Website, t.SourceCode = strings.TrimSpace(t.Website), strings.TrimSpace(t.SourceCode)
	t.Description = t.Description.trimmed()
	t.Traits = list(t.Traits, lower)
	t.Sources = list(t.Sources, textcheck.Collapse)
}

// Validate checks a normalised entry on its own and returns a
// problem.Invalid error naming every field that is wrong. References to
// other entries (replaces, offers, hosting) are checked by the catalogue,
// which knows them.
func (t *Tool) Validate() error {
	f := problem.Fields{}
	t.checkText(f)
	switch {
	case t.ID == "" && t.Name == "":
		// The id is made from the name: the name's error says it all.
	case t.ID == "":
		f.Add("id", "required")
	case len(t.ID) > maxName || !slugPattern.MatchString(t.ID):
		f.Add("id", "slug.invalid")
	}
	switch n := utf8.RuneCountInString(t.Name); {
	case n == 0:
		f.Add("name", "required")
	case n > maxName:
		f.Add("name", "too_long")
	}
	if len(t.Aliases) > maxAliases {
		f.Add("aliases", "too_many")
	}
	for _, a := range t.Aliases {
		if utf8.RuneCountInString(a) > maxName {
			f.Add("aliases", "too_long")
		}
	}
	switch {
	case t.Kind == "":
		f.Add("kind", "required")
	case !slices.Contains(Kinds, t.Kind):
		f.Add("kind", "unknown")
	}
	switch {
	case len(t.Categories) == 0:
		f.Add("categories", "required")
	case len(t.Categories) > len(Categories):
		f.Add("categories", "too_many")
	}
	for _, c := range t.Categories {
		if !slices.Contains(Categories, c) {
			f.Add("categories", "unknown")
		}
	}
	for _, u := range t.Uses {
		if !slices.Contains(Uses, u) {
			f.Add("uses", "unknown")
		}
	}
	if t.BigTech && len(t.Replaces) > 0 {
		// Big-tech products are what the open tools replace; a chain
		// of replacements would make the scan's advice go in circles.
		f.Add("replaces", "replaces.big_tech")
	}
	checkSlugs(f, "replaces", t.Replaces)
	checkSlugs(f, "offers", t.Offers)
	if t.Governance != "" && !slices.Contains(Governances, t.Governance) {
		f.Add("governance", "unknown")
	}
	if utf8.RuneCountInString(t.Steward) > maxSteward {
		f.Add("steward", "too_long")
	}
	if !ValidLicence(t.Licence) {
		f.Add("licence", "licence.invalid")
	}
	if !yesNoUnknown(t.SelfHostable) {
		f.Add("self_hostable", "yes_no.invalid")
	}
	if len(t.Hosting) > maxList {
		f.Add("hosting", "too_many")
	}
	for _, h := range t.Hosting {
		switch {
		case h.Name == "" && h.Tool == "":
			f.Add("hosting", "hosting.name_required")
		case utf8.RuneCountInString(h.Name) > maxSteward:
			f.Add("hosting", "too_long")
		case h.Tool != "" && !slugPattern.MatchString(h.Tool):
			f.Add("hosting", "slug.invalid")
		case h.Country != "" && !countryPattern.MatchString(h.Country):
			f.Add("hosting", "country.invalid")
		case !yesNoUnknown(h.Membership):
			f.Add("hosting", "yes_no.invalid")
		case h.URL != "" && !webURL(h.URL):
			f.Add("hosting", "url.invalid")
		}
	}
	if t.Country != "" && !countryPattern.MatchString(t.Country) {
		f.Add("country", "country.invalid")
	}
	if len(t.Languages) > maxList {
		f.Add("languages", "too_many")
	}
	for _, l := range t.Languages {
		if !langPattern.MatchString(l) {
			f.Add("languages", "language.invalid")
		}
	}
	for field, s := range map[string]string{"website": t.Website, "source_code": t.SourceCode} {
		if s != "" && !webURL(s) {
			f.Add(field, "url.invalid")
		}
	}
	// Text fields are named per language, as the form names them.
	// Every entry is described in both languages: the catalogue is for
	// the whole city.
	if t.Description.NL == "" {
		f.Add("description.nl", "required")
	}
	if t.Description.EN == "" {
		f.Add("description.en", "required")
	}
	for field, x := range map[string]Text{"description": t.Description, "data_location": t.DataLocation, "accessibility": t.Accessibility} {
		if utf8.RuneCountInString(x.NL) > maxDescription {
			f.Add(field+".nl", "too_long")
		}
		if utf8.RuneCountInString(x.EN) > maxDescription {
			f.Add(field+".en", "too_long")
		}
	}
	for _, tr := range t.Traits {
		if !slices.Contains(Traits, tr) {
			f.Add("traits", "unknown")
		}
	}
	if len(t.Sources) > maxList {
		f.Add("sources", "too_many")
	}
	for _, s := range t.Sources {
		if !strings.HasPrefix(s, "roadmap:") && !webURL(s) {
			f.Add("sources", "source.invalid")
		}
	}
	return f.Err()
}

// ValidLicence reports whether s is empty (unknown), "proprietary", a
// LicenseRef-, or an SPDX expression over identifiers on the SPDX list:
// licences (with an optional "+") and LicenseRef-s joined by AND and OR,
// in parentheses, a licence followed by WITH and an exception (or an
// AdditionRef-).
func ValidLicence(s string) bool {
	if s == "" || s == Proprietary {
		return true
	}
	// Split around parentheses, then on spaces.
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	depth := 0
	operand := false // the last token ends an operand
	licence := false // that operand is a single licence, which WITH may follow
	with := false    // the last token is WITH
	for _, tok := range strings.Fields(s) {
		if !spdxToken.MatchString(tok) {
			return false
		}
		switch tok {
		case "(":
			if operand || with {
				return false
			}
			depth++
		case ")":
			if !operand || depth == 0 {
				return false
			}
			depth--
			licence = false
		case "AND", "OR":
			if !operand {
				return false
			}
			operand, licence = false, false
		case "WITH":
			// Only after one licence: not after a parenthesis, nor a
			// second time.
			if !licence {
				return false
			}
			operand, licence, with = false, false, true
		default:
			if operand {
				return false
			}
			if with {
				// After WITH comes an exception, and only there.
				if !knownException(tok) && !userRef(tok, "AdditionRef-") {
					return false
				}
				operand, with = true, false
				continue
			}
			if !userRef(tok, "LicenseRef-") && (strings.HasPrefix(tok, "LicenseRef-") || !knownLicence(strings.TrimSuffix(tok, "+"))) {
				return false
			}
			operand, licence = true, true
		}
	}
	return operand && depth == 0
}

// userRef reports whether tok is prefix followed by an SPDX idstring
// (letters, digits, "-" and "."; no "+", which only licences on the list
// take).
func userRef(tok, prefix string) bool {
	ref, ok := strings.CutPrefix(tok, prefix)
	return ok && ref != "" && !strings.Contains(ref, "+")
}

func checkSlugs(f problem.Fields, field string, ids []string) {
	if len(ids) > maxList {
		f.Add(field, "too_many")
	}
	for _, id := range ids {
		if !slugPattern.MatchString(id) {
			f.Add(field, "slug.invalid")
		}
	}
}

func yesNoUnknown(s string) bool { return s == "" || s == "yes" || s == "no" }

func webURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// trimmed trims a text and writes its line breaks as "\n" (browsers send
// "\r\n" from a text area), so that it survives CSV unchanged.
func (t Text) trimmed() Text { return Text{lineBreaks(t.NL), lineBreaks(t.EN)} }

var lineBreakReplacer = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func lineBreaks(s string) string { return lineBreakReplacer.Replace(strings.TrimSpace(s)) }

// checkText names the fields that hold something other than text samen
// takes (textcheck): bytes that are not UTF-8 or control characters.
// Forms, files and the API all end here, so none of them stores one.
func (t *Tool) checkText(f problem.Fields) {
	check := func(field string, values ...string) {
		for _, s := range values {
			if code, _ := textcheck.Check(s); code != "" {
				f.Add(field, code)
				return
			}
		}
	}
	check("id", t.ID)
	check("name", t.Name)
	check("aliases", t.Aliases...)
	check("kind", t.Kind)
	check("categories", t.Categories...)
	check("uses", t.Uses...)
	check("replaces", t.Replaces...)
	check("governance", t.Governance)
	check("steward", t.Steward)
	check("licence", t.Licence)
	check("self_hostable", t.SelfHostable)
	for _, h := range t.Hosting {
		check("hosting", h.Name, h.Tool, h.Country, h.Membership, h.URL)
	}
	check("offers", t.Offers...)
	check("country", t.Country)
	check("languages", t.Languages...)
	check("website", t.Website)
	check("source_code", t.SourceCode)
	check("traits", t.Traits...)
	check("sources", t.Sources...)
	for field, x := range map[string]Text{"description": t.Description, "data_location": t.DataLocation, "accessibility": t.Accessibility} {
		check(field+".nl", x.NL)
		check(field+".en", x.EN)
	}
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// list applies clean to each item and drops empty and repeated ones,
// keeping the order.
func list(in []string, clean func(string) string) []string {
	var out []string
	for _, s := range in {
		if s = clean(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
