package emulator

import (
	"crypto/rand"
	"encoding/base64"
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

// putRequestID writes a random request ID into dst.
func putRequestID(dst *[16]byte) {
	var b [8]byte
	rand.Read(b[:])
	const hex = "0123456789ABCDEF"
	for i, c := range b {
		dst[2*i], dst[2*i+1] = hex[c>>4], hex[c&0xf]
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
