package s3api

import (
	"errors"
	"net/http"
	"os"

	"github.com/s3vpce/s3vpce/internal/awschunked"
)

// RequestTimeout is S3's answer to a request whose body stopped arriving:
// the server's read deadline on the connection fired.
func RequestTimeout() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "RequestTimeout",
		Message: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."}
}

// BodyReadError is the answer to a request body that could not be read in
// full: the body's own verdict when it has one (BadDigest, a chunk
// signature mismatch, EntityTooLarge past the limit: see Body),
// RequestTimeout when a read deadline fired (the client stopped sending),
// IncompleteBody otherwise.
func BodyReadError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return RequestTimeout()
	}
	return &Error{Status: http.StatusBadRequest, Code: "IncompleteBody",
		Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
}
