package awschunked

import (
	"net/http"
	"strconv"
	"strings"
)

// Values of x-amz-content-sha256 that announce an aws-chunked body.
const (
	UnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	HMACPayload            = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	HMACPayloadTrailer     = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	ECDSAPayload           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	ECDSAPayloadTrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// Header names this package reads.
const (
	HeaderContentSHA256         = "X-Amz-Content-Sha256"
	HeaderDecodedContentLength  = "X-Amz-Decoded-Content-Length"
	HeaderTrailer               = "X-Amz-Trailer"
	HeaderTrailerSignature      = "x-amz-trailer-signature"
	headerContentEncoding       = "Content-Encoding"
	contentEncodingAWSChunked   = "aws-chunked"
	maxDecodedContentLengthBits = 63
)

// Signing says how chunk headers are signed.
type Signing int

const (
	// Unsigned chunks carry no chunk-signature extension.
	Unsigned Signing = iota
	// SignedHMAC chunks carry chunk-signature=<64 lower-case hex digits>
	// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]).
	SignedHMAC
	// SignedECDSA chunks carry chunk-signature=<hex DER signature padded with
	// '*' to 144 characters> (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER], SigV4a).
	// Only the framing is checked; a ChunkVerifier is still called if set.
	SignedECDSA
)

// Decoding reports whether a request with header h carries an aws-chunked
// body: x-amz-content-sha256 is one of the STREAMING-* values, or
// Content-Encoding lists aws-chunked.
func Decoding(h http.Header) bool {
	switch headerValue(h, HeaderContentSHA256) {
	case UnsignedPayloadTrailer, HMACPayload, HMACPayloadTrailer, ECDSAPayload, ECDSAPayloadTrailer:
		return true
	}
	return hasAWSChunked(h)
}

// headerValue is h.Get for a name already in canonical form, without
// canonicalising it on every request (TestHeaderNamesCanonical).
func headerValue(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// headerValues is h.Values for a name already in canonical form.
func headerValues(h http.Header, canonical string) []string { return h[canonical] }

func hasAWSChunked(h http.Header) bool {
	for _, v := range headerValues(h, headerContentEncoding) {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), contentEncodingAWSChunked) {
				return true
			}
		}
	}
	return false
}

// OptionsFromHeader derives the decoding options from the request headers:
// the signing and trailer mode from x-amz-content-sha256, the declared
// trailers from x-amz-trailer and the length from
// x-amz-decoded-content-length (-1 when absent). The caller adds the
// ChunkVerifier for signed bodies. Errors wrap [ErrUnsupported].
func OptionsFromHeader(h http.Header) (Options, error) {
	opts := Options{DecodedLength: -1}
	switch headerValue(h, HeaderContentSHA256) {
	case UnsignedPayloadTrailer:
		opts.Trailer = true
	case HMACPayload:
		opts.Signing = SignedHMAC
	case HMACPayloadTrailer:
		opts.Signing, opts.Trailer = SignedHMAC, true
	case ECDSAPayload:
		opts.Signing = SignedECDSA
	case ECDSAPayloadTrailer:
		opts.Signing, opts.Trailer = SignedECDSA, true
	default:
		// aws-chunked with UNSIGNED-PAYLOAD or a plain payload hash: unsigned
		// framing, trailers only if announced.
		opts.Trailer = headerValue(h, HeaderTrailer) != ""
	}
	for _, v := range headerValues(h, HeaderTrailer) {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if !validToken(name) || name == HeaderTrailerSignature {
				return Options{}, unsupported("invalid x-amz-trailer %q", name)
			}
			opts.Trailers = append(opts.Trailers, name)
		}
	}
	if len(opts.Trailers) > 0 && !opts.Trailer {
		return Options{}, unsupported("x-amz-trailer with x-amz-content-sha256 %s", headerValue(h, HeaderContentSHA256))
	}
	if v := headerValue(h, HeaderDecodedContentLength); v != "" {
		n, err := strconv.ParseInt(v, 10, maxDecodedContentLengthBits+1)
		if err != nil || n < 0 || v[0] == '+' {
			return Options{}, unsupported("invalid x-amz-decoded-content-length %q", v)
		}
		opts.DecodedLength = n
	}
	return opts, nil
}

// RewriteHeader turns the headers of an aws-chunked request into those of a
// plain one carrying the decoded body, for the handler behind the decoder:
// it removes aws-chunked from Content-Encoding (and the header if nothing is
// left), removes x-amz-decoded-content-length, x-amz-trailer and
// x-amz-content-sha256 and, when decodedLength >= 0, sets Content-Length to
// it (otherwise removes Content-Length). The caller must also set
// http.Request.ContentLength and drop TransferEncoding.
//
// x-amz-content-sha256 goes because gofakes3 decodes (laxly) a body itself
// when it reads STREAMING-AWS4-HMAC-SHA256-PAYLOAD there, and because gofakes3
// stores every X-Amz-* and the Content-Encoding request header as object
// metadata, so anything left here would come back on GetObject.
func RewriteHeader(h http.Header, decodedLength int64) {
	var keep []string
	for _, v := range headerValues(h, headerContentEncoding) {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.TrimSpace(tok)
			if tok != "" && !strings.EqualFold(tok, contentEncodingAWSChunked) {
				keep = append(keep, tok)
			}
		}
	}
	h.Del(headerContentEncoding)
	if len(keep) > 0 {
		h.Set(headerContentEncoding, strings.Join(keep, ", "))
	}
	h.Del(HeaderDecodedContentLength)
	h.Del(HeaderTrailer)
	h.Del(HeaderContentSHA256)
	h.Del("Content-Length")
	if decodedLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(decodedLength, 10))
	}
}

// validToken reports whether s is a non-empty HTTP token (RFC 9110).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
