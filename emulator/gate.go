package emulator

import (
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// caller is the authenticated side of a request.
type caller struct {
	principal  policy.Principal
	auth       *sigv4.Auth // nil with auth off
	signingKey []byte      // for streamed chunk signatures
}

// authenticate verifies the request's SigV4 signature (or accepts it as
// anonymous) against the endpoint's region. It must run before the request
// is rewritten: the signature covers the Host and path the client sent.
func (s *Server) authenticate(r *http.Request, q url.Values, ep *vpce.Endpoint, now time.Time) (caller, *s3err.Error) {
	return s.authenticateIn(r, q, ep.Region, now)
}

// authenticateIn is authenticate against region; an empty region accepts
// the credential scope's own (ListBuckets on a public name).
func (s *Server) authenticateIn(r *http.Request, q url.Values, region string, now time.Time) (caller, *s3err.Error) {
	if s.authOff {
		return caller{principal: s.creds[s.defaultKey].principal}, nil
	}
	a, err := sigv4.ParseWithQuery(r, q)
	if err != nil {
		return caller{}, authError(err)
	}
	if a.Kind == sigv4.Anonymous {
		return caller{principal: policy.Principal{Anonymous: true}, auth: a}, nil
	}
	cred, ok := s.creds[a.AccessKeyID]
	if !ok {
		return caller{}, s3err.New(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", a.AccessKeyID)
	}
	if region == "" {
		region = a.Region
	}
	if err := a.CheckScope(sigv4.Expect{Region: region, Service: "s3", Now: now}); err != nil {
		return caller{}, authError(err)
	}
	key := s.keys.get(a, cred.secret)
	if err := s.verifier.Verify(a, r, key); err != nil {
		return caller{}, authError(err)
	}
	return caller{principal: cred.principal, auth: a, signingKey: key}, nil
}

func authError(err error) *s3err.Error {
	var e *s3err.Error
	if !errors.As(err, &e) {
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: err.Error()}
	}
	return e
}

// target is what a path-style request addresses.
type target struct {
	op          string
	bucket, key string
	query       url.Values // parsed once
	// ap is the access point the request came through (its host or its
	// alias); bucket is then the access point's bucket.
	ap *store.AccessPoint
}

// parseTarget classifies a routed request; q is its parsed query.
func parseTarget(r *http.Request, q url.Values) target {
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(p, "/")
	return target{op: operation(r.Method, bucket, key, q, r.Header), bucket: bucket, key: key, query: q}
}

// conditionalHeaders are the request headers that add checks (PutObjectAcl,
// PutObjectTagging) to an operation.
var conditionalHeaders = []string{"x-amz-acl", "x-amz-tagging", "x-amz-grant-read", "x-amz-grant-write",
	"x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control", "x-amz-bucket-object-lock-enabled",
	"x-amz-bypass-governance-retention"}

// The same names in canonical MIME form, the keys of http.Header: looking
// them up directly spares canonicalising (and allocating) on every request.
var conditionalCanonical = canonicalKeys(conditionalHeaders)

func canonicalKeys(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = http.CanonicalHeaderKey(n)
	}
	return out
}

// headerValue is h.Get for a key already in canonical form.
func headerValue(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// authorize evaluates every check of the request against the endpoint
// policy and the bucket policies. It returns the record for the decision
// log and, when denied, the AccessDenied error to send.
func (s *Server) authorize(r *http.Request, snap *snapshot, ep *vpce.Endpoint, c caller, t target, now time.Time) ([]CheckRecord, *s3err.Error) {
	return s.authorizeFrom(r, endpointOrigin(r, snap, ep), c, t, now)
}

// authorizeFrom is authorize for a request that came by way of o.
func (s *Server) authorizeFrom(r *http.Request, o origin, c caller, t target, now time.Time) ([]CheckRecord, *s3err.Error) {
	st := policy.S3Target{Bucket: t.bucket, Key: t.key, Versioned: t.query.Has("versionId")}
	if t.ap != nil {
		st.AccessPointARN = accessPointARN(t.ap)
	}
	for i, h := range conditionalHeaders {
		if headerValue(r.Header, conditionalCanonical[i]) != "" {
			st.Headers = append(st.Headers, h)
		}
	}
	if src := headerValue(r.Header, hdrCopySource); src != "" && (t.op == "CopyObject" || t.op == "UploadPartCopy") {
		b, k, v, err := parseCopySource(src)
		if err != nil {
			return nil, &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid copy source: " + err.Error()}
		}
		st.SourceBucket, st.SourceKey, st.SourceVersioned = b, k, v
	}
	if t.op == "DeleteObjects" {
		return nil, nil // one check per key of the body: see deleteObjects
	}
	checks, err := policy.S3ChecksFor(t.op, st)
	if err != nil || len(checks) == 0 {
		return nil, &s3err.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: fmt.Sprintf("s3vpce cannot authorize this request (%s %s): operation not recognised, so it is refused.", r.Method, r.URL.Path)}
	}
	vers := aclVersions{object: t.query.Get("versionId")}
	if st.SourceVersioned {
		vers.source = copySourceVersion(headerValue(r.Header, hdrCopySource))
	}
	ctx, full := s.gateContext(r, o, c, t, now, checks)
	records, serr := s.evaluateWith(ctx, full, o, c, t.ap, checks, vers)
	withFullContext(records, full)
	return records, serr
}

// evaluate decides checks in order against the endpoint policy of o (none
// through an internet gateway) and the policy of each check's bucket; it
// stops at the first denial. Through access point ap (nil: none) a check
// on the access point's resources is two: the endpoint and access point
// policies on the access point ARN, then the bucket policy on the bucket
// ARN; both must allow.
func (s *Server) evaluate(ctx policy.Context, o origin, c caller, ap *store.AccessPoint, checks []policy.Check) ([]CheckRecord, *s3err.Error) {
	return s.evaluateWith(ctx, nil, o, c, ap, checks, aclVersions{})
}

// evaluateWith is evaluate, reading object ACLs of the versions vers
// names. A check the policies leave implicitly denied may be allowed by
// an ACL (see allowByACL); one about a missing bucket that nothing allowed
// is 404 NoSuchBucket. ctx holds the keys full.need counted (full nil: every
// key); a policy that is not among those it counted is evaluated with the
// whole context.
func (s *Server) evaluateWith(ctx policy.Context, full *fullContext, o origin, c caller, ap *store.AccessPoint, checks []policy.Check, vers aclVersions) ([]CheckRecord, *s3err.Error) {
	n := len(checks)
	var apARN string
	var apPolicy *policy.Policy
	if ap != nil {
		apARN, apPolicy, n = accessPointARN(ap), s.accessPointPolicy(ap), 2*n
	}
	records, room := full.room(n)
	for _, ch := range checks {
		req := policy.Request{Principal: c.principal, Action: ch.Action, Resource: ch.Resource, Context: ctx}
		atts := attachedPart(&room, 2)
		if o.policyKind != policy.KindUnspecified {
			atts = append(atts, policy.Attached{Policy: o.endpointPolicy, Kind: o.policyKind})
		}
		if ap != nil {
			if b, ok := bucketResource(apARN, ap.Bucket, ch.Resource); ok {
				atts = append(atts, policy.Attached{Policy: apPolicy, Kind: policy.KindAccessPoint, ResourceAccount: ap.Account})
				req.Context = full.contextFor(req.Context, apPolicy)
				d := policy.Evaluate(&req, atts...)
				records = append(records, CheckRecord{Action: ch.Action, Resource: ch.Resource, Decision: d, request: req, attached: atts})
				if !d.Allowed() {
					if serr := deny(o, records, d); serr != nil {
						return records, serr
					}
				}
				req.Resource, atts = b, attachedPart(&room, 1)
			}
		}
		b := bucketOf(req.Resource)
		var bp *policy.Policy
		var owner string
		if b != "" && ch.Action != "s3:CreateBucket" {
			// A bucket being created has no policy and no owner yet.
			bp, owner = s.bucketPolicy(b)
			atts = append(atts, policy.Attached{Policy: bp, Kind: policy.KindBucket, ResourceAccount: owner})
			req.Context = full.contextFor(req.Context, bp)
		}
		d := policy.Evaluate(&req, atts...)
		grant := ""
		if ap == nil {
			grant = s.allowByACL(&d, c, ch, req.Resource, vers)
		}
		s.restrictPublic(&d, c, b, bp, owner)
		records = append(records, CheckRecord{Action: ch.Action, Resource: req.Resource, Decision: d, Grant: grant, request: req, attached: atts})
		if !d.Allowed() {
			if serr := s.missingBucket(d, b); serr != nil {
				return records, serr
			}
			if serr := deny(o, records, d); serr != nil {
				return records, serr
			}
		}
	}
	return records, nil
}

// bucketOf returns the bucket of an S3 ARN (arn:aws:s3:::bucket[/key]).
func bucketOf(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok {
		return ""
	}
	b, _, _ := strings.Cut(rest, "/")
	return b
}

// parseCopySource splits x-amz-copy-source: "[/]bucket/key[?versionId=v]",
// URL-encoded.
func parseCopySource(src string) (bucket, key string, versioned bool, err error) {
	path, query, _ := strings.Cut(src, "?")
	path, err = url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", "", false, err
	}
	if !utf8.ValidString(path) {
		return "", "", false, errors.New("the copy source is not valid UTF-8")
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", false, fmt.Errorf("want bucket/key, got %q", src)
	}
	return bucket, key, strings.Contains(query, "versionId="), nil
}

// requestContext supplies the condition keys S3 sees for a request that
// came by way of o: through an interface or gateway endpoint aws:SourceVpce,
// aws:SourceVpc and aws:VpcSourceIp and no aws:SourceIp; through an
// internet gateway aws:SourceIp alone. Then the operation's own keys from
// the operation table.
func (s *Server) requestContext(r *http.Request, o origin, c caller, t target, now time.Time) policy.Context {
	return s.requestContextFor(r, o, c, t, now, nil)
}

// requestContextFor is requestContext with only the keys need holds (nil:
// every key).
func (s *Server) requestContextFor(r *http.Request, o origin, c caller, t target, now time.Time, need *contextNeed) policy.Context {
	// Keys are written in lower case: Context folds case, and lower-case
	// literals spare it an allocation per key.
	var ctx policy.Context
	ctx.Grow(need.size())
	if o.endpointID != "" {
		need.set(&ctx, keySourceVpce, o.endpointID)
	}
	if o.vpcID != "" {
		need.set(&ctx, keySourceVpc, o.vpcID)
		if need.wants(keySourceVpcArn) {
			ctx.SetValue(baseKeys[keySourceVpcArn], "arn:aws:ec2:"+o.region+":"+o.owner+":vpc/"+o.vpcID)
		}
	}
	if o.vpcSourceIP != "" {
		need.set(&ctx, keyVpcSourceIP, o.vpcSourceIP)
	}
	if o.sourceIP != "" {
		need.set(&ctx, keySourceIP, o.sourceIP)
	}
	need.set(&ctx, keySecureTransport, strconv.FormatBool(r.TLS != nil))
	if r.TLS != nil {
		need.set(&ctx, keyTLSVersion, tlsVersion(r.TLS.Version))
	}
	if need.wants(keyCurrentTime) {
		ctx.SetValue(baseKeys[keyCurrentTime], now.UTC().Format(time.RFC3339))
	}
	if need.wants(keyEpochTime) {
		ctx.SetValue(baseKeys[keyEpochTime], strconv.FormatInt(now.Unix(), 10))
	}
	need.set(&ctx, keyRequestedRegion, o.region)
	if ua := headerValue(r.Header, hdrUserAgent); ua != "" {
		need.set(&ctx, keyUserAgent, ua)
	}
	if ref := headerValue(r.Header, hdrReferer); ref != "" {
		need.set(&ctx, keyReferer, ref)
	}
	var bucketPolicy *policy.Policy
	if t.bucket != "" {
		var bucketOwner string
		bucketPolicy, bucketOwner = need.lookupBucket(s, t.bucket)
		if bucketOwner != "" {
			need.set(&ctx, keyS3ResourceAccount, bucketOwner)
			need.set(&ctx, keyResourceAccount, bucketOwner)
		}
	}
	if a := c.auth; a != nil && a.Kind != sigv4.Anonymous {
		need.set(&ctx, keySignatureVersion, "AWS4-HMAC-SHA256")
		if need.wants(keyAuthType) {
			ctx.SetValue(baseKeys[keyAuthType], a.Kind.String())
		}
		if need.wants(keySignatureAge) {
			ctx.SetValue(baseKeys[keySignatureAge], strconv.FormatInt(now.Sub(a.Time).Milliseconds(), 10))
		}
		need.set(&ctx, keyContentSHA256, a.PayloadHash)
	}
	addAccessPointKeys(&ctx, t.ap)
	s.addOperationKeys(&ctx, r, t, now, need, o.endpointPolicy, bucketPolicy)
	return ctx
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	}
	return ""
}

// keyCache remembers derived signing keys: they depend only on the secret
// and the credential scope, which change once a day per key.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string][]byte
}

func (c *keyCache) get(a *sigv4.Auth, secret string) []byte {
	// The map key is built on the stack; the lookup does not allocate.
	var buf [128]byte
	id := append(buf[:0], a.AccessKeyID...)
	for _, part := range [...]string{a.Date, a.Region, a.Service, "aws4_request"} {
		id = append(append(id, '/'), part...) // a.Scope(), without allocating
	}
	c.mu.RLock()
	k, ok := c.keys[string(id)]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = sigv4.SigningKey(secret, a.Date, a.Region, a.Service)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) > 4096 {
		c.keys = map[string][]byte{}
	}
	c.keys[string(id)] = k
	c.mu.Unlock()
	return k
}
