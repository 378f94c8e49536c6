package mollie

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is Mollie's amount object: an ISO 4217 currency code and the
// exact value as a string with the currency's number of decimals, e.g.
// {"currency":"EUR","value":"10.00"}. Mollie takes no numbers here ("Make
// sure to send the right amount of decimals … Non-string values are not
// accepted", docs.mollie.com/reference/v2/payments-api/create-payment,
// parameter amount.value), which is what lets samen keep money in integer
// cents end to end: the string is built from cents and read back into
// cents, never through a float.
type Amount struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

// zeroDecimal lists the currencies Mollie counts in whole units
// (docs.mollie.com/payments/multicurrency, "Decimal places" 0). samen
// counts cents, so it refuses them rather than guess at a conversion.
var zeroDecimal = map[string]bool{"ISK": true, "JPY": true}

// checkCurrency accepts an ISO 4217 code of a currency with two decimals.
func checkCurrency(c string) error {
	if len(c) != 3 || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return fmt.Errorf("mollie: currency %q is not an ISO 4217 code", c)
	}
	if zeroDecimal[c] {
		return fmt.Errorf("mollie: currency %s has no cents", c)
	}
	return nil
}

// NewAmount is cents of currency as Mollie's amount object. It refuses a
// negative amount: samen never asks Mollie for one (a refund is its own
// call with a positive amount).
func NewAmount(currency string, cents int64) (Amount, error) {
	if err := checkCurrency(currency); err != nil {
		return Amount{}, err
	}
	v, err := FormatCents(cents)
	if err != nil {
		return Amount{}, err
	}
	return Amount{Currency: currency, Value: v}, nil
}

// Cents is the amount in cents. It refuses a value that is not exactly
// digits, a point and two digits, so that nothing is rounded silently.
func (a Amount) Cents() (int64, error) {
	if err := checkCurrency(a.Currency); err != nil {
		return 0, err
	}
	return ParseCents(a.Value)
}

var errNegative = errors.New("mollie: a negative amount")

// FormatCents writes cents as Mollie's value string: 1 → "0.01",
// 1000 → "10.00", 123456789 → "1234567.89". No thousands separator, as
// Mollie asks.
func FormatCents(cents int64) (string, error) {
	if cents < 0 {
		return "", errNegative
	}
	return strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(100+cents%100, 10)[1:], nil
}

// ParseCents reads Mollie's value string back into cents: one or more
// digits without a needless leading zero, a point, exactly two digits. A
// sign, a comma, a thousands separator, one or three decimals, or a value
// past int64 are errors, never roundings.
func ParseCents(value string) (int64, error) {
	whole, frac, ok := strings.Cut(value, ".")
	if !ok || len(frac) != 2 || !digits(whole) || !digits(frac) || (len(whole) > 1 && whole[0] == '0') {
		return 0, fmt.Errorf("mollie: amount value %q is not of the form 10.00", value)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (math.MaxInt64-f)/100 {
		return 0, fmt.Errorf("mollie: amount value %q is too large", value)
	}
	return w*100 + f, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
