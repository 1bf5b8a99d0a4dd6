package emulator

import (
	"crypto/tls"
	"net/http"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/policy"
)

// contextNeed is the set of request context keys that the policies
// deciding a request can read (policy.Policy.ContextKeys of each): the
// gate builds only those. A nil *contextNeed needs every key.
type contextNeed struct {
	all  bool
	sets [4]policy.KeySet
	n    int
	// base holds a bit for each key of baseKeys that a set holds: the keys
	// every request may have are looked up in one step (wants).
	base uint32
	// from are the policies the sets came from (see covers).
	from policyList
	// bucket, bucketPolicy and bucketOwner are the first bucket policy
	// gateNeed looked up, for requestContextFor to reuse (lookupBucket).
	bucket       string
	bucketPolicy *policy.Policy
	bucketOwner  string
}

// policyList are the policies a reduced context was built for.
type policyList struct {
	p [6]*policy.Policy
	n int
}

// add adds the keys p reads (none for a nil policy).
func (n *contextNeed) add(p *policy.Policy) {
	if p == nil || n.all {
		return
	}
	if n.from.n == len(n.from.p) {
		n.all = true
		return
	}
	n.from.p[n.from.n] = p
	n.from.n++
	ks := p.ContextKeys()
	switch {
	case ks.All() || n.n == len(n.sets):
		n.all = true
	case ks.Len() > 0:
		n.sets[n.n] = ks
		n.n++
		for k := range ks.Values() {
			if b, ok := baseKeyBits[k]; ok {
				n.base |= 1 << b
			}
		}
	}
}

// baseKey is a condition key requestContextFor supplies whatever the
// operation, as a bit of contextNeed.base.
type baseKey uint8

const (
	keySourceVpce baseKey = iota
	keySourceVpc
	keySourceVpcArn
	keyVpcSourceIP
	keySourceIP
	keySecureTransport
	keyTLSVersion
	keyCurrentTime
	keyEpochTime
	keyRequestedRegion
	keyUserAgent
	keyReferer
	keyS3ResourceAccount
	keyResourceAccount
	keySignatureVersion
	keyAuthType
	keySignatureAge
	keyContentSHA256
	numBaseKeys
)

// baseKeys names each baseKey, lower case, as KeySet holds it.
var baseKeys = [numBaseKeys]string{
	keySourceVpce:        "aws:sourcevpce",
	keySourceVpc:         "aws:sourcevpc",
	keySourceVpcArn:      "aws:sourcevpcarn",
	keyVpcSourceIP:       "aws:vpcsourceip",
	keySourceIP:          "aws:sourceip",
	keySecureTransport:   "aws:securetransport",
	keyTLSVersion:        "s3:tlsversion",
	keyCurrentTime:       "aws:currenttime",
	keyEpochTime:         "aws:epochtime",
	keyRequestedRegion:   "aws:requestedregion",
	keyUserAgent:         "aws:useragent",
	keyReferer:           "aws:referer",
	keyS3ResourceAccount: "s3:resourceaccount",
	keyResourceAccount:   "aws:resourceaccount",
	keySignatureVersion:  "s3:signatureversion",
	keyAuthType:          "s3:authtype",
	keySignatureAge:      "s3:signatureage",
	keyContentSHA256:     "s3:x-amz-content-sha256",
}

// baseKeyBits maps each name of baseKeys to its key (read only).
var baseKeyBits = func() map[string]baseKey {
	m := make(map[string]baseKey, numBaseKeys)
	for k, name := range baseKeys {
		m[name] = baseKey(k)
	}
	return m
}()

// wants reports whether base key k is needed: one bit test, where has
// compares names.
func (n *contextNeed) wants(k baseKey) bool {
	return n == nil || n.all || n.base&(1<<k) != 0
}

// covers reports whether the keys p reads were counted: p is one of the
// policies the need was built from (the same compiled policy, so the same
// document). A policy changed between building the context and evaluating
// it (a PutBucketPolicy racing the request) is not covered, and is
// evaluated with the whole context instead (evaluateWith).
func (l *policyList) covers(p *policy.Policy) bool {
	if p == nil {
		return true
	}
	for _, f := range l.p[:l.n] {
		if f == p {
			return true
		}
	}
	return false
}

// hasPrefix reports whether a key of the family prefix is needed.
func (n *contextNeed) hasPrefix(prefix string) bool {
	return n.any(func(ks policy.KeySet) bool { return ks.HasPrefix(prefix) })
}

// any reports whether every key is needed or f holds for one of the sets.
func (n *contextNeed) any(f func(policy.KeySet) bool) bool {
	if n == nil || n.all {
		return true
	}
	for _, ks := range n.sets[:n.n] {
		if f(ks) {
			return true
		}
	}
	return false
}

// size is how many keys to make room for.
func (n *contextNeed) size() int {
	if n == nil || n.all {
		return 24
	}
	size := 0
	for _, ks := range n.sets[:n.n] {
		size += ks.Len()
	}
	return size
}

// gateNeed is the union of the keys of the policies evaluateWith consults
// for checks arriving by way of o through t.ap: the endpoint policy, the
// access point's and its bucket's, and each check's bucket policy.
func (s *Server) gateNeed(o origin, t target, checks []policy.Check) contextNeed {
	var n contextNeed
	if o.policyKind != policy.KindUnspecified {
		n.add(o.endpointPolicy)
	}
	if t.ap != nil {
		n.add(s.accessPointPolicy(t.ap))
		bp, _ := n.lookupBucket(s, t.ap.Bucket)
		n.add(bp)
	}
	for _, ch := range checks {
		if b := bucketOf(ch.Resource); b != "" && ch.Action != "s3:CreateBucket" {
			bp, _ := n.lookupBucket(s, b)
			n.add(bp)
		}
	}
	return n
}

// lookupBucket is s.bucketPolicy(b), looked up once per need for the
// first bucket asked: the context is built from the policies it counted.
// (evaluateWith looks the policies up again: see covers.)
func (n *contextNeed) lookupBucket(s *Server, b string) (*policy.Policy, string) {
	if n != nil && n.bucket == b && b != "" {
		return n.bucketPolicy, n.bucketOwner
	}
	p, owner := s.bucketPolicy(b)
	if n != nil && n.bucket == "" {
		n.bucket, n.bucketPolicy, n.bucketOwner = b, p, owner
	}
	return p, owner
}

// fullContext builds, when first asked, the whole request context of a
// request whose checks were evaluated with a reduced one: for the decision
// log's CheckRecord.Context, off the request path. It keeps only the parts
// of the request requestContext reads, and the room for the records of the
// request's first check (one allocation for both).
type fullContext struct {
	covered policyList // the policies the reduced context holds every key of
	once    sync.Once
	ctx     policy.Context
	s       *Server
	header  http.Header
	// headerPairs are the headers it reads, name and value, once compacted
	// (header nil then).
	headerPairs []string
	o           origin
	t           target
	now         time.Time
	// sigAge (to now), authKind and payloadHash are the parts of the
	// request's SigV4 authentication the context reads (signed; none
	// unsigned).
	sigAge      time.Duration
	authKind    sigv4.Kind
	payloadHash string
	// tlsVersion is the TLS version of a request over TLS (tlsOn).
	tlsVersion uint16
	tlsOn      bool
	signed     bool
	built      bool // ctx is built: the inputs are no longer read
	recsTaken  bool // recs and atts are taken (room)

	// The records and attached policies of a request's single check
	// (room): in the same allocation. The sizes keep the whole within
	// 896 bytes, an allocation size class below 1024.
	recs [1]CheckRecord
	atts [2]policy.Attached
}

func (f *fullContext) get() *policy.Context {
	f.once.Do(func() {
		r := &http.Request{Header: f.header}
		if r.Header == nil {
			r.Header = headerOf(f.headerPairs)
		}
		if f.tlsOn {
			r.TLS = &tls.ConnectionState{Version: f.tlsVersion}
		}
		var c caller
		if f.signed {
			c.auth = &sigv4.Auth{Kind: f.authKind, Time: f.now.Add(-f.sigAge), PayloadHash: f.payloadHash}
		}
		f.ctx = f.s.requestContextFor(r, f.o, c, f.t, f.now, nil)
		f.built = true
	})
	return &f.ctx
}

// gateContext is requestContext with only the keys the deciding policies
// read; the records of its checks get the rest lazily (see fullContext).
func (s *Server) gateContext(r *http.Request, o origin, c caller, t target, now time.Time, checks []policy.Check) (policy.Context, *fullContext) {
	need := s.gateNeed(o, t, checks)
	ctx := s.requestContextFor(r, o, c, t, now, &need)
	if need.all {
		return ctx, nil
	}
	f := &fullContext{covered: need.from, s: s, header: r.Header, o: o, t: t, now: now}
	if r.TLS != nil {
		f.tlsOn, f.tlsVersion = true, r.TLS.Version
	}
	if a := c.auth; a != nil {
		f.signed, f.authKind, f.sigAge, f.payloadHash = true, a.Kind, now.Sub(a.Time), a.PayloadHash
	}
	return ctx, f
}

// contextFor is the context to evaluate p with: ctx, the reduced one, when
// it holds every key p reads, else the whole context. f nil: ctx is whole.
func (f *fullContext) contextFor(ctx policy.Context, p *policy.Policy) policy.Context {
	if f == nil || f.covered.covers(p) {
		return ctx
	}
	return *f.get()
}

// room returns room for the records of n checks and for their attached
// policies (see attachedPart): f's own for a single check (two attached
// policies: endpoint and bucket), once; else new slices (up to three
// attached each, with an access point).
func (f *fullContext) room(n int) ([]CheckRecord, []policy.Attached) {
	if f == nil || n > len(f.recs) || f.recsTaken {
		return make([]CheckRecord, 0, n), make([]policy.Attached, 0, 3*n)
	}
	f.recsTaken = true
	return f.recs[:0:n], f.atts[:0]
}

// attachedPart cuts room for n attached policies from *room: appending
// past n reallocates rather than writing into the next part.
func attachedPart(room *[]policy.Attached, n int) []policy.Attached {
	r := *room
	if cap(r)-len(r) < n {
		r = make([]policy.Attached, 0, max(n, 3))
	}
	part := r[len(r) : len(r) : len(r)+n]
	*room = r[:len(r)+n]
	return part
}

// withFullContext lets each record answer Context for every key.
func withFullContext(records []CheckRecord, f *fullContext) {
	if f == nil {
		return
	}
	for i := range records {
		records[i].full = f
	}
}

// set sets base key k to v when it is needed.
func (n *contextNeed) set(ctx *policy.Context, k baseKey, v string) {
	if n.wants(k) {
		ctx.SetValue(baseKeys[k], v)
	}
}
