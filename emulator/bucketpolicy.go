package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/s3vpce/s3vpce/policy"
)

// maxBucketPolicy is S3's limit on a bucket policy's size.
const maxBucketPolicy = 20 << 10

// SetBucketPolicy validates and sets a bucket's policy, as PutBucketPolicy
// does; the bucket must exist. An empty document deletes the policy.
func (s *Server) SetBucketPolicy(bucket, doc string) error {
	if ok, err := s.backend.BucketExists(bucket); err != nil || !ok {
		return fmt.Errorf("emulator: set policy of bucket %s: no such bucket", bucket)
	}
	if doc == "" {
		s.buckets.deletePolicy(bucket)
		return nil
	}
	p, serr := compileBucketPolicy([]byte(doc))
	if serr != nil {
		return fmt.Errorf("emulator: set policy of bucket %s: %s", bucket, serr.Message)
	}
	s.buckets.setPolicy(bucket, []byte(doc), p)
	return nil
}

// BucketPolicy returns a bucket's policy document, "" when it has none.
func (s *Server) BucketPolicy(bucket string) string {
	doc, _ := s.buckets.document(bucket)
	return string(doc)
}

// compileBucketPolicy parses a bucket policy, turning errors into S3's
// MalformedPolicy wording.
func compileBucketPolicy(doc []byte) (*policy.Policy, *s3Error) {
	if len(doc) > maxBucketPolicy {
		return nil, &s3Error{status: http.StatusBadRequest, Code: "PolicyTooLarge", Message: "Policy exceeds the maximum allowed document size."}
	}
	p, err := policy.Parse(doc, policy.WithKind(policy.KindBucket))
	if err != nil {
		msg := "Policies must be valid JSON and the first byte must be '{'"
		var pe *policy.ParseError
		if errors.As(err, &pe) && pe.Statement >= -1 && len(doc) > 0 && doc[0] == '{' {
			msg = malformedPolicyMessage(pe)
		}
		return nil, &s3Error{status: http.StatusBadRequest, Code: "MalformedPolicy", Message: msg}
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

// serveOwn answers the operations s3vpce implements itself instead of
// gofakes3; it reports whether it did.
func (s *Server) serveOwn(w http.ResponseWriter, r *http.Request, reqID string, rec *DecisionRecord, snap *snapshot, now time.Time) bool {
	t := rec.target
	switch t.op {
	case "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy":
	case "DeleteObjects":
		s.deleteObjects(w, r, reqID, rec, snap, now)
		return true
	default:
		return false
	}
	if ok, err := s.backend.BucketExists(t.bucket); err != nil || !ok {
		writeS3Error(w, r, reqID, &s3Error{status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist", Resource: t.bucket})
		return true
	}
	w.Header().Set("x-amz-request-id", reqID)
	w.Header().Set("x-amz-id-2", hostID(reqID))
	switch t.op {
	case "GetBucketPolicy":
		doc, ok := s.buckets.document(t.bucket)
		if !ok {
			writeS3Error(w, r, reqID, &s3Error{status: http.StatusNotFound, Code: "NoSuchBucketPolicy", Message: "The bucket policy does not exist", Resource: t.bucket})
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.WriteHeader(http.StatusOK)
		w.Write(doc)
	case "PutBucketPolicy":
		doc, err := io.ReadAll(io.LimitReader(r.Body, maxBucketPolicy+1))
		if err != nil {
			writeS3Error(w, r, reqID, &s3Error{status: http.StatusBadRequest, Code: "IncompleteBody", Message: "The request body terminated unexpectedly"})
			return true
		}
		p, serr := compileBucketPolicy(doc)
		if serr != nil {
			writeS3Error(w, r, reqID, serr)
			return true
		}
		s.buckets.setPolicy(t.bucket, doc, p)
		w.WriteHeader(http.StatusNoContent)
	case "DeleteBucketPolicy":
		s.buckets.deletePolicy(t.bucket)
		w.WriteHeader(http.StatusNoContent)
	}
	return true
}

// afterError adjusts an error gofakes3 returned: GetObject or HeadObject of
// a missing key is 404 only for a caller allowed to s3:ListBucket the
// bucket, 403 AccessDenied otherwise, as S3 does.
func (s *Server) afterError(r *http.Request, snap *snapshot, rec *DecisionRecord, status int, code string) *s3Error {
	if status != http.StatusNotFound || (rec.Operation != "GetObject" && rec.Operation != "HeadObject") || code == "NoSuchBucket" {
		return nil
	}
	list := target{op: "ListObjects", bucket: rec.target.bucket}
	listReq := *r
	listReq.Method = http.MethodGet
	checks, serr := s.authorize(&listReq, snap, rec.ep, rec.caller, list, s.now())
	rec.Checks = append(rec.Checks, checks...)
	if serr == nil {
		return nil
	}
	return &s3Error{status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
}

// afterSuccess keeps bucketMeta in step with the store.
func (s *Server) afterSuccess(rec *DecisionRecord, status int) {
	if status >= 300 {
		return
	}
	switch rec.Operation {
	case "CreateBucket":
		if acct := rec.caller.principal.Account; acct != "" {
			s.buckets.setOwner(rec.target.bucket, acct)
		}
	case "DeleteBucket":
		s.buckets.forget(rec.target.bucket)
	}
}
