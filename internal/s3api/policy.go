package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/policy"
)

// MaxBucketPolicy is S3's limit on a bucket policy's size.
const MaxBucketPolicy = 20 << 10

// CompileBucketPolicy parses a bucket policy document, with S3's
// PolicyTooLarge and MalformedPolicy errors (keeping s3vpce's location
// detail in the message).
func CompileBucketPolicy(doc []byte) (*policy.Policy, *s3err.Error) {
	if len(doc) > MaxBucketPolicy {
		return nil, s3err.New(http.StatusBadRequest, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	p, err := policy.Parse(doc, policy.WithKind(policy.KindBucket))
	if err != nil {
		msg := "Policies must be valid JSON and the first byte must be '{'"
		var pe *policy.ParseError
		if errors.As(err, &pe) && pe.Statement >= -1 && len(doc) > 0 && doc[0] == '{' {
			msg = malformedPolicyMessage(pe)
		}
		return nil, s3err.New(http.StatusBadRequest, "MalformedPolicy", msg)
	}
	return p, nil
}

// malformedPolicyMessage words a parse error the way S3 does for the
// common cases, keeping s3vpce's location detail after it.
func malformedPolicyMessage(pe *policy.ParseError) string {
	head := "Invalid policy syntax."
	switch pe.Field {
	case "Principal", "NotPrincipal":
		head = "Invalid principal in policy"
	case "Resource", "NotResource":
		head = "Policy has invalid resource"
	case "Action", "NotAction":
		head = "Policy has invalid action"
	case "Condition":
		head = "Policy has an invalid condition key"
	}
	return head + " (" + pe.Error() + ")"
}

// getBucketPolicy answers GetBucketPolicy: the document as put.
func (h *Handler) getBucketPolicy(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if len(b.Policy) == 0 {
		return s3err.New(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").With("BucketName", req.Bucket)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b.Policy)))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Policy)
	return nil
}

// putBucketPolicy answers PutBucketPolicy: a valid document replaces the
// bucket's policy.
func (h *Handler) putBucketPolicy(w http.ResponseWriter, req *Request) error {
	doc, err := io.ReadAll(io.LimitReader(req.HTTP.Body, MaxBucketPolicy+1))
	if err != nil {
		return BodyReadError(err)
	}
	if serr := checkDocumentMD5(req.HTTP.Header, doc); serr != nil { // checksums.go
		return serr
	}
	p, serr := CompileBucketPolicy(doc)
	if serr != nil {
		return serr
	}
	if err := h.checkPublicPolicy(req, p.IsPublic()); err != nil {
		return err
	}
	return h.updateBucket(w, req, http.StatusNoContent, func(b *store.Bucket) { b.Policy = doc })
}

// deleteBucketPolicy answers DeleteBucketPolicy (204 also when none).
func (h *Handler) deleteBucketPolicy(w http.ResponseWriter, req *Request) error {
	return h.updateBucket(w, req, http.StatusNoContent, func(b *store.Bucket) { b.Policy = nil })
}
