package emulator

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/policy"
)

// newCompactServer is a started server whose bucket "b" has a policy that
// reads aws:SourceVpce alone: the gate builds a reduced context.
func newCompactServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Options{Buckets: []string{"b", "src"}, AuthOff: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const doc = `{"Statement":[{"Sid":"VpceOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-elsewhere"}}}]}`
	if err := s.SetBucketPolicy("b", doc); err != nil {
		t.Fatal(err)
	}
	return s
}

// A logged record keeps of the request only the headers the context
// reads: the whole context it builds afterwards is the one built from the
// request itself, key for key.
func TestCompactKeepsFullContext(t *testing.T) {
	s := newCompactServer(t)
	snap := s.snap.Load()
	ep := &snap.topo.Endpoints()[0]
	tests := []struct {
		name, method, path, op, query string
		target                        policy.S3Target
	}{
		{"PutObject", "PUT", "/b/k", "PutObject", "", policy.S3Target{Bucket: "b", Key: "k"}},
		{"CopyObject", "PUT", "/b/copy", "CopyObject", "", policy.S3Target{Bucket: "b", Key: "copy", SourceBucket: "src", SourceKey: "k"}},
		{"GetObject version", "GET", "/b/k", "GetObject", "versionId=v1", policy.S3Target{Bucket: "b", Key: "k", Versioned: true}},
		{"ListObjectsV2", "GET", "/b", "ListObjectsV2", "list-type=2&prefix=p/&delimiter=/&max-keys=7", policy.S3Target{Bucket: "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "https://bucket."+ep.RegionalName()+tt.path+"?"+tt.query, nil)
			for name := range contextHeaders {
				r.Header.Set(name, "v-"+strings.ToLower(name))
			}
			r.Header.Set("X-Amz-Tagging", "team=blue&env=prod")
			r.Header.Set("X-Amz-Copy-Source", "/src/k")
			r.Header.Set("Authorization", "not read by the context")
			r.Header.Set("X-Unrelated", "dropped")
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			o := endpointOrigin(r, snap, ep)
			c := caller{principal: s.creds[s.defaultKey].principal,
				auth: &sigv4.Auth{Kind: sigv4.Header, Time: time.Unix(1700000000, 0), PayloadHash: "UNSIGNED-PAYLOAD", Signature: "dropped"}}
			tg := target{op: tt.op, bucket: tt.target.Bucket, key: tt.target.Key, query: q}
			checks, err := policy.S3ChecksFor(tt.op, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			now := s.now()
			_, compacted := s.gateContext(r, o, c, tg, now, checks)
			if compacted == nil {
				t.Fatal("the context was not reduced: the test no longer tests compaction")
			}
			compacted.compact()
			if compacted.header != nil {
				t.Fatal("compact kept the request's header map")
			}
			if slices.Contains(compacted.headerPairs, "X-Unrelated") || slices.Contains(compacted.headerPairs, "Authorization") {
				t.Errorf("compact kept headers no key reads: %q", compacted.headerPairs)
			}
			whole := s.requestContext(r, o, c, tg, now) // from the request itself
			want, got := &whole, compacted.get()
			if want.Len() < 10 {
				t.Fatalf("the whole context has %d keys: %q", want.Len(), want.Keys())
			}
			// Sorted: tag keys come in the order of a map.
			if g, w := slices.Sorted(slices.Values(got.Keys())), slices.Sorted(slices.Values(want.Keys())); !slices.Equal(g, w) {
				t.Fatalf("keys after compact = %q, want %q", g, w)
			}
			for _, k := range want.Keys() {
				w, _ := want.Get(k)
				g, _ := got.Get(k)
				if !slices.Equal(g, w) {
					t.Errorf("%s after compact = %q, want %q", k, g, w)
				}
			}
		})
	}
}

// Explanations are rendered when asked, from the record's kept policies
// and context: one rendered at once, one after the record was compacted
// for the log, and one after the policies changed are the same, and so is
// every condition key.
func TestExplainLaterIsExplainAtOnce(t *testing.T) {
	s := newCompactServer(t)
	snap := s.snap.Load()
	ep := &snap.topo.Endpoints()[0]
	const agent = "explain-test-agent/1.0"
	r := httptest.NewRequest("PUT", "https://bucket."+ep.RegionalName()+"/b/k", strings.NewReader("x"))
	r.Header.Set("User-Agent", agent)
	rec := &DecisionRecord{RequestID: "0123456789ABCDEF", Time: s.now()}
	serr := s.gate(r, snap, rec, s.now())
	if serr == nil || serr.Code != "AccessDenied" {
		t.Fatalf("gate = %v, want AccessDenied by VpceOnly", serr)
	}
	atOnce := rec.Explain()
	if !strings.Contains(atOnce, `"VpceOnly"`) {
		t.Fatalf("explanation does not name the deciding statement:\n%s", atOnce)
	}
	keys := []string{"aws:SourceVpce", "aws:UserAgent", "aws:CurrentTime", "aws:ResourceAccount", "aws:RequestedRegion"}
	ctxAtOnce := make([][]string, len(keys))
	for i, k := range keys {
		ctxAtOnce[i] = rec.Checks[0].Context(k)
	}
	if !slices.Equal(ctxAtOnce[1], []string{agent}) {
		t.Fatalf("aws:UserAgent = %q, want %q", ctxAtOnce[1], agent)
	}

	s.decisions.add(rec) // compacts it
	if got := rec.Explain(); got != atOnce {
		t.Errorf("explanation after compact:\n%s\nwant:\n%s", got, atOnce)
	}
	if err := s.SetBucketPolicy("b", `{"Statement":[{"Sid":"Other","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEndpointPolicy(ep.ID, `{"Statement":[{"Sid":"EndpointDenies","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Decision(rec.RequestID)
	if !ok {
		t.Fatal("the record is not in the decision log")
	}
	if e := got.Explain(); e != atOnce {
		t.Errorf("explanation after the policies changed:\n%s\nwant:\n%s", e, atOnce)
	}
	for i, k := range keys {
		if v := got.Checks[0].Context(k); !slices.Equal(v, ctxAtOnce[i]) {
			t.Errorf("%s after compact and change = %q, want %q", k, v, ctxAtOnce[i])
		}
	}
}
