package s3api

import (
	"errors"
	"net/http"
	"os"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/awschunked"

	"github.com/s3vpce/s3vpce/internal/store"
)

func elem(name, value string) ExtraElement {
	var e ExtraElement
	e.XMLName.Local = name
	e.Value = value
	return e
}

func errNoSuchBucket(bucket string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist",
		Extra: []ExtraElement{elem("BucketName", bucket)}}
}

func errNoSuchKey(key string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
		Extra: []ExtraElement{elem("Key", key)}}
}

func errNoSuchVersion(key, version string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchVersion", Message: "The specified version does not exist.",
		Extra: []ExtraElement{elem("Key", key), elem("VersionId", version)}}
}

func errPreconditionFailed(condition string) *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
		Message: "At least one of the pre-conditions you specified did not hold",
		Extra:   []ExtraElement{elem("Condition", condition)}}
}

func errInternal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
}

func errInvalidVersionID(argument, version string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid version id specified",
		Extra: []ExtraElement{elem("ArgumentName", argument), elem("ArgumentValue", version)}}
}

// maxKeyLength is S3's limit on key names, in bytes.
const maxKeyLength = 1024

// checkKeyLength is S3's KeyTooLongError for a key over maxKeyLength
// bytes, nil otherwise. Every operation that creates an object checks it.
func checkKeyLength(key string) *Error {
	if len(key) <= maxKeyLength {
		return nil
	}
	return &Error{Status: http.StatusBadRequest, Code: "KeyTooLongError", Message: "Your key is too long",
		Extra: []ExtraElement{elem("Size", strconv.Itoa(len(key))), elem("MaxSizeAllowed", strconv.Itoa(maxKeyLength))}}
}

// rejected carries an S3 error out of a store callback (PutInput.Check,
// UpdateObject's fn): the store returns the callback's error as is.
type rejected struct{ e *Error }

func (r rejected) Error() string { return "s3api: " + r.e.Code + ": " + r.e.Message }

// storeError turns a store error about bucket/key (and version) into S3's
// error: a callback's rejection as it was, the store's not-found errors as
// S3's, a body that stopped short as IncompleteBody or RequestTimeout, and
// anything else as InternalError.
func storeError(err error, bucket, key, version string) *Error {
	var r rejected
	var se *Error
	switch {
	case errors.As(err, &r):
		return r.e
	case errors.As(err, &se):
		return se // the body's own verdict (BadDigest, a chunk signature, ...)
	case errors.Is(err, store.ErrNoSuchBucket):
		return errNoSuchBucket(bucket)
	case errors.Is(err, store.ErrNoSuchVersion):
		return errNoSuchVersion(key, version)
	case errors.Is(err, store.ErrNoSuchKey):
		return errNoSuchKey(key)
	case errors.Is(err, store.ErrIncompleteBody):
		return BodyReadError(err)
	}
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return RequestTimeout()
	}
	return errInternal()
}
