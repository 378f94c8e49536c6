package camt

import (
	"io"
	"strings"
)

// samen's payment references: "SAMEN-" and eight symbols of Crockford's
// base 32 (digits and letters without I, L, O and U), in two groups of
// four: SAMEN-7KQ2-M40X. The first six symbols are random (30 bits); the
// last two are a check, the value c in 0…1020 that makes the eight
// symbols, read as one number in base 32, leave 1 when divided by the
// prime 1021 (as ISO 7064 does with 97 for IBANs). Because 1021 is prime
// and larger than 31, every change of one symbol and every swap of two
// neighbours changes that remainder: a mistyped reference is never taken
// for another one. A string that is no reference passes the check once in
// about 1024.
//
// People type the reference into their bank app's description field, and
// apps and people change it on the way: lowercase, a space or nothing
// instead of a hyphen, O for 0, I or L for 1 (Crockford's look-alikes).
// All of that is read. The reference must start a word ("SAMEN" with no
// letter or digit before it) and end one; inside it, a hyphen, space,
// underscore or full stop may follow SAMEN and the fourth symbol, nothing
// else.
//
// Text a person writes rarely holds "samen" followed by eight of these
// symbols, but Dutch can ("samen bijdrage", "samen voor wijk"); with one
// chance in 1024 such a phrase would pass the check. So every reference
// samen makes holds at least two digits, and a match must hold at least
// one digit as typed: words never match, and a reference with one digit
// mistyped as a letter still does.

// crockford is the alphabet, each symbol at its value.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const (
	refPrefix  = "SAMEN"
	refRandom  = 6    // random symbols
	refSymbols = 8    // with the two check symbols
	refPrime   = 1021 // the check's modulus
)

// symbolValue is the value of a character read as a Crockford symbol,
// lowercase and look-alikes included; -1 when it is none.
func symbolValue(c byte) int {
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	switch c {
	case 'O':
		return 0
	case 'I', 'L':
		return 1
	}
	return strings.IndexByte(crockford, c)
}

// checkValue is the check c for the random part r: (r·1024 + c) mod 1021
// is 1.
func checkValue(r uint64) uint64 {
	return (1 + refPrime - r%refPrime*1024%refPrime) % refPrime
}

// NewReference makes a new payment reference from rand (crypto/rand.Reader
// in samen, which never fails; NewReference panics if rand does). It is
// random, not unique: whoever stores it must check that it is not in use
// (there are some 800 million: 2³⁰ codes, of which three in four hold two
// digits).
func NewReference(rand io.Reader) string {
	for range 1000 {
		var b [refRandom]byte
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			panic("camt: reading random bytes: " + err.Error())
		}
		var r uint64
		for _, c := range b {
			r = r<<5 | uint64(c&31) // 256 is a multiple of 32: each symbol is uniform
		}
		ref := formatReference(r<<10 | checkValue(r))
		if countDigits(ref) >= 2 {
			return ref
		}
	}
	// Three in four tries succeed; a thousand failures is no randomness.
	panic("camt: the random source gives no digits")
}

// formatReference writes the 40-bit value of a reference's symbols.
func formatReference(v uint64) string {
	var b strings.Builder
	b.WriteString(refPrefix)
	for i := refSymbols - 1; i >= 0; i-- {
		if i%4 == 3 {
			b.WriteByte('-')
		}
		b.WriteByte(crockford[v>>(5*i)&31])
	}
	return b.String()
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// ValidReference reports whether s, as a whole (spaces around it aside), is
// a samen reference in any of the forms the search accepts.
func ValidReference(s string) bool {
	s = strings.TrimSpace(s)
	_, end, ok := samenAt(s, 0)
	return ok && end == len(s)
}

// Reference finds the payment reference in text a bank customer typed: a
// samen reference (SAMEN-XXXX-XXXX) or an ISO 11649 creditor reference
// (RF and two check digits, as "RF18 5390 0754 7034"), returned in its
// canonical form (uppercase; samen's with its hyphens, RF without spaces).
// ok is false when there is none, or more than one different one (the
// payer meant more than one thing: a person decides).
func Reference(text string) (string, bool) {
	refs := References(text)
	if len(refs) != 1 {
		return "", false
	}
	return refs[0], true
}

// References returns every different payment reference in text, in the
// order they first appear.
func References(text string) []string {
	var refs []string
	seen := map[string]bool{}
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	// After a reference the search goes on behind it: its own symbols
	// could otherwise start another ("SAMEN RF34 5678" is no RF reference).
	for i := 0; i < len(text); {
		if i == 0 || !wordByte(text[i-1]) {
			if ref, end, ok := samenAt(text, i); ok {
				add(ref)
				i = end
				continue
			}
			if ref, end, ok := rfAt(text, i); ok {
				add(ref)
				i = end
				continue
			}
		}
		i++
	}
	return refs
}

// wordByte reports whether c can be part of a word: a letter or digit, or
// a byte of a non-ASCII character (é is a letter too).
func wordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func separator(c byte) bool { return c == '-' || c == ' ' || c == '_' || c == '.' }

// samenAt reads a samen reference starting at text[i]: its canonical form
// and where it ends.
func samenAt(text string, i int) (ref string, end int, ok bool) {
	if len(text)-i < len(refPrefix)+refSymbols || !strings.EqualFold(text[i:i+len(refPrefix)], refPrefix) {
		return "", 0, false
	}
	j := i + len(refPrefix)
	var v uint64
	typedDigits := 0
	for n := 0; n < refSymbols; n++ {
		if n%4 == 0 && j < len(text) && separator(text[j]) {
			j++
		}
		if j == len(text) {
			return "", 0, false
		}
		s := symbolValue(text[j])
		if s < 0 {
			return "", 0, false
		}
		if text[j] >= '0' && text[j] <= '9' {
			typedDigits++
		}
		v = v<<5 | uint64(s)
		j++
	}
	if j < len(text) && wordByte(text[j]) || typedDigits == 0 || !checkReference(v) {
		return "", 0, false
	}
	return formatReference(v), j, true
}

// checkReference checks the 40-bit value of a reference's symbols.
func checkReference(v uint64) bool {
	c := v & 1023
	return c < refPrime && c == checkValue(v>>10)
}

// rfAt reads an ISO 11649 creditor reference starting at text[i]: "RF",
// two check digits and 1 to 21 letters and digits, written in one piece
// or, as on paper, in groups of four separated by single spaces. A word
// of one to four letters after the reference reads like its last group;
// when more than one reading passes the check (one time in 97), which one
// the payer meant cannot be known, and none is taken.
func rfAt(text string, i int) (ref string, end int, ok bool) {
	if len(text)-i < 5 || !strings.EqualFold(text[i:i+2], "RF") || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
		return "", 0, false
	}
	end = i
	for end < len(text) && wordByte(text[end]) {
		end++
	}
	pieces := []string{text[i:end]}
	ends := []int{end}
	if end-i == 4 {
		// Groups of four: each further group of one to four symbols after
		// one space, the last perhaps shorter.
		// At most 25 characters in all: the search stays linear.
		for j, total := end, 4; total < 25 && j+1 < len(text) && text[j] == ' ' && wordByte(text[j+1]); {
			k := j + 1
			for k < len(text) && wordByte(text[k]) {
				k++
			}
			if k-j-1 > 4 {
				break
			}
			pieces = append(pieces, text[j+1:k])
			ends = append(ends, k)
			total += k - j - 1
			if k-j-1 < 4 {
				break
			}
			j = k
		}
	}
	found := 0
	for n := range pieces {
		if r := strings.ToUpper(strings.Join(pieces[:n+1], "")); validRF(r) {
			ref, end = r, ends[n]
			found++
		}
	}
	if found != 1 {
		return "", 0, false
	}
	return ref, end, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validRF reports whether s is an ISO 11649 creditor reference: RF, two
// check digits from 02 to 98, 1 to 21 letters and digits, and the MOD
// 97-10 check of IBANs.
func validRF(s string) bool {
	if len(s) < 5 || len(s) > 25 || s[:2] != "RF" || !digits(s[2:4], 2) || s[2:4] < "02" || s[2:4] > "98" {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !alnum(s[i]) {
			return false
		}
	}
	return mod97(s[4:]+s[:4]) == 1
}
