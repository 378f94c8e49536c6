package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"samen/internal/store"
)

// Login throttling slows down guessing without letting strangers lock the
// owner out, after OWASP's "Slow Down Online Guessing Attacks with Device
// Cookies". Failed logins are counted in the database (table
// login_failures), so that every samen process behind a load balancer
// enforces the same budgets:
//
//   - A browser that has logged in to an account before holds a device
//     cookie for it: the account's id, an issue time and a random nonce,
//     signed with a key kept in the database. Its failures count against
//     that cookie alone, and when it runs out of budget only that browser
//     waits.
//   - Every other client (a new browser, a script, a stranger) shares the
//     account's budget for untrusted clients. A stranger can use it up,
//     but that locks out only browsers the owner never logged in with.
//   - Every client without a device cookie for the account is also held to
//     a budget per address (per /64 for IPv6), against trying many
//     accounts from one place.
//
// A refused login names the budget that ran out (login.rate_limited,
// login.device_rate_limited, login.address_rate_limited), so that the page
// can say what helps: a password reset clears the account's budgets, not the
// address's.
const (
	failureWindow     = 15 * time.Minute
	maxAccountFailure = 5  // per account, shared by clients without a device cookie for it
	maxDeviceFailure  = 5  // per device cookie
	maxAddressFailure = 30 // per address, for clients without a device cookie

	// DeviceTTL is how long a device cookie is honoured after it was
	// issued; each login with the password issues a fresh one.
	DeviceTTL = 365 * 24 * time.Hour

	// maxDevices is how many accounts one browser keeps a device entry
	// for (a shared computer at home, say); the oldest entry goes first.
	maxDevices = 4
	// maxDeviceCookieLen bounds the cookie value that is read at all.
	maxDeviceCookieLen = 1024
)

// FailureWindow is how long a failed login counts against a budget: the
// longest a refused client waits.
const FailureWindow = failureWindow

func accountKey(email string) string { return "account:" + email }

func deviceKey(userID int64, nonce string) string {
	return "device:" + strconv.FormatInt(userID, 10) + ":" + nonce
}

// addressKey is the budget of an address. An IPv6 client usually holds a
// whole /64, so that is what counts as one address.
func addressKey(ip string) string {
	if ip == "" {
		return ""
	}
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap()
		if a.Is6() {
			p, _ := a.Prefix(64)
			return "address:" + p.String()
		}
		return "address:" + a.String()
	}
	return "address:" + ip
}

// clearThrottle forgets the failed logins counted against an account: those
// of clients without a device cookie, and those of each device cookie.
func clearThrottle(ctx context.Context, tx *store.Tx, userID int64, email string) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE key = ? OR key LIKE ?",
		accountKey(email), "device:"+strconv.FormatInt(userID, 10)+":%")
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// signingKey returns the key for one purpose, making it the first time. Two
// processes that both find none both insert one; the first insert wins and
// both read back the winner, on either engine.
func (s *Service) signingKey(ctx context.Context, purpose string) ([]byte, error) {
	read := func() (string, error) {
		var enc string
		err := s.DB.QueryRow(ctx, "SELECT secret FROM signing_keys WHERE purpose = ?", purpose).Scan(&enc)
		return enc, err
	}
	enc, err := read()
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if _, err := s.DB.Exec(ctx, "INSERT INTO signing_keys (purpose, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (purpose) DO NOTHING",
			purpose, base64.StdEncoding.EncodeToString(b), s.Now.Millis()); err != nil {
			return nil, err
		}
		enc, err = read()
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("the %s signing key in table signing_keys is damaged; delete its row and a new one is made (device cookies issued so far stop counting)", purpose)
	}
	return key, nil
}

// device is one entry of a device cookie: the account it was issued for,
// when, and its nonce, which names its failure budget.
type device struct {
	userID int64
	issued int64 // Unix seconds
	nonce  string
}

func (d device) payload() string {
	return strconv.FormatInt(d.userID, 10) + "." + strconv.FormatInt(d.issued, 10) + "." + d.nonce
}

func deviceMAC(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("samen device cookie\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// devices returns the entries of a device cookie value whose signature holds
// and that have not expired, newest first. Anything else in it is ignored:
// a damaged or forged cookie is the same as none.
func (s *Service) devices(key []byte, cookie string) []device {
	if cookie == "" || len(cookie) > maxDeviceCookieLen {
		return nil
	}
	now := s.Now.Time()
	var out []device
	for _, entry := range strings.Split(cookie, "~") {
		parts := strings.Split(entry, ".")
		if len(parts) != 4 {
			continue
		}
		payload := parts[0] + "." + parts[1] + "." + parts[2]
		if !hmac.Equal([]byte(parts[3]), []byte(deviceMAC(key, payload))) {
			continue
		}
		id, err1 := strconv.ParseInt(parts[0], 10, 64)
		issued, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 != nil || err2 != nil || id <= 0 || parts[2] == "" {
			continue
		}
		if now.Sub(time.Unix(issued, 0)) > DeviceTTL {
			continue
		}
		out = append(out, device{userID: id, issued: issued, nonce: parts[2]})
	}
	return out
}

// trustedDevice returns the device entry for an account in a cookie value,
// if the cookie holds a valid one.
func (s *Service) trustedDevice(ctx context.Context, cookie string, userID int64) (device, bool, error) {
	if cookie == "" || userID == 0 {
		return device{}, false, nil
	}
	key, err := s.signingKey(ctx, "device")
	if err != nil {
		return device{}, false, err
	}
	for _, d := range s.devices(key, cookie) {
		if d.userID == userID {
			return d, true, nil
		}
	}
	return device{}, false, nil
}

// IssueDevice returns the value of the device cookie for a browser that has
// just proved it belongs to an account's owner (a login, a password reset):
// a fresh signed entry for the account, followed by the browser's valid
// entries for other accounts from its old cookie value (prior), if any.
func (s *Service) IssueDevice(ctx context.Context, userID int64, prior string) (string, error) {
	if userID <= 0 {
		return "", errors.New("account: IssueDevice needs an account id")
	}
	key, err := s.signingKey(ctx, "device")
	if err != nil {
		return "", err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	fresh := device{userID: userID, issued: s.Now.Time().Unix(), nonce: base64.RawURLEncoding.EncodeToString(nonce)}
	entries := []string{fresh.payload() + "." + deviceMAC(key, fresh.payload())}
	for _, d := range s.devices(key, prior) {
		if d.userID == userID || len(entries) == maxDevices {
			continue
		}
		entries = append(entries, d.payload()+"."+deviceMAC(key, d.payload()))
	}
	return strings.Join(entries, "~"), nil
}
