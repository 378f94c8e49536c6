package atlas

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// ToJSONLD describes an initiative as a schema.org Organization in
// JSON-LD, for search engines and linked-data harvesters. Texts carry
// their language; sectors are what it knows about, tags its keywords.
func ToJSONLD(in Initiative, baseURL string) map[string]any {
	r := in.Record
	page := PageURL(baseURL, in.ID)
	o := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Organization",
		"@id":      page,
		"name":     r.Name,
		"url":      page,
	}
	if r.Contact.Website != "" {
		o["url"] = r.Contact.Website
		o["mainEntityOfPage"] = page
	}
	// The description, or else the summary; the summary is also the short
	// text that tells the initiative apart, when there is a description.
	switch d, sum := languageValues(r.Description), languageValues(r.Summary); {
	case d != nil:
		o["description"] = d
		if sum != nil {
			o["disambiguatingDescription"] = sum
		}
	case sum != nil:
		o["description"] = sum
	}
	if len(r.Contact.Links) > 0 {
		o["sameAs"] = r.Contact.Links
	}
	if r.Founded != 0 {
		o["foundingDate"] = strconv.Itoa(r.Founded)
	}
	if len(r.Sectors) > 0 {
		o["knowsAbout"] = r.Sectors
	}
	if len(r.Tags) > 0 {
		o["keywords"] = r.Tags
	}
	l := r.Location
	var address map[string]any
	if l.Address != "" || l.Postcode != "" || l.City != "" {
		address = map[string]any{"@type": "PostalAddress"}
		set := func(k, v string) {
			if v != "" {
				address[k] = v
			}
		}
		set("streetAddress", l.Address)
		set("postalCode", l.Postcode)
		set("addressLocality", l.City)
		set("addressCountry", country(l.City))
		o["address"] = address
	}
	if l.HasPoint() {
		place := map[string]any{
			"@type": "Place",
			"geo":   map[string]any{"@type": "GeoCoordinates", "latitude": *l.Latitude, "longitude": *l.Longitude},
		}
		if address != nil {
			place["address"] = address
		}
		o["location"] = place
	}
	if in.HasLogo {
		o["logo"] = logoURL(baseURL, in.ID)
	}
	if !in.UpdatedAt.IsZero() {
		o["dateModified"] = in.UpdatedAt.UTC().Format(time.RFC3339)
	}
	return o
}

// languageValues is a text as JSON-LD language-tagged values.
func languageValues(t Text) []map[string]string {
	var out []map[string]string
	if t.NL != "" {
		out = append(out, map[string]string{"@language": "nl", "@value": t.NL})
	}
	if t.EN != "" {
		out = append(out, map[string]string{"@language": "en", "@value": t.EN})
	}
	return out
}

// WriteJSONLD writes the initiatives as one JSON-LD document: a schema.org
// Dataset (with its licence) whose @graph holds one Organization per
// initiative, each on a line of its own.
func WriteJSONLD(w io.Writer, next func() (Initiative, bool, error), baseURL, licence string) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(map[string]any{
		"@context":        "https://schema.org",
		"@type":           "Dataset",
		"@id":             strings.TrimRight(baseURL, "/") + "/atlas",
		"name":            "Atlas of the community economy",
		"url":             strings.TrimRight(baseURL, "/") + "/atlas",
		"license":         licenceURL(licence),
		"creditText":      attribution(baseURL),
		"isAccessibleFor": "Free",
	})
	if err != nil {
		return err
	}
	bw.Write(head[:len(head)-1])
	bw.WriteString(`,"@graph":[`)
	err = eachJSON(bw, next, func(in Initiative) any {
		o := ToJSONLD(in, baseURL)
		delete(o, "@context") // the document's context holds
		return o
	})
	if err != nil {
		return err
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
