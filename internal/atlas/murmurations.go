package atlas

import (
	"slices"
	"strings"
	"time"
)

// MurmurationsSchema is the Murmurations profile schema ToMurmurations
// follows.
const MurmurationsSchema = "organizations_schema-v1.0.0"

// ToMurmurations describes an initiative as a Murmurations profile, for the
// Murmurations index of the regenerative economy.
//
// Field names and forms follow MurmurationsNetwork/MurmurationsLibrary,
// schemas/organizations_schema-v1.0.0.json and the fields it references:
// linked_schemas (required), name (required), nickname, primary_url and
// urls[].url ("^https?://", urls items {name, url}), tags (unique strings),
// description, mission (at most 1000 characters), status (one of active,
// completed, cancelled, on_hold, in_planning), full_address,
// country_iso_3166 (two letters), geolocation {lat, lon}, image (a URL)
// and starts_at (a Unix timestamp; a year alone as 1 January). The atlas
// has no nickname or mission of its own, so those stay out.
func ToMurmurations(in Initiative, baseURL string) map[string]any {
	r := in.Record
	page := PageURL(baseURL, in.ID)
	m := map[string]any{
		"linked_schemas": []string{MurmurationsSchema},
		"name":           r.Name,
		"primary_url":    page,
		"status":         "active",
	}
	if in.Status == Archived {
		m["status"] = "completed"
	}
	urls := []map[string]string{{"name": "atlas", "url": page}}
	if r.Contact.Website != "" {
		m["primary_url"] = r.Contact.Website
		urls = append([]map[string]string{{"name": "website", "url": r.Contact.Website}}, urls...)
	}
	for _, l := range r.Contact.Links {
		urls = append(urls, map[string]string{"name": linkName(l), "url": l})
	}
	m["urls"] = urls
	var tags []string
	for _, t := range append(append([]string(nil), r.Sectors...), r.Tags...) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		m["tags"] = tags
	}
	if d := r.Description.In("en"); d != "" {
		m["description"] = d
	} else if d := r.Summary.In("en"); d != "" {
		m["description"] = d
	}
	l := r.Location
	if l.HasPoint() {
		m["geolocation"] = map[string]float64{"lat": *l.Latitude, "lon": *l.Longitude}
	}
	var addr []string
	if l.Address != "" {
		addr = append(addr, l.Address)
	}
	if pc := strings.TrimSpace(l.Postcode + " " + l.City); pc != "" {
		addr = append(addr, pc)
	}
	if len(addr) > 0 {
		m["full_address"] = strings.Join(addr, ", ")
	}
	if c := country(l.City); c != "" {
		m["country_iso_3166"] = c
	}
	if in.HasLogo {
		m["image"] = logoURL(baseURL, in.ID)
	}
	if r.Founded != 0 {
		m["starts_at"] = time.Date(r.Founded, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return m
}

// linkName names a link by its host, as Murmurations' urls want a name.
func linkName(u string) string {
	host := u
	if _, rest, ok := strings.Cut(u, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	return strings.TrimPrefix(host, "www.")
}
