// Package problem describes what went wrong in the domain, in codes rather than
// sentences: the web layer turns a code into words in the reader's language and
// into an HTTP status, so domain packages never need to know either.
package problem

import (
	"errors"
	"sort"
	"strings"
)

// Kind says what sort of problem it is; the web layer maps it to a status code.
type Kind string

const (
	Invalid      Kind = "invalid"       // the input does not pass validation (400/422)
	NotFound     Kind = "not_found"     // the thing does not exist or is not visible to the caller
	Forbidden    Kind = "forbidden"     // the caller may not do this
	Unauthorized Kind = "unauthorized"  // the caller must identify themselves first
	Conflict     Kind = "conflict"      // the change clashes with what is stored
	RateLimited  Kind = "rate_limited"  // too many attempts; try again later
	Unavailable  Kind = "unavailable"   // a dependency is down
	Gone         Kind = "gone"          // a link or token that has expired or been used
	TooLarge     Kind = "too_large"     // the input is bigger than allowed
	Unsupported  Kind = "not_supported" // the operation does not apply here
)

// Error is a domain error: a kind, a code that names the exact reason (a
// message catalogue key such as "account.credentials"), and per-field codes
// for validation problems.
type Error struct {
	Kind   Kind
	Code   string
	Fields map[string]string // field name -> code, e.g. "email" -> "email.invalid"
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	b.WriteString(": ")
	b.WriteString(e.Code)
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			names = append(names, f)
		}
		sort.Strings(names)
		b.WriteString(" (")
		for i, f := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f + ": " + e.Fields[f])
		}
		b.WriteString(")")
	}
	return b.String()
}

// New returns an error of the given kind and code.
func New(kind Kind, code string) *Error { return &Error{Kind: kind, Code: code} }

// As returns the *Error inside err, if there is one.
func As(err error) (*Error, bool) {
	var p *Error
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// Is reports whether err is a problem of the given kind.
func Is(err error, kind Kind) bool {
	p, ok := As(err)
	return ok && p.Kind == kind
}

// Fields collects validation problems field by field, so a form can show every
// problem at once instead of one per submit.
type Fields map[string]string

// Add records code for field unless the field already has a problem: the first
// problem found for a field is the most basic one (empty before malformed).
func (f Fields) Add(field, code string) {
	if _, ok := f[field]; !ok {
		f[field] = code
	}
}

// Err returns nil when no field has a problem, or an Invalid error naming them.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "validation", Fields: map[string]string(f)}
}
