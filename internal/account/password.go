package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's first recommended set (19 MiB, 2 passes, one
// lane). It costs a few tens of milliseconds on a small server; hashSlots
// caps how many run at once so a burst of logins cannot exhaust memory.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// HashPassword returns an argon2id hash in the PHC string format, which
// records its parameters so they can be raised later without breaking old
// hashes.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	hashSlots <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSlots
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the hash, in constant time.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	var mem uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false, fmt.Errorf("argon2 parameters: %w", err)
	}
	// Refuse absurd parameters so a tampered row cannot make a login
	// allocate gigabytes.
	if mem == 0 || mem > 256*1024 || t == 0 || t > 20 || p == 0 {
		return false, errors.New("argon2 parameters out of range")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	// A short key would match many passwords: with one byte, one in 256.
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 128 {
		return false, errors.New("argon2 key malformed")
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is compared against when no account exists, so that a login for
// an unknown address takes as long as one for a known address.
// It is made on first use so that commands which never log anyone in do not
// pay for it at start.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("samen-timing-equaliser")
	if err != nil {
		panic(err)
	}
	return h
})
