package s3api

import (
	"encoding/xml"
	"io"
	"net/http"
	"sync"

	"github.com/johannesboyne/gofakes3"
)

// subresXMLNS is the XML namespace of S3 response documents.
const subresXMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxConfigBody bounds the XML body of a sub-resource PUT.
const maxConfigBody = 1 << 20

// serveSubresources answers bucket and object sub-resources (ACLs, CORS,
// versioning, public access block, ownership controls, encryption, the
// ones s3vpce does not emulate), versioned deletes and CreateBucket.
func (h *Handler) serveSubresources(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "CreateBucket":
		h.createBucket(w, req)
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
		if !h.bucketExists(w, req) {
			return true
		}
		WriteError(w, req.HTTP, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "Bucket is missing Object Lock Configuration"})
	default:
		if !notEmulated(req.Op) {
			return false
		}
		if !h.bucketExists(w, req) {
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

// configState is what this area keeps beside the backend: per-bucket
// configuration gofakes3 has no notion of.
type configState struct {
	mu      sync.Mutex
	buckets map[string]*bucketConfig
}

func newConfigState() *configState { return &configState{buckets: map[string]*bucketConfig{}} }

// bucketConfig is one bucket's sub-resource configuration. The zero value
// is not a new bucket: use newBucketConfig.
type bucketConfig struct {
	cors       *corsConfiguration
	pab        *publicAccessBlock // nil after DeletePublicAccessBlock
	ownership  string             // "" after DeleteBucketOwnershipControls
	encryption *encryptionConfiguration
	acl        []aclGrant // nil: the owner's FULL_CONTROL only
	// versioningSet is set once PutBucketVersioning was called: S3 then
	// reports Suspended, never the empty configuration of a bucket that
	// was never versioned.
	versioningSet bool
	// nullVersions maps keys to gofakes3's version ID of the object S3
	// calls version "null" (written before versioning was enabled).
	nullVersions map[string]gofakes3.VersionID
	// moved maps the old gofakes3 version ID of a version made current
	// again (see promote) to its new one, so listed IDs stay deletable.
	moved map[gofakes3.VersionID]gofakes3.VersionID
}

// newBucketConfig is the configuration of a new S3 bucket (since April
// 2023): Block Public Access on, ACLs disabled (BucketOwnerEnforced),
// SSE-S3 default encryption.
func newBucketConfig() *bucketConfig {
	return &bucketConfig{
		pab:          &publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
		ownership:    "BucketOwnerEnforced",
		nullVersions: map[string]gofakes3.VersionID{},
		moved:        map[gofakes3.VersionID]gofakes3.VersionID{},
	}
}

// with runs f on the configuration of bucket under the lock.
func (c *configState) with(bucket string, f func(*bucketConfig)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buckets[bucket]
	if b == nil {
		b = newBucketConfig()
		c.buckets[bucket] = b
	}
	f(b)
}

// reset gives bucket a new bucket's configuration.
func (c *configState) reset(bucket string, ownership string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := newBucketConfig()
	if ownership != "" {
		b.ownership = ownership
	}
	c.buckets[bucket] = b
}

// bucketExists answers NoSuchBucket and returns false when the request's
// bucket does not exist.
func (h *Handler) bucketExists(w http.ResponseWriter, req *Request) bool {
	ok, err := h.backend.BucketExists(req.Bucket)
	if err != nil {
		subresInternal(w, req.HTTP)
		return false
	}
	if !ok {
		WriteError(w, req.HTTP, &Error{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist",
			Extra: []ExtraElement{{XMLName: xml.Name{Local: "BucketName"}, Value: req.Bucket}}})
		return false
	}
	return true
}

func subresInternal(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."})
}

func subresMalformedXML(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
		Message: "The XML you provided was not well-formed or did not validate against our published schema"})
}

// subresReadXML decodes the request body into v; on failure it answers
// MalformedXML and returns false.
func subresReadXML(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err != nil || len(body) == 0 || len(body) > maxConfigBody || xml.Unmarshal(body, v) != nil {
		subresMalformedXML(w, r)
		return false
	}
	return true
}
