package s3api

import (
	"encoding/base64"
	"mime"
	"strings"
	"unicode/utf8"
)

// S3 keeps user metadata values as Unicode text: a value sent with RFC
// 2047 encoded-words (=?UTF-8?B?...?=) is decoded before it is stored, a
// raw non-ASCII byte is taken as the ISO-8859-1 character it names (as S3
// reads HTTP header bytes), and a value that is not all US-ASCII is sent
// back RFC 2047-encoded (one B-encoded word of its UTF-8, as S3 writes it), so that it survives as
// an HTTP header; an ASCII value goes back as is.

// decodeMetaValue is the text S3 stores for a received x-amz-meta-* value.
func decodeMetaValue(v string) string {
	if strings.Contains(v, "=?") {
		var dec mime.WordDecoder
		if s, err := dec.DecodeHeader(v); err == nil {
			return s
		}
	}
	if isASCII(v) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) * 2)
	for i := 0; i < len(v); i++ {
		b.WriteRune(rune(v[i])) // ISO-8859-1: each byte is the code point
	}
	return b.String()
}

// encodeMetaValue is the header value S3 sends for a stored metadata value.
func encodeMetaValue(v string) string {
	if isASCII(v) {
		return v
	}
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

// isASCII reports whether s is all US-ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
