package emulator

import (
	"sync"

	"github.com/s3vpce/s3vpce/policy"
)

// bucketMeta holds what s3vpce keeps per bucket beside gofakes3: the bucket
// policy (document and compiled form) and the owning account.
type bucketMeta struct {
	mu       sync.RWMutex
	policies map[string]bucketPolicy
	owners   map[string]string
}

type bucketPolicy struct {
	doc      []byte
	compiled *policy.Policy
}

func newBucketMeta() *bucketMeta {
	return &bucketMeta{policies: map[string]bucketPolicy{}, owners: map[string]string{}}
}

// policy returns the bucket's compiled policy (nil when none) and owner.
func (m *bucketMeta) get(bucket string) (*policy.Policy, string) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	owner := m.owners[bucket]
	if owner == "" {
		owner = DefaultAccountID
	}
	return m.policies[bucket].compiled, owner
}

func (m *bucketMeta) document(bucket string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.policies[bucket]
	return p.doc, ok
}

func (m *bucketMeta) setPolicy(bucket string, doc []byte, p *policy.Policy) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.policies[bucket] = bucketPolicy{doc: append([]byte(nil), doc...), compiled: p}
}

func (m *bucketMeta) deletePolicy(bucket string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.policies, bucket)
}

func (m *bucketMeta) setOwner(bucket, account string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.owners[bucket] = account
}

// forget drops everything about a deleted bucket.
func (m *bucketMeta) forget(bucket string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.policies, bucket)
	delete(m.owners, bucket)
}
