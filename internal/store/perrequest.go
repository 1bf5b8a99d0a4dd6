package store

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
)

// What a request costs: a 1 KiB GET of the memory store hands the client
// the stored bytes themselves (docs/store.md, "Per-request cost").

// stableKV is implemented by an engine whose values are never changed or
// reused once put (the memory engine: kvTx's contract forbids changing
// them, and its B-trees keep the slices as given), so a value read stays
// valid after its transaction ends.
type stableKV interface {
	// getStable is get in a read transaction of its own.
	getStable(table string, key []byte) ([]byte, error)
}

func (m *memKV) getStable(table string, key []byte) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, errClosed
	}
	it, ok := m.tables[table].Get(memItem{k: key})
	if !ok {
		return nil, nil
	}
	return it.v, nil
}

// checkInline checks the bytes data read for inline segment seg: nil is
// a body removed since its version was looked up.
func (s *Store) checkInline(seg Segment, data []byte) error {
	if data == nil {
		return fmt.Errorf("store: body %s: %w", s.segmentPath(seg), ErrNoSuchKey)
	}
	if int64(len(data)) != seg.Size {
		return fmt.Errorf("%w: %s: %d bytes, %d expected", ErrCorrupt, s.segmentPath(seg), len(data), seg.Size)
	}
	return nil
}

// inlineBody is a run of one inline body of a stable engine: the stored
// bytes themselves, read or written out (io.WriterTo) without a copy of
// its own.
type inlineBody struct{ bytes.Reader }

func (*inlineBody) Close() error { return nil }

// openStable returns the body for n bytes at off of segment seg when the
// engine's bytes are stable and seg is inline; ok is false otherwise.
func (s *Store) openStable(seg Segment, off, n int64) (_ *inlineBody, ok bool, _ error) {
	st, stable := s.kv.(stableKV)
	if !stable || !seg.Inline || off+n > seg.Size {
		return nil, false, nil
	}
	data, err := st.getStable(tableInline, []byte(seg.Blob))
	if err == nil {
		err = s.checkInline(seg, data)
	}
	if err != nil {
		return nil, true, err
	}
	b := &inlineBody{}
	b.Reset(data[off : off+n : off+n])
	return b, true, nil
}

// hexMD5 is the hex of h's MD5 sum: one allocation, the string's.
func hexMD5(h hash.Hash) string {
	var sum [md5.Size]byte
	return hexString(h.Sum(sum[:0]))
}

// hexString is hex.EncodeToString of up to 16 bytes with one allocation
// (the string's) instead of two.
func hexString(b []byte) string {
	var buf [2 * md5.Size]byte
	return string(hex.AppendEncode(buf[:0], b))
}
