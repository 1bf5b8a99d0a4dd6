package store

import (
	"slices"
	"sync"
)

// recordCache keeps decoded records that every request asks for (a
// bucket's policy, owner and versioning; an access point's bucket and
// policy), which would otherwise be decoded each time. It is derived
// state: the records stay the truth. A write to a record bumps the
// generation and drops the entry after its commit; a read stores what it
// decoded only if no write happened meanwhile, so an entry never outlives
// the record it was read from. clone copies a record deep enough that a
// caller cannot change the cached one.
type recordCache[T any] struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*T
	clone   func(*T) *T
}

// bucketCache caches decoded bucket records, by name.
type bucketCache = recordCache[Bucket]

// get returns a copy of the cached record and the generation to pass to
// put when there is none.
func (c *recordCache[T]) get(key string) (*T, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.entries[key]; ok {
		return c.copy(v), c.gen
	}
	return nil, c.gen
}

// put caches v under key, read at generation gen.
func (c *recordCache[T]) put(key string, v *T, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // a write committed since the read
	}
	if c.entries == nil || len(c.entries) >= 4096 {
		c.entries = map[string]*T{}
	}
	c.entries[key] = c.copy(v)
}

// invalidate drops key after a write to its record committed.
func (c *recordCache[T]) invalidate(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, key)
}

func (c *recordCache[T]) copy(v *T) *T {
	if c.clone != nil {
		return c.clone(v)
	}
	out := *v
	return &out
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
