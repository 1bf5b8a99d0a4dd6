package sigv4

import (
	"bytes"
	"slices"
	"strings"
)

// maxFastQueryParams is the most query parameters appendCanonicalQuery
// sorts in place; longer queries go through canonicalQuery (url.ParseQuery
// and its limits, GODEBUG urlmaxqueryparams among them).
const maxFastQueryParams = 32

// span is a [lo, hi) range of a buffer.
type span struct{ lo, hi int }

// appendCanonicalQuery appends canonicalQuery(raw, presigned) to dst
// without a map or a string per parameter: each "key=value" is decoded
// and re-encoded (uriEncode's form) after dst's end, the pairs are sorted
// as byte ranges there, joined, and moved back to where dst ended. It
// fails exactly when url.ParseQuery does (a ';', a bad %-escape).
func appendCanonicalQuery(dst []byte, raw string, presigned bool) ([]byte, error) {
	if raw == "" {
		return dst, nil
	}
	if strings.Count(raw, "&") >= maxFastQueryParams {
		q, err := canonicalQuery(raw, presigned)
		if err != nil {
			return nil, err
		}
		return append(dst, q...), nil
	}
	start := len(dst)
	var spansBuf [maxFastQueryParams]span
	pairs := spansBuf[:0]
	for seg := range strings.SplitSeq(raw, "&") {
		if strings.IndexByte(seg, ';') >= 0 {
			return nil, errQueryEncoding
		}
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		lo := len(dst)
		var ok bool
		if dst, ok = appendRecoded(dst, k); !ok {
			return nil, errQueryEncoding
		}
		// uriEncode is one-to-one: the encoded key is X-Amz-Signature
		// exactly when the decoded one is.
		skip := presigned && string(dst[lo:]) == "X-Amz-Signature"
		dst = append(dst, '=')
		if dst, ok = appendRecoded(dst, v); !ok {
			return nil, errQueryEncoding
		}
		if skip {
			dst = dst[:lo]
			continue
		}
		pairs = append(pairs, span{lo, len(dst)})
	}
	slices.SortFunc(pairs, func(a, b span) int { return bytes.Compare(dst[a.lo:a.hi], dst[b.lo:b.hi]) })
	end := len(dst)
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, dst[p.lo:p.hi]...)
	}
	n := copy(dst[start:], dst[end:])
	return dst[:start+n], nil
}

// errQueryEncoding stands for url.ParseQuery's errors, which the caller
// reports as S3 does whatever they say.
var errQueryEncoding = queryEncodingError{}

type queryEncodingError struct{}

func (queryEncodingError) Error() string { return "invalid query string encoding" }

// appendRecoded appends uriEncode(url.QueryUnescape(s)) to dst and reports
// whether s unescaped.
func appendRecoded(dst []byte, s string) ([]byte, bool) {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return dst, false
			}
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		case '+':
			c = ' '
		}
		if unreserved(c) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return dst, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
