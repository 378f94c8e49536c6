// Form widgets the templates call on the page (.Area, .Choice, .Radios,
// .Score): each carries its label, hint, value and error, so that every
// part's forms look and behave alike.

package web

import (
	"math"
	"strconv"
	"strings"
)

// textarea is a multi-line field of a form.
type textarea struct {
	input
	Rows int
	Lang string
}

// Area is a textarea; lang marks text in a known language (the Dutch and
// English summaries), so screen readers pronounce it right.
func (p *page) Area(name, labelKey, hintKey string, rows int, lang string) textarea {
	return textarea{input: p.Optional(name, "", labelKey, "", hintKey), Rows: rows, Lang: lang}
}

// RequiredArea is Area for a text that must be filled in.
func (p *page) RequiredArea(name, labelKey, hintKey string, rows int, lang string) textarea {
	t := p.Area(name, labelKey, hintKey, rows, lang)
	t.Required = true
	return t
}

type selectField struct {
	input
	Options []selectOption
}

type selectOption struct {
	Value, Label string
	Selected     bool
}

// Choice is an optional select of codes, each labelled with prefix+code.
func (p *page) Choice(name, labelKey, prefix string, values []string) selectField {
	f := selectField{input: p.Optional(name, "", labelKey, "", "")}
	for _, v := range values {
		f.Options = append(f.Options, selectOption{Value: v, Label: p.T(prefix + v), Selected: p.Value(name) == v})
	}
	return f
}

// RequiredChoice is Choice for a choice that must be made.
func (p *page) RequiredChoice(name, labelKey, prefix string, values []string) selectField {
	f := p.Choice(name, labelKey, prefix, values)
	f.Required = true
	return f
}

// Has reports whether a multi-valued field holds value (ticked boxes).
func (p *page) Has(name, value string) bool {
	for _, v := range p.Form[name] {
		if v == value {
			return true
		}
	}
	return false
}

// radioGroup is a set of radio buttons for the "radios" partial.
type radioGroup struct {
	Name, Legend, Error, OptionalLabel string
	Required                           bool
	Options                            []selectOption
}

// Radios builds a choice shown as radio buttons: its legend is
// prefix+"legend", each option's label prefix+value.
func (p *page) Radios(name, prefix string, values []string, required bool) radioGroup {
	g := radioGroup{Name: name, Legend: p.T(prefix + "legend"), Error: p.Err(name), OptionalLabel: p.T("form.optional"), Required: required}
	for _, v := range values {
		g.Options = append(g.Options, selectOption{Value: v, Label: p.T(prefix + v), Selected: p.Value(name) == v})
	}
	return g
}

// Score writes a score of 0 to 4 with one decimal, as the reader writes
// numbers ("3,5" in Dutch); "" for an unknown one.
func (p *page) Score(v *float64) string {
	if v == nil {
		return ""
	}
	out := strconv.FormatFloat(math.Round(*v*10)/10, 'f', 1, 64)
	if p.Lang == "nl" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

// input describes one labelled form field for the "input" partial.
type input struct {
	Name, Type, Label, Autocomplete, Hint, Value, Error string
	Required                                            bool
	OptionalLabel                                       string
}

// Input builds a form field: name, type, label key, autocomplete token, and
// an optional hint key. Passwords are never filled back in.
func (p *page) Input(name, typ, labelKey, autocomplete, hintKey string) input {
	in := input{Name: name, Type: typ, Label: p.T(labelKey), Autocomplete: autocomplete, Error: p.Err(name), Required: true}
	if hintKey != "" {
		in.Hint = p.T(hintKey)
	}
	if typ != "password" {
		in.Value = p.Value(name)
	}
	return in
}

// Optional is Input for a field that may stay empty.
func (p *page) Optional(name, typ, labelKey, autocomplete, hintKey string) input {
	in := p.Input(name, typ, labelKey, autocomplete, hintKey)
	in.Required = false
	in.OptionalLabel = p.T("form.optional")
	return in
}
