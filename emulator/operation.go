package emulator

import (
	"net/http"
	"net/url"
)

// operation names the S3 REST operation of a path-style request, using the
// names of policy.S3Operation; "" when the request is none s3vpce knows.
func operation(method, bucket, key string, q url.Values, h http.Header) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	pick := func(get, put, del string) string {
		switch method {
		case http.MethodGet:
			return get
		case http.MethodPut:
			return put
		case http.MethodDelete:
			return del
		}
		return ""
	}
	copying := h.Get("X-Amz-Copy-Source") != ""
	switch {
	case bucket == "":
		if method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	case key == "":
		for _, sub := range bucketSubresources {
			if has(sub.query) {
				return pick(sub.get, sub.put, sub.del)
			}
		}
		switch {
		case has("delete") && method == http.MethodPost:
			return "DeleteObjects"
		case has("versions"):
			return pick("ListObjectVersions", "", "")
		case has("uploads"):
			return pick("ListMultipartUploads", "", "")
		case has("location"):
			return pick("GetBucketLocation", "", "")
		case has("policyStatus"):
			return pick("GetBucketPolicyStatus", "", "")
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
	switch {
	case has("uploadId"):
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
	case has("uploads"):
		if method == http.MethodPost {
			return "CreateMultipartUpload"
		}
		return ""
	case has("tagging"):
		return pick("GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging")
	case has("acl"):
		return pick("GetObjectAcl", "PutObjectAcl", "")
	case has("attributes"):
		return pick("GetObjectAttributes", "", "")
	case has("restore"):
		if method == http.MethodPost {
			return "RestoreObject"
		}
		return ""
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

var bucketSubresources = []struct{ query, get, put, del string }{
	{"policy", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"},
	{"versioning", "GetBucketVersioning", "PutBucketVersioning", ""},
	{"tagging", "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"},
	{"acl", "GetBucketAcl", "PutBucketAcl", ""},
	{"cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors"},
	{"encryption", "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"},
	{"lifecycle", "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"},
	{"publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"},
	{"ownershipControls", "GetBucketOwnershipControls", "PutBucketOwnershipControls", ""},
}
