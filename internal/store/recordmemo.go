package store

import (
	"bytes"
	"maps"
	"slices"
	"sync"
	"unicode/utf8"
)

// recordMemo remembers the decoded form of records read on every request
// (a bucket's record, a key's current version), by table key, together
// with the bytes each was decoded from. A lookup hits only when the record
// read now holds exactly those bytes, so an entry is never stale, whatever
// the engine and whatever writes happened meanwhile: it only saves the
// JSON decoding. The decoded value it hands out is shared and must not be
// changed; callers clone it.
type recordMemo[T any] struct {
	mu      sync.Mutex
	entries map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	raw []byte
	v   *T
}

// memoMax bounds a memo's entries: a full memo starts over.
const memoMax = 4096

// decode returns the decoded form of raw, the record under key, from the
// memo or from dec (whose result is then remembered). The result is
// shared: read only.
func (m *recordMemo[T]) decode(key, raw []byte, dec func([]byte) (*T, error)) (*T, error) {
	m.mu.Lock()
	e, ok := m.entries[string(key)]
	m.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.v, nil
	}
	v, err := dec(raw)
	if err != nil {
		return nil, err
	}
	m.remember(key, bytes.Clone(raw), v)
	return v, nil
}

// remember records v as the decoded form of raw, the record just written
// under key; raw must not change afterwards.
func (m *recordMemo[T]) remember(key, raw []byte, v *T) {
	if v == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil || len(m.entries) >= memoMax {
		m.entries = make(map[string]memoEntry[T])
	}
	m.entries[string(key)] = memoEntry[T]{raw: raw, v: v}
}

// forget drops the entry under key: its record was removed. A removed
// version's key (it holds the sequence number) is never written again, so
// without this the memo would fill with dead entries and start over every
// memoMax writes, dropping the live ones with them. Forgetting inside a
// transaction that then rolls back costs only a decode later.
func (m *recordMemo[T]) forget(key []byte) {
	m.mu.Lock()
	delete(m.entries, string(key))
	m.mu.Unlock()
}

// len is the number of entries (for tests).
func (m *recordMemo[T]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// memoVersion is what decoding v's record gives: a copy of the struct
// without the fields the record does not hold, empty collections nil
// (omitempty drops them). It shares v's maps and slices: a version given
// to insertVersion is the store's and is not changed afterwards (the
// caller of PutObject gets it back read only). It is nil when the JSON
// round trip would change v (a string that is not UTF-8 comes back with
// U+FFFD): such a version is not remembered.
func memoVersion(v *Version) *Version {
	if !roundTrips(v) {
		return nil
	}
	c := *v
	c.Bucket, c.Key, c.IsLatest = "", "", false
	c.Metadata, c.Headers, c.Extra = nilIfEmptyMap(c.Metadata), nilIfEmptyMap(c.Headers), nilIfEmptyMap(c.Extra)
	c.Tags, c.ACL = nilIfEmpty(c.Tags), nilIfEmpty(c.ACL)
	c.Parts, c.Body = nilIfEmpty(c.Parts), nilIfEmpty(c.Body)
	return &c
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyMap[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	return m
}

// roundTrips reports whether every string of v is valid UTF-8.
func roundTrips(v *Version) bool {
	valid := utf8.ValidString
	if !valid(v.VersionID) || !valid(v.ETag) || !valid(v.StorageClass) || !valid(v.Owner) || !validChecksum(&v.Checksum) {
		return false
	}
	for k, x := range v.Metadata {
		if !valid(k) || !valid(x) {
			return false
		}
	}
	for k, x := range v.Headers {
		if !valid(k) || !valid(x) {
			return false
		}
	}
	for _, t := range v.Tags {
		if !valid(t.Key) || !valid(t.Value) {
			return false
		}
	}
	for k := range v.Extra {
		if !valid(k) {
			return false
		}
	}
	for _, p := range v.Parts {
		if !valid(p.ETag) || !validChecksum(&p.Checksum) {
			return false
		}
	}
	for _, seg := range v.Body {
		if !valid(seg.Blob) {
			return false
		}
	}
	return true
}

func validChecksum(c *Checksum) bool {
	return utf8.ValidString(c.Algorithm) && utf8.ValidString(c.Value) && utf8.ValidString(c.Type)
}

// cloneVersion copies v deep enough that the copy's caller cannot change
// the original.
func cloneVersion(v *Version) *Version {
	out := *v
	deepen(&out)
	return &out
}

// deepen gives v copies of its maps and slices: v is a copy of a version's
// struct, made the caller's own.
func deepen(v *Version) {
	v.Metadata = maps.Clone(v.Metadata)
	v.Headers = maps.Clone(v.Headers)
	v.Tags = slices.Clone(v.Tags)
	v.ACL = bytes.Clone(v.ACL)
	v.Extra = cloneByteMap(v.Extra)
	v.Parts = slices.Clone(v.Parts)
	v.Body = slices.Clone(v.Body)
}

func cloneByteMap(m map[string][]byte) map[string][]byte {
	if m == nil {
		return nil
	}
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = bytes.Clone(v)
	}
	return out
}

// peek returns the cached record itself (shared: read only), or nil.
func (c *recordCache[T]) peek(key string) *T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

// ViewBucket is Bucket without the copy, for callers on every request
// that only read the record: the result is shared and must not be
// changed.
func (s *Store) ViewBucket(name string) (*Bucket, error) {
	if b := s.buckets.peek(name); b != nil {
		return b, nil
	}
	b, err := s.Bucket(name) // caches the record
	if err != nil {
		return nil, err
	}
	if shared := s.buckets.peek(name); shared != nil {
		return shared, nil
	}
	return b, nil
}
