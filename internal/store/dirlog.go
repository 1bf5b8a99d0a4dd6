package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The dir engine's write-ahead log (docs/store.md, "The log"): each group
// of updates is appended as one record and made durable with one
// fdatasync before any of its updates is acknowledged; bbolt gets the
// records later, in a synced transaction per checkpoint, after which the
// segment they were in is removed.
//
//	wal/<n>.log     segments, n 16 hex digits, replayed in order at open
//
// Records are written over zeros written and synced beforehand (a segment
// grows by logChunk at a time), so a record's fdatasync need not also
// commit a new file size: on ext4 that halves its time.
//
// A record is [length uint32 LE][CRC-32C of the payload uint32 LE][payload];
// the payload is a sequence of operations:
//
//	1 [table len uint8][table][key len uvarint][key][value len uvarint][value]   put
//	2 [table len uint8][table][key len uvarint][key]                              delete
const (
	walName      = "wal"
	walExt       = ".log"
	logOpPut     = 1
	logOpDel     = 2
	logHeaderLen = 8
	logMaxRecord = 1 << 30
	logChunk     = 1 << 20
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// logOp is one write of a logged group: a put of val, or a delete.
type logOp struct {
	del      bool
	table    string
	key, val []byte
}

// appendLogOp appends op's encoding to b.
func appendLogOp(b []byte, op logOp) []byte {
	if op.del {
		b = append(b, logOpDel)
	} else {
		b = append(b, logOpPut)
	}
	b = append(b, byte(len(op.table)))
	b = append(b, op.table...)
	b = binary.AppendUvarint(b, uint64(len(op.key)))
	b = append(b, op.key...)
	if !op.del {
		b = binary.AppendUvarint(b, uint64(len(op.val)))
		b = append(b, op.val...)
	}
	return b
}

// decodeLogOps parses a record's payload. Slices in the result alias p.
// Every table must be one of the store's.
func decodeLogOps(p []byte) ([]logOp, error) {
	var ops []logOp
	for len(p) > 0 {
		var op logOp
		switch p[0] {
		case logOpPut:
		case logOpDel:
			op.del = true
		default:
			return nil, fmt.Errorf("unknown operation %d", p[0])
		}
		p = p[1:]
		if len(p) < 1 || len(p) < 1+int(p[0]) {
			return nil, errors.New("table name cut short")
		}
		op.table, p = string(p[1:1+int(p[0])]), p[1+int(p[0]):]
		if !slices.Contains(tables, op.table) {
			return nil, fmt.Errorf("unknown table %q", op.table)
		}
		var err error
		if op.key, p, err = logBytes(p); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		if len(op.key) == 0 {
			return nil, errors.New("empty key")
		}
		if !op.del {
			if op.val, p, err = logBytes(p); err != nil {
				return nil, fmt.Errorf("value: %w", err)
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// logBytes reads a uvarint length and that many bytes.
func logBytes(p []byte) (field, rest []byte, err error) {
	n, w := binary.Uvarint(p)
	if w <= 0 {
		return nil, nil, errors.New("bad length")
	}
	p = p[w:]
	if n > uint64(len(p)) {
		return nil, nil, errors.New("cut short")
	}
	return p[:n:n], p[n:], nil
}

// appendLogRecord frames a payload as a record.
func appendLogRecord(b, payload []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, crc32c))
	return append(b, payload...)
}

// readLogRecords splits a segment into record payloads. It stops at the
// first record that is cut short, empty or fails its checksum (what a
// crash during an append leaves) and returns where that tail starts
// (len(data) when the segment is whole).
func readLogRecords(data []byte) (payloads [][]byte, end int) {
	for end < len(data) {
		rest := data[end:]
		if len(rest) < logHeaderLen {
			break
		}
		n := binary.LittleEndian.Uint32(rest)
		if n == 0 || n > logMaxRecord || int(n) > len(rest)-logHeaderLen {
			break
		}
		payload := rest[logHeaderLen : logHeaderLen+int(n)]
		if crc32.Checksum(payload, crc32c) != binary.LittleEndian.Uint32(rest[4:]) {
			break
		}
		payloads = append(payloads, payload)
		end += logHeaderLen + int(n)
	}
	return payloads, end
}

// dirLog is the segment being appended to.
type dirLog struct {
	dir  string
	seg  uint64 // the current segment's number
	f    *os.File
	size int64 // bytes of records
	room int64 // bytes of the file (records, then zeros)
	buf  []byte
}

func segmentName(n uint64) string { return fmt.Sprintf("%016x%s", n, walExt) }

// logSegments lists the segment numbers in dir, ascending.
func logSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, ioError("reading", dir, err)
	}
	var segs []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), walExt)
		if !ok || len(name) != 16 {
			continue
		}
		n, err := strconv.ParseUint(name, 16, 64)
		if err != nil {
			continue
		}
		segs = append(segs, n)
	}
	slices.Sort(segs)
	return segs, nil
}

// readSegments returns the logged groups of every segment in dir, in order.
// Only the last segment may end in a torn record (the append a crash
// interrupted: it was never acknowledged); anywhere else that is ErrCorrupt.
func readSegments(dir string) (groups [][]logOp, segs []uint64, err error) {
	segs, err = logSegments(dir)
	if err != nil {
		return nil, nil, err
	}
	for i, n := range segs {
		p := filepath.Join(dir, segmentName(n))
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, ioError("reading", p, err)
		}
		payloads, end := readLogRecords(data)
		if end < len(data) && i < len(segs)-1 && !allZero(data[end:]) {
			return nil, nil, fmt.Errorf("%w: %s: a damaged record at offset %d of a segment that is not the last", ErrCorrupt, p, end)
		}
		for _, payload := range payloads {
			ops, err := decodeLogOps(payload)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, p, err)
			}
			groups = append(groups, ops)
		}
	}
	return groups, segs, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// createSegment starts segment n, made durable in the directory before
// any record in it is acknowledged.
func createSegment(dir string, n uint64) (*dirLog, error) {
	p := filepath.Join(dir, segmentName(n))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, ioError("creating", p, err)
	}
	if err := syncDir(dir); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &dirLog{dir: dir, seg: n, f: f}, nil
}

// append writes ops as one record and waits until it is on disk. On an
// error the segment is cut back to where it was, so a failed group leaves
// nothing to replay.
func (l *dirLog) append(ops []logOp) error {
	payload := l.buf[:0]
	for _, op := range ops {
		payload = appendLogOp(payload, op)
	}
	rec := appendLogRecord(make([]byte, 0, logHeaderLen+len(payload)), payload)
	l.buf = payload[:0]
	if len(payload) > logMaxRecord {
		return fmt.Errorf("store: a group of %d bytes is more than the log takes", len(payload))
	}
	err := l.grow(int64(len(rec)))
	if err == nil {
		_, err = l.f.WriteAt(rec, l.size)
	}
	if err == nil {
		err = unix.Fdatasync(int(l.f.Fd()))
	}
	if err != nil {
		// Zeros over what may have been written: the next record goes
		// there, and a read stops at zeros.
		if _, zerr := l.f.WriteAt(make([]byte, len(rec)), l.size); zerr != nil {
			return errors.Join(ioError("appending to", l.f.Name(), err), ioError("clearing a failed record in", l.f.Name(), zerr))
		}
		return ioError("appending to", l.f.Name(), err)
	}
	l.size += int64(len(rec))
	return nil
}

// grow makes room for n more bytes of records: zeros, written and synced.
func (l *dirLog) grow(n int64) error {
	if l.size+n <= l.room {
		return nil
	}
	add := (l.size + n - l.room + logChunk - 1) / logChunk * logChunk
	if _, err := l.f.WriteAt(make([]byte, add), l.room); err != nil {
		return err
	}
	if err := unix.Fdatasync(int(l.f.Fd())); err != nil {
		return err
	}
	l.room += add
	return nil
}

func (l *dirLog) close() error { return l.f.Close() }

// removeLogSegments deletes the segments numbered up to last and syncs the
// directory, so no older segment outlives a newer one's removal.
func removeLogSegments(dir string, last uint64) error {
	segs, err := logSegments(dir)
	if err != nil {
		return err
	}
	removed := false
	for _, n := range segs {
		if n > last {
			break
		}
		p := filepath.Join(dir, segmentName(n))
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return ioError("removing", p, err)
		}
		removed = true
	}
	if removed {
		return syncDir(dir)
	}
	return nil
}
