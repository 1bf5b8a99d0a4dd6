package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
)

// maxConfigBody bounds the XML body of a sub-resource PUT.
const maxConfigBody = 1 << 20

var errConfigTooLarge = errors.New("s3api: request body too large")

// serveSubresources answers bucket operations (create, delete, head,
// location), bucket and object sub-resources (ACLs, CORS, versioning,
// public access block, ownership controls, encryption, the ones s3vpce does
// not emulate), versioned deletes, DeleteObjects and reads of delete
// markers.
func (h *Handler) serveSubresources(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "CreateBucket":
		h.createBucket(w, req)
	case "DeleteBucket":
		h.deleteBucket(w, req)
	case "HeadBucket":
		h.headBucket(w, req)
	case "GetBucketLocation":
		h.getBucketLocation(w, req)
	case "GetBucketAcl", "PutBucketAcl", "GetObjectAcl", "PutObjectAcl":
		h.serveACL(w, req)
	case "GetBucketCors", "PutBucketCors", "DeleteBucketCors",
		"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls",
		"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption":
		h.serveBucketConfig(w, req)
	case "GetBucketVersioning", "PutBucketVersioning":
		h.serveVersioning(w, req)
	case "DeleteObject":
		if !req.Query.Has("versionId") {
			return false
		}
		h.deleteVersion(w, req)
	case "DeleteObjects":
		h.deleteObjects(w, req)
	case "GetObject", "HeadObject":
		return h.serveDeleteMarker(w, req)
	case "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold":
		if h.bucketOf(w, req) == nil {
			return true
		}
		WriteError(w, req.HTTP, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "Bucket is missing Object Lock Configuration"})
	default:
		if !notEmulated(req.Op) {
			return false
		}
		if h.bucketOf(w, req) == nil {
			return true
		}
		WriteError(w, req.HTTP, &Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented"})
	}
	return true
}

// notEmulated reports the sub-resource operations s3vpce does not emulate:
// S3's NotImplemented error answers them, never gofakes3 (which would take
// a PUT for CreateBucket and a GET for an object or a listing).
func notEmulated(op string) bool {
	switch op {
	case "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle",
		"GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite",
		"GetBucketLogging", "PutBucketLogging",
		"GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration",
		"GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication",
		"GetBucketRequestPayment", "PutBucketRequestPayment",
		"GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration",
		"GetObjectLockConfiguration", "PutObjectLockConfiguration",
		"GetBucketInventoryConfiguration", "PutBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration", "ListBucketInventoryConfigurations",
		"GetBucketAnalyticsConfiguration", "PutBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration", "ListBucketAnalyticsConfigurations",
		"GetBucketMetricsConfiguration", "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration", "ListBucketMetricsConfigurations",
		"GetBucketIntelligentTieringConfiguration", "PutBucketIntelligentTieringConfiguration",
		"DeleteBucketIntelligentTieringConfiguration", "ListBucketIntelligentTieringConfigurations",
		"GetObjectTorrent", "SelectObjectContent":
		return true
	}
	return false
}

// configState is empty: every configuration lives in the store. handler.go
// still builds one; drop both with its Handler field.
type configState struct{}

func newConfigState() *configState { return &configState{} }

// readConfigBody reads a sub-resource request body of at most
// maxConfigBody bytes.
func readConfigBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err == nil && len(body) > maxConfigBody {
		err = errConfigTooLarge
	}
	return body, err
}

// readConfigXML decodes the request body into v; on failure it answers
// MalformedXML and returns false.
func readConfigXML(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readConfigBody(r)
	if err != nil || len(body) == 0 || xml.Unmarshal(body, v) != nil {
		WriteError(w, r, errMalformedXML())
		return false
	}
	return true
}
