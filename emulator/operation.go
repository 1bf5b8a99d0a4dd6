package emulator

import (
	"net/http"
	"net/url"
)

// operation names the S3 REST operation of a path-style request, using the
// names of policy.S3Operation; "" when the request is none s3vpce knows.
// Every S3 sub-resource maps to its own operation: a PUT on ?cors is never
// CreateBucket, a GET on ?retention never GetObject.
func operation(method, bucket, key string, q url.Values, h http.Header) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	copying := headerValue(h, hdrCopySource) != ""
	switch {
	case bucket == "":
		if method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	case key == "":
		for _, sub := range bucketSubresources {
			if has(sub.query) {
				if method == http.MethodGet && sub.list != "" && !has("id") {
					return sub.list
				}
				return sub.pick(method)
			}
		}
		switch method {
		case http.MethodGet:
			if q.Get("list-type") == "2" {
				return "ListObjectsV2"
			}
			return "ListObjects"
		case http.MethodHead:
			return "HeadBucket"
		case http.MethodPut:
			return "CreateBucket"
		case http.MethodDelete:
			return "DeleteBucket"
		}
		return ""
	}
	if has("uploadId") {
		switch method {
		case http.MethodPut:
			if copying {
				return "UploadPartCopy"
			}
			return "UploadPart"
		case http.MethodPost:
			return "CompleteMultipartUpload"
		case http.MethodDelete:
			return "AbortMultipartUpload"
		case http.MethodGet:
			return "ListParts"
		}
		return ""
	}
	for _, sub := range objectSubresources {
		if has(sub.query) {
			return sub.pick(method)
		}
	}
	switch method {
	case http.MethodGet:
		return "GetObject"
	case http.MethodHead:
		return "HeadObject"
	case http.MethodPut:
		if copying {
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodDelete:
		return "DeleteObject"
	}
	return ""
}

// subresource maps a query parameter to the operation of each method; ""
// when S3 has no such operation (the request is then refused).
type subresource struct {
	query               string
	get, put, del, post string
	list                string // GET without ?id (inventory, analytics, ...)
}

func (s subresource) pick(method string) string {
	switch method {
	case http.MethodGet:
		return s.get
	case http.MethodPut:
		return s.put
	case http.MethodDelete:
		return s.del
	case http.MethodPost:
		return s.post
	}
	return ""
}

// bucketSubresources are the sub-resources of a bucket, from the S3 API
// reference. Order matters only for requests naming several.
var bucketSubresources = []subresource{
	{query: "delete", post: "DeleteObjects"},
	{query: "versions", get: "ListObjectVersions"},
	{query: "uploads", get: "ListMultipartUploads"},
	{query: "location", get: "GetBucketLocation"},
	{query: "policyStatus", get: "GetBucketPolicyStatus"},
	{query: "policy", get: "GetBucketPolicy", put: "PutBucketPolicy", del: "DeleteBucketPolicy"},
	{query: "versioning", get: "GetBucketVersioning", put: "PutBucketVersioning"},
	{query: "tagging", get: "GetBucketTagging", put: "PutBucketTagging", del: "DeleteBucketTagging"},
	{query: "acl", get: "GetBucketAcl", put: "PutBucketAcl"},
	{query: "cors", get: "GetBucketCors", put: "PutBucketCors", del: "DeleteBucketCors"},
	{query: "encryption", get: "GetBucketEncryption", put: "PutBucketEncryption", del: "DeleteBucketEncryption"},
	{query: "lifecycle", get: "GetBucketLifecycleConfiguration", put: "PutBucketLifecycleConfiguration", del: "DeleteBucketLifecycle"},
	{query: "publicAccessBlock", get: "GetPublicAccessBlock", put: "PutPublicAccessBlock", del: "DeletePublicAccessBlock"},
	{query: "ownershipControls", get: "GetBucketOwnershipControls", put: "PutBucketOwnershipControls", del: "DeleteBucketOwnershipControls"},
	{query: "website", get: "GetBucketWebsite", put: "PutBucketWebsite", del: "DeleteBucketWebsite"},
	{query: "logging", get: "GetBucketLogging", put: "PutBucketLogging"},
	{query: "notification", get: "GetBucketNotificationConfiguration", put: "PutBucketNotificationConfiguration"},
	{query: "replication", get: "GetBucketReplication", put: "PutBucketReplication", del: "DeleteBucketReplication"},
	{query: "requestPayment", get: "GetBucketRequestPayment", put: "PutBucketRequestPayment"},
	{query: "accelerate", get: "GetBucketAccelerateConfiguration", put: "PutBucketAccelerateConfiguration"},
	{query: "object-lock", get: "GetObjectLockConfiguration", put: "PutObjectLockConfiguration"},
	{query: "inventory", get: "GetBucketInventoryConfiguration", put: "PutBucketInventoryConfiguration",
		del: "DeleteBucketInventoryConfiguration", list: "ListBucketInventoryConfigurations"},
	{query: "analytics", get: "GetBucketAnalyticsConfiguration", put: "PutBucketAnalyticsConfiguration",
		del: "DeleteBucketAnalyticsConfiguration", list: "ListBucketAnalyticsConfigurations"},
	{query: "metrics", get: "GetBucketMetricsConfiguration", put: "PutBucketMetricsConfiguration",
		del: "DeleteBucketMetricsConfiguration", list: "ListBucketMetricsConfigurations"},
	{query: "intelligent-tiering", get: "GetBucketIntelligentTieringConfiguration", put: "PutBucketIntelligentTieringConfiguration",
		del: "DeleteBucketIntelligentTieringConfiguration", list: "ListBucketIntelligentTieringConfigurations"},
}

// objectSubresources are the sub-resources of an object (uploadId apart).
var objectSubresources = []subresource{
	{query: "uploads", post: "CreateMultipartUpload"},
	{query: "tagging", get: "GetObjectTagging", put: "PutObjectTagging", del: "DeleteObjectTagging"},
	{query: "acl", get: "GetObjectAcl", put: "PutObjectAcl"},
	{query: "attributes", get: "GetObjectAttributes"},
	{query: "restore", post: "RestoreObject"},
	{query: "retention", get: "GetObjectRetention", put: "PutObjectRetention"},
	{query: "legal-hold", get: "GetObjectLegalHold", put: "PutObjectLegalHold"},
	{query: "torrent", get: "GetObjectTorrent"},
	{query: "select", post: "SelectObjectContent"},
}
