// Package bounded is a concurrent memo of at most a fixed number of
// entries: once full it keeps what it has and stores nothing more, so keys
// chosen by clients (Host headers, account IDs) cannot grow it. It never
// evicts: it suits values that never go stale, such as answers derived from
// an immutable snapshot (a new snapshot gets a new Map).
package bounded

import (
	"sync"
	"sync/atomic"
)

// Map is a memo of at most the limit given to New entries (stores racing
// at the limit may each add one more). The zero Map stores nothing; a nil
// *Map neither.
type Map[K comparable, V any] struct {
	m     sync.Map // K → V
	n     atomic.Int64
	limit int64
}

// New returns an empty Map that holds up to limit entries.
func New[K comparable, V any](limit int) *Map[K, V] {
	return &Map[K, V]{limit: int64(limit)}
}

// Load returns the value stored for k, if any.
func (m *Map[K, V]) Load(k K) (V, bool) {
	if m != nil {
		if v, ok := m.m.Load(k); ok {
			return v.(V), true
		}
	}
	var zero V
	return zero, false
}

// Store keeps v for k unless the Map is full or already holds k.
func (m *Map[K, V]) Store(k K, v V) {
	if m == nil || m.n.Load() >= m.limit {
		return
	}
	if _, loaded := m.m.LoadOrStore(k, v); !loaded {
		m.n.Add(1)
	}
}

// Len is how many entries the Map holds.
func (m *Map[K, V]) Len() int {
	if m == nil {
		return 0
	}
	return int(m.n.Load())
}
