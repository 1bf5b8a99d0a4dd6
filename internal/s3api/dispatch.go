package s3api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// opHandler answers one S3 operation: it writes the response, or returns
// the error Answer writes (an *s3err.Error, or a store error that
// storeError maps).
type opHandler func(h *Handler, w http.ResponseWriter, req *Request) error

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
	"ListObjects":          func(h *Handler, w http.ResponseWriter, req *Request) error { return h.listObjects(w, req, false) },
	"ListObjectsV2":        func(h *Handler, w http.ResponseWriter, req *Request) error { return h.listObjects(w, req, true) },
	"ListObjectVersions":   (*Handler).listObjectVersions,
	"ListMultipartUploads": (*Handler).listMultipartUploads,

	// Objects (object.go, copy.go, delete.go).
	"GetObject":      (*Handler).getObject,
	"HeadObject":     (*Handler).getObject,
	"PutObject":      (*Handler).putObject,
	"PostObject":     (*Handler).postObject,
	"DeleteObject":   (*Handler).deleteObject,
	"DeleteObjects":  (*Handler).deleteObjects,
	"CopyObject":     (*Handler).copyObject,
	"UploadPartCopy": (*Handler).uploadPartCopy,

	// Multipart uploads (multipart.go).
	"CreateMultipartUpload":   (*Handler).createMultipartUpload,
	"UploadPart":              (*Handler).uploadPart,
	"CompleteMultipartUpload": (*Handler).completeMultipartUpload,
	"AbortMultipartUpload":    (*Handler).abortMultipartUpload,
	"ListParts":               (*Handler).listParts,

	// Tagging (tagging.go).
	"GetObjectTagging":    (*Handler).objectTagging,
	"PutObjectTagging":    (*Handler).objectTagging,
	"DeleteObjectTagging": (*Handler).objectTagging,
	"GetBucketTagging":    (*Handler).bucketTagging,
	"PutBucketTagging":    (*Handler).bucketTagging,
	"DeleteBucketTagging": (*Handler).bucketTagging,

	// Configuration (acl.go, config.go, policy.go, objectlock.go).
	"GetBucketAcl":                  (*Handler).serveACL,
	"PutBucketAcl":                  (*Handler).serveACL,
	"GetObjectAcl":                  (*Handler).serveACL,
	"PutObjectAcl":                  (*Handler).serveACL,
	"GetBucketCors":                 (*Handler).serveBucketConfig,
	"PutBucketCors":                 (*Handler).serveBucketConfig,
	"DeleteBucketCors":              (*Handler).serveBucketConfig,
	"CORSPreflight":                 (*Handler).corsPreflight,
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
	"GetBucketPolicy":               (*Handler).getBucketPolicy,
	"PutBucketPolicy":               (*Handler).putBucketPolicy,
	"DeleteBucketPolicy":            (*Handler).deleteBucketPolicy,
	"GetBucketPolicyStatus":         (*Handler).getBucketPolicyStatus,
	"GetObjectRetention":            (*Handler).serveObjectRetention,
	"PutObjectRetention":            (*Handler).serveObjectRetention,
	"GetObjectLegalHold":            (*Handler).serveObjectLegalHold,
	"PutObjectLegalHold":            (*Handler).serveObjectLegalHold,
	"GetObjectLockConfiguration":    (*Handler).serveObjectLockConfiguration,
	"PutObjectLockConfiguration":    (*Handler).serveObjectLockConfiguration,

	// Lifecycle, logging, torrents (lifecycle.go, logging.go).
	"GetBucketLifecycleConfiguration": (*Handler).serveLifecycle,
	"PutBucketLifecycleConfiguration": (*Handler).serveLifecycle,
	"DeleteBucketLifecycle":           (*Handler).serveLifecycle,
	"GetBucketLogging":                (*Handler).serveLogging,
	"PutBucketLogging":                (*Handler).serveLogging,
	"GetObjectTorrent":                (*Handler).getObjectTorrent,
	"GetObjectAttributes":             (*Handler).getObjectAttributes, // attributes.go
	"GetBucketWebsite":                (*Handler).serveWebsite,        // website.go
	"PutBucketWebsite":                (*Handler).serveWebsite,
	"DeleteBucketWebsite":             (*Handler).serveWebsite,
}

// Answer answers req with its operation's handler from the table; an
// operation s3vpce does not emulate gets S3's 501 NotImplemented (after
// the bucket's existence is checked, as S3 does). Errors are written by
// s3err.Write; a panic becomes 500 InternalError, logged.
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
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	op, ok := operations[req.Op]
	if !ok {
		op = (*Handler).notImplemented
	}
	if serr := h.checkExpectedOwner(req); serr != nil {
		s3err.Write(w, req.HTTP, serr)
		return
	}
	if err := op(h, w, req); err != nil {
		s3err.Write(w, req.HTTP, h.storeError(req, requestTarget(req), err))
	}
}

// notImplemented answers an operation s3vpce does not emulate.
func (h *Handler) notImplemented(w http.ResponseWriter, req *Request) error {
	if req.Bucket != "" {
		if _, err := h.store.Bucket(req.Bucket); err != nil {
			return err
		}
	}
	return errNotImplemented()
}
