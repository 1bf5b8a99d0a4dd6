package emulator

import (
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"io"
	"net/http"
	"strconv"
)

// Request body limits. Object data (PutObject, UploadPart) is streamed to
// the store and limited only by S3's object and part size; every other
// body is parsed whole (XML or JSON configuration, DeleteObjects, the
// CompleteMultipartUpload part list) and is refused, before it is read,
// when it is larger than S3 would take.
const (
	// maxObjectBody is S3's largest single PUT and largest part: 5 GiB.
	maxObjectBody = 5 << 30
	// maxParsedBody bounds configuration documents (tagging, CORS,
	// lifecycle, ACL, ...): far above any valid one.
	maxParsedBody = 1 << 20
	// maxCompleteBody bounds CompleteMultipartUpload: 10,000 parts with
	// every checksum element are about 3 MB.
	maxCompleteBody = 4 << 20
)

// bodyLimit is the largest body op accepts and the error S3 answers with
// beyond it.
// The error is made only when needed (not on every request).
func bodyLimit(op string) (int64, func() *s3err.Error) {
	switch op {
	case "PutObject", "UploadPart":
		return maxObjectBody, errEntityTooLarge
	case "PutBucketPolicy":
		return s3api.MaxBucketPolicy, errPolicyTooLarge
	case "DeleteObjects":
		return s3api.MaxDeleteBody, errTooBig
	case "CompleteMultipartUpload":
		return maxCompleteBody, errTooBig
	}
	return maxParsedBody, errTooBig
}

func errEntityTooLarge() *s3err.Error {
	return &s3err.Error{Status: http.StatusBadRequest, Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size"}
}

func errTooBig() *s3err.Error {
	return &s3err.Error{Status: http.StatusBadRequest, Code: "MaxMessageLengthExceeded", Message: "Your request was too big."}
}

func errPolicyTooLarge() *s3err.Error {
	return &s3err.Error{Status: http.StatusBadRequest, Code: "PolicyTooLarge", Message: "Policy exceeds the maximum allowed document size."}
}

// limitBody refuses a request whose declared body size (Content-Length,
// or x-amz-decoded-content-length for aws-chunked bodies) is over op's
// limit, without reading it. A body of unknown length is wrapped so that
// reading past the limit fails; the wrapper is returned so that the caller
// can tell that failure from others (see overLimit).
func limitBody(r *http.Request, op string) (*limitedBody, *s3err.Error) {
	limit, tooLarge := bodyLimit(op)
	size := r.ContentLength
	if v := headerValue(r.Header, hdrDecodedContentLength); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			size = n
		}
	}
	if size > limit {
		return nil, sizeError(tooLarge(), size, limit)
	}
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength < 0 || size != r.ContentLength) {
		// A body of unknown length, or aws-chunked: stop reading soon after
		// the limit. Framing (chunk signatures, trailers) is allowed on top;
		// checkDecodedSize holds the decoded body to the limit exactly.
		lb := &limitedBody{ReadCloser: r.Body, left: limit + limit/8 + 64<<10, tooLarge: sizeError(tooLarge(), -1, limit)}
		r.Body = lb
		return lb, nil
	}
	return nil, nil
}

// checkDecodedSize refuses a decoded body (prepareBody has set
// r.ContentLength to its size) over op's limit.
func checkDecodedSize(r *http.Request, op string) *s3err.Error {
	limit, tooLarge := bodyLimit(op)
	if r.ContentLength > limit {
		return sizeError(tooLarge(), r.ContentLength, limit)
	}
	return nil
}

// overLimit is the error to answer for op when reading its body went past
// the limit: the error a body consumer reports then (IncompleteBody, a
// chunk error) is only a consequence.
func (b *limitedBody) overLimit(op string) *s3err.Error {
	if b == nil || !b.exceeded {
		return nil
	}
	_, tooLarge := bodyLimit(op)
	return tooLarge()
}

func sizeError(e *s3err.Error, size, limit int64) *s3err.Error {
	if e.Code == "EntityTooLarge" && size >= 0 {
		e.With("ProposedSize", strconv.FormatInt(size, 10)).With("MaxSizeAllowed", strconv.FormatInt(limit, 10))
	}
	return e
}

// limitedBody fails a read past its limit instead of ending the body
// early (as io.LimitReader would), so that a truncated document is never
// parsed as a whole one.
type limitedBody struct {
	io.ReadCloser
	left     int64
	exceeded bool
	tooLarge *s3err.Error // returned by the read past the limit
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 && err != nil {
			return 0, err // the body ended exactly at the limit
		}
		b.exceeded = true
		return 0, b.tooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
