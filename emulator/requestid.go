package emulator

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
)

// newRequestID returns an S3-shaped request ID: 16 upper-case hex digits.
func newRequestID() string {
	id, _ := newRequestIDs()
	return id
}

// newRequestIDs returns a new request ID and its x-amz-id-2 (hostID), both
// cut from one string: one allocation per request instead of two.
func newRequestIDs() (reqID, hid string) {
	var buf [16 + 64]byte
	putRequestID((*[16]byte)(buf[:16]))
	putHostID((*[64]byte)(buf[16:]), buf[:16])
	s := string(buf[:])
	return s[:16], s[16:]
}

// putRequestID writes a random request ID into dst. Request IDs need to
// be unique, not secret: 64 bits of math/rand/v2's runtime-seeded
// generator, without the system call crypto/rand may make.
func putRequestID(dst *[16]byte) {
	const hex = "0123456789ABCDEF"
	v := rand.Uint64()
	for i := 15; i >= 0; i-- {
		dst[i] = hex[v&0xf]
		v >>= 4
	}
}

// putHostID writes the x-amz-id-2 of a 16-byte request ID into dst.
func putHostID(dst *[64]byte, reqID []byte) {
	var src [48]byte // a request ID three times, encoded without a heap buffer
	for i := range 3 {
		copy(src[16*i:], reqID)
	}
	base64.StdEncoding.Encode(dst[:], src[:])
}

// hostID derives the x-amz-id-2 value for a request ID.
func hostID(reqID string) string {
	if len(reqID) != 16 {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(reqID, 3)))
	}
	var dst [64]byte
	putHostID(&dst, []byte(reqID))
	return string(dst[:])
}
