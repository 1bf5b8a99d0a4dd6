package upstream

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
)

// streamingUnsignedTrailer is x-amz-content-sha256 for an unsigned
// aws-chunked body with a trailer.
const streamingUnsignedTrailer = awschunked.UnsignedPayloadTrailer

// encodeChunkSize is the payload size of each chunk sent upstream.
const encodeChunkSize = 64 << 10

func now() time.Time { return time.Now() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// appendEncoding puts aws-chunked first in a Content-Encoding value.
func appendEncoding(v string) string {
	if v == "" {
		return "aws-chunked"
	}
	return "aws-chunked," + v
}

// trailerChecksum returns the checksum trailer among a client's
// x-amz-trailer names and its algorithm.
func trailerChecksum(trailer string) (name, alg string, ok bool) {
	for n := range strings.SplitSeq(trailer, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if a, ok := awschunked.ChecksumAlgorithm(n); ok {
			return n, a, true
		}
	}
	return "", "", false
}

// chunkEncoder frames a body of known size as unsigned aws-chunked data
// (fixed-size chunks, so that the encoded length is known up front) and
// ends it with the checksum trailer, whose value — the client's, verified
// by s3vpce as the body went past — is asked for once the body has been
// read to its end.
type chunkEncoder struct {
	src      io.Reader
	left     int64
	name     string
	valueLen int
	checksum func() (alg, value string)
	buf      []byte
	pending  []byte
	done     bool
}

func newChunkEncoder(src io.Reader, size int64, name, alg string, checksum func() (string, string)) *chunkEncoder {
	n := 0
	if h, _, err := awschunked.Checksum(alg); err == nil {
		n = base64.StdEncoding.EncodedLen(h.Size())
	}
	return &chunkEncoder{src: src, left: size, name: name, valueLen: n, checksum: checksum}
}

// encodedLength is the length of the whole encoding.
func (e *chunkEncoder) encodedLength() int64 {
	chunk := func(n int64) int64 { return int64(len(strconv.FormatInt(n, 16))) + 2 + n + 2 }
	full, rest := e.left/encodeChunkSize, e.left%encodeChunkSize
	total := full * chunk(encodeChunkSize)
	if rest > 0 {
		total += chunk(rest)
	}
	return total + 3 + int64(len(e.name)+1+e.valueLen+2) + 2 // "0\r\n", the trailer line, "\r\n"
}

func (e *chunkEncoder) Read(p []byte) (int, error) {
	for len(e.pending) == 0 {
		if e.done {
			return 0, io.EOF
		}
		if err := e.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

// next encodes the next chunk, or the final chunk and the trailer.
func (e *chunkEncoder) next() error {
	if e.left > 0 {
		n := min(e.left, encodeChunkSize)
		if e.buf == nil {
			e.buf = make([]byte, 0, encodeChunkSize+32)
		}
		b := strconv.AppendInt(e.buf[:0], n, 16)
		b = append(b, "\r\n"...)
		start := len(b)
		b = b[:start+int(n)]
		if _, err := io.ReadFull(e.src, b[start:]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return s3err.New(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
			}
			return err
		}
		e.left -= n
		e.pending = append(b, "\r\n"...)
		return nil
	}
	// The verdict: a verified body returns io.EOF only when all is well.
	var one [1]byte
	for {
		n, err := e.src.Read(one[:])
		if n > 0 {
			return s3err.New(http.StatusBadRequest, "IncompleteBody", "The request body is longer than its declared length.")
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	_, value := e.checksum()
	if len(value) != e.valueLen {
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "s3vpce: the trailing checksum "+e.name+" is missing or malformed.")
	}
	e.pending = []byte("0\r\n" + e.name + ":" + value + "\r\n\r\n")
	e.done = true
	return nil
}
