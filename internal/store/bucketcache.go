package store

import (
	"slices"
	"sync"
)

// bucketCache keeps decoded bucket records for Bucket, which every request
// asks (policy, owner, versioning) and which otherwise decodes a record
// each time. It is derived state: the records stay the truth. A write to a
// bucket record bumps the generation and drops the entry after its commit;
// a read stores what it decoded only if no write happened meanwhile, so an
// entry never outlives the record it was read from.
type bucketCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*Bucket
}

// get returns a copy of the cached bucket and the generation to pass to
// put when there is none.
func (c *bucketCache) get(name string) (*Bucket, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.entries[name]; ok {
		return cloneBucket(b), c.gen
	}
	return nil, c.gen
}

// put caches b, read at generation gen.
func (c *bucketCache) put(b *Bucket, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // a write committed since the read
	}
	if c.entries == nil || len(c.entries) >= 4096 {
		c.entries = map[string]*Bucket{}
	}
	c.entries[b.Name] = cloneBucket(b)
}

// invalidate drops name after a write to its record committed.
func (c *bucketCache) invalidate(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, name)
}

// cloneBucket copies b deep enough that the copy's caller cannot change
// the original (configuration values and the policy are copied too).
func cloneBucket(b *Bucket) *Bucket {
	out := *b
	out.Policy = slices.Clone(b.Policy)
	out.Tags = slices.Clone(b.Tags)
	if b.Config != nil {
		out.Config = make(map[string][]byte, len(b.Config))
		for k, v := range b.Config {
			out.Config[k] = slices.Clone(v)
		}
	}
	return &out
}
