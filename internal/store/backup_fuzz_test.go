package store

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

// FuzzBackupValue: whatever a backup line holds, a value a restore takes
// is written back by a backup as the same value, and anything else is
// refused with an error rather than a panic.
func FuzzBackupValue(f *testing.F) {
	for _, seed := range []struct{ kind, value string }{
		{kindInteger, "9223372036854775807"}, {kindInteger, "-9223372036854775808"}, {kindInteger, "1.5"},
		{kindReal, "5e-324"}, {kindReal, "-0"}, {kindReal, "52.370216"}, {kindReal, "1e400"},
		{kindText, `"Ana \"Ani\" \\ \u0001 漢字 🙂"`}, {kindText, "12"}, {kindText, `"\ud800"`},
		{kindBlob, `"iVBORw0KGgo="`}, {kindBlob, `"not base64!"`}, {kindBlob, "null"},
	} {
		f.Add(seed.kind, seed.value)
	}
	f.Fuzz(func(t *testing.T, kind, raw string) {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		got, err := readValue(kind, v)
		if err != nil {
			return
		}
		line, err := appendValue(nil, kind, got)
		if err != nil {
			if kind == kindReal || kind == kindText {
				return // ±Inf from an overflowing number; text that is not UTF-8
			}
			t.Fatalf("%s %q read as %#v, which a backup cannot write: %v", kind, raw, got, err)
		}
		dec = json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var again any
		if err := dec.Decode(&again); err != nil {
			t.Fatalf("a backup wrote %q, which is not JSON: %v", line, err)
		}
		back, err := readValue(kind, again)
		if err != nil {
			t.Fatalf("a backup wrote %q, which a restore refuses: %v", line, err)
		}
		if b1, b2 := mustJSON(t, got), mustJSON(t, back); b1 != b2 && !(kind == kindReal && b1 == "-0") {
			t.Fatalf("%s %q went %s and came back %s", kind, raw, b1, b2)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzBackupManifest: a restore reads any manifest without panicking, and
// one it accepts names only tables whose rows are in the file and files
// that stay inside the data directory.
func FuzzBackupManifest(f *testing.F) {
	f.Add([]byte(`{"format":"samen-backup/1","schema":13,"tables":[{"name":"users","columns":[{"name":"id","kind":"integer"}],"rows":1}],"files":[{"path":"ab/cd","size":1,"sha256":""}]}`), "tables/users.jsonl", "files/ab/cd")
	f.Add([]byte(`{"format":"samen-backup/1","files":[{"path":"../x"}]}`), "files/../x", "")
	f.Add([]byte(`{"format":"samen-backup/2"}`), "", "")
	f.Add([]byte(`[]`), "x", "y")
	f.Fuzz(func(t *testing.T, manifestJSON []byte, entry1, entry2 string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range []string{manifestName, entry1, entry2} {
			if name == "" {
				continue
			}
			w, err := zw.Create(name)
			if err != nil {
				return
			}
			if name == manifestName {
				_, _ = w.Write(manifestJSON)
			}
		}
		if zw.Close() != nil {
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			return
		}
		m, entries, err := readManifest(zr)
		if err != nil {
			return
		}
		for _, tb := range m.Tables {
			if entries["tables/"+tb.Name+".jsonl"] == nil {
				t.Fatalf("accepted table %q without its rows", tb.Name)
			}
		}
		for _, fe := range m.Files {
			if !fs.ValidPath(fe.Path) || entries["files/"+fe.Path] == nil {
				t.Fatalf("accepted file %q", fe.Path)
			}
		}
	})
}
