package web

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// funcs are the template functions every page can use: the site's own and
// each part's (atlasFuncs, assessFuncs, …), merged once. A part adds its map
// here; a name defined twice stops samen at start.
var funcs = mergeFuncs(siteFuncs, atlasFuncs, assessFuncs, workspaceFuncs, budgetFuncs, fundFuncs)

func mergeFuncs(parts ...template.FuncMap) template.FuncMap {
	out := template.FuncMap{}
	for _, part := range parts {
		for name := range part {
			if _, twice := out[name]; twice {
				panic(fmt.Sprintf("web: template function %q is defined twice", name))
			}
		}
		maps.Copy(out, part)
	}
	return out
}

// siteFuncs are the template functions of the site as a whole.
var siteFuncs = template.FuncMap{
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(amsterdam).Format("2006-01-02 15:04")
	},
	"isotime":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join":       strings.Join,
	"hasPrefix":  strings.HasPrefix,
	"trimPrefix": strings.TrimPrefix,
	"list":       func(s ...string) []string { return s },
	// paragraphs splits a plain text at blank lines.
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"inc": func(i int) int { return i + 1 },
	"deref": func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	},
	"km": func(d float64) string {
		if d < 1 {
			return strconv.Itoa(int(math.Round(d*1000/50))*50) + " m"
		}
		return strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64) + " km"
	},
	// searchLink is a link to path with a search's query string. It must
	// be made whole, here: html/template escapes a value that stands after
	// a "?" in an href as one query value, "=" and "&" included.
	"searchLink": func(path, query string) string { return path + prefixed("?", query) },
	"withoutParam": func(name, query string) string {
		v, _ := url.ParseQuery(query)
		v.Del(name)
		return v.Encode()
	},
}
