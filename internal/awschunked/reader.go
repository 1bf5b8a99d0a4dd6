package awschunked

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
)

// Options configures a [Reader]. Build it with [OptionsFromHeader] or by
// hand; the zero value is not useful because DecodedLength 0 means an empty
// payload.
type Options struct {
	// Signing says whether chunk headers carry chunk-signature and its form.
	Signing Signing
	// Trailer allows a trailer section after the final chunk (the -TRAILER
	// variants, or aws-chunked with x-amz-trailer). With a signed encoding
	// it also requires x-amz-trailer-signature.
	Trailer bool
	// Trailers are the trailer names declared in x-amz-trailer, lower case.
	// Each must arrive and no other may; x-amz-checksum-* trailers among them
	// are computed over the payload and compared at the end.
	Trailers []string
	// DecodedLength is x-amz-decoded-content-length, or -1 if unknown.
	DecodedLength int64
	// Verifier, if not nil, checks every chunk signature and the trailer
	// signature of a signed encoding. It is ignored for Unsigned.
	Verifier ChunkVerifier
}

const (
	bufferSize      = 64 << 10 // read buffer; also bounds a header line scan
	maxLineLength   = 4 << 10  // a chunk header or trailer line, CRLF included
	maxTrailerLines = 32
	maxSizeDigits   = 16
	hmacSigLength   = 64
	ecdsaSigLength  = 144
	chunkSigPrefix  = "chunk-signature="
)

type readerState uint8

const (
	stateHeader readerState = iota // next: a chunk header line
	stateData                      // inside chunk data
	stateDone                      // final CRLF seen and everything checked
)

// Reader decodes an aws-chunked body. Read yields the payload bytes; it
// returns io.EOF only after the final chunk, the trailers, the signatures,
// the checksums and the decoded length have all been checked, so a consumer
// must not commit what it read unless Read ended with io.EOF. Data of a
// signed chunk is returned before that chunk's signature is checked (at the
// chunk's end), which keeps memory constant whatever the chunk size.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	src  *bufio.Reader
	opts Options

	state     readerState
	offset    int64 // bytes consumed from the encoded body
	chunkAt   int64 // offset of the current chunk header
	remaining int64 // data bytes left in the current chunk
	decoded   int64 // payload bytes returned so far

	chunkSig  string    // signature announced by the current chunk
	prevSig   string    // last verified signature (seed at first)
	chunkHash hash.Hash // sha256 of the current chunk, if verifying

	checksums []trailerChecksum
	trailers  http.Header
	err       error
}

type trailerChecksum struct {
	alg, header string
	h           hash.Hash
}

// NewReader returns a Reader decoding body according to opts. Problems with
// opts (an unknown x-amz-checksum-* trailer) are returned by the first Read.
func NewReader(body io.Reader, opts Options) *Reader {
	r := &Reader{
		src:      bufio.NewReaderSize(body, bufferSize),
		opts:     opts,
		trailers: http.Header{},
	}
	if opts.Signing != Unsigned && opts.Verifier != nil {
		r.chunkHash = sha256.New()
		r.prevSig = opts.Verifier.Seed()
	}
	if len(opts.Trailers) > 0 && !opts.Trailer {
		r.err = unsupported("trailers %q declared for an encoding without trailers", opts.Trailers)
	}
	for _, name := range opts.Trailers {
		if !strings.HasPrefix(name, "x-amz-checksum-") {
			continue
		}
		alg, ok := ChecksumAlgorithm(name)
		if !ok {
			r.err = unsupported("unknown checksum trailer %q", name)
			break
		}
		h, header, _ := Checksum(alg)
		r.checksums = append(r.checksums, trailerChecksum{alg: alg, header: header, h: h})
	}
	return r
}

// Trailers returns the trailers received, including x-amz-trailer-signature,
// once Read has returned io.EOF; before that it returns nil.
func (r *Reader) Trailers() http.Header {
	if r.state != stateDone {
		return nil
	}
	return r.trailers.Clone()
}

// DecodedLength returns the number of payload bytes returned so far.
func (r *Reader) DecodedLength() int64 { return r.decoded }

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	for r.err == nil {
		switch r.state {
		case stateHeader:
			r.err = r.readChunkHeader()
		case stateData:
			if r.remaining == 0 {
				r.err = r.endChunk()
				continue
			}
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > r.remaining {
				p = p[:r.remaining]
			}
			n, err := r.src.Read(p)
			r.consume(p[:n])
			switch {
			case err == io.EOF && r.remaining > 0:
				r.err = r.fail(ErrTruncated, r.offset, "body ended with %d bytes of chunk data missing", r.remaining)
			case err != nil && err != io.EOF:
				r.err = fmt.Errorf("awschunked: reading body: %w", err)
			}
			if n > 0 {
				return n, nil
			}
		case stateDone:
			return 0, io.EOF
		}
	}
	return 0, r.err
}

func (r *Reader) consume(b []byte) {
	n := int64(len(b))
	r.offset += n
	r.remaining -= n
	r.decoded += n
	if r.chunkHash != nil {
		r.chunkHash.Write(b)
	}
	for _, c := range r.checksums {
		c.h.Write(b)
	}
}

func (r *Reader) fail(sentinel error, at int64, format string, args ...any) error {
	return &FormatError{Err: sentinel, Offset: at, Detail: fmt.Sprintf(format, args...)}
}

// readLine reads one CRLF-terminated line and returns it without the CRLF.
func (r *Reader) readLine(sentinel error) (string, error) {
	start := r.offset
	line, err := r.src.ReadSlice('\n')
	r.offset += int64(len(line))
	switch {
	case err == bufio.ErrBufferFull || len(line) > maxLineLength:
		return "", r.fail(sentinel, start, "line longer than %d bytes", maxLineLength)
	case err == io.EOF:
		return "", r.fail(ErrTruncated, r.offset, "body ended inside the chunk framing")
	case err != nil:
		return "", fmt.Errorf("awschunked: reading body: %w", err)
	case len(line) < 2 || line[len(line)-2] != '\r':
		return "", r.fail(sentinel, start, "line not terminated by CRLF")
	}
	return string(line[:len(line)-2]), nil
}

func (r *Reader) readChunkHeader() error {
	r.chunkAt = r.offset
	line, err := r.readLine(ErrMalformedChunk)
	if err != nil {
		return err
	}
	sizeText, ext, hasExt := strings.Cut(line, ";")
	size, err := r.parseSize(sizeText)
	if err != nil {
		return err
	}
	if r.chunkSig, err = r.parseSignature(ext, hasExt); err != nil {
		return err
	}
	if r.opts.DecodedLength >= 0 && size > r.opts.DecodedLength-r.decoded {
		return r.fail(ErrLengthMismatch, r.chunkAt,
			"chunk of %d bytes goes past x-amz-decoded-content-length %d", size, r.opts.DecodedLength)
	}
	if r.chunkHash != nil {
		r.chunkHash.Reset()
	}
	if size == 0 {
		return r.finish()
	}
	r.remaining = size
	r.state = stateData
	return nil
}

func (r *Reader) parseSize(s string) (int64, error) {
	if s == "" {
		return 0, r.fail(ErrMalformedChunk, r.chunkAt, "empty chunk size")
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := hexDigit(s[i])
		if !ok {
			return 0, r.fail(ErrMalformedChunk, r.chunkAt, "chunk size %q is not hexadecimal", truncate(s))
		}
		if i >= maxSizeDigits {
			return 0, r.fail(ErrChunkSizeOverflow, r.chunkAt, "chunk size %q has more than %d digits", truncate(s), maxSizeDigits)
		}
		n = n<<4 | uint64(d)
	}
	if n > math.MaxInt64 {
		return 0, r.fail(ErrChunkSizeOverflow, r.chunkAt, "chunk size %q overflows int64", s)
	}
	return int64(n), nil
}

// parseSignature checks the chunk extension against the encoding and
// returns the chunk signature, if any.
func (r *Reader) parseSignature(ext string, hasExt bool) (string, error) {
	if r.opts.Signing == Unsigned {
		if !hasExt {
			return "", nil
		}
		if strings.HasPrefix(ext, chunkSigPrefix) {
			return "", r.fail(ErrUnexpectedSignature, r.chunkAt, "chunk-signature in an unsigned encoding")
		}
		return "", r.fail(ErrMalformedChunk, r.chunkAt, "unexpected chunk extension %q", truncate(ext))
	}
	sig, ok := strings.CutPrefix(ext, chunkSigPrefix)
	if !hasExt || !ok {
		return "", r.fail(ErrMissingSignature, r.chunkAt, "chunk header without chunk-signature")
	}
	if !r.validSignature(sig) {
		return "", r.fail(ErrMalformedChunk, r.chunkAt, "malformed chunk-signature %q", truncate(sig))
	}
	return sig, nil
}

func (r *Reader) validSignature(sig string) bool {
	want, star := hmacSigLength, false
	if r.opts.Signing == SignedECDSA {
		want, star = ecdsaSigLength, true
	}
	if len(sig) != want {
		return false
	}
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || star && c == '*') {
			return false
		}
	}
	return true
}

// endChunk checks the CRLF after chunk data and the chunk's signature.
func (r *Reader) endChunk() error {
	var crlf [2]byte
	n, err := io.ReadFull(r.src, crlf[:])
	r.offset += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return r.fail(ErrTruncated, r.offset, "body ended before the CRLF after chunk data")
	case err != nil:
		return fmt.Errorf("awschunked: reading body: %w", err)
	case crlf != [2]byte{'\r', '\n'}:
		return r.fail(ErrMalformedChunk, r.offset-2, "chunk data not followed by CRLF (chunk longer than its size?)")
	}
	if err := r.verifyChunk(); err != nil {
		return err
	}
	r.state = stateHeader
	return nil
}

func (r *Reader) verifyChunk() error {
	if r.chunkHash == nil {
		return nil
	}
	var sum [32]byte
	r.chunkHash.Sum(sum[:0])
	if err := r.opts.Verifier.VerifyChunk(r.prevSig, sum, r.chunkSig); err != nil {
		return r.fail(ErrSignatureMismatch, r.chunkAt, "%v", err)
	}
	r.prevSig = r.chunkSig
	return nil
}

// finish handles everything after the final chunk header: its signature,
// the trailers, the final CRLF, the end of the body and the checks that
// need the whole payload.
func (r *Reader) finish() error {
	if err := r.verifyChunk(); err != nil {
		return err
	}
	var canonical bytes.Buffer
	var sig string
	sigAt := int64(-1)
	for lines := 0; ; lines++ {
		at := r.offset
		line, err := r.readLine(ErrMalformedTrailer)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if !r.opts.Trailer {
			return r.fail(ErrMalformedTrailer, at, "trailer in an encoding without trailers")
		}
		if lines >= maxTrailerLines {
			return r.fail(ErrMalformedTrailer, at, "more than %d trailer lines", maxTrailerLines)
		}
		if sigAt >= 0 {
			return r.fail(ErrMalformedTrailer, at, "trailer after x-amz-trailer-signature")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !validToken(name) {
			return r.fail(ErrMalformedTrailer, at, "trailer line %q is not name:value", truncate(line))
		}
		name = strings.ToLower(name)
		value = strings.Trim(value, " \t")
		if name == HeaderTrailerSignature {
			if r.opts.Signing == Unsigned {
				return r.fail(ErrUnexpectedSignature, at, "x-amz-trailer-signature in an unsigned encoding")
			}
			if !r.validSignature(value) {
				return r.fail(ErrMalformedTrailer, at, "malformed x-amz-trailer-signature %q", truncate(value))
			}
			sig, sigAt = value, at
			continue
		}
		if !slices.Contains(r.opts.Trailers, name) {
			return r.fail(ErrMalformedTrailer, at, "trailer %q not declared in x-amz-trailer", truncate(name))
		}
		if len(r.trailers.Values(name)) > 0 {
			return r.fail(ErrMalformedTrailer, at, "duplicate trailer %q", name)
		}
		r.trailers.Set(name, value)
		canonical.WriteString(name)
		canonical.WriteByte(':')
		canonical.WriteString(value)
		canonical.WriteByte('\n')
	}
	switch _, err := r.src.ReadByte(); {
	case err == nil:
		return r.fail(ErrTrailingData, r.offset, "data after the final CRLF")
	case err != io.EOF:
		return fmt.Errorf("awschunked: reading body: %w", err)
	}
	if r.opts.DecodedLength >= 0 && r.decoded != r.opts.DecodedLength {
		return r.fail(ErrLengthMismatch, r.offset,
			"decoded %d bytes, x-amz-decoded-content-length is %d", r.decoded, r.opts.DecodedLength)
	}
	if r.opts.Signing != Unsigned && r.opts.Trailer {
		if sigAt < 0 {
			return r.fail(ErrMissingSignature, r.offset, "trailer without x-amz-trailer-signature")
		}
		if r.opts.Verifier != nil {
			if err := r.opts.Verifier.VerifyTrailer(r.prevSig, canonical.Bytes(), sig); err != nil {
				return r.fail(ErrSignatureMismatch, sigAt, "%v", err)
			}
		}
		r.trailers.Set(HeaderTrailerSignature, sig)
	}
	for _, name := range r.opts.Trailers {
		if len(r.trailers.Values(name)) == 0 {
			return r.fail(ErrMalformedTrailer, r.offset, "declared trailer %q missing", name)
		}
	}
	for _, c := range r.checksums {
		want := r.trailers.Get(c.header)
		if !validChecksumValue(want, c.h.Size()) {
			return r.fail(ErrMalformedTrailer, r.offset, "%s value %q is not base64 of %d bytes", c.header, truncate(want), c.h.Size())
		}
		if got := EncodeChecksum(c.h); got != want {
			return &ChecksumError{Algorithm: c.alg, Header: c.header, Want: want, Got: got}
		}
	}
	r.state = stateDone
	return nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// truncate shortens client-supplied text quoted in error messages.
func truncate(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
