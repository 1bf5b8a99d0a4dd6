package emulator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/s3vpce/s3vpce/policy"
)

func TestOperation(t *testing.T) {
	tests := []struct {
		method, path, query string
		copySource          bool
		want                string
	}{
		{"GET", "", "", false, "ListBuckets"},
		{"PUT", "b", "", false, "CreateBucket"},
		{"GET", "b", "", false, "ListObjects"},
		{"GET", "b", "list-type=2", false, "ListObjectsV2"},
		{"HEAD", "b", "", false, "HeadBucket"},
		{"DELETE", "b", "", false, "DeleteBucket"},
		{"POST", "b", "delete", false, "DeleteObjects"},
		{"GET", "b", "versions", false, "ListObjectVersions"},
		{"GET", "b", "uploads", false, "ListMultipartUploads"},
		{"GET", "b", "location", false, "GetBucketLocation"},
		{"GET", "b", "policyStatus", false, "GetBucketPolicyStatus"},
		{"PUT", "b", "policy", false, "PutBucketPolicy"},
		{"PUT", "b", "versioning", false, "PutBucketVersioning"},
		{"PUT", "b", "acl", false, "PutBucketAcl"},
		{"GET", "b", "acl", false, "GetBucketAcl"},
		{"PUT", "b", "cors", false, "PutBucketCors"},
		{"DELETE", "b", "cors", false, "DeleteBucketCors"},
		{"PUT", "b", "encryption", false, "PutBucketEncryption"},
		{"PUT", "b", "lifecycle", false, "PutBucketLifecycleConfiguration"},
		{"DELETE", "b", "lifecycle", false, "DeleteBucketLifecycle"},
		{"PUT", "b", "publicAccessBlock", false, "PutPublicAccessBlock"},
		{"DELETE", "b", "ownershipControls", false, "DeleteBucketOwnershipControls"},
		{"PUT", "b", "website", false, "PutBucketWebsite"},
		{"DELETE", "b", "website", false, "DeleteBucketWebsite"},
		{"PUT", "b", "logging", false, "PutBucketLogging"},
		{"GET", "b", "notification", false, "GetBucketNotificationConfiguration"},
		{"PUT", "b", "replication", false, "PutBucketReplication"},
		{"PUT", "b", "requestPayment", false, "PutBucketRequestPayment"},
		{"PUT", "b", "accelerate", false, "PutBucketAccelerateConfiguration"},
		{"PUT", "b", "object-lock", false, "PutObjectLockConfiguration"},
		{"GET", "b", "inventory", false, "ListBucketInventoryConfigurations"},
		{"GET", "b", "inventory&id=x", false, "GetBucketInventoryConfiguration"},
		{"PUT", "b", "analytics&id=x", false, "PutBucketAnalyticsConfiguration"},
		{"DELETE", "b", "metrics&id=x", false, "DeleteBucketMetricsConfiguration"},
		{"GET", "b", "intelligent-tiering", false, "ListBucketIntelligentTieringConfigurations"},
		{"PUT", "b", "tagging", false, "PutBucketTagging"},
		// A method S3 has no operation for on a sub-resource is refused, never CreateBucket.
		{"DELETE", "b", "versioning", false, ""},
		{"POST", "b", "cors", false, ""},
		{"GET", "b/k", "", false, "GetObject"},
		{"HEAD", "b/k", "", false, "HeadObject"},
		{"PUT", "b/k", "", false, "PutObject"},
		{"PUT", "b/k", "", true, "CopyObject"},
		{"DELETE", "b/k", "versionId=null", false, "DeleteObject"},
		{"POST", "b/k", "uploads", false, "CreateMultipartUpload"},
		{"PUT", "b/k", "partNumber=1&uploadId=u", false, "UploadPart"},
		{"PUT", "b/k", "partNumber=1&uploadId=u", true, "UploadPartCopy"},
		{"POST", "b/k", "uploadId=u", false, "CompleteMultipartUpload"},
		{"GET", "b/k", "uploadId=u", false, "ListParts"},
		{"DELETE", "b/k", "uploadId=u", false, "AbortMultipartUpload"},
		{"GET", "b/k", "tagging", false, "GetObjectTagging"},
		{"GET", "b/k", "acl", false, "GetObjectAcl"},
		{"PUT", "b/k", "acl", false, "PutObjectAcl"},
		{"GET", "b/k", "retention", false, "GetObjectRetention"},
		{"PUT", "b/k", "retention", false, "PutObjectRetention"},
		{"GET", "b/k", "legal-hold", false, "GetObjectLegalHold"},
		{"PUT", "b/k", "legal-hold", false, "PutObjectLegalHold"},
		{"GET", "b/k", "attributes", false, "GetObjectAttributes"},
		{"POST", "b/k", "restore", false, "RestoreObject"},
		{"GET", "b/k", "torrent", false, "GetObjectTorrent"},
		{"POST", "b/k", "select&select-type=2", false, "SelectObjectContent"},
		{"DELETE", "b/k", "retention", false, ""},
		{"PUT", "b/k", "attributes", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" /"+tt.path+"?"+tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			h := http.Header{}
			if tt.copySource {
				h.Set("X-Amz-Copy-Source", "/src/k")
			}
			bucket, key := tt.path, ""
			for i := range len(tt.path) {
				if tt.path[i] == '/' {
					bucket, key = tt.path[:i], tt.path[i+1:]
					break
				}
			}
			if got := operation(tt.method, bucket, key, q, h); got != tt.want {
				t.Errorf("operation = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOperationTableAuthorizable checks that every operation the classifier
// can name is in the policy table, so the gate can authorize it.
func TestOperationTableAuthorizable(t *testing.T) {
	var names []string
	for _, subs := range [][]subresource{bucketSubresources, objectSubresources} {
		for _, s := range subs {
			names = append(names, s.get, s.put, s.del, s.post, s.list)
		}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if _, ok := policy.S3Operation(n); !ok {
			t.Errorf("%s is classified but missing from policy's operation table", n)
		}
	}
}
