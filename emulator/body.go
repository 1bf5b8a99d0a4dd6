package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3api"
)

// spoolMemory is how much of a request body is held in memory before the
// rest goes to a temporary file.
const spoolMemory = 16 << 20

// Request headers that gofakes3 would otherwise store as object metadata
// (it keeps every X-Amz-* header) and send back on GET.
var transportHeaders = []string{
	"X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-User-Agent",
	"X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm",
	"Amz-Sdk-Invocation-Id", "Amz-Sdk-Request",
}

// prepareBody turns a request body into what gofakes3 handles correctly: a
// plain body with a Content-Length. aws-chunked bodies (every variant) are
// decoded and their trailing checksum verified; bodies sent with
// Transfer-Encoding: chunked get their length; x-amz-checksum-* headers are
// verified. Bodies that need any of this are spooled (memory, then a
// temporary file), so nothing reaches the store unless it is complete and
// its checksum matches. The returned cleanup must be called when the
// request is done.
func prepareBody(r *http.Request, c caller, spoolDir string) (cleanup func(), serr *s3Error) {
	cleanup = func() {}
	if r.Method != http.MethodPut && r.Method != http.MethodPost {
		return cleanup, nil
	}
	chunked := awschunked.Decoding(r.Header)
	checks, serr := headerChecksums(r.Header)
	if serr != nil {
		return cleanup, serr
	}
	// A hex x-amz-content-sha256 is the signed claim of the payload's
	// SHA-256: verify it before anything is stored.
	var payloadSHA hash.Hash
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if !chunked && len(claimed) == 64 {
		payloadSHA = sha256.New()
	}
	if !chunked && r.ContentLength >= 0 && len(checks) == 0 && payloadSHA == nil {
		stripTransportHeaders(r.Header)
		return cleanup, nil
	}
	var body io.Reader = r.Body
	var dec *awschunked.Reader
	if chunked {
		opts, err := awschunked.OptionsFromHeader(r.Header)
		if err != nil {
			return cleanup, chunkedError(err)
		}
		if opts.Signing != awschunked.Unsigned && c.auth != nil {
			if c.signingKey == nil {
				return cleanup, &s3Error{status: http.StatusForbidden, Code: "AccessDenied",
					Message: "A signed streaming payload needs a signed request."}
			}
			opts.Verifier = awschunked.NewSigV4ChunkVerifier(c.signingKey, c.auth.Time.Format("20060102T150405Z"), c.auth.Scope(), c.auth.Signature)
		}
		dec = awschunked.NewReader(r.Body, opts)
		body = dec
	}
	if payloadSHA != nil {
		checks = append(checks, headerChecksum{alg: "sha256-payload", want: claimed, h: payloadSHA, hex: true})
	}
	writers := make([]io.Writer, 0, len(checks))
	for _, c := range checks {
		writers = append(writers, c.h)
	}
	sp, err := spool(spoolDir, io.TeeReader(body, io.MultiWriter(writers...)))
	if err != nil {
		// A read deadline is RequestTimeout whatever the decoder made of it.
		if serr := chunkedError(err); serr != nil && !isTimeout(err) {
			return cleanup, serr
		}
		e := s3api.BodyReadError(err)
		return cleanup, &s3Error{status: e.Status, Code: e.Code, Message: e.Message}
	}
	cleanup = sp.cleanup
	for _, c := range checks {
		if c.hex {
			if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
				cleanup()
				return func() {}, &s3Error{status: http.StatusBadRequest, Code: "XAmzContentSHA256Mismatch",
					Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
			}
			continue
		}
		if got := awschunked.EncodeChecksum(c.h); got != c.want {
			cleanup()
			return func() {}, &s3Error{status: http.StatusBadRequest, Code: "BadDigest",
				Message: fmt.Sprintf("The %s you specified did not match the calculated checksum.", c.alg)}
		}
	}
	if dec != nil {
		// The trailer's checksum was verified by the decoder; keep it as the
		// object's checksum, as S3 does.
		for k, v := range dec.Trailers() {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				r.Header[k] = v
			}
		}
		awschunked.RewriteHeader(r.Header, sp.size)
	}
	stripTransportHeaders(r.Header)
	r.Header.Set("Content-Length", strconv.FormatInt(sp.size, 10))
	r.ContentLength = sp.size
	r.TransferEncoding = nil
	r.Body = sp
	return cleanup, nil
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

// headerChecksums returns the x-amz-checksum-* headers of a plain request
// with a hash to verify each.
func headerChecksums(h http.Header) ([]headerChecksum, *s3Error) {
	var out []headerChecksum
	for k, v := range h {
		alg, ok := awschunked.ChecksumAlgorithm(k)
		if !ok || len(v) == 0 {
			continue
		}
		hash, _, err := awschunked.Checksum(alg)
		if err != nil {
			return nil, &s3Error{status: http.StatusBadRequest, Code: "InvalidRequest", Message: err.Error()}
		}
		out = append(out, headerChecksum{alg: alg, want: v[0], h: hash})
	}
	return out, nil
}

func chunkedError(err error) *s3Error {
	if e, ok := awschunked.ToS3Error(err); ok {
		return &s3Error{status: e.Status, Code: e.Code, Message: e.Message}
	}
	return nil
}

// spooled is a fully received request body.
type spooled struct {
	io.Reader
	size int64
	file *os.File
}

func (s *spooled) Close() error { return nil }

func (s *spooled) cleanup() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
	}
}

// spool reads r to its end: up to spoolMemory bytes in memory, the rest
// in a file in dir (named spoolPrefix…, swept at Start).
func spool(dir string, r io.Reader) (*spooled, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, spoolMemory)
	if errors.Is(err, io.EOF) {
		return &spooled{Reader: bytes.NewReader(buf.Bytes()), size: n}, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, spoolPrefix)
	if err != nil {
		return nil, fmt.Errorf("emulator: spool body: %w", err)
	}
	sp := &spooled{file: f}
	rest, err := io.Copy(f, r)
	if err != nil {
		sp.cleanup()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		sp.cleanup()
		return nil, fmt.Errorf("emulator: spool body: %w", err)
	}
	sp.size = n + rest
	sp.Reader = io.MultiReader(bytes.NewReader(buf.Bytes()), f)
	return sp, nil
}
