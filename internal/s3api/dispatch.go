package s3api

import (
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// xmlns is the namespace of S3's XML documents.
const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// opHandler answers one S3 operation, writing its response (errors
// through WriteError, the one writer).
type opHandler func(h *Handler, w http.ResponseWriter, req *Request)

// returning adapts a handler that returns its error instead of writing it.
func returning(f func(h *Handler, w http.ResponseWriter, req *Request) error) opHandler {
	return func(h *Handler, w http.ResponseWriter, req *Request) {
		if err := f(h, w, req); err != nil {
			s3err.Write(w, req.HTTP, asS3Error(err, req))
		}
	}
}

// operations maps each operation s3vpce answers (policy.S3Operation's
// names) to its handler. Answer refuses the others with NotImplemented.
var operations = map[string]opHandler{
	// Buckets (bucket.go).
	"ListBuckets":       (*Handler).listBuckets,
	"CreateBucket":      (*Handler).createBucket,
	"DeleteBucket":      (*Handler).deleteBucket,
	"HeadBucket":        (*Handler).headBucket,
	"GetBucketLocation": (*Handler).getBucketLocation,

	// Listings (listing.go).
	"ListObjects":          func(h *Handler, w http.ResponseWriter, req *Request) { h.listObjects(w, req, false) },
	"ListObjectsV2":        func(h *Handler, w http.ResponseWriter, req *Request) { h.listObjects(w, req, true) },
	"ListObjectVersions":   (*Handler).listObjectVersions,
	"ListMultipartUploads": (*Handler).listMultipartUploads,

	// Objects (objects.go, copy.go, copy_part.go, batchdelete.go).
	"GetObject":      (*Handler).getObject,
	"HeadObject":     (*Handler).getObject,
	"PutObject":      (*Handler).putObject,
	"DeleteObject":   (*Handler).deleteObject,
	"DeleteObjects":  returning((*Handler).deleteObjectsBatch),
	"CopyObject":     (*Handler).copyObject,
	"UploadPartCopy": (*Handler).uploadPartCopy,

	// Multipart uploads (multipart.go).
	"CreateMultipartUpload":   (*Handler).createMultipartUpload,
	"UploadPart":              (*Handler).uploadPart,
	"CompleteMultipartUpload": (*Handler).completeMultipartUpload,
	"AbortMultipartUpload":    (*Handler).abortMultipartUpload,
	"ListParts":               (*Handler).listParts,

	// Tagging (objects_tagging.go).
	"GetObjectTagging":    (*Handler).objectTagging,
	"PutObjectTagging":    (*Handler).objectTagging,
	"DeleteObjectTagging": (*Handler).objectTagging,
	"GetBucketTagging":    (*Handler).bucketTagging,
	"PutBucketTagging":    (*Handler).bucketTagging,
	"DeleteBucketTagging": (*Handler).bucketTagging,

	// Configuration (config.go, versioning.go, policydoc.go).
	"GetBucketAcl":                  (*Handler).serveACL,
	"PutBucketAcl":                  (*Handler).serveACL,
	"GetObjectAcl":                  (*Handler).serveACL,
	"PutObjectAcl":                  (*Handler).serveACL,
	"GetBucketCors":                 (*Handler).serveBucketConfig,
	"PutBucketCors":                 (*Handler).serveBucketConfig,
	"DeleteBucketCors":              (*Handler).serveBucketConfig,
	"GetPublicAccessBlock":          (*Handler).serveBucketConfig,
	"PutPublicAccessBlock":          (*Handler).serveBucketConfig,
	"DeletePublicAccessBlock":       (*Handler).serveBucketConfig,
	"GetBucketOwnershipControls":    (*Handler).serveBucketConfig,
	"PutBucketOwnershipControls":    (*Handler).serveBucketConfig,
	"DeleteBucketOwnershipControls": (*Handler).serveBucketConfig,
	"GetBucketEncryption":           (*Handler).serveBucketConfig,
	"PutBucketEncryption":           (*Handler).serveBucketConfig,
	"DeleteBucketEncryption":        (*Handler).serveBucketConfig,
	"GetBucketVersioning":           (*Handler).serveVersioning,
	"PutBucketVersioning":           (*Handler).serveVersioning,
	"GetBucketPolicy":               returning((*Handler).getBucketPolicy),
	"PutBucketPolicy":               returning((*Handler).putBucketPolicy),
	"DeleteBucketPolicy":            returning((*Handler).deleteBucketPolicy),
	"GetObjectRetention":            returning((*Handler).objectLockNotConfigured),
	"PutObjectRetention":            returning((*Handler).objectLockNotConfigured),
	"GetObjectLegalHold":            returning((*Handler).objectLockNotConfigured),
	"PutObjectLegalHold":            returning((*Handler).objectLockNotConfigured),
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sends the handler's logs (store failures, panics) to l.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// Answer answers req with its operation's handler from the table; an
// operation s3vpce does not emulate gets S3's 501 NotImplemented (after
// the bucket's existence is checked, as S3 does). A panic becomes 500
// InternalError, logged.
func (h *Handler) Answer(w http.ResponseWriter, req *Request) {
	defer func() {
		if v := recover(); v != nil {
			h.log.Error("panic in the S3 layer", "op", req.Op, "bucket", req.Bucket, "key", req.Key, "request_id", req.RequestID, "panic", fmt.Sprint(v))
			s3err.Write(w, req.HTTP, s3err.Internal())
		}
	}()
	if req.Query == nil {
		req.Query = req.HTTP.URL.Query()
	}
	if op, ok := operations[req.Op]; ok {
		op(h, w, req)
		return
	}
	if req.Bucket != "" {
		if _, err := h.store.Bucket(req.Bucket); err != nil {
			s3err.Write(w, req.HTTP, asS3Error(err, req))
			return
		}
	}
	s3err.Write(w, req.HTTP, s3err.New(http.StatusNotImplemented, "NotImplemented",
		"A header you provided implies functionality that is not implemented"))
}

// objectLockNotConfigured answers the object lock operations: s3vpce's
// buckets have no Object Lock configuration.
func (h *Handler) objectLockNotConfigured(w http.ResponseWriter, req *Request) error {
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	return s3err.New(http.StatusBadRequest, "InvalidRequest", "Bucket is missing Object Lock Configuration")
}

// asS3Error is err as S3's error: itself when it is one, else the store
// error's mapping (logged when it is an internal failure).
func asS3Error(err error, req *Request) *s3err.Error {
	if se, ok := err.(*s3err.Error); ok {
		return se
	}
	return requestStoreError(err, req)
}

// logStoreError logs a store failure that S3 reports as InternalError.
func (h *Handler) logStoreError(req *Request, err error) {
	h.log.Error("store failure", "op", req.Op, "bucket", req.Bucket, "key", req.Key, "request_id", req.RequestID, "err", err)
}

// writeXML writes a 200 response with an XML body.
func writeXML(w http.ResponseWriter, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return s3err.Internal()
	}
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	return nil
}
