package s3api

import (
	"errors"
	"net/http"
	"os"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// storeError turns an error from the store (or from the request body the
// store was reading) into S3's error for req.
func requestStoreError(err error, req *Request) *s3err.Error {
	var se *s3err.Error
	if errors.As(err, &se) {
		return se // the body's own verdict (BadDigest, XAmzContentSHA256Mismatch, ...)
	}
	if e, ok := awschunked.ToS3Error(err); ok {
		return e
	}
	switch {
	case errors.Is(err, store.ErrNoSuchBucket):
		return NoSuchBucket(req.Bucket)
	case errors.Is(err, store.ErrNoSuchKey):
		return s3err.New(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").With("Key", req.Key)
	case errors.Is(err, store.ErrNoSuchVersion):
		return s3err.New(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.").
			With("Key", req.Key).With("VersionId", req.Query.Get("versionId"))
	case errors.Is(err, store.ErrNoSuchUpload):
		return s3err.New(http.StatusNotFound, "NoSuchUpload",
			"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
			With("UploadId", req.Query.Get("uploadId"))
	case errors.Is(err, store.ErrBucketNotEmpty):
		return s3err.New(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").With("BucketName", req.Bucket)
	case errors.Is(err, store.ErrBucketExists):
		return s3err.New(http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", req.Bucket)
	case errors.Is(err, store.ErrInvalidPart):
		return s3err.New(http.StatusBadRequest, "InvalidPart",
			"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	case errors.Is(err, store.ErrIncompleteBody):
		return s3err.New(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return RequestTimeout()
	}
	// Disk full, I/O errors, corrupt records: S3's answer to its own
	// failures; the cause goes to the log (see Handler's logger).
	return s3err.Internal()
}

// NoSuchBucket is S3's error for a bucket that does not exist.
func NoSuchBucket(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", bucket)
}
