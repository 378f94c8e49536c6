package main

import (
	"sort"
	"strings"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/web/i18n"
)

// words says what went wrong in the words the pages use: the same message
// catalogue, in the terminal's language. An operator who mistypes an
// address on the command line reads what a visitor reads in the form.
type words struct {
	lang string
	msgs i18n.Catalogue
}

// newWords picks the language as POSIX programs do (LC_ALL, then
// LC_MESSAGES, then LANG: "nl_NL.UTF-8" is Dutch). A terminal that names
// neither of samen's languages (often "C") gets English, the language of
// the commands themselves.
func newWords(getenv func(string) string) words {
	lang := "en"
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		code := strings.ToLower(v)
		if i := strings.IndexAny(code, "_.@-"); i >= 0 {
			code = code[:i]
		}
		if i18n.Supported(code) != "" {
			lang = code
		}
		break
	}
	return words{lang: lang, msgs: i18n.MustLoad()}
}

// describe turns an error into a sentence for the terminal: a domain
// problem in the catalogue's words, field by field; anything else as Go
// wrote it.
func (w words) describe(err error) string {
	p, ok := problem.As(err)
	if !ok {
		return err.Error()
	}
	if len(p.Fields) == 0 {
		for _, key := range []string{"error." + p.Code, p.Code} {
			if w.msgs.Has(w.lang, key) {
				return w.msgs.T(w.lang, key)
			}
		}
		return p.Code
	}
	names := make([]string, 0, len(p.Fields))
	for f := range p.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, f := range names {
		parts[i] = f + ": " + w.field(f, p.Fields[f])
	}
	return strings.Join(parts, "; ")
}

// field says what is wrong with a field, naming the codes it accepts where
// the answer is "not one of the options".
func (w words) field(field, code string) string {
	key := "field." + code
	if !w.msgs.Has(w.lang, key) {
		return code
	}
	msg := w.msgs.T(w.lang, key)
	if code != "unknown" {
		return msg
	}
	var known []string
	switch {
	case field == "sectors":
		known = atlas.Sectors
	case field == "legal_form":
		known = atlas.LegalForms
	case field == "location.district":
		known = atlas.Districts
	case field == "size":
		known = atlas.SizeBands
	case field == "principles":
		known = atlas.Principles
	case strings.HasSuffix(field, ".kind"):
		known = atlas.ExchangeKinds
	default:
		return msg
	}
	return msg + " (" + strings.Join(known, ", ") + ")"
}

// at places a problem in a file, as the import pages do: "Line 3, column
// 7: …" (column 0 when unknown).
func (w words) at(line, column int, problem string) string {
	if column > 0 {
		return w.msgs.T(w.lang, "toolbox.import.at_char", "line", line, "char", column, "problem", problem)
	}
	return w.msgs.T(w.lang, "toolbox.import.at_line", "line", line, "problem", problem)
}
