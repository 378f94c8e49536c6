// Package toolbox is the catalogue of democratic tools (roadmap action 3,
// appendix II), the digital-autonomy self-scan and the stack advisor. The
// catalogue is facts about tools; the scan and the advisor are rules over
// those facts, kept free of HTTP and SQL so they can be tested alone.
package toolbox

// Text is a short text in Dutch and English.
type Text struct {
	NL string `json:"nl,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang, falling back to the other language.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.NL == "" {
		return t.EN
	}
	return t.NL
}

// Kinds of catalogue entries.
const (
	KindSoftware = "software" // a program an organisation can run or have run
	KindService  = "service"  // a hosted service: a hosting co-op, or a big-tech product used online
	KindProtocol = "protocol" // an open standard that several programs speak
)

// Kinds lists the kinds in the order pages show them.
var Kinds = []string{KindSoftware, KindService, KindProtocol}

// Categories follow the roadmap: the "trinity of communication" plus public
// communication (section 6 and appendix II 7.1.1), then deciding together,
// collaboration, business and finance, sector-specific tools (7.1.2–7.1.5),
// co-operative hosting (7.2) and shared base infrastructure (7.3).
var Categories = []string{
	"realtime",       // chat, video calls
	"async",          // e-mail, mailing lists, forums
	"static",         // wiki, website, shared documents and files
	"public",         // social media, video sharing
	"deciding",       // deliberation and decisions
	"collaboration",  // tasks, shared files and calendars
	"business",       // accounts, members, donations, invoicing
	"sector",         // tools for one sector (energy, mobility, food, delivery)
	"hosting",        // co-operative digital services that host open tools
	"infrastructure", // open protocols underneath
}

// Trinity is the part of the categories every community needs covered:
// the three kinds of communication tools, and the fourth, public one.
var Trinity = []string{"realtime", "async", "static", "public"}

// Governance models follow the roadmap's table 10, with "association" for
// member associations (verenigingen) and "corporate" for the shareholder-
// owned companies behind the big-tech products.
var Governances = []string{
	"foundation",          // a non-profit foundation, often with companies around it
	"association",         // a member association
	"open_source_company", // a company developing open source with its community
	"cooperative",         // owned by its members
	"steward_ownership",   // a company whose control cannot be sold
	"corporate",           // a shareholder-owned company
}

// Uses are the jobs a tool does, finer than its categories: the stack
// advisor asks for these, and "what do you want to replace?" matches them.
var Uses = []string{
	"chat", "video", "email", "mailing_list", "forum", "wiki", "documents", "files", "website",
	"social", "video_sharing", "events", "scheduling", "decisions", "tasks",
	"accounting", "donations", "members", "newsletter",
}

// UseCategory is the category a use belongs to, for the trinity.
var UseCategory = map[string]string{
	"chat": "realtime", "video": "realtime",
	"email": "async", "mailing_list": "async", "forum": "async", "newsletter": "async",
	"wiki": "static", "documents": "static", "files": "static", "website": "static",
	"social": "public", "video_sharing": "public", "events": "public",
	"scheduling": "collaboration", "tasks": "collaboration",
	"decisions":  "deciding",
	"accounting": "business", "donations": "business", "members": "business",
}

// Traits are facts about a product that the scan's rules look at.
var Traits = []string{
	"link_sharing",       // documents are commonly shared with anyone who has the link
	"phone_numbers",      // members see each other's phone numbers
	"marketing_tracking", // tracks who opens and clicks, for marketing
	"ad_funded",          // paid for by advertising based on its users' data
	"spreadsheet",        // a spreadsheet: no access per person, no history of who changed what
	"member_data",        // commonly used to keep personal data of members
}

// Hosting is a provider that runs a tool for others.
type Hosting struct {
	Name string `json:"name"`
	// Tool is the catalogue id of the provider when it has an entry.
	Tool string `json:"tool,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code, "" when unknown.
	Country string `json:"country,omitempty"`
	// Membership is "yes" when only members are served, "no" when anyone
	// can sign up, "" when unknown.
	Membership string `json:"membership,omitempty"`
	URL        string `json:"url,omitempty"`
}

// Tool is one entry of the catalogue. Every fact is optional: what neither
// the roadmap nor the tool's own documentation states stays empty, and
// pages show it as unknown.
type Tool struct {
	ID      string   `json:"id"` // lower-case slug, stable: links and scans use it
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"` // other names people type
	Kind    string   `json:"kind"`
	// BigTech marks the products of large platform companies that the
	// open tools replace; the scan measures dependence on them.
	BigTech    bool     `json:"big_tech,omitempty"`
	Categories []string `json:"categories"`
	Uses       []string `json:"uses,omitempty"`
	// Replaces lists ids of big-tech entries this tool can take over from.
	Replaces   []string `json:"replaces,omitempty"`
	Governance string   `json:"governance,omitempty"`
	// Steward is who develops or runs it ("Signal Technology Foundation").
	Steward string `json:"steward,omitempty"`
	// Licence is an SPDX licence expression, "proprietary" for closed
	// software, "" when unknown.
	Licence string `json:"licence,omitempty"`
	// SelfHostable is "yes", "no" or "" (unknown).
	SelfHostable string    `json:"self_hostable,omitempty"`
	Hosting      []Hosting `json:"hosting,omitempty"`
	// Offers lists, for a hosting service, the catalogue ids it runs.
	Offers []string `json:"offers,omitempty"`
	// Country is where the organisation behind it is established (ISO
	// 3166-1 alpha-2); for a big-tech product, the law its data answers to.
	Country string `json:"country,omitempty"`
	// DataLocation says where the data is kept, in words.
	DataLocation  Text     `json:"data_location,omitempty"`
	Languages     []string `json:"languages,omitempty"` // ISO 639-1 codes of its interface
	Accessibility Text     `json:"accessibility,omitempty"`
	Website       string   `json:"website,omitempty"`
	SourceCode    string   `json:"source_code,omitempty"`
	Description   Text     `json:"description"`
	Traits        []string `json:"traits,omitempty"`
	// Sources says where the facts come from: "roadmap:table-2" for the
	// roadmap's tables and sections, or the address of the tool's own
	// documentation.
	Sources []string `json:"sources,omitempty"`
}
