package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// publicAccessBlockOf is bucket b's public access block: none (all off)
// unless stored. CreateBucket stores all four settings on (S3's default
// for new buckets since April 2023); buckets the emulator creates at start
// (serve --bucket) and buckets of an older store have none, like S3
// buckets made before then.
func publicAccessBlockOf(b *store.Bucket) (publicAccessBlock, error) {
	var p publicAccessBlock
	_, _, err := readConfig(b, configPublicAccessBlock, &p)
	return p, err
}

// newBucketBlock is the public access block of a new bucket.
var newBucketBlock = publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}

// RestrictsPublicBuckets reports whether bucket b's public access block
// restricts a bucket with a public policy to its own account
// (RestrictPublicBuckets).
func RestrictsPublicBuckets(b *store.Bucket) bool {
	p, err := publicAccessBlockOf(b)
	return err != nil || p.RestrictPublicBuckets
}

// policyStatus is GetBucketPolicyStatus' answer.
type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// getBucketPolicyStatus answers GetBucketPolicyStatus: whether the
// bucket's policy is public (policy.Policy.IsPublic); NoSuchBucketPolicy
// without one, as S3 does (ACLs play no part).
func (h *Handler) getBucketPolicyStatus(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if len(b.Policy) == 0 {
		return s3err.New(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").With("BucketName", req.Bucket)
	}
	p, serr := CompileBucketPolicy(b.Policy)
	if serr != nil {
		return serr
	}
	return writeXML(w, req.HTTP, &policyStatus{Xmlns: xmlns, IsPublic: p.IsPublic()})
}

// checkPublicPolicy refuses a public policy (403 AccessDenied) for a
// bucket that blocks public policies (BlockPublicPolicy).
func (h *Handler) checkPublicPolicy(req *Request, isPublic bool) error {
	if !isPublic {
		return nil
	}
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	p, err := publicAccessBlockOf(b)
	if err != nil {
		return err
	}
	if p.BlockPublicPolicy {
		return errAccessDenied()
	}
	return nil
}
