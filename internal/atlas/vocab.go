package atlas

import "slices"

// The controlled lists of the atlas. Records store the codes; the web layer
// holds the Dutch and English words for each code (i18n keys
// "atlas.sector.<code>" and so on), so that a filter chosen in one language
// finds records entered in the other.
//
// Order matters: a code's position is its bit in the map index's facet
// masks, so new codes are appended, never inserted or removed.

// Sectors are the kinds of initiative the roadmap's chapter 1 names, and
// the ones around them that Amsterdam's community economy holds.
var Sectors = []string{
	"energy",                   // energiecoöperatie
	"housing",                  // wooncoöperatie
	"food",                     // voedsel: voedselcoöperatie, voedselpark
	"care",                     // zorg: zorgcoöperatie, informele zorg
	"neighbourhood_enterprise", // buurtbedrijf, buurtcoöperatie
	"workers_coop",             // werknemerscoöperatie
	"platform_coop",            // digitale platformcoöperatie
	"sharing",                  // deelplatform
	"community_garden",         // buurttuin
	"culture",                  // cultuur
	"mobility",                 // mobiliteit
	"circular",                 // reparatie, hergebruik
	"finance",                  // gemeenschapsgeld, crowdfunding, mutualiteit
	"education",                // leren en kennis
	"digital",                  // digitale infrastructuur, techcoöperatie
	"green_space",              // groenbeheer
	"social_enterprise",        // sociale onderneming
	"welfare",                  // welzijn, ontmoeting, buurtkamer
}

// LegalForms are the Dutch legal forms an initiative can have.
var LegalForms = []string{
	"cooperative",       // coöperatie
	"association",       // vereniging
	"foundation",        // stichting
	"steward_owned_bv",  // BV in rentmeesterschap
	"bv",                // besloten vennootschap
	"informal",          // informeel, geen rechtspersoon
	"mutual",            // onderlinge waarborgmaatschappij
	"sole_trader",       // eenmanszaak
	"general_partners",  // vof
	"other_legal_form",  // anders
	"public_body",       // overheidsorgaan
	"church_or_similar", // kerkgenootschap
}

// Principles are the four principles of the community economy (roadmap 1.1).
var Principles = []string{
	"local_roots",         // lokaal geworteld
	"multiple_value",      // meervoudige waardecreatie
	"shared_ownership",    // gedeeld eigenaarschap
	"inclusive_decisions", // inclusieve besluitvorming
}

// Districts are Amsterdam's stadsdelen. An initiative outside Amsterdam has
// none.
var Districts = []string{
	"centrum",
	"nieuw_west",
	"noord",
	"oost",
	"west",
	"zuid",
	"zuidoost",
	"weesp",
}

// ExchangeKinds are what an initiative can need or offer.
var ExchangeKinds = []string{
	"volunteers",
	"space",
	"it_help",
	"funding",
	"knowledge",
	"materials",
	"members",
	"customers",
	"partners",
	"equipment",
	"advice",
	"publicity",
}

// SizeBands say roughly how many people are involved.
var SizeBands = []string{
	"1-5",
	"6-25",
	"26-100",
	"101-500",
	"501+",
}

// ReportReasons are why someone reports an entry.
var ReportReasons = []string{
	"wrong",     // the information is wrong or out of date
	"closed",    // the initiative no longer exists
	"duplicate", // the same initiative is listed twice
	"spam",      // not an initiative: advertising, spam
	"offensive", // offensive or unlawful content
	"other",
}

// bit returns the position of code in list, or -1.
func bit(list []string, code string) int { return slices.Index(list, code) }

func known(list []string, code string) bool { return bit(list, code) >= 0 }
