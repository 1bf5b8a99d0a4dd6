package awschunked

import (
	"io"
	"net/http"
)

// WrapRequest prepares an aws-chunked request for a handler that expects a
// plain body (gofakes3): it builds Options from req's headers, replaces
// req.Body with a decoding [Reader] (closing the original body on Close),
// rewrites the headers with [RewriteHeader] and sets req.ContentLength to
// x-amz-decoded-content-length (-1 when the client did not send it) and
// clears req.TransferEncoding. verifier may be nil for unsigned encodings or
// when signatures are not checked. After the handler has read the body to
// io.EOF, the returned Reader's Trailers holds the x-amz-checksum-* values.
func WrapRequest(req *http.Request, verifier ChunkVerifier) (*Reader, error) {
	opts, err := OptionsFromHeader(req.Header)
	if err != nil {
		return nil, err
	}
	opts.Verifier = verifier
	if req.Body == nil {
		req.Body = http.NoBody
	}
	r := NewReader(req.Body, opts)
	req.Body = readCloser{Reader: r, Closer: req.Body}
	RewriteHeader(req.Header, opts.DecodedLength)
	req.ContentLength = opts.DecodedLength
	req.TransferEncoding = nil
	return r, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
