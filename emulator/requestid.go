package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// newRequestID returns an S3-shaped request ID: 16 upper-case hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	const hex = "0123456789ABCDEF"
	var out [16]byte
	for i, c := range b {
		out[2*i], out[2*i+1] = hex[c>>4], hex[c&0xf]
	}
	return string(out[:])
}

// hostID derives the x-amz-id-2 value for a request ID.
func hostID(reqID string) string {
	if len(reqID) != 16 {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(reqID, 3)))
	}
	var src [48]byte // a request ID three times, encoded without a heap buffer
	for i := range 3 {
		copy(src[16*i:], reqID)
	}
	var dst [64]byte
	base64.StdEncoding.Encode(dst[:], src[:])
	return string(dst[:])
}
