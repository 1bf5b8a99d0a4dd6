package awschunked

import (
	"errors"
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
)

// Sentinel errors. Every error a [Reader] returns wraps exactly one of them
// (test with errors.Is) inside a *[FormatError] or a *[ChecksumError].
var (
	// ErrMalformedChunk: a chunk header that is not <hex>[;chunk-signature=<sig>]
	// CRLF, or chunk data not followed by CRLF.
	ErrMalformedChunk = errors.New("awschunked: malformed chunk")
	// ErrChunkSizeOverflow: a chunk size beyond 16 hex digits or 2^63-1.
	ErrChunkSizeOverflow = errors.New("awschunked: chunk size overflow")
	// ErrMissingSignature: a signed encoding without chunk-signature or
	// x-amz-trailer-signature where one is required.
	ErrMissingSignature = errors.New("awschunked: missing signature")
	// ErrUnexpectedSignature: a chunk-signature or x-amz-trailer-signature in an
	// encoding that does not sign it.
	ErrUnexpectedSignature = errors.New("awschunked: unexpected signature")
	// ErrSignatureMismatch: the ChunkVerifier rejected a chunk or trailer signature.
	ErrSignatureMismatch = errors.New("awschunked: signature mismatch")
	// ErrTruncated: the body ended before the framing said it would.
	ErrTruncated = errors.New("awschunked: body truncated")
	// ErrTrailingData: bytes after the final CRLF.
	ErrTrailingData = errors.New("awschunked: data after final chunk")
	// ErrLengthMismatch: the decoded payload length differs from
	// x-amz-decoded-content-length.
	ErrLengthMismatch = errors.New("awschunked: decoded length mismatch")
	// ErrMalformedTrailer: a trailer line that is not name:value, a duplicate,
	// an undeclared trailer, a declared trailer that never came, or a checksum
	// value that is not base64 of the right size.
	ErrMalformedTrailer = errors.New("awschunked: malformed trailer")
	// ErrChecksumMismatch: an x-amz-checksum-* trailer differs from the checksum
	// of the decoded payload. The concrete error is a *ChecksumError.
	ErrChecksumMismatch = errors.New("awschunked: checksum mismatch")
	// ErrUnsupported: a header asks for something this package cannot decode,
	// such as an unknown checksum algorithm or an invalid
	// x-amz-decoded-content-length.
	ErrUnsupported = errors.New("awschunked: unsupported request")
)

// FormatError reports a framing problem and where in the encoded body it was
// found.
type FormatError struct {
	Err    error  // one of the sentinel errors
	Offset int64  // byte offset in the encoded body where the problem starts; -1 for header problems
	Detail string // human-readable detail
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("%v: %s", e.Err, e.Detail)
	}
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Detail)
}

// unsupported returns a *FormatError wrapping ErrUnsupported for a problem
// found in the request headers rather than in the body.
func unsupported(format string, args ...any) error {
	return &FormatError{Err: ErrUnsupported, Offset: -1, Detail: fmt.Sprintf(format, args...)}
}

// Unwrap returns the sentinel error.
func (e *FormatError) Unwrap() error { return e.Err }

// ChecksumError reports an x-amz-checksum-* value that does not match the
// payload. It wraps [ErrChecksumMismatch].
type ChecksumError struct {
	Algorithm string // CRC32, CRC32C, CRC64NVME, SHA1 or SHA256
	Header    string // x-amz-checksum-crc32, ...
	Want      string // base64 value the client sent
	Got       string // base64 value of the decoded payload
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("awschunked: checksum mismatch: %s: client sent %s, payload has %s", e.Header, e.Want, e.Got)
}

// Unwrap returns [ErrChecksumMismatch].
func (e *ChecksumError) Unwrap() error { return ErrChecksumMismatch }

// ToS3Error maps an error from this package to the S3 error response that
// Amazon S3 sends for the same fault. ok is false for errors that did not
// come from this package (for example a network error reading the body),
// which the caller should treat as its own.
//
//	ErrChecksumMismatch     400 BadDigest              The <ALG> you specified did not match the calculated checksum.
//	ErrSignatureMismatch    403 SignatureDoesNotMatch  The request signature we calculated does not match ...
//	ErrMissingSignature     403 SignatureDoesNotMatch  (same message)
//	ErrTruncated            400 IncompleteBody         You did not provide the number of bytes specified by the Content-Length HTTP header.
//	ErrLengthMismatch       400 IncompleteBody         (same message)
//	ErrMalformedTrailer     400 MalformedTrailerError  The request contained trailing data that was not well-formed ...
//	ErrUnsupported          400 InvalidRequest         Unsupported aws-chunked request: <detail>
//	other framing errors    400 InvalidRequest         The aws-chunked body is malformed: <detail>
func ToS3Error(err error) (*s3err.Error, bool) {
	var ce *ChecksumError
	if errors.As(err, &ce) {
		return s3err.New(http.StatusBadRequest, "BadDigest",
			fmt.Sprintf("The %s you specified did not match the calculated checksum.", ce.Algorithm)), true
	}
	var fe *FormatError
	if !errors.As(err, &fe) {
		return nil, false
	}
	switch fe.Err {
	case ErrSignatureMismatch, ErrMissingSignature:
		return s3err.New(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method."), true
	case ErrTruncated, ErrLengthMismatch:
		return s3err.New(http.StatusBadRequest, "IncompleteBody",
			"You did not provide the number of bytes specified by the Content-Length HTTP header."), true
	case ErrMalformedTrailer:
		return s3err.New(http.StatusBadRequest, "MalformedTrailerError",
			"The request contained trailing data that was not well-formed or did not conform to our published schema."), true
	case ErrUnsupported:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "Unsupported aws-chunked request: "+fe.Detail), true
	default:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The aws-chunked body is malformed: "+fe.Detail), true
	}
}
