package emulator

import (
	"sync"

	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/policy"
)

// policyCache keeps the compiled form of bucket policy documents. It is a
// cache, not state: the documents live in the store, and an entry is used
// only while its document is the bucket's current one.
type policyCache struct {
	mu      sync.Mutex
	entries map[string]cachedPolicy // by bucket name
}

type cachedPolicy struct {
	doc      string
	compiled *policy.Policy
}

// bucketPolicy returns a bucket's compiled policy (nil when it has none, or
// when the bucket does not exist) and its owning account ("" when the
// bucket does not exist: it has no owner, so the caller's account's own
// permissions decide, and a CreateBucket from any account may go on).
func (s *Server) bucketPolicy(bucket string) (*policy.Policy, string) {
	b, err := s.store.ViewBucket(bucket) // read only
	if err != nil {
		return nil, ""
	}
	owner := s.compat.BucketOwner(b)
	if len(b.Policy) == 0 {
		return nil, owner
	}
	c := &s.policies
	c.mu.Lock()
	e, ok := c.entries[bucket]
	c.mu.Unlock()
	if ok && e.doc == string(b.Policy) {
		return e.compiled, owner
	}
	p, serr := s3api.CompileBucketPolicy(b.Policy)
	if serr != nil {
		// Stored documents were validated when put: fail closed if one
		// no longer compiles (a policy language change across versions).
		s.log.Error("stored bucket policy does not compile; denying", "bucket", bucket, "err", serr.Message)
		p = denyAll
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 4096 {
		c.entries = map[string]cachedPolicy{}
	}
	c.entries[bucket] = cachedPolicy{doc: string(b.Policy), compiled: p}
	c.mu.Unlock()
	return p, owner
}

// denyAll stands in for a stored policy that cannot be evaluated.
var denyAll = func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`))
	if err != nil {
		panic(err)
	}
	return p
}()
