package toolbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"samen/internal/problem"
)

// The readers of import files take anything a steward's browser sends.
// Whatever they are given, they do not panic; a file they refuse is
// refused with a problem that names its line; every entry they read
// validates or is refused with named fields, each of which has a place in
// the file; and what would be imported goes out through either export and
// comes back unchanged.
//
//	go test ./internal/toolbox -run '^$' -fuzz FuzzReadJSON -fuzztime 60s
//	go test ./internal/toolbox -run '^$' -fuzz FuzzReadCSV -fuzztime 60s

func FuzzReadJSON(f *testing.F) {
	f.Add(exportOf(f, WriteJSON))
	for _, s := range []string{
		"", " ", "null", "[]", "[null]", "{}", "[1,]", "[] x", "[[[[[[[[[[]]]]]]]]]]", "\uFEFF[]", "[\xff]",
		`[{"id":"x"}]`,
		`[{"id":"x","name":"a\u0000b"}]`,
		`[{"id":"x","name":"a\u001bb","description":{"nl":"x","en":"\ud800"}}]`,
		`[{"ID":"X","Name":"Y","KIND":"software"}]`,
		`[{"id":"x","id":"y"}]`,
		`[{"id":"x","big_tech":1e999}]`,
		`[{"id":"x","colour":"red"}]`,
		`[{"id":"x","description":{"fr":"non"}}]`,
		`[{"id":"x","hosting":[{"name":1}]}]`,
		`[{"id":"x","hosting":[{"name":"a | b; c\\d","url":"https://a.example/;|"}]}]`,
		`[{"id":"x","name":"X","kind":"software","categories":["static"],"description":{"nl":"=1+1","en":"a\r\nb\rc"}}]`,
		`[{"id":"x","name":"X","kind":"software","categories":["static"],"aliases":["-a",";","'=b","\\"],"description":{"nl":"x","en":"x"}}]`,
		`[{"id":"x","name":"X","kind":"software","categories":["static"],"licence":"MIT\r\nOR\tApache-2.0","sources":["roadmap:a\r\nb"],"description":{"nl":"x","en":"x"}}]`,
		"[\n  {\"id\": \"x\",\n   \"categories\": [\"static\", 3]}\n]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkImportFile(t, ReadJSON, data) })
}

func FuzzReadCSV(f *testing.F) {
	export := exportOf(f, WriteCSV)
	f.Add(export)
	header := strings.Join(CSVColumns, ",") + "\n"
	blank := strings.Repeat(",", len(CSVColumns)-1)
	for _, s := range []string{
		"", "\n\n", header, "\uFEFF" + header, "id\n", "naam,soort\nx,y\n",
		header + blank + "\n",
		header + "x\x00" + blank + "\n",
		header + "\xff" + blank + "\n",
		header + `a"b` + blank + "\n",
		header + `"open` + blank + "\n",
		header + "x,y\n",
		header + strings.Replace(header, "id,", "'=1+1,", 1),
		strings.ReplaceAll(header, "\n", "\r\n") + "x" + blank + "\r\n",
		header + `"a` + "\r" + `b"` + blank + "\n",
		header + "x,X,a\\;b; c\\|d; e\\\\,software,yes,static" + strings.Repeat(",", len(CSVColumns)-6) + "\n",
		header + "x,X,,software,no,static,,,,,,,a | b | NL | no | https://a.example | six" + strings.Repeat(",", len(CSVColumns)-13) + "\n",
		strings.Replace(header, "sources", "sources,sources", 1),
	} {
		f.Add([]byte(s))
	}
	// The real export with its first entry's cells made hard.
	lines := bytes.SplitN(export, []byte("\n"), 3)
	f.Add(append(append(lines[0], '\n'), bytes.ReplaceAll(lines[1], []byte(","), []byte(",'-"))...))
	f.Fuzz(func(t *testing.T, data []byte) { checkImportFile(t, ReadCSV, data) })
}

// exportOf is the export of the seed catalogue.
func exportOf(f *testing.F, write func(w io.Writer, tools []Tool) error) []byte {
	seed, err := Seed()
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := write(&buf, normalized(seed)); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

func checkImportFile(t *testing.T, read func([]byte) (*File, error), data []byte) {
	file, err := read(data)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line < 1 || fe.Char < 0 || fe.Code == "" {
			t.Fatalf("a refused file without its place: %#v", err)
		}
		if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid || p.Fields["file"] != fe.Code {
			t.Fatalf("a refused file is not an invalid file: %v", err)
		}
		return
	}
	var valid []Tool
	for i, tool := range file.Tools {
		tool.Normalize()
		err := tool.Validate()
		if err == nil {
			valid = append(valid, tool)
			continue
		}
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
			t.Fatalf("entry %d: %v, want field problems", i, err)
		}
		for field, code := range p.Fields {
			if field == "" || code == "" {
				t.Fatalf("entry %d: a problem without a field or code: %v", i, err)
			}
			if at := file.Locate(i, field, code); at.Line < 1 || at.Char < 0 {
				t.Fatalf("entry %d, %s: placed at %+v", i, field, at)
			}
		}
	}
	for _, f := range formats {
		sameTools(t, f.name, valid, roundTrip(t, f, valid))
	}
}
