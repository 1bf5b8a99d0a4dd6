package emulator

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/s3vpce/s3vpce/policy"
)

// TestPolicyChangedDuringRequest: the gate builds a request's context with
// only the keys the bucket's policy read when the request arrived; a
// PutBucketPolicy landing before the checks are evaluated brings a policy
// reading another key. It must be evaluated with that key (the whole
// context), not judged without it: here its Deny on aws:UserAgent applies.
func TestPolicyChangedDuringRequest(t *testing.T) {
	s, err := New(Options{Buckets: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const before = `{"Statement":[{"Sid":"Nothing","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`
	const after = `{"Statement":[{"Sid":"NoBlockedAgent","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:UserAgent":"blocked-agent"}}}]}`
	if err := s.SetBucketPolicy("b", before); err != nil {
		t.Fatal(err)
	}
	snap := s.snap.Load()
	ep := &snap.topo.Endpoints()[0]
	r := httptest.NewRequest("GET", "https://bucket."+ep.RegionalName()+"/b/k", nil)
	r.Header.Set("User-Agent", "blocked-agent")
	o := endpointOrigin(r, snap, ep)
	c := caller{principal: s.creds[s.defaultKey].principal}
	tg := target{op: "GetObject", bucket: "b", key: "k", query: url.Values{}}
	checks, err := policy.S3ChecksFor("GetObject", policy.S3Target{Bucket: "b", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, full := s.gateContext(r, o, c, tg, s.now(), checks)
	if full == nil {
		t.Fatal("the context was not reduced: the test no longer tests the race")
	}
	if _, ok := ctx.Get("aws:UserAgent"); ok {
		t.Fatal("the reduced context holds aws:UserAgent, which no policy read")
	}
	if err := s.SetBucketPolicy("b", after); err != nil {
		t.Fatal(err)
	}
	records, serr := s.evaluateWith(ctx, full, o, c, nil, checks, aclVersions{})
	if serr == nil || serr.Code != "AccessDenied" {
		t.Fatalf("evaluated with the new policy: %v, want AccessDenied", serr)
	}
	if sid := records[len(records)-1].Decision.Sid; sid != "NoBlockedAgent" {
		t.Fatalf("denied by %q, want NoBlockedAgent", sid)
	}
}
