package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
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
}

// buffer returns a reusable buffer, empty.
func (v *Verifier) buffer() *[]byte {
	if bp, ok := v.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 1024)
	return &b
}

// signatureMatches reports whether the request's signature is the hex
// HMAC-SHA256 of sts under key (lower-case hex, as S3 compares it), in
// constant time.
func (a *Auth) signatureMatches(key, sts []byte) bool {
	m := hmac.New(sha256.New, key)
	m.Write(sts)
	var sum [sha256.Size]byte
	var want, got [2 * sha256.Size]byte
	hex.Encode(want[:], m.Sum(sum[:0]))
	if len(a.Signature) != len(got) {
		return false
	}
	copy(got[:], a.Signature)
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// maxPooledBuf is the largest buffer a Verifier keeps.
const maxPooledBuf = 64 << 10

// appendCanonicalQuery appends canonicalQuery(raw, presigned).
func appendCanonicalQuery(dst []byte, raw string, presigned bool) ([]byte, error) {
	if raw == "" {
		return dst, nil
	}
	q, err := canonicalQuery(raw, presigned)
	if err != nil {
		return nil, err
	}
	return append(dst, q...), nil
}

// appendHeaderValue appends headerValue(r, name) and reports whether the
// header is present; values already in canonical form (no runs of
// spaces, none at the ends) are neither copied nor changed.
func appendHeaderValue(dst []byte, r *http.Request, name string) ([]byte, bool) {
	switch name {
	case "host":
		return append(dst, r.Host...), r.Host != ""
	case "content-length", "transfer-encoding":
		v, ok := headerValue(r, name)
		return append(dst, v...), ok
	}
	vals := headerValues(r.Header, name)
	if len(vals) == 0 {
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
	prevSpace := true // no space at the start
	for i := range len(v) {
		c := v[i]
		if c >= utf8.RuneSelf {
			return false // unicode.IsSpace has non-ASCII spaces: take the slow path
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		if space && (prevSpace || c != ' ') {
			return false
		}
		prevSpace = space
	}
	return !prevSpace || v == ""
}
