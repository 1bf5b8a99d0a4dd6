package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Verifier checks header and presigned signatures, building each
// request's canonical request and string to sign in a buffer it reuses
// (a few hundred bytes a request). The zero value is ready to use; a
// Verifier is safe for concurrent use and must not be copied.
type Verifier struct {
	bufs sync.Pool // of *[]byte

	// macs holds, per signing key, a pool of HMAC-SHA256 states keyed
	// with it (hmac.New allocates half a dozen objects and hashes the
	// padded key twice; a pooled one, reset, does neither). Keyed by the
	// key itself, an entry cannot answer for another key.
	macMu sync.RWMutex
	macs  map[[sha256.Size]byte]*sync.Pool // of hash.Hash
}

// buffer returns a reusable buffer, empty.
func (v *Verifier) buffer() *[]byte {
	if bp, ok := v.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 1024)
	return &b
}

// maxMACKeys bounds v.macs: signing keys change daily per access key and
// scope; beyond this many the map starts over.
const maxMACKeys = 1024

// macState is an HMAC-SHA256 keyed with one signing key, and room for
// its sum (a sum written to the stack through the hash.Hash interface
// would escape).
type macState struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

func newMACState(key []byte) *macState {
	m := &macState{h: hmac.New(sha256.New, key)}
	// The first Reset saves the keyed inner and outer states, which later
	// ones restore instead of hashing the padded key again.
	m.h.Reset()
	return m
}

// mac returns an HMAC-SHA256 state keyed with key, reset, and the pool to
// put it back in (nil when it is not to be pooled: a key of another
// length than a derived signing key's, or pool false).
func (v *Verifier) mac(key []byte, pool bool) (*macState, *sync.Pool) {
	if !pool || len(key) != sha256.Size {
		return newMACState(key), nil
	}
	k := [sha256.Size]byte(key)
	v.macMu.RLock()
	p := v.macs[k]
	v.macMu.RUnlock()
	if p == nil {
		v.macMu.Lock()
		if p = v.macs[k]; p == nil {
			if v.macs == nil || len(v.macs) >= maxMACKeys {
				v.macs = map[[sha256.Size]byte]*sync.Pool{}
			}
			p = &sync.Pool{}
			v.macs[k] = p
		}
		v.macMu.Unlock()
	}
	if m, ok := p.Get().(*macState); ok {
		m.h.Reset()
		return m, p
	}
	return newMACState(key), p
}

// signatureMatches reports whether the request's signature is the hex
// HMAC-SHA256 of sts under key (lower-case hex, as S3 compares it), in
// constant time; pool says whether to keep the key's HMAC state in v.
func (v *Verifier) signatureMatches(a *Auth, key, sts []byte, pool bool) bool {
	m, p := v.mac(key, pool)
	m.h.Write(sts)
	var want, got [2 * sha256.Size]byte
	hex.Encode(want[:], m.h.Sum(m.sum[:0]))
	if p != nil {
		p.Put(m)
	}
	if len(a.Signature) != len(got) {
		return false
	}
	copy(got[:], a.Signature)
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// maxPooledBuf is the largest buffer a Verifier keeps.
const maxPooledBuf = 64 << 10

// appendHeaderValue appends headerValue(r, name) and reports whether the
// header is present; values already in canonical form (no runs of
// spaces, none at the ends) are neither copied nor changed.
func appendHeaderValue(dst []byte, r *http.Request, name string) ([]byte, bool) {
	switch name {
	case "host":
		return append(dst, r.Host...), r.Host != ""
	case "transfer-encoding":
		v, ok := headerValue(r, name)
		return append(dst, v...), ok
	}
	vals := headerValues(r.Header, name)
	if len(vals) == 0 {
		if name == "content-length" && r.ContentLength >= 0 && r.Method != http.MethodGet && r.Method != http.MethodHead {
			// as headerValue does: the length net/http took out of the header
			return strconv.AppendInt(dst, r.ContentLength, 10), true
		}
		return dst, false
	}
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		if !spacesCanonical(v) {
			v = strings.Join(strings.Fields(v), " ")
			vals[i] = v // as headerValue does
		}
		dst = append(dst, v...)
	}
	return dst, true
}

// spacesCanonical reports whether strings.Join(strings.Fields(v), " ")
// would be v itself.
func spacesCanonical(v string) bool {
	for i := range len(v) {
		c := v[i]
		if ' ' < c && c < utf8.RuneSelf {
			continue // the common case: one test a byte
		}
		switch c {
		case ' ':
			// a single space between words only
			if i == 0 || i == len(v)-1 || v[i-1] == ' ' {
				return false
			}
		case '\t', '\n', '\v', '\f', '\r':
			return false
		default:
			if c >= utf8.RuneSelf {
				return false // unicode.IsSpace has non-ASCII spaces: take the slow path
			}
		}
	}
	return true
}
