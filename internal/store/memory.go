package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/google/btree"
)

// The memory engine: one B-tree per table under a read-write mutex (an
// update holds the write lock for its whole transaction, with an undo log
// for rollback), and bodies as byte slices in a map.

type memItem struct {
	k, v []byte
}

func memLess(a, b memItem) bool { return bytes.Compare(a.k, b.k) < 0 }

type memKV struct {
	mu     sync.RWMutex
	tables map[string]*btree.BTreeG[memItem]
	closed bool
	// utx is the one update transaction, reused: updates hold mu
	// exclusively, so one at a time uses it (its undo log's array too).
	utx memTx
	// rtx is every view's transaction: read-only, it holds no state.
	rtx *memTx
}

var errClosed = errors.New("store: closed")

func newMemKV() *memKV {
	m := &memKV{tables: map[string]*btree.BTreeG[memItem]{}}
	for _, t := range tables {
		m.tables[t] = btree.NewG(32, memLess)
	}
	m.utx = memTx{m: m, writable: true}
	m.rtx = &memTx{m: m}
	return m
}

type memUndo struct {
	table string
	old   memItem
	had   bool
}

type memTx struct {
	m        *memKV
	writable bool
	undo     []memUndo
}

func (m *memKV) update(fn func(t kvTx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	tx := &m.utx
	defer tx.reset()
	if err := fn(tx); err != nil {
		for i := len(tx.undo) - 1; i >= 0; i-- {
			u := tx.undo[i]
			if u.had {
				m.tables[u.table].ReplaceOrInsert(u.old)
			} else {
				m.tables[u.table].Delete(u.old)
			}
		}
		return err
	}
	return nil
}

// maxKeptUndo is the largest undo log whose array the next update reuses.
const maxKeptUndo = 256

// reset empties the undo log for the next update, dropping its
// references to replaced items.
func (t *memTx) reset() {
	if cap(t.undo) > maxKeptUndo {
		t.undo = nil
		return
	}
	clear(t.undo)
	t.undo = t.undo[:0]
}

func (m *memKV) view(fn func(t kvTx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return errClosed
	}
	return fn(m.rtx)
}

func (m *memKV) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

func (t *memTx) tree(table string) *btree.BTreeG[memItem] {
	tr, ok := t.m.tables[table]
	if !ok {
		// Table names are constants of this package.
		panic("store: no table " + table)
	}
	return tr
}

func (t *memTx) get(table string, key []byte) []byte {
	it, ok := t.tree(table).Get(memItem{k: key})
	if !ok {
		return nil
	}
	return it.v
}

func (t *memTx) put(table string, key, val []byte) error {
	if !t.writable {
		return errors.New("store: write in a read-only transaction")
	}
	// kvTx's contract: a caller never changes key or val after put, so
	// they are kept as they are (a PUT's inline body is not copied again).
	it := memItem{k: key, v: val}
	if it.v == nil {
		it.v = []byte{}
	}
	old, had := t.tree(table).ReplaceOrInsert(it)
	if !had {
		old = memItem{k: it.k}
	}
	t.undo = append(t.undo, memUndo{table: table, old: old, had: had})
	return nil
}

func (t *memTx) del(table string, key []byte) error {
	if !t.writable {
		return errors.New("store: write in a read-only transaction")
	}
	old, had := t.tree(table).Delete(memItem{k: key})
	if had {
		t.undo = append(t.undo, memUndo{table: table, old: old, had: true})
	}
	return nil
}

func (t *memTx) seek(table string, start []byte, fn func(k, v []byte) bool) error {
	t.tree(table).AscendGreaterOrEqual(memItem{k: start}, func(it memItem) bool {
		return fn(it.k, it.v)
	})
	return nil
}

// memBlobs keeps bodies in memory.
type memBlobs struct {
	mu    sync.RWMutex
	blobs map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{blobs: map[string][]byte{}} }

// memPrealloc caps the buffer allocated up front from a declared size.
const memPrealloc = 64 << 20

type memBlobWriter struct {
	b   *memBlobs
	buf []byte
	id  string
}

func (b *memBlobs) create(size int64) (blobWriter, error) {
	n := min(max(size, 0), memPrealloc)
	return &memBlobWriter{b: b, buf: make([]byte, 0, n)}, nil
}

func (w *memBlobWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

func (w *memBlobWriter) commit() (string, error) {
	w.id = newBlobID()
	w.b.mu.Lock()
	w.b.blobs[w.id] = w.buf
	w.b.mu.Unlock()
	return w.id, nil
}

func (w *memBlobWriter) abort() {
	if w.id != "" {
		_ = w.b.remove(w.id)
	}
	w.buf = nil
}

func (b *memBlobs) open(id string) (blobReader, error) {
	b.mu.RLock()
	data, ok := b.blobs[id]
	b.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: blob %s: %w", id, ErrNoSuchKey)
	}
	return memBlobReader{bytes.NewReader(data)}, nil
}

type memBlobReader struct{ *bytes.Reader }

func (memBlobReader) Close() error { return nil }

func (b *memBlobs) remove(id string) error {
	b.mu.Lock()
	delete(b.blobs, id)
	b.mu.Unlock()
	return nil
}

// count is the number of blobs held (for tests).
func (b *memBlobs) count() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.blobs)
}

func (b *memBlobs) path(id string) string { return "memory blob " + id }
