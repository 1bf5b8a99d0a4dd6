package emulator

import (
	"net/http"
	"net/url"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/policy"
)

// authorizer answers the S3 layer's further authorization questions within
// one request, with its caller, endpoint and policies, recording each
// check in the request's decision record.
type authorizer struct {
	s    *Server
	r    *http.Request
	snap *snapshot
	rec  *DecisionRecord
	now  time.Time
}

var _ s3api.Authorizer = (*authorizer)(nil)

// Allow implements s3api.Authorizer. A denied ListObjects is the
// missing-key rule (S3 answers 403 instead of 404 to a caller that may not
// list the bucket): it refuses the request in the decision record.
func (a *authorizer) Allow(op, key, versionID string) bool {
	t := target{op: op, bucket: a.rec.target.bucket, key: key, query: url.Values{}, ap: a.rec.target.ap}
	if versionID != "" {
		t.query.Set("versionId", versionID)
	}
	st := policy.S3Target{Bucket: t.bucket, Key: key, Versioned: versionID != ""}
	for i, h := range conditionalHeaders {
		// The request's headers add their checks to each key's, as to the
		// request's (x-amz-bypass-governance-retention on DeleteObjects).
		if headerValue(a.r.Header, conditionalCanonical[i]) != "" {
			st.Headers = append(st.Headers, h)
		}
	}
	if t.ap != nil {
		st.AccessPointARN = accessPointARN(t.ap)
	}
	checks, err := policy.S3ChecksFor(op, st)
	if err != nil || len(checks) == 0 {
		return false
	}
	o := a.rec.org
	if !o.set {
		o = endpointOrigin(a.r, a.snap, a.rec.ep)
	}
	c := a.rec.caller
	records, serr := a.s.evaluate(a.s.requestContext(a.r, o, c, t, a.now), o, c, t.ap, checks)
	a.rec.Checks = append(a.rec.Checks, records...)
	if serr != nil && op == "ListObjects" {
		// The response is S3's plain "Access Denied" (the policy's reason
		// is in the record's checks).
		denied := s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
		a.rec.refused(denied, a.s.hint(a.r, a.snap, a.rec, denied))
	}
	return serr == nil
}
