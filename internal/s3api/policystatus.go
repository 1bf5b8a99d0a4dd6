package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3control"
	"github.com/s3vpce/s3vpce/internal/s3err"
)

// policyStatusResult is GetBucketPolicyStatus' response document.
type policyStatusResult struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// bucketPolicyIsPublic reports whether a stored bucket policy grants
// public access; a document that no longer compiles is not public. It is
// the one place GetBucketPolicyStatus asks the question, so the rule can
// move (to the policy package, say) without touching the handler.
func bucketPolicyIsPublic(doc []byte) bool {
	p, serr := CompileBucketPolicy(doc)
	return serr == nil && s3control.IsPublic(p)
}

// getBucketPolicyStatus answers GetBucketPolicyStatus as S3 does: 404
// NoSuchBucketPolicy for a bucket without a policy, else whether the
// policy is public. (S3 judges the policy only: a public ACL does not make
// the status public.)
func (h *Handler) getBucketPolicyStatus(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if len(b.Policy) == 0 {
		return s3err.New(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").With("BucketName", req.Bucket)
	}
	return writeXML(w, req.HTTP, policyStatusResult{Xmlns: xmlns, IsPublic: bucketPolicyIsPublic(b.Policy)})
}
