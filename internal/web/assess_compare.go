package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samen/internal/assess"
	"samen/internal/problem"
)

type comparePage struct {
	Items  []compareItem
	Groups []assess.Group
	Radar  template.HTML
	Styles []string // legend: the dash pattern of each series, in words
}

type compareItem struct {
	V      assess.View
	Groups []assess.GroupResult
}

// problemCompareIDs: the ids to compare are not two to four numbers. It
// names the parameter, as every refused query does.
var problemCompareIDs = &problem.Error{Kind: problem.Invalid, Code: "assess.compare_count", Fields: problem.Fields{"ids": "assess.compare_ids"}}

// compareAssessments puts several published assessments side by side.
// They are compared group by group, by group id, since they may use
// different framework versions.
func (s *Server) compareAssessments(w http.ResponseWriter, r *http.Request) error {
	var ids []int64
	for _, raw := range r.URL.Query()["ids"] {
		for _, part := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				return problemCompareIDs
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) < 2 || len(ids) > 4 {
		return problemCompareIDs
	}
	u := userFrom(r.Context())
	lang := langFrom(r.Context())
	d := &comparePage{}
	var series []radarSeries
	for _, id := range ids {
		v, err := s.assess.Get(r.Context(), u, id)
		if err != nil {
			return err
		}
		d.Items = append(d.Items, compareItem{V: v})
		if d.Groups == nil {
			d.Groups = v.Framework.Groups
		}
	}
	var labels []string
	for _, g := range d.Groups {
		labels = append(labels, g.Name.In(lang))
	}
	for i := range d.Items {
		it := &d.Items[i]
		var scores []*float64
		for _, g := range d.Groups {
			gr := assess.GroupResult{Group: g.ID}
			for j, x := range it.V.Framework.Groups {
				if x.ID == g.ID && j < len(it.V.Result.Groups) {
					gr = it.V.Result.Groups[j]
				}
			}
			it.Groups = append(it.Groups, gr)
			scores = append(scores, gr.Score)
		}
		series = append(series, radarSeries{Name: it.V.Subject.Name, Scores: scores})
	}
	names := make([]string, len(d.Items))
	for i, it := range d.Items {
		names[i] = it.V.Subject.Name
	}
	d.Radar = radarSVG(s.msgs.T(lang, "assess.compare_radar", "names", strings.Join(names, ", ")), labels, series, assess.MaxLevel)
	p := s.newPage(r, "assess.compare.title")
	p.Data = d
	s.render(w, r, "assess_compare", p)
	return nil
}
