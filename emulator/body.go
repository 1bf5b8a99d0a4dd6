package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Request headers that describe the transport of a body, not the object:
// they are removed once the body is decoded.
var transportHeaders = []string{
	"X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-User-Agent",
	"X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm",
	"Amz-Sdk-Invocation-Id", "Amz-Sdk-Request",
}

// prepareBody turns a PUT or POST body into what the S3 layer reads: an
// s3api.Body that decodes aws-chunked framing (every variant, chunk
// signatures verified), and verifies x-amz-checksum-* (header or trailer)
// and a hex x-amz-content-sha256 as the bytes stream past, failing the
// read that reaches the end when one does not match. Nothing is buffered:
// the store commits a body only once that read succeeded.
func prepareBody(r *http.Request, op string, c caller) (*s3api.Body, *s3err.Error) {
	if r.Method != http.MethodPut && r.Method != http.MethodPost {
		return nil, nil
	}
	chunked := awschunked.Decoding(r.Header)
	var checks []headerChecksum
	if op != "CompleteMultipartUpload" { // there x-amz-checksum-* states the object's, which the S3 layer checks
		var serr *s3err.Error
		if checks, serr = headerChecksums(r.Header); serr != nil {
			return nil, serr
		}
	}
	pb := &preparedBody{vb: verifiedBody{checks: checks, src: r.Body, left: -1}}
	vb := &pb.vb
	size := r.ContentLength
	if claimed := headerValue(r.Header, hdrContentSHA256); !chunked && len(claimed) == 64 {
		vb.checks = append(vb.checks, headerChecksum{alg: "sha256-payload", want: claimed, h: sha256.New(), hex: true})
	}
	if chunked {
		opts, err := awschunked.OptionsFromHeader(r.Header)
		if err != nil {
			return nil, chunkedError(err)
		}
		if opts.Signing != awschunked.Unsigned && c.auth != nil {
			if c.signingKey == nil {
				return nil, s3err.New(http.StatusForbidden, "AccessDenied", "A signed streaming payload needs a signed request.")
			}
			opts.Verifier = awschunked.NewSigV4ChunkVerifier(c.signingKey, c.auth.Time.Format("20060102T150405Z"), c.auth.Scope(), c.auth.Signature)
		}
		vb.dec = awschunked.NewReader(r.Body, opts)
		vb.src = vb.dec
		size = opts.DecodedLength
		awschunked.RewriteHeader(r.Header, size)
	}
	if r.Body == nil || r.Body == http.NoBody {
		vb.src = http.NoBody
		size = 0
	}
	if size < 0 && (op == "PutObject" || op == "UploadPart") {
		// Object data sent with Transfer-Encoding: chunked and no length
		// S3 can learn from the request: S3 does not take it. (Smaller
		// bodies of unknown length are read to their limit: bodylimit.go.)
		return nil, s3err.New(http.StatusNotImplemented, "NotImplemented",
			"A header you provided implies functionality that is not implemented").With("Header", "Transfer-Encoding")
	}
	for _, c := range vb.checks {
		vb.writers = append(vb.writers, c.h)
	}
	stripTransportHeaders(r.Header)
	vb.left = size
	pb.body = s3api.Body{Reader: vb, Size: size, Checksum: vb.checksum}
	body := &pb.body
	pb.closer.Reader = body
	r.Body = &pb.closer
	r.ContentLength = size
	r.TransferEncoding = nil
	return body, nil
}

// preparedBody is what prepareBody makes of a request body, in one
// allocation: the checking reader, the s3api.Body over it and the
// request's new Body over that.
type preparedBody struct {
	vb     verifiedBody
	body   s3api.Body
	closer nopCloser
}

// nopCloser is io.NopCloser's result, kept inside preparedBody.
type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }

// verifiedBody is a request body checked while it is read.
type verifiedBody struct {
	src     io.Reader
	dec     *awschunked.Reader // nil unless aws-chunked
	checks  []headerChecksum
	writers []io.Writer
	left    int64 // bytes still to come when the size is known; -1 if not
	err     error // sticky: the verdict at the end, or the first failure
	done    bool
}

func (b *verifiedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left >= 0 && int64(len(p)) > b.left {
		p = p[:b.left]
	}
	var n int
	var err error
	if len(p) > 0 || b.left != 0 {
		n, err = b.src.Read(p)
	}
	for _, w := range b.writers {
		w.Write(p[:n])
	}
	if b.left >= 0 {
		b.left -= int64(n)
		if b.left == 0 && err == nil {
			// The declared size is in: read on to the end of the framing
			// (trailers) so that the verdict comes with the last bytes —
			// a reader that stops at the declared size still gets it.
			var one [1]byte
			m, rerr := b.src.Read(one[:])
			for m == 0 && rerr == nil {
				m, rerr = b.src.Read(one[:])
			}
			switch {
			case m > 0:
				err = s3err.New(http.StatusBadRequest, "IncompleteBody", "The request body is longer than its declared length.")
			default:
				err = rerr
			}
		}
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		if b.left > 0 {
			b.err = s3err.New(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
			break
		}
		b.err = b.finish()
		if b.err == nil {
			b.err = io.EOF
		}
	case isTimeout(err):
		b.err = err // RequestTimeout: see progressHandler
	case errors.As(err, new(*s3err.Error)):
		b.err = err
	default:
		if serr := chunkedError(err); serr != nil {
			b.err = serr
		} else {
			b.err = err
		}
	}
	return n, b.err
}

// finish verifies every checksum once the body has been read in full.
func (b *verifiedBody) finish() error {
	b.done = true
	for _, c := range b.checks {
		if c.hex {
			if hex.EncodeToString(c.h.Sum(nil)) != c.want {
				return s3err.New(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
					"The provided 'x-amz-content-sha256' header does not match what was computed.")
			}
			continue
		}
		if awschunked.EncodeChecksum(c.h) != c.want {
			return s3err.New(http.StatusBadRequest, "BadDigest",
				fmt.Sprintf("The %s you specified did not match the calculated checksum.", c.alg))
		}
	}
	return nil
}

// checksum is the body's verified additional checksum (see s3api.Body).
func (b *verifiedBody) checksum() (alg, value string) {
	for _, c := range b.checks {
		if !c.hex {
			return strings.ToUpper(c.alg), c.want
		}
	}
	if b.dec != nil && b.done {
		for k, v := range b.dec.Trailers() {
			if a, ok := awschunked.ChecksumAlgorithm(k); ok && len(v) > 0 {
				return strings.ToUpper(a), v[0]
			}
		}
	}
	return "", ""
}

func stripTransportHeaders(h http.Header) {
	for _, k := range transportHeaders {
		delete(h, k)
	}
}

type headerChecksum struct {
	alg, want string
	h         hash.Hash
	hex       bool // want is hex (x-amz-content-sha256), not base64
}

// headerChecksums returns the x-amz-checksum-* headers of a request with a
// hash to verify each.
func headerChecksums(h http.Header) ([]headerChecksum, *s3err.Error) {
	var out []headerChecksum
	for k, v := range h {
		alg, ok := awschunked.ChecksumAlgorithm(k)
		if !ok || len(v) == 0 {
			continue
		}
		hash, _, err := awschunked.Checksum(alg)
		if err != nil {
			return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", err.Error())
		}
		out = append(out, headerChecksum{alg: alg, want: v[0], h: hash})
	}
	return out, nil
}

func chunkedError(err error) *s3err.Error {
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	return nil
}
