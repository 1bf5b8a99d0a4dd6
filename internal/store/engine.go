package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The store's logic (api.go) is written once over two small interfaces an
// engine provides: an ordered, transactional key-value store of named
// tables (kv), and a place for bodies (blobs).

// kv is a transactional ordered key-value store of named tables.
type kv interface {
	// update runs fn in a read-write transaction, committed when fn
	// returns nil and rolled back otherwise. Updates are serialised.
	update(fn func(t kvTx) error) error
	// view runs fn in a read-only transaction.
	view(fn func(t kvTx) error) error
	close() error
}

// kvTx is one transaction. Slices it returns are valid only inside the
// transaction and must not be modified; slices given to put must not be
// modified afterwards.
type kvTx interface {
	get(table string, key []byte) []byte
	put(table string, key, val []byte) error
	del(table string, key []byte) error
	// seek calls fn with each entry whose key is >= start, ascending,
	// until fn returns false. fn must not change the table.
	seek(table string, start []byte, fn func(k, v []byte) bool) error
}

// blobs holds bodies. A blob is written once, then read and removed.
type blobs interface {
	// create starts a blob; size is the expected size (a hint).
	create(size int64) (blobWriter, error)
	// open opens a committed blob; an error wrapping ErrNoSuchKey when it
	// does not exist.
	open(id string) (blobReader, error)
	// remove deletes a blob; no error when it does not exist.
	remove(id string) error
	// path names a blob in messages.
	path(id string) string
}

type blobWriter interface {
	io.Writer
	// commit makes the blob durable under its ID.
	commit() (id string, err error)
	// abort discards the blob (before or after commit).
	abort()
}

type blobReader interface {
	io.ReaderAt
	io.Closer
}

// Tables.
const (
	tableMeta     = "meta"     // "format" -> decimal format number; "seq" -> uint64 BE
	tableBuckets  = "buckets"  // name -> Bucket JSON
	tableVersions = "versions" // bucket 0 key* 0 0 ^seq -> Version JSON
	tableVIDs     = "vids"     // bucket 0 key* 0 0 versionID -> ^seq
	tableUploads  = "uploads"  // bucket 0 key* 0 0 uploadID -> Upload JSON
	tableParts    = "parts"    // uploadID 0 number(uint32 BE) -> Part JSON
	tableBlobs    = "blobs"    // blob ID -> "v" (a version's) or "p" (a part's); blobs only
	tableInline   = "inline"   // blob ID -> the bytes of an inline body
	// Access points (added in format 2 without a bump: a store without
	// these tables gets them, empty, when opened).
	tableAccessPoints = "accesspoints" // account 0 name -> AccessPoint JSON
	tableAPAliases    = "apaliases"    // alias -> account 0 name
)

var tables = []string{tableMeta, tableBuckets, tableVersions, tableVIDs, tableUploads, tableParts, tableBlobs, tableInline,
	tableAccessPoints, tableAPAliases}

// addedTables are tables an existing store of the current format may lack
// (it was written before they existed); open creates them.
var addedTables = []string{tableAccessPoints, tableAPAliases}

// formatVersion is the on-disk format number; OpenDir refuses any other
// but upgrades formats 1 (which had no tableInline) and 2 (no log) in place.
const formatVersion = 3

// appendKey appends bucket 0 key* 0 0 where key* is key with each 0 byte
// written as 0 1: the encoding keeps byte order (a key sorts before every
// longer key it prefixes) whatever bytes a key holds.
func appendKey(dst []byte, bucket, key string) []byte {
	dst = appendPrefix(dst, bucket, key)
	return append(dst, 0, 0)
}

// appendPrefix appends bucket 0 prefix*: every key of bucket starting
// with prefix encodes to a key starting with it.
func appendPrefix(dst []byte, bucket, prefix string) []byte {
	// One allocation for the whole key: room for the terminator and a
	// sequence number or version ID after it.
	dst = slices.Grow(dst, len(bucket)+1+len(prefix)+keySuffixRoom)
	dst = append(dst, bucket...)
	dst = append(dst, 0)
	for i := 0; i < len(prefix); i++ {
		if prefix[i] == 0 {
			dst = append(dst, 0, 1)
		} else {
			dst = append(dst, prefix[i])
		}
	}
	return dst
}

// afterKey is the smallest encoded key greater than every entry of bucket/key
// (bucket 0 key* 0 1): where the next key begins.
func afterKey(bucket, key string) []byte {
	return append(appendPrefix(nil, bucket, key), 0, 1)
}

// splitKey parses bucket 0 key* 0 0 rest into key and rest (the bucket is
// known to the caller, whose prefix it is).
func splitKey(k []byte, bucket string) (key string, rest []byte, err error) {
	if len(k) < len(bucket)+1 || string(k[:len(bucket)]) != bucket || k[len(bucket)] != 0 {
		return "", nil, fmt.Errorf("key %q not in bucket %q", k, bucket)
	}
	b := k[len(bucket)+1:]
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != 0 {
			out = append(out, b[i])
			continue
		}
		if i+1 >= len(b) {
			return "", nil, fmt.Errorf("key %q: truncated escape", k)
		}
		switch b[i+1] {
		case 0:
			return string(out), b[i+2:], nil
		case 1:
			out = append(out, 0)
			i++
		default:
			return "", nil, fmt.Errorf("key %q: bad escape", k)
		}
	}
	return "", nil, fmt.Errorf("key %q: no terminator", k)
}

// seqBytes encodes a sequence number so larger ones sort first.
func seqBytes(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, ^seq)
}

func versionKey(bucket, key string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(appendKey(nil, bucket, key), ^seq)
}

// keySuffixRoom is what appendPrefix leaves room for after the prefix: the
// two-byte terminator and a version ID (32 characters) or sequence number.
const keySuffixRoom = 2 + 32

func vidKey(bucket, key, versionID string) []byte {
	return append(appendKey(nil, bucket, key), versionID...)
}

func uploadKey(bucket, key, uploadID string) []byte {
	return append(appendKey(nil, bucket, key), uploadID...)
}

func partPrefix(uploadID string) []byte {
	return append([]byte(uploadID), 0)
}

func partKey(uploadID string, number int) []byte {
	return binary.BigEndian.AppendUint32(partPrefix(uploadID), uint32(number))
}

// newID returns 32 random URL-safe characters (version and upload IDs),
// the first a letter or digit: an ID starting with "-" would read as an
// option to command-line clients (aws s3api … --upload-id -x… fails).
func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	id := []byte(base64.RawURLEncoding.EncodeToString(b[:]))
	if id[0] == '-' || id[0] == '_' {
		const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		id[0] = alnum[int(b[23])%len(alnum)]
	}
	return string(id)
}

// newBlobID returns 32 random hex characters (blob IDs: file names).
func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hexString(b[:])
}

// validBlobID reports whether id is a blob ID newBlobID could make.
func validBlobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// Record codecs. Decoding never panics: anything malformed is an error
// the caller wraps in ErrCorrupt.

func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a time outside years 0-9999 can fail here.
		return nil, fmt.Errorf("store: encoding %T: %w", v, err)
	}
	return b, nil
}

func decodeStrict(b []byte, v any) error {
	if len(b) == 0 {
		return errors.New("empty record")
	}
	// Unmarshal takes exactly one value: anything but spaces after it is
	// an error.
	return json.Unmarshal(b, v)
}

func checkSegments(segs []Segment, size int64) error {
	var total int64
	for _, s := range segs {
		if !validBlobID(s.Blob) {
			return fmt.Errorf("bad blob ID %q", s.Blob)
		}
		if s.Size < 0 {
			return fmt.Errorf("negative segment size %d", s.Size)
		}
		total += s.Size
	}
	if total != size {
		return fmt.Errorf("segments hold %d bytes, size is %d", total, size)
	}
	return nil
}

func decodeBucket(b []byte) (*Bucket, error) {
	var bk Bucket
	if err := decodeStrict(b, &bk); err != nil {
		return nil, err
	}
	if bk.Name == "" {
		return nil, errors.New("bucket record without name")
	}
	return &bk, nil
}

func decodeVersion(b []byte) (*Version, error) {
	var v Version
	if err := decodeStrict(b, &v); err != nil {
		return nil, err
	}
	if v.VersionID == "" {
		return nil, errors.New("version record without ID")
	}
	if v.Size < 0 {
		return nil, fmt.Errorf("negative size %d", v.Size)
	}
	if err := checkSegments(v.Body, v.Size); err != nil {
		return nil, err
	}
	return &v, nil
}

func decodeUpload(b []byte) (*Upload, error) {
	var u Upload
	if err := decodeStrict(b, &u); err != nil {
		return nil, err
	}
	if u.ID == "" {
		return nil, errors.New("upload record without ID")
	}
	return &u, nil
}

func decodePart(b []byte) (*Part, error) {
	var p Part
	if err := decodeStrict(b, &p); err != nil {
		return nil, err
	}
	if p.Number < 1 {
		return nil, fmt.Errorf("part number %d", p.Number)
	}
	if p.Size < 0 {
		return nil, fmt.Errorf("negative size %d", p.Size)
	}
	if err := checkSegments(p.Body, p.Size); err != nil {
		return nil, err
	}
	return &p, nil
}
