package s3api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// target is what a store call was about: the names S3 puts in the
// elements of its error (BucketName, Key, VersionId, UploadId).
type target struct{ bucket, key, versionID, uploadID string }

// requestTarget is the request's own bucket, key, ?versionId and
// ?uploadId.
func requestTarget(req *Request) target {
	return target{bucket: req.Bucket, key: req.Key, versionID: req.Query.Get("versionId"), uploadID: req.Query.Get("uploadId")}
}

// storeError is S3's error for err, the failure of a store call about t
// made for req:
//   - an S3 error anywhere in the chain as it is: the verdict of a store
//     callback (PutInput.Check, a Finish hook, UpdateObject's fn) or of
//     the request body (BadDigest, XAmzContentSHA256Mismatch, ...);
//   - a request body that could not be read: as BodyReadError;
//   - the store's errors as S3's (NoSuchBucket, NoSuchKey, ...);
//   - anything else (a full disk, an I/O error, corrupt metadata) as
//     InternalError, logged with its cause.
func (h *Handler) storeError(req *Request, t target, err error) *s3err.Error {
	var se *s3err.Error
	if errors.As(err, &se) {
		return se
	}
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return RequestTimeout()
	case errors.Is(err, store.ErrNoSuchBucket):
		return errNoSuchBucket(t.bucket)
	case errors.Is(err, store.ErrNoSuchVersion):
		return errNoSuchVersion(t.key, t.versionID)
	case errors.Is(err, store.ErrNoSuchKey):
		return errNoSuchKey(t.key)
	case errors.Is(err, store.ErrNoSuchUpload):
		return errNoSuchUpload(t.uploadID)
	case errors.Is(err, store.ErrBucketNotEmpty):
		return s3err.New(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").
			With("BucketName", t.bucket)
	case errors.Is(err, store.ErrBucketExists):
		return s3err.New(http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", t.bucket)
	case errors.Is(err, store.ErrInvalidPart):
		return errInvalidPart().With("UploadId", t.uploadID)
	case errors.Is(err, store.ErrIncompleteBody), errors.Is(err, store.ErrBodyTooLong), errors.As(err, new(bodyReadError)):
		return errIncompleteBody()
	}
	h.log.Error("store failure", "op", req.Op, "bucket", t.bucket, "key", t.key, "request_id", req.RequestID, "err", err)
	return s3err.Internal()
}

// requestBody reads a request body for the store, marking its read
// failures as the client's (bodyReadError): the store wraps them, and
// storeError tells them from the store's own.
type requestBody struct{ r io.Reader }

func (b requestBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyReadError{err}
	}
	return n, err
}

// bodyReadError is a failure to read the request body.
type bodyReadError struct{ err error }

func (e bodyReadError) Error() string { return "s3api: reading the request body: " + e.err.Error() }

func (e bodyReadError) Unwrap() error { return e.err }

// BodyReadError is the answer to a request body that could not be read in
// full: the body's own verdict when it has one (BadDigest, a chunk
// signature mismatch, EntityTooLarge past the limit: see Body),
// RequestTimeout when a read deadline fired (the client stopped sending),
// IncompleteBody otherwise.
func BodyReadError(err error) *s3err.Error {
	var se *s3err.Error
	if errors.As(err, &se) {
		return se
	}
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return RequestTimeout()
	}
	return errIncompleteBody()
}

// RequestTimeout is S3's answer to a request whose body stopped arriving:
// the server's read deadline on the connection fired.
func RequestTimeout() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "RequestTimeout",
		"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

func errIncompleteBody() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func errNoSuchBucket(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", bucket)
}

func errNoSuchKey(key string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").With("Key", key)
}

func errNoSuchVersion(key, versionID string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.").
		With("Key", key).With("VersionId", versionID)
}

func errNoSuchUpload(uploadID string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		With("UploadId", uploadID)
}

// errInvalidPart is S3's InvalidPart; the caller adds the elements it
// knows (UploadId, PartNumber, ETag).
func errInvalidPart() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
}

func errPreconditionFailed(condition string) *s3err.Error {
	return s3err.New(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").
		With("Condition", condition)
}

// errInvalidArgument is S3's InvalidArgument naming the argument; the
// caller adds its ArgumentValue where S3 does.
func errInvalidArgument(message, argument string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidArgument", message).With("ArgumentName", argument)
}

func errInvalidVersionID(argument, versionID string) *s3err.Error {
	return errInvalidArgument("Invalid version id specified", argument).With("ArgumentValue", versionID)
}

// errNotImplemented is S3's answer to a feature s3vpce does not emulate.
func errNotImplemented() *s3err.Error {
	return s3err.New(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
}

func errMissingContentLength() *s3err.Error {
	return s3err.New(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
}

// maxKeyLength is S3's limit on key names, in bytes.
const maxKeyLength = 1024

// checkKeyLength is S3's KeyTooLongError for a key over maxKeyLength
// bytes, nil otherwise. Every operation that creates an object checks it.
func checkKeyLength(key string) *s3err.Error {
	if len(key) <= maxKeyLength {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").
		With("Size", strconv.Itoa(len(key))).With("MaxSizeAllowed", strconv.Itoa(maxKeyLength))
}
