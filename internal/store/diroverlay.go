package store

import (
	"bytes"

	"github.com/google/btree"
)

// Updates the log holds that bbolt does not have yet live in memtables
// layered over bbolt: the active one (groups logged since the last
// checkpoint began) and at most one frozen one (being written to bbolt).
// A transaction reads the newest layer holding a key, else bbolt.

// olEntry is a key's newest value in a layer, or its deletion.
type olEntry struct {
	key, val []byte
	del      bool
}

func olLess(a, b olEntry) bool { return bytes.Compare(a.key, b.key) < 0 }

// memtable is one layer: per table, the written keys.
type memtable struct {
	tables map[string]*btree.BTreeG[olEntry]
	size   int // bytes of keys and values, for the checkpoint threshold
	n      int // entries
}

func newMemtable() *memtable { return &memtable{tables: map[string]*btree.BTreeG[olEntry]{}} }

func (m *memtable) tree(table string) *btree.BTreeG[olEntry] { return m.tables[table] }

func (m *memtable) set(table string, e olEntry) {
	t := m.tables[table]
	if t == nil {
		t = btree.NewG(32, olLess)
		m.tables[table] = t
	}
	if old, ok := t.ReplaceOrInsert(e); ok {
		m.size -= len(old.key) + len(old.val)
	} else {
		m.n++
	}
	m.size += len(e.key) + len(e.val)
}

// clone is a copy of m whose writes do not change m (the trees are copied
// on write), so readers may go on reading m.
func (m *memtable) clone() *memtable {
	c := &memtable{tables: make(map[string]*btree.BTreeG[olEntry], len(m.tables)), size: m.size, n: m.n}
	for name, t := range m.tables {
		c.tables[name] = t.Clone()
	}
	return c
}

// merge writes every entry of src into m.
func (m *memtable) merge(src *memtable) {
	for name, t := range src.tables {
		t.Ascend(func(e olEntry) bool { m.set(name, e); return true })
	}
}

// ops lists m's entries as log operations.
func (m *memtable) ops() []logOp {
	ops := make([]logOp, 0, m.n)
	for name, t := range m.tables {
		t.Ascend(func(e olEntry) bool {
			ops = append(ops, logOp{del: e.del, table: name, key: e.key, val: e.val})
			return true
		})
	}
	return ops
}

// layerTx is a transaction over memtables (newest first) and bbolt. Writes
// go to layers[0], which only this transaction may use.
type layerTx struct {
	layers []*memtable
	base   boltTx
}

var _ kvTx = (*layerTx)(nil)

func (t *layerTx) get(table string, key []byte) []byte {
	for _, l := range t.layers {
		if tr := l.tree(table); tr != nil {
			if e, ok := tr.Get(olEntry{key: key}); ok {
				if e.del {
					return nil
				}
				return e.val
			}
		}
	}
	return t.base.get(table, key)
}

// put copies key and val: a caller may pass slices it read in the same
// transaction, and the memtable outlives the bbolt transaction.
func (t *layerTx) put(table string, key, val []byte) error {
	kv := make([]byte, len(key)+len(val))
	copy(kv, key)
	copy(kv[len(key):], val)
	t.layers[0].set(table, olEntry{key: kv[:len(key):len(key)], val: kv[len(key):]})
	return nil
}

func (t *layerTx) del(table string, key []byte) error {
	t.layers[0].set(table, olEntry{key: bytes.Clone(key), del: true})
	return nil
}

// seek merges the layers' entries with bbolt's in key order, the newest
// layer winning a key, deletions hiding it.
func (t *layerTx) seek(table string, start []byte, fn func(k, v []byte) bool) error {
	var heads []olHead
	for _, l := range t.layers {
		if tr := l.tree(table); tr != nil && tr.Len() > 0 {
			h := olHead{tree: tr}
			h.next(start, true)
			heads = append(heads, h)
		}
	}
	if len(heads) == 0 {
		return t.base.seek(table, start, fn)
	}
	c := t.base.bucket(table).Cursor()
	var bk, bv []byte
	if len(start) == 0 {
		bk, bv = c.First()
	} else {
		bk, bv = c.Seek(start)
	}
	for {
		// The smallest key among the layers; the newest layer's on a tie.
		best := -1
		for i := range heads {
			if heads[i].ok && (best < 0 || bytes.Compare(heads[i].e.key, heads[best].e.key) < 0) {
				best = i
			}
		}
		if best < 0 && bk == nil {
			return nil
		}
		var cmp int
		switch {
		case best < 0:
			cmp = 1
		case bk == nil:
			cmp = -1
		default:
			cmp = bytes.Compare(heads[best].e.key, bk)
		}
		if cmp > 0 {
			if !fn(bk, bv) {
				return nil
			}
			bk, bv = c.Next()
			continue
		}
		e := heads[best].e
		if cmp == 0 {
			bk, bv = c.Next()
		}
		for i := range heads {
			if heads[i].ok && bytes.Equal(heads[i].e.key, e.key) {
				heads[i].next(e.key, false)
			}
		}
		if !e.del && !fn(e.key, e.val) {
			return nil
		}
	}
}

// olHead is a layer's next entry in a seek.
type olHead struct {
	tree *btree.BTreeG[olEntry]
	e    olEntry
	ok   bool
}

// next moves to the first entry at or after (inclusive) or after from.
func (h *olHead) next(from []byte, inclusive bool) {
	h.ok = false
	visit := func(e olEntry) bool {
		if !inclusive && bytes.Equal(e.key, from) {
			return true
		}
		h.e, h.ok = e, true
		return false
	}
	if len(from) == 0 {
		h.tree.Ascend(visit)
		return
	}
	h.tree.AscendGreaterOrEqual(olEntry{key: from}, visit)
}
