package camt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strconv"
)

// Keys: an import books each line once, under its Key (the ledger's ref is
// unique), so the key must be the same whenever the same transfer is read
// again, from the same file or from another export that holds it, and
// differ between two transfers, however alike.
//
// Where the bank gives its own reference, the key is made from it
// (KeySource "bank"): SHA-256 over the account's IBAN, the status, the
// booking date, the direction, the amount, the entry's AcctSvcrRef and the
// transaction's AcctSvcrRef, or, when the transaction has none, its place
// within the entry. The Dutch guidelines make Ntry/AcctSvcrRef the bank's
// unique reference of the entry; the date, direction and amount are in the
// key as well so that a bank whose references only count within a day
// (some restart at 1) still gives different keys. The bank keeps a
// booked entry's reference, date and amount whichever export shows it, so
// these keys hold across re-issued statements, copies (CpyDplctInd DUPL),
// pages of a statement and overlapping downloads. Two lines of one file
// that would share a bank key prove the references are not unique after
// all; those lines get content keys instead.
//
// Without a bank reference the key is made from the content (KeySource
// "content"): SHA-256 over the account's IBAN, the status, the booking
// date, the direction, the amount, the reversal indicator, the
// EndToEndId, the structured and the unstructured remittance, the
// counterparty's account, the AcctSvcrRefs and MndtId there are (when a
// bank key was not unique), and n, the line's place among the lines of the
// file with all of these the same: the first such line has n = 1, an
// identical second transfer n = 2. Names and the
// bank's own text (AddtlNtryInf) are left out: banks write them
// differently from one export to the next.
//
// Why n counts equal lines rather than the line's position in its
// statement (with the statement's Id or ElctrncSeqNb): a position changes
// when the bank re-issues a statement under a new Id, splits it into pages,
// or when a person downloads an overlapping period (March, then March and
// April): every line would get a new key and be booked twice. Counting
// equal lines only depends on the equal lines themselves, which every
// export of the same booking days holds alike.
//
// The limit, honestly: content keys assume that each export holds whole
// booking days. Two identical transfers on the same day (same payer
// account, amount, text, no EndToEndId) of which one file holds the first
// and another file only the second both get n = 1: the second is taken for
// the first and not booked. That needs an export cut in the middle of a
// day between two identical transfers, and a bank that gives no
// references; an importer should therefore show the lines it skipped as
// booked before, so that a person can tell. The opposite error, a
// transfer booked twice, needs the bank to change a booked transfer's
// content (its amount, date, text or accounts) between two exports, or,
// for bank keys, its own reference (a bank moving to new systems might):
// keys cannot know that two different-looking lines are one transfer. A
// pending line (PDNG) keys apart from the booked line it becomes, because
// the status is in the key: importing only booked lines never collides
// with one imported before as pending.

// keyVersion is in every key's hash, so that a future way of making keys
// can never give a key this one gave to another line.
const keyVersion = "samen/camt/key/1"

// assignKeys gives every line of the document its key.
func assignKeys(doc *Document) {
	bank := make([][]string, len(doc.Statements))
	byKey := map[string]int{}
	for s, st := range doc.Statements {
		bank[s] = make([]string, len(st.Lines))
		for i, l := range st.Lines {
			if k, ok := bankKey(l); ok {
				bank[s][i] = k
				byKey[k]++
			}
		}
	}
	count := map[string]int{}
	for s := range doc.Statements {
		for i := range doc.Statements[s].Lines {
			l := &doc.Statements[s].Lines[i]
			if k := bank[s][i]; k != "" && byKey[k] == 1 {
				l.Key, l.KeySource = k, "bank"
				continue
			}
			fp := fingerprint(*l)
			count[fp]++
			h := newKeyHash("content")
			h.add(fp)
			h.add(strconv.Itoa(count[fp]))
			l.Key, l.KeySource = h.sum(), "content"
		}
	}
}

// bankKey is the key made from the bank's references; ok is false when the
// line has none.
func bankKey(l Line) (string, bool) {
	if l.Refs.Entry == "" && l.Refs.Tx == "" {
		return "", false
	}
	h := newKeyHash("bank")
	h.add(l.Account)
	h.add(l.Status)
	h.add(l.BookingDate)
	h.add(direction(l))
	h.add(strconv.FormatInt(l.Cents, 10))
	h.add(l.Refs.Entry)
	h.add(l.Refs.Tx)
	if l.Refs.Tx == "" {
		h.add(strconv.Itoa(l.Tx))
	}
	return h.sum(), true
}

// fingerprint is the hash of what makes a line the transfer it is.
func fingerprint(l Line) string {
	h := newKeyHash("fingerprint")
	h.add(l.Account)
	h.add(l.Status)
	h.add(l.BookingDate)
	h.add(direction(l))
	h.add(strconv.FormatInt(l.Cents, 10))
	h.add(strconv.FormatBool(l.Reversal))
	h.add(l.Refs.EndToEnd)
	h.add(l.CreditorRef)
	h.add(l.Remittance)
	h.add(l.Counterparty.IBAN)
	h.add(l.Counterparty.Account)
	h.add(l.Refs.Entry)
	h.add(l.Refs.Tx)
	h.add(l.Refs.Mandate)
	return h.sum()
}

func direction(l Line) string {
	if l.Credit {
		return "CRDT"
	}
	return "DBIT"
}

// keyHash hashes fields each preceded by its length, so that no two lists
// of fields hash the same bytes ("ab","c" against "a","bc").
type keyHash struct{ h hash.Hash }

func newKeyHash(kind string) keyHash {
	h := keyHash{sha256.New()}
	h.add(keyVersion)
	h.add(kind)
	return h
}

func (h keyHash) add(s string) {
	var n [binary.MaxVarintLen64]byte
	h.h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	h.h.Write([]byte(s))
}

func (h keyHash) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }
