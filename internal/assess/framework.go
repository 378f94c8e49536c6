// Package assess is the open method to test technology against the
// community economy's principles (roadmap action 8): a versioned framework
// of criteria, independent reviews, consensus and published scorecards.
// The rules (aggregation, gates, consensus, who may see what when) are
// plain functions over these types, free of HTTP and SQL.
package assess

// Text is a text in Dutch and English.
type Text struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// In returns the text in lang, falling back to the other language.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.NL == "" {
		return t.EN
	}
	return t.NL
}

// MaxLevel is the top of every criterion's scale: 0 (absent or harmful)
// to 4 (exemplary).
const MaxLevel = 4

// Level is one step of a criterion's scale with its written definition.
type Level struct {
	Level      int  `json:"level"`
	Definition Text `json:"definition"`
}

// Criterion is one thing an assessment scores.
type Criterion struct {
	ID       string  `json:"id"` // "<group>.<name>", stable across framework versions where the meaning stays
	Name     Text    `json:"name"`
	Question Text    `json:"question"` // what a reviewer asks of the subject
	Scale    []Level `json:"scale"`    // exactly levels 0..MaxLevel
	Evidence Text    `json:"evidence"` // the evidence a score needs
	// Gate, when set, is the lowest level a subject must reach: a
	// must-pass criterion. A subject below it fails the assessment,
	// whatever its other scores.
	Gate *int `json:"gate,omitempty"`
	// Check names an automatic check samen can run on a source repository
	// to propose this criterion's score ("licence", "activity").
	Check string `json:"check,omitempty"`
}

// Group is a set of criteria after one of the roadmap's principles or
// core needs; scorecards show a score per group.
type Group struct {
	ID          string      `json:"id"`
	Name        Text        `json:"name"`
	Description Text        `json:"description"`
	Criteria    []Criterion `json:"criteria"`
}

// Source is where part of the framework comes from.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Note  Text   `json:"note"` // what was taken from it
}

// Framework is one version of the method. It is data: stewards publish new
// versions, and every assessment keeps the version it was made with.
type Framework struct {
	Version     string   `json:"version"` // semantic version, "1.0.0"
	Title       Text     `json:"title"`
	Description Text     `json:"description"`
	Sources     []Source `json:"sources"`
	Groups      []Group  `json:"groups"`
}
