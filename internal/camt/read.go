package camt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// nsPrefix starts the namespace of every ISO 20022 message.
const nsPrefix = "urn:iso:std:iso:20022:tech:xsd:"

// The camt.053 versions read: 02 (2009, what the Dutch guidelines
// describe) to 13 (2024). A version outside them may move an element this
// reader relies on; it is refused rather than half read.
const (
	minVersion = 2
	maxVersion = 13
)

// maxDepth is the deepest an element may nest (camt.053's deepest, a
// party's scheme code, is about 15 levels down).
const maxDepth = 40

// errCharset is what the decoder's CharsetReader answers: only UTF-8 is read.
var errCharset = errors.New("not UTF-8")

// Read reads a camt.053 statement file. Problems with the file are *Error;
// an error of r itself is returned as it is.
func Read(r io.Reader) (Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return Document{}, err
	}
	if int64(len(data)) > maxBytes {
		return Document{}, &Error{Code: "camt.file.too_large"}
	}
	// A byte order mark is how some Windows tools start UTF-8.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return Document{}, &Error{Code: "camt.file.empty"}
	}
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		// UTF-16, by its byte order mark.
		return Document{}, &Error{Code: "camt.file.encoding", Line: 1}
	}
	if trimmed[0] != '<' {
		return Document{}, &Error{Code: "camt.file.not_xml", Line: 1 + bytes.Count(data[:len(data)-len(trimmed)], []byte("\n"))}
	}
	// encoding/xml checks UTF-8 too, but as a syntax error among others;
	// checking first gives the reader the right advice.
	if !utf8.Valid(data) {
		return Document{}, &Error{Code: "camt.file.encoding", Line: 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))}
	}
	x := &decoder{d: xml.NewDecoder(bytes.NewReader(data))}
	x.d.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errCharset }
	doc, err := x.document()
	if err != nil {
		return Document{}, err
	}
	assignKeys(&doc)
	return doc, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// decoder reads the XML: the elements of the document's namespace, each
// statement's header and each entry as a small tree of nodes that keep
// their line, so that a statement of 100,000 entries is held one entry at
// a time.
type decoder struct {
	d     *xml.Decoder
	ns    string
	doc   *Document
	lines int // lines read so far, for the cap
}

// node is an element: its local name, the line its start tag ends on, its
// attributes, its text (when it has no children) and its children.
type node struct {
	name  string
	line  int
	attrs []xml.Attr
	text  string
	kids  []*node
}

func (x *decoder) line() int {
	l, _ := x.d.InputPos()
	return l
}

// fail turns an error of the XML decoder into an *Error.
func (x *decoder) fail(err error) error {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se):
		return &Error{Code: "camt.file.xml", Line: se.Line}
	case errors.Is(err, errCharset):
		return &Error{Code: "camt.file.encoding", Line: x.line()}
	}
	// io.EOF inside the root element, or what the decoder reports without
	// a SyntaxError ("unsupported version" of XML).
	return &Error{Code: "camt.file.xml", Line: x.line()}
}

// token returns the next token of interest: start and end elements and
// text. A DOCTYPE is refused; comments and processing instructions are
// passed over.
func (x *decoder) token() (xml.Token, error) {
	for {
		tok, err := x.d.Token()
		if err != nil {
			return nil, x.fail(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &Error{Code: "camt.file.doctype", Line: x.line()}
		case xml.StartElement, xml.EndElement, xml.CharData:
			return t, nil
		}
	}
}

// element reads the element start opened, with everything inside it.
func (x *decoder) element(start xml.StartElement, depth int) (*node, error) {
	n := &node{name: start.Name.Local, line: x.line(), attrs: start.Attr}
	// text is the element's text; more collects it when it comes in
	// pieces (around comments), so that a million pieces cost no more
	// than one.
	var text string
	var more []byte
	for {
		tok, err := x.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			skip, err := x.child(t, depth)
			if err != nil {
				return nil, err
			}
			if skip {
				continue
			}
			kid, err := x.element(t, depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		case xml.EndElement:
			if more != nil {
				text = string(more)
			}
			if len(n.kids) > 0 && text != "" {
				return nil, &Error{Code: "camt.file.structure", Line: n.line}
			}
			if len(n.kids) == 0 {
				n.text = text
			}
			return n, nil
		case xml.CharData:
			// White space before any text is dropped unread (the
			// indentation between elements; text is trimmed anyway).
			switch {
			case more != nil:
				more = append(more, t...)
			case text != "":
				more = append([]byte(text), t...)
			case len(bytes.TrimSpace(t)) > 0:
				text = string(t)
			}
		}
	}
}

// child checks an element found inside another: it must be in the
// document's namespace and not nest too deep. SplmtryData, where a bank
// may put any XML of its own, is skipped (skip is true): nothing samen
// reads is there.
func (x *decoder) child(t xml.StartElement, depth int) (skip bool, err error) {
	if t.Name.Space != x.ns || depth >= maxDepth {
		return false, &Error{Code: "camt.file.structure", Line: x.line()}
	}
	if t.Name.Local == "SplmtryData" {
		if err := x.d.Skip(); err != nil {
			return false, x.fail(err)
		}
		return true, nil
	}
	return false, nil
}

// document reads the whole file.
func (x *decoder) document() (Document, error) {
	var doc Document
	x.doc = &doc
	var root xml.StartElement
	for {
		tok, err := x.token()
		if err != nil {
			return doc, err
		}
		if t, ok := tok.(xml.StartElement); ok {
			root = t
			break
		}
		if t, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(t)) > 0 {
			return doc, &Error{Code: "camt.file.xml", Line: x.line()}
		}
	}
	v, code := version(root.Name.Space)
	if code != "" {
		return doc, &Error{Code: code, Line: x.line()}
	}
	if root.Name.Local != "Document" {
		return doc, &Error{Code: "camt.file.structure", Line: x.line()}
	}
	doc.Version, x.ns = v, root.Name.Space
	found := false
	for done := false; !done; {
		tok, err := x.token()
		if err != nil {
			return doc, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != x.ns || t.Name.Local != "BkToCstmrStmt" || found {
				return doc, &Error{Code: "camt.file.structure", Line: x.line()}
			}
			found = true
			if err := x.message(); err != nil {
				return doc, err
			}
		case xml.EndElement:
			done = true
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return doc, &Error{Code: "camt.file.structure", Line: x.line()}
			}
		}
	}
	if !found {
		return doc, &Error{Code: "camt.statement.missing", Line: x.line()}
	}
	// After the root only comments, processing instructions and white
	// space; a second root would be a second document.
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			return doc, nil
		}
		if err != nil {
			return doc, x.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return doc, &Error{Code: "camt.file.structure", Line: x.line()}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return doc, &Error{Code: "camt.file.structure", Line: x.line()}
			}
		case xml.Directive:
			return doc, &Error{Code: "camt.file.doctype", Line: x.line()}
		}
	}
}

// version reads the message and version from the root's namespace: the
// version of camt.053, or the code that says why the file is not one.
func version(ns string) (int, string) {
	msg, ok := strings.CutPrefix(ns, nsPrefix)
	if !ok {
		return 0, "camt.file.namespace"
	}
	if v, ok := strings.CutPrefix(msg, "camt.053.001."); ok {
		n, err := strconv.Atoi(v)
		if len(v) != 2 || err != nil || n < minVersion || n > maxVersion {
			return 0, "camt.file.version"
		}
		return n, ""
	}
	if strings.HasPrefix(msg, "camt.052.") || strings.HasPrefix(msg, "camt.054.") {
		return 0, "camt.file.report"
	}
	return 0, "camt.file.namespace"
}

// message reads BkToCstmrStmt: the group header and the statements.
func (x *decoder) message() error {
	var header *node
	line := x.line()
	for {
		tok, err := x.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			skip, err := x.child(t, 2)
			if err != nil {
				return err
			}
			switch {
			case skip:
			case t.Name.Local == "GrpHdr":
				if header != nil {
					return &Error{Code: "camt.file.repeated", Line: x.line()}
				}
				if header, err = x.element(t, 3); err != nil {
					return err
				}
			case t.Name.Local == "Stmt":
				if len(x.doc.Statements) == maxStatements {
					return &Error{Code: "camt.file.too_large", Line: x.line()}
				}
				if err := x.statement(); err != nil {
					return err
				}
			default:
				return &Error{Code: "camt.file.structure", Line: x.line()}
			}
		case xml.EndElement:
			if len(x.doc.Statements) == 0 {
				return &Error{Code: "camt.statement.missing", Line: x.line()}
			}
			return x.groupHeader(header, line)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return &Error{Code: "camt.file.structure", Line: x.line()}
			}
		}
	}
}

// groupHeader reads GrpHdr: the message's id and when it was made, both
// required.
func (x *decoder) groupHeader(h *node, line int) error {
	p := &interp{}
	if h == nil {
		return &Error{Code: "camt.header.message_id", Line: line}
	}
	id, idLine := p.text(h, "MsgId")
	created, createdLine := p.text(h, "CreDtTm")
	if p.err != nil {
		return p.err
	}
	if !max35(id) {
		return &Error{Code: "camt.header.message_id", Line: or(idLine, h.line)}
	}
	t, _, ok := parseDateTime(created)
	if !ok {
		return &Error{Code: "camt.header.created", Line: or(createdLine, h.line)}
	}
	x.doc.MessageID, x.doc.Created = id, t
	return nil
}

// statement reads one Stmt: its header elements come before its entries
// (the order of the schema), so the header is read when the first entry
// arrives, and each entry is read as soon as it is complete.
func (x *decoder) statement() error {
	sr := &stmtReader{x: x, st: Statement{Number: len(x.doc.Statements) + 1, Line: x.line()}}
	for {
		tok, err := x.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			skip, err := x.child(t, 3)
			if err != nil {
				return err
			}
			if skip {
				continue
			}
			n, err := x.element(t, 4)
			if err != nil {
				return err
			}
			switch {
			case n.name == "Ntry":
				if err := sr.entry(n); err != nil {
					return err
				}
			case n.name == "AddtlStmtInf":
				// After the entries, free text; not read.
			case sr.ready:
				// A header element after the first entry.
				return &Error{Code: "camt.file.structure", Statement: sr.st.Number, Line: n.line}
			default:
				sr.header = append(sr.header, n)
			}
		case xml.EndElement:
			return sr.finish()
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return &Error{Code: "camt.file.structure", Statement: sr.st.Number, Line: x.line()}
			}
		}
	}
}

func or(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
