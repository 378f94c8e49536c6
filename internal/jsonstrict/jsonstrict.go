// Package jsonstrict decodes JSON the way samen takes it from people and
// scripts: one value, no member the target has no field for, and a
// problem named by its place in the JSON ("needs.0.text"), so that the
// API and the toolbox's scan tell the same mistake the same way.
package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

// Decode reads data, one JSON value, into v. It refuses members v has no
// field for, and anything after the value. A problem is a problem.Invalid
// error: a value of the wrong type ("json.wrong_type") is named by its
// path in the JSON, an unknown member ("json.unknown_field") by its name;
// a body that is empty ("json.empty"), broken, followed by more, or not
// of v's shape at all ("json.malformed") has no field to name.
func Decode(data []byte, v any) error { return DecodeAt("", data, v) }

// DecodeAt decodes as Decode does a value that stands at prefix in a
// larger document ("answers"), naming problems under it: a wrong type in
// the value itself is prefix's, an unknown member "colour" is
// "answers.colour".
func DecodeAt(prefix string, data []byte, v any) error {
	join := func(name string) string {
		switch {
		case prefix == "":
			return name
		case name == "":
			return prefix
		}
		return prefix + "." + name
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// Only space may follow: not another value, nor a stray ']' or
		// '}' (which dec.More would not see).
		if _, next := dec.Token(); next == io.EOF {
			return nil
		}
		return problem.New(problem.Invalid, "json.malformed")
	}
	wrong := "" // where a value of the wrong type is
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		wrong = join(textcheck.PathAt(data, te.Offset))
	}
	// encoding/json quotes an unknown name with %q; the key "" names no
	// field.
	unknown, quoted := strings.CutPrefix(err.Error(), "json: unknown field ")
	if quoted {
		var uerr error
		unknown, uerr = strconv.Unquote(unknown)
		quoted = uerr == nil
	}
	switch {
	case errors.Is(err, io.EOF):
		return problem.New(problem.Invalid, "json.empty")
	case wrong != "":
		return problem.Fields{wrong: "json.wrong_type"}.Err()
	case quoted && join(unknown) != "":
		return problem.Fields{join(unknown): "json.unknown_field"}.Err()
	}
	return problem.New(problem.Invalid, "json.malformed")
}
