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
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(reqID, 3)))
}
