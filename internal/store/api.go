package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Store is the one store of S3 state. Its methods are safe for concurrent
// use. Build one with OpenDir or NewMemory; Close it when done.
//
// Callbacks the methods take (Check, the UpdateBucket and UpdateObject
// functions) run inside a transaction and must not call the Store; the
// listing callbacks run outside any transaction and may.
type Store struct {
	kind  string
	dir   string
	where string // names the metadata in errors: the meta.db path, or "memory"
	kv    kv
	blobs blobs
	now   func() time.Time
	log   *slog.Logger
	bufs  sync.Pool // *[]byte copy buffers
	// inlineMax is the largest body kept inline, in the metadata
	// (tableInline), written in the transaction that names it.
	inlineMax int64

	buckets bucketCache              // decoded bucket records, for Bucket
	aps     recordCache[AccessPoint] // decoded access points, by apKey, for AccessPoint
	// Decoded records by table key, checked against the bytes read
	// (recordmemo.go).
	bucketMemo  recordMemo[Bucket]
	versionMemo recordMemo[Version]

	closeOnce sync.Once
	closeErr  error
	release   func() error // the engine's own cleanup after kv.close
}

// copyBufSize is the buffer bodies stream through.
const copyBufSize = 256 << 10

// inlineMax is the largest body (or part) the store keeps inline in the
// metadata rather than as a blob: up to it, one commit shared by several
// writers beats a file each (docs/store.md has the measurements). It must
// not exceed copyBufSize: a body is gathered in the copy buffer until it is
// known to fit.
const inlineMax = 16 << 10

// listBatch is how many records a listing reads per transaction; the
// callback runs between transactions.
const listBatch = 256

func newStore(kind, dir, where string, k kv, b blobs, opts Options) *Store {
	s := &Store{kind: kind, dir: dir, where: where, kv: k, blobs: b, now: opts.Now, log: opts.Logger, inlineMax: inlineMax,
		buckets: bucketCache{clone: cloneBucket}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.bufs.New = func() any { b := make([]byte, copyBufSize); return &b }
	return s
}

// NewMemory returns an empty memory store.
func NewMemory(opts Options) *Store {
	return newStore("memory", "", "memory store", newMemKV(), newMemBlobs(), opts)
}

// Kind is "dir" or "memory".
func (s *Store) Kind() string { return s.kind }

// Dir is the dir store's root directory; "" for memory.
func (s *Store) Dir() string { return s.dir }

// Close releases the store (and the dir store's lock). Idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.kv.close()
		if s.release != nil {
			s.closeErr = errors.Join(s.closeErr, s.release())
		}
	})
	return s.closeErr
}

// clock is the store's time for a new timestamp: UTC, no monotonic part,
// so a value reads back equal from either engine.
func (s *Store) clock() time.Time { return s.now().UTC().Round(0) }

func (s *Store) corrupt(what string, key []byte, err error) error {
	return fmt.Errorf("%w: %s: %s %q: %v", ErrCorrupt, s.where, what, key, err)
}

// removeBlobs deletes the bodies of records a committed transaction
// removed. A failure leaves a file the next open sweeps.
func (s *Store) removeBlobs(ids []string) {
	for _, id := range ids {
		if err := s.blobs.remove(id); err != nil {
			s.log.Warn("store: removing a body", "blob", id, "error", err)
		}
	}
}

// ---- buckets

func (s *Store) getBucket(t kvTx, name string) (*Bucket, error) {
	b, err := s.peekBucket(t, name)
	if err != nil {
		return nil, err
	}
	return cloneBucket(b), nil
}

// peekBucket is getBucket for a caller that only reads the record: the
// result is shared.
func (s *Store) peekBucket(t kvTx, name string) (*Bucket, error) {
	key := []byte(name)
	raw := t.get(tableBuckets, key)
	if raw == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchBucket, name)
	}
	b, err := s.bucketMemo.decode(key, raw, decodeBucket)
	if err != nil {
		return nil, s.corrupt("bucket", key, err)
	}
	return b, nil
}

func putRecord(t kvTx, table string, key []byte, v any) error {
	var raw []byte
	var err error
	if ver, ok := v.(*Version); ok {
		raw, err = encodeVersion(ver)
	} else {
		raw, err = encode(v)
	}
	if err != nil {
		return err
	}
	return t.put(table, key, raw)
}

// CreateBucket creates a bucket (Created set from the clock when zero).
// ErrBucketExists if it exists.
func (s *Store) CreateBucket(b Bucket) error {
	if b.Name == "" || strings.IndexByte(b.Name, 0) >= 0 {
		return fmt.Errorf("store: invalid bucket name %q", b.Name)
	}
	if b.Created.IsZero() {
		b.Created = s.clock()
	}
	err := s.kv.update(func(t kvTx) error {
		if t.get(tableBuckets, []byte(b.Name)) != nil {
			return fmt.Errorf("%w: %q", ErrBucketExists, b.Name)
		}
		return putRecord(t, tableBuckets, []byte(b.Name), &b)
	})
	s.buckets.invalidate(b.Name)
	return err
}

// hasPrefix reports whether table has an entry starting with prefix.
func hasPrefix(t kvTx, table string, prefix []byte) (bool, error) {
	found := false
	err := t.seek(table, prefix, func(k, _ []byte) bool {
		found = bytes.HasPrefix(k, prefix)
		return false
	})
	return found, err
}

// DeleteBucket removes a bucket that holds no versions and no delete
// markers (else ErrBucketNotEmpty). Its in-progress multipart uploads go
// with it, parts included, as on S3 (they do not keep a bucket alive).
func (s *Store) DeleteBucket(name string) error {
	var garbage []string
	err := s.kv.update(func(t kvTx) error {
		garbage = garbage[:0]
		if _, err := s.peekBucket(t, name); err != nil {
			return err
		}
		prefix := appendPrefix(nil, name, "")
		found, err := hasPrefix(t, tableVersions, prefix)
		if err != nil {
			return err
		}
		if found {
			return fmt.Errorf("%w: %q", ErrBucketNotEmpty, name)
		}
		type upload struct {
			key []byte
			id  string
		}
		var uploads []upload
		var derr error
		err = t.seek(tableUploads, prefix, func(k, v []byte) bool {
			if !bytes.HasPrefix(k, prefix) {
				return false
			}
			u, err := decodeUpload(v)
			if err != nil {
				derr = s.corrupt("upload", k, err)
				return false
			}
			uploads = append(uploads, upload{key: bytes.Clone(k), id: u.ID})
			return true
		})
		if err := errors.Join(err, derr); err != nil {
			return err
		}
		for _, u := range uploads {
			parts, keys, err := s.listParts(t, u.id)
			if err != nil {
				return err
			}
			if err := removeParts(t, parts, keys, nil, &garbage); err != nil {
				return err
			}
			if err := t.del(tableUploads, u.key); err != nil {
				return err
			}
		}
		return t.del(tableBuckets, []byte(name))
	})
	s.buckets.invalidate(name)
	if err != nil {
		return err
	}
	s.removeBlobs(garbage)
	return nil
}

// Bucket returns a copy of a bucket's state.
func (s *Store) Bucket(name string) (*Bucket, error) {
	b, gen := s.buckets.get(name)
	if b != nil {
		return b, nil
	}
	err := s.kv.view(func(t kvTx) error {
		var err error
		b, err = s.getBucket(t, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.buckets.put(b.Name, b, gen)
	return b, nil
}

// Buckets returns every bucket, sorted by name.
func (s *Store) Buckets() ([]*Bucket, error) {
	var out []*Bucket
	err := s.kv.view(func(t kvTx) error {
		var derr error
		err := t.seek(tableBuckets, nil, func(k, v []byte) bool {
			b, err := decodeBucket(v)
			if err != nil {
				derr = s.corrupt("bucket", k, err)
				return false
			}
			out = append(out, b)
			return true
		})
		return errors.Join(err, derr)
	})
	return out, err
}

// UpdateBucket changes a bucket in one transaction: fn gets a copy and its
// changes are saved if it returns nil (Name and Created cannot change).
func (s *Store) UpdateBucket(name string, fn func(b *Bucket) error) (*Bucket, error) {
	var out *Bucket
	err := s.kv.update(func(t kvTx) error {
		b, err := s.getBucket(t, name)
		if err != nil {
			return err
		}
		orig := *b
		if err := fn(b); err != nil {
			return err
		}
		b.Name, b.Created = orig.Name, orig.Created
		if err := putRecord(t, tableBuckets, []byte(name), b); err != nil {
			return err
		}
		out, err = s.getBucket(t, name) // a copy fn cannot reach
		return err
	})
	s.buckets.invalidate(name)
	return out, err
}

// ---- versions

// nextSeq returns the next version sequence number.
func nextSeq(t kvTx) (uint64, error) {
	var seq uint64
	key := []byte("seq")
	if raw := t.get(tableMeta, key); len(raw) == 8 {
		seq = binary.BigEndian.Uint64(raw)
	}
	seq++
	return seq, t.put(tableMeta, key, binary.BigEndian.AppendUint64(nil, seq))
}

// current returns the newest version or marker of bucket/key and its table
// key; nil when there is none.
func (s *Store) current(t kvTx, bucket, key string) (*Version, []byte, error) {
	v, fk, err := s.peekCurrent(t, bucket, key)
	if v == nil || err != nil {
		return nil, nil, err
	}
	v = cloneVersion(v)
	v.Bucket, v.Key, v.IsLatest = bucket, key, true
	return v, fk, nil
}

// peekCurrent is current for a caller that only reads: the version is
// shared, without Bucket, Key and IsLatest.
func (s *Store) peekCurrent(t kvTx, bucket, key string) (*Version, []byte, error) {
	prefix := appendKey(nil, bucket, key)
	var fk, fv []byte
	if err := t.seek(tableVersions, prefix, func(k, v []byte) bool {
		if bytes.HasPrefix(k, prefix) {
			fk, fv = bytes.Clone(k), v
		}
		return false
	}); err != nil {
		return nil, nil, err
	}
	if fk == nil {
		return nil, nil, nil
	}
	v, err := s.versionMemo.decode(fk, fv, decodeVersion)
	if err != nil {
		return nil, nil, s.corrupt("version", fk, err)
	}
	return v, fk, nil
}

// versionByID returns one version of bucket/key and its table key; nil
// when there is no such version.
func (s *Store) versionByID(t kvTx, bucket, key, versionID string) (*Version, []byte, error) {
	v, vk, err := s.peekVersionByID(t, bucket, key, versionID)
	if v == nil || err != nil {
		return nil, nil, err
	}
	v = cloneVersion(v)
	v.Bucket, v.Key = bucket, key
	return v, vk, nil
}

// peekVersionByID is versionByID for a caller that only reads: the
// version is shared, without Bucket and Key.
func (s *Store) peekVersionByID(t kvTx, bucket, key, versionID string) (*Version, []byte, error) {
	seq := t.get(tableVIDs, vidKey(bucket, key, versionID))
	if seq == nil {
		return nil, nil, nil
	}
	vk := append(appendKey(nil, bucket, key), seq...)
	raw := t.get(tableVersions, vk)
	if raw == nil {
		return nil, nil, s.corrupt("version index entry", vidKey(bucket, key, versionID), errors.New("names a missing version"))
	}
	v, err := s.versionMemo.decode(vk, raw, decodeVersion)
	if err != nil {
		return nil, nil, s.corrupt("version", vk, err)
	}
	return v, vk, nil
}

// insertVersion gives v (Bucket, Key and VersionID set) a new sequence
// number, making it the key's current version.
func (s *Store) insertVersion(t kvTx, v *Version) error {
	seq, err := nextSeq(t)
	if err != nil {
		return err
	}
	vk := versionKey(v.Bucket, v.Key, seq)
	raw, err := encodeVersion(v)
	if err != nil {
		return err
	}
	if err := t.put(tableVersions, vk, raw); err != nil {
		return err
	}
	s.versionMemo.remember(vk, raw, memoVersion(v))
	if err := t.put(tableVIDs, vidKey(v.Bucket, v.Key, v.VersionID), seqBytes(seq)); err != nil {
		return err
	}
	return indexBlobs(t, v.Body, "v")
}

// indexBlobs records each file segment's blob in tableBlobs (kind "v" for
// a version's, "p" for a part's), which the sweep at open reads to tell
// live bodies from leftovers; inline segments already have their
// tableInline entry. removeSegments undoes it.
func indexBlobs(t kvTx, segs []Segment, kind string) error {
	for _, seg := range segs {
		if seg.Inline {
			continue
		}
		if err := t.put(tableBlobs, []byte(seg.Blob), []byte(kind)); err != nil {
			return err
		}
	}
	return nil
}

// removeSegments deletes the record of each segment's body: an inline
// body goes with its tableInline entry, a blob is added to garbage (removed
// after the commit).
func removeSegments(t kvTx, segs []Segment, garbage *[]string) error {
	for _, seg := range segs {
		if seg.Inline {
			if err := t.del(tableInline, []byte(seg.Blob)); err != nil {
				return err
			}
			continue
		}
		if err := t.del(tableBlobs, []byte(seg.Blob)); err != nil {
			return err
		}
		*garbage = append(*garbage, seg.Blob)
	}
	return nil
}

// removeVersion deletes a version (vk its table key), adding its blobs to
// garbage.
func (s *Store) removeVersion(t kvTx, v *Version, vk []byte, garbage *[]string) error {
	if err := s.delVersionRecord(t, vk); err != nil {
		return err
	}
	if err := t.del(tableVIDs, vidKey(v.Bucket, v.Key, v.VersionID)); err != nil {
		return err
	}
	return removeSegments(t, v.Body, garbage)
}

// delVersionRecord deletes the version record under vk and its entry in
// the memo of decoded versions: every removal of a record goes through it.
func (s *Store) delVersionRecord(t kvTx, vk []byte) error {
	if err := t.del(tableVersions, vk); err != nil {
		return err
	}
	s.versionMemo.forget(vk)
	return nil
}

// addVersion makes v the current version of its key as the bucket's
// versioning says: a new ID when Enabled, else "null" replacing the key's
// null version.
func (s *Store) addVersion(t kvTx, bk *Bucket, v *Version, garbage *[]string) error {
	if bk.Versioning == Enabled {
		v.VersionID = newID()
	} else {
		v.VersionID = NullVersionID
		shared, ok, err := s.peekVersionByID(t, v.Bucket, v.Key, NullVersionID)
		if err != nil {
			return err
		}
		if shared != nil {
			// removeVersion without deleting the version ID index entry:
			// insertVersion overwrites it, the ID being "null" again.
			if err := s.delVersionRecord(t, ok); err != nil {
				return err
			}
			if err := removeSegments(t, shared.Body, garbage); err != nil {
				return err
			}
		}
	}
	v.LastModified = s.clock()
	v.IsLatest = true
	return s.insertVersion(t, v)
}

// ctxReader fails reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// A body is read to its end: with a known size, exactly size bytes and
// then one more read that must report io.EOF (a reader that verifies the
// body, a checksum or a signature, returns its verdict from the read that
// reaches the end); with size < 0 (an upload of unknown length), every
// byte up to io.EOF.

// maxEmptyReads bounds the reads returning neither bytes nor an error the
// store accepts in a row at the end of a body.
const maxEmptyReads = 100

// newBody is a body read and stored, not yet named by any record.
type newBody struct {
	segs []Segment // none for an empty body
	size int64
	etag string // hex MD5
	// inline is the body of an inline segment (segs[0]), which the write
	// transaction puts in tableInline; nil for a blob or an empty body.
	inline []byte
}

// putInline stores an inline body in the write transaction naming it.
func (b newBody) putInline(t kvTx) error {
	if b.inline == nil {
		return nil
	}
	return t.put(tableInline, []byte(b.segs[0].Blob), b.inline)
}

// writeBody reads body as the comment above says. A body of at most
// s.inlineMax bytes is gathered in memory and kept inline; a larger one
// streams into a new blob (created at the first byte, or when a body of
// unknown size outgrows the inline limit). On error nothing is left behind.
func (s *Store) writeBody(ctx context.Context, body io.Reader, size int64) (newBody, error) {
	h := md5.New()
	if body == nil {
		if size > 0 {
			return newBody{}, fmt.Errorf("%w: no body, %d bytes declared", ErrIncompleteBody, size)
		}
		return newBody{etag: hexMD5(h)}, nil
	}
	// gather: the body so far is held in buf[:held] and may still be
	// kept inline.
	gather := s.inlineMax > 0 && size <= s.inlineMax
	held := 0
	var w blobWriter // the blob, once the body is known not to fit inline
	fail := func(err error) (newBody, error) {
		if w != nil {
			w.abort()
		}
		return newBody{}, err
	}
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := *bp
	r := ctxReader{ctx: ctx, r: body}
	var n int64
	eof := false
	for size < 0 || n < size {
		var chunk []byte
		switch {
		case gather && size >= 0:
			chunk = buf[held:size]
		case gather:
			chunk = buf[held : s.inlineMax+1]
		case size >= 0:
			chunk = buf[:min(int64(len(buf)), size-n)]
		default:
			chunk = buf
		}
		m, rerr := r.Read(chunk)
		if m > 0 {
			h.Write(chunk[:m])
			n += int64(m)
			if gather {
				held += m
			}
			if gather && int64(held) > s.inlineMax {
				// A body of unknown size outgrew the inline limit.
				gather, chunk, m = false, buf, held
			}
			if !gather {
				if w == nil {
					var err error
					if w, err = s.blobs.create(size); err != nil {
						return fail(err)
					}
				}
				if _, err := w.Write(chunk[:m]); err != nil {
					return fail(err)
				}
			}
		}
		if rerr == io.EOF {
			if size >= 0 && n < size {
				return fail(fmt.Errorf("%w: %d of %d bytes", ErrIncompleteBody, n, size))
			}
			eof = true
			break
		}
		if rerr != nil {
			if size < 0 {
				return fail(fmt.Errorf("store: reading body after %d bytes: %w", n, rerr))
			}
			return fail(fmt.Errorf("store: reading body after %d of %d bytes: %w", n, size, rerr))
		}
	}
	if !eof {
		if err := expectEOF(r, size); err != nil {
			return fail(err)
		}
	}
	out := newBody{size: n, etag: hexMD5(h)}
	switch {
	case n == 0:
	case w == nil:
		out.inline = bytes.Clone(buf[:held])
		out.segs = []Segment{{Blob: newBlobID(), Size: n, Inline: true}}
	default:
		id, err := w.commit()
		if err != nil {
			return fail(err)
		}
		out.segs = []Segment{{Blob: id, Size: n}}
	}
	return out, nil
}

// expectEOF reads once more after a body's size bytes: the reader must
// report io.EOF (a verifying reader's error is returned wrapped; a byte
// more is ErrBodyTooLong).
func expectEOF(r io.Reader, size int64) error {
	var one [1]byte
	for range maxEmptyReads {
		m, err := r.Read(one[:])
		switch {
		case m > 0:
			return fmt.Errorf("%w: more than the %d bytes declared", ErrBodyTooLong, size)
		case err == io.EOF:
			return nil
		case err != nil:
			return fmt.Errorf("store: reading the end of the body after its %d bytes: %w", size, err)
		}
	}
	return fmt.Errorf("store: reading the end of the body after its %d bytes: %w", size, io.ErrNoProgress)
}

// fileBlobs returns the IDs of the segments kept as blobs (not inline):
// the bodies to remove after a failed write.
func fileBlobs(segs []Segment) []string {
	var ids []string
	for _, s := range segs {
		if !s.Inline {
			ids = append(ids, s.Blob)
		}
	}
	return ids
}

// bucketExists fails fast, before a body is streamed, when the bucket is
// missing (the write transaction checks again). A bucket in the cache of
// decoded records exists (a deletion drops it from the cache once
// committed), without a transaction; a deletion racing this check is the
// write transaction's to find, as it always was.
func (s *Store) bucketExists(bucket string) error {
	if s.buckets.peek(bucket) != nil {
		return nil
	}
	return s.kv.view(func(t kvTx) error {
		_, err := s.peekBucket(t, bucket)
		return err
	})
}

// PutObject streams in.Body into a new version of bucket/key. With
// versioning Enabled the version gets a new ID; otherwise its ID is "null"
// and it replaces the key's null version (whose body is removed). The
// body's MD5 becomes the ETag. Nothing is visible until the body is stored
// and the metadata committed; on any error nothing changes. The maps and
// slices of in.Meta become the store's, and so are those of the version
// returned: the caller must change neither afterwards.
func (s *Store) PutObject(ctx context.Context, bucket, key string, in PutInput) (*Version, error) {
	if err := s.bucketExists(bucket); err != nil {
		return nil, err
	}
	b, err := s.writeBody(ctx, in.Body, in.Size)
	if err != nil {
		return nil, fmt.Errorf("store: put %s/%s: %w", bucket, key, err)
	}
	v := &Version{Bucket: bucket, Key: key, Size: b.size, ETag: b.etag, ObjectMeta: in.Meta, Body: b.segs}
	if in.Finish != nil {
		// The hook may change only the metadata: every other field is
		// put back as it was (the body's segments are the store's and no
		// hook touches them).
		keep := *v
		if err := in.Finish(v); err != nil {
			s.removeBlobs(fileBlobs(b.segs))
			return nil, err
		}
		meta := v.ObjectMeta
		*v = keep
		v.ObjectMeta = meta
	}
	var garbage []string
	check := in.Check // not in: the closure would move all of it to the heap
	err = s.kv.update(func(t kvTx) error {
		garbage = garbage[:0]
		bk, err := s.peekBucket(t, bucket)
		if err != nil {
			return err
		}
		if check != nil {
			cur, _, err := s.current(t, bucket, key)
			if err != nil {
				return err
			}
			if err := check(cur); err != nil {
				return err
			}
		}
		if err := b.putInline(t); err != nil {
			return err
		}
		return s.addVersion(t, bk, v, &garbage)
	})
	if err != nil {
		s.removeBlobs(fileBlobs(b.segs))
		return nil, err
	}
	s.removeBlobs(garbage)
	return v, nil
}

// Object returns a version of bucket/key: the current one when versionID
// is "" (which may be a delete marker: the caller decides what that means),
// else that version. ErrNoSuchBucket, ErrNoSuchKey (no version at all, or
// versionID "" and none), ErrNoSuchVersion.
func (s *Store) Object(bucket, key, versionID string) (*Version, error) {
	var out *Version
	err := s.kv.view(func(t kvTx) error {
		var err error
		out, err = s.lookup(t, bucket, key, versionID)
		return err
	})
	return out, err
}

// ViewObject is Object for a caller that only reads the version (GET,
// HEAD): its maps and slices are shared with the store and must not be
// changed; the struct itself is the caller's.
func (s *Store) ViewObject(bucket, key, versionID string) (*Version, error) {
	var out *Version
	err := s.kv.view(func(t kvTx) error {
		var err error
		out, _, err = s.peekKey(t, bucket, key, versionID)
		return err
	})
	return out, err
}

// lookup is Object inside a transaction; it also returns the table key.
func (s *Store) lookup(t kvTx, bucket, key, versionID string) (*Version, error) {
	v, _, err := s.lookupKey(t, bucket, key, versionID)
	return v, err
}

func (s *Store) lookupKey(t kvTx, bucket, key, versionID string) (*Version, []byte, error) {
	v, vk, err := s.peekKey(t, bucket, key, versionID)
	if err != nil {
		return nil, nil, err
	}
	deepen(v) // peekKey's struct is a copy already
	return v, vk, nil
}

// peekKey is lookupKey without the copy: the version returned is a copy
// of the struct only (Bucket, Key and IsLatest set); its maps and slices
// are shared.
func (s *Store) peekKey(t kvTx, bucket, key, versionID string) (*Version, []byte, error) {
	if _, err := s.peekBucket(t, bucket); err != nil {
		return nil, nil, err
	}
	cur, ck, err := s.peekCurrent(t, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	if cur == nil {
		return nil, nil, fmt.Errorf("%w: %s/%s", ErrNoSuchKey, bucket, key)
	}
	v, vk := cur, ck
	if versionID != "" {
		if v, vk, err = s.peekVersionByID(t, bucket, key, versionID); err != nil {
			return nil, nil, err
		}
		if v == nil {
			return nil, nil, fmt.Errorf("%w: %s/%s version %q", ErrNoSuchVersion, bucket, key, versionID)
		}
	}
	c := *v
	c.Bucket, c.Key, c.IsLatest = bucket, key, bytes.Equal(vk, ck)
	return &c, vk, nil
}

// Open reads length bytes of v's body from offset (length -1: to the end).
// ErrNoSuchKey when the version was removed since it was looked up.
func (s *Store) Open(v *Version, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || offset > v.Size {
		return nil, fmt.Errorf("store: open %s/%s: offset %d outside 0..%d", v.Bucket, v.Key, offset, v.Size)
	}
	if length < 0 {
		length = v.Size - offset
	}
	if length > v.Size-offset {
		return nil, fmt.Errorf("store: open %s/%s: %d bytes from %d exceed size %d", v.Bucket, v.Key, length, offset, v.Size)
	}
	// Skip to the segment holding offset.
	idx := 0
	for idx < len(v.Body) && offset >= v.Body[idx].Size {
		offset -= v.Body[idx].Size
		idx++
	}
	if length > 0 && idx < len(v.Body) {
		// The whole run in one inline body of the memory engine: its
		// bytes as they are.
		if b, ok, err := s.openStable(v.Body[idx], offset, length); ok {
			if err != nil {
				return nil, fmt.Errorf("store: open %s/%s: %w", v.Bucket, v.Key, err)
			}
			return b, nil
		}
	}
	r := &bodyReader{s: s, segs: v.Body, idx: idx, off: offset, remaining: length}
	if length > 0 {
		// Open the first blob now, so a removed version fails here.
		if err := r.openCurrent(); err != nil {
			return nil, fmt.Errorf("store: open %s/%s: %w", v.Bucket, v.Key, err)
		}
	}
	return r, nil
}

// bodyReader reads a run of bytes across a body's segments, holding one
// blob open at a time.
type bodyReader struct {
	s         *Store
	segs      []Segment
	idx       int   // current segment
	off       int64 // offset in it
	remaining int64
	cur       blobReader
}

func (r *bodyReader) openCurrent() error {
	seg := r.segs[r.idx]
	if seg.Inline {
		f, err := r.s.openInline(seg, r.off, min(r.remaining, seg.Size-r.off))
		if err != nil {
			return err
		}
		r.cur = f
		return nil
	}
	f, err := r.s.blobs.open(seg.Blob)
	if err != nil {
		return err
	}
	r.cur = f
	return nil
}

// openInline copies n bytes from offset off of an inline body: only what
// the read will use, since the metadata's bytes are valid only inside the
// transaction.
func (s *Store) openInline(seg Segment, off, n int64) (blobReader, error) {
	var out *inlineReader
	err := s.kv.view(func(t kvTx) error {
		data := t.get(tableInline, []byte(seg.Blob))
		if err := s.checkInline(seg, data); err != nil {
			return err
		}
		out = &inlineReader{base: off, data: bytes.Clone(data[off : off+n])}
		return nil
	})
	return out, err
}

// segmentPath names a segment's body in messages.
func (s *Store) segmentPath(seg Segment) string {
	if seg.Inline {
		return fmt.Sprintf("%s: inline body %s", s.where, seg.Blob)
	}
	return s.blobs.path(seg.Blob)
}

// inlineReader reads the copied run [base, base+len(data)) of an inline
// body.
type inlineReader struct {
	base int64
	data []byte
}

func (r *inlineReader) ReadAt(p []byte, off int64) (int, error) {
	off -= r.base
	if off < 0 || off > int64(len(r.data)) {
		return 0, fmt.Errorf("store: inline read at %d outside the %d bytes copied from %d", off+r.base, len(r.data), r.base)
	}
	n := copy(p, r.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *inlineReader) Close() error { return nil }

func (r *bodyReader) Read(p []byte) (int, error) {
	for r.remaining > 0 && r.idx < len(r.segs) && r.off >= r.segs[r.idx].Size {
		r.next()
	}
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	if r.idx >= len(r.segs) {
		return 0, fmt.Errorf("%w: %s: body segments end %d bytes early", ErrCorrupt, r.s.where, r.remaining)
	}
	if r.cur == nil {
		if err := r.openCurrent(); err != nil {
			return 0, err
		}
	}
	seg := r.segs[r.idx]
	n := min(int64(len(p)), r.remaining, seg.Size-r.off)
	m, err := r.cur.ReadAt(p[:n], r.off)
	r.off += int64(m)
	r.remaining -= int64(m)
	if int64(m) < n {
		if err == nil || err == io.EOF {
			err = fmt.Errorf("%w: %s: truncated: %d bytes expected", ErrCorrupt, r.s.segmentPath(seg), seg.Size)
		}
		return m, err
	}
	return m, nil
}

func (r *bodyReader) next() {
	if r.cur != nil {
		_ = r.cur.Close()
		r.cur = nil
	}
	r.idx++
	r.off = 0
}

func (r *bodyReader) Close() error {
	if r.cur != nil {
		err := r.cur.Close()
		r.cur = nil
		return err
	}
	return nil
}

// DeleteObject deletes as S3 does. versionID "": Enabled adds a delete
// marker with a new ID; Suspended adds one with ID "null" replacing the
// null version; Unversioned removes the null version (no error if none).
// versionID set: removes that version or marker (the next newest becomes
// current); ErrNoSuchVersion if absent... S3 answers 204 for an absent
// version, so the S3 layer maps it. check runs as in PutInput.
//
// The result of an Unversioned delete is VersionID "null" when a version
// was removed and "" when there was none.
func (s *Store) DeleteObject(bucket, key, versionID string, check func(current *Version) error) (DeleteResult, error) {
	var res DeleteResult
	var garbage []string
	err := s.kv.update(func(t kvTx) error {
		res, garbage = DeleteResult{}, garbage[:0]
		bk, err := s.peekBucket(t, bucket)
		if err != nil {
			return err
		}
		cur, _, err := s.current(t, bucket, key)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		if versionID != "" {
			v, vk, err := s.versionByID(t, bucket, key, versionID)
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("%w: %s/%s version %q", ErrNoSuchVersion, bucket, key, versionID)
			}
			res = DeleteResult{VersionID: v.VersionID, DeleteMarker: v.DeleteMarker}
			return s.removeVersion(t, v, vk, &garbage)
		}
		if bk.Versioning == Unversioned {
			v, vk, err := s.versionByID(t, bucket, key, NullVersionID)
			if err != nil || v == nil {
				return err
			}
			res = DeleteResult{VersionID: NullVersionID, DeleteMarker: v.DeleteMarker}
			return s.removeVersion(t, v, vk, &garbage)
		}
		dm := &Version{Bucket: bucket, Key: key, DeleteMarker: true}
		if cur != nil && !cur.DeleteMarker {
			dm.Owner = cur.Owner
		}
		if err := s.addVersion(t, bk, dm, &garbage); err != nil {
			return err
		}
		res = DeleteResult{VersionID: dm.VersionID, DeleteMarker: true}
		return nil
	})
	if err != nil {
		return DeleteResult{}, err
	}
	s.removeBlobs(garbage)
	return res, nil
}

// UpdateObject changes the non-body fields of one version (ObjectMeta:
// tags, ACL, Extra...) in one transaction; versionID "" is the current
// version (ErrNoSuchKey if it is a delete marker or absent). A delete
// marker named by versionID is passed to fn (v.DeleteMarker set): S3
// refuses most changes to one, and fn decides.
func (s *Store) UpdateObject(bucket, key, versionID string, fn func(v *Version) error) (*Version, error) {
	var out *Version
	err := s.kv.update(func(t kvTx) error {
		v, vk, err := s.lookupKey(t, bucket, key, versionID)
		if err != nil {
			return err
		}
		if versionID == "" && v.DeleteMarker {
			return fmt.Errorf("%w: %s/%s: current version is a delete marker", ErrNoSuchKey, bucket, key)
		}
		orig := *v
		if err := fn(v); err != nil {
			return err
		}
		// Only ObjectMeta may change.
		meta := v.ObjectMeta
		*v = orig
		v.ObjectMeta = meta
		if err := putRecord(t, tableVersions, vk, v); err != nil {
			return err
		}
		out, err = s.lookup(t, bucket, key, orig.VersionID)
		return err
	})
	return out, err
}

// ListObjects calls fn with the current version of each key under prefix
// whose key sorts after `after`, in key order, skipping keys whose current
// version is a delete marker, until fn returns false.
func (s *Store) ListObjects(bucket, prefix, after string, fn func(v *Version) bool) error {
	pfx := appendPrefix(nil, bucket, prefix)
	start := pfx
	if after != "" {
		if a := afterKey(bucket, after); bytes.Compare(a, start) > 0 {
			start = a
		}
	}
	for start != nil {
		var batch []*Version
		err := s.kv.view(func(t kvTx) error {
			if _, err := s.peekBucket(t, bucket); err != nil {
				return err
			}
			for len(batch) < listBatch {
				var fk, fv []byte
				if err := t.seek(tableVersions, start, func(k, v []byte) bool {
					fk, fv = k, v
					return false
				}); err != nil {
					return err
				}
				if fk == nil || !bytes.HasPrefix(fk, pfx) {
					start = nil
					return nil
				}
				key, _, err := splitKey(fk, bucket)
				if err != nil {
					return s.corrupt("version key", fk, err)
				}
				start = afterKey(bucket, key)
				v, err := decodeVersion(fv)
				if err != nil {
					return s.corrupt("version", fk, err)
				}
				if v.DeleteMarker {
					continue
				}
				v.Bucket, v.Key, v.IsLatest = bucket, key, true
				batch = append(batch, v)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, v := range batch {
			if !fn(v) {
				return nil
			}
		}
	}
	return nil
}

// ListVersions calls fn with every version and delete marker of keys under
// prefix, keys in order and each key's versions newest first, starting
// after (keyMarker, versionIDMarker) as S3's ListObjectVersions does
// (versionIDMarker "" : after all versions of keyMarker), until fn returns
// false. IsLatest is set on each key's newest. A versionIDMarker that no
// longer exists (deleted since the previous page) starts at keyMarker's
// newest remaining version.
func (s *Store) ListVersions(bucket, prefix, keyMarker, versionIDMarker string, fn func(v *Version) bool) error {
	pfx := appendPrefix(nil, bucket, prefix)
	start := pfx
	if keyMarker != "" {
		var m []byte
		if versionIDMarker == "" {
			m = afterKey(bucket, keyMarker)
		} else {
			err := s.kv.view(func(t kvTx) error {
				if seq := t.get(tableVIDs, vidKey(bucket, keyMarker, versionIDMarker)); seq != nil {
					m = append(append(appendKey(nil, bucket, keyMarker), seq...), 0)
				} else {
					m = appendKey(nil, bucket, keyMarker)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if bytes.Compare(m, start) > 0 {
			start = m
		}
	}
	var prevKey string
	havePrev := false
	for start != nil {
		var batch []*Version
		err := s.kv.view(func(t kvTx) error {
			if _, err := s.peekBucket(t, bucket); err != nil {
				return err
			}
			var ferr error
			next := start
			start = nil
			err := t.seek(tableVersions, next, func(k, raw []byte) bool {
				if !bytes.HasPrefix(k, pfx) {
					return false
				}
				if len(batch) == listBatch {
					start = bytes.Clone(k)
					return false
				}
				key, _, err := splitKey(k, bucket)
				if err != nil {
					ferr = s.corrupt("version key", k, err)
					return false
				}
				v, err := decodeVersion(raw)
				if err != nil {
					ferr = s.corrupt("version", k, err)
					return false
				}
				v.Bucket, v.Key = bucket, key
				switch {
				case havePrev && key == prevKey:
					v.IsLatest = false
				case havePrev:
					v.IsLatest = true // the first entry of a new key
				default:
					// The listing may start inside a key's versions.
					kp := appendKey(nil, bucket, key)
					if err := t.seek(tableVersions, kp, func(fk, _ []byte) bool {
						v.IsLatest = bytes.Equal(fk, k)
						return false
					}); err != nil {
						ferr = err
						return false
					}
				}
				prevKey, havePrev = key, true
				batch = append(batch, v)
				return true
			})
			return errors.Join(err, ferr)
		})
		if err != nil {
			return err
		}
		for _, v := range batch {
			if !fn(v) {
				return nil
			}
		}
	}
	return nil
}

// ---- multipart uploads

func (s *Store) getUpload(t kvTx, bucket, key, uploadID string) (*Upload, error) {
	if _, err := s.peekBucket(t, bucket); err != nil {
		return nil, err
	}
	uk := uploadKey(bucket, key, uploadID)
	raw := t.get(tableUploads, uk)
	if raw == nil {
		return nil, fmt.Errorf("%w: %s/%s upload %q", ErrNoSuchUpload, bucket, key, uploadID)
	}
	u, err := decodeUpload(raw)
	if err != nil {
		return nil, s.corrupt("upload", uk, err)
	}
	return u, nil
}

// CreateUpload starts a multipart upload with a new ID.
func (s *Store) CreateUpload(bucket, key string, meta ObjectMeta) (*Upload, error) {
	u := &Upload{ID: newID(), Bucket: bucket, Key: key, Meta: meta}
	err := s.kv.update(func(t kvTx) error {
		if _, err := s.peekBucket(t, bucket); err != nil {
			return err
		}
		u.Initiated = s.clock()
		return putRecord(t, tableUploads, uploadKey(bucket, key, u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	return s.Upload(bucket, key, u.ID)
}

// Upload returns an upload of bucket/key. ErrNoSuchUpload.
func (s *Store) Upload(bucket, key, uploadID string) (*Upload, error) {
	var u *Upload
	err := s.kv.view(func(t kvTx) error {
		var err error
		u, err = s.getUpload(t, bucket, key, uploadID)
		return err
	})
	return u, err
}

// Uploads returns the bucket's uploads under prefix, by key then
// initiation time.
func (s *Store) Uploads(bucket, prefix string) ([]*Upload, error) {
	var out []*Upload
	err := s.kv.view(func(t kvTx) error {
		if _, err := s.peekBucket(t, bucket); err != nil {
			return err
		}
		pfx := appendPrefix(nil, bucket, prefix)
		var derr error
		err := t.seek(tableUploads, pfx, func(k, v []byte) bool {
			if !bytes.HasPrefix(k, pfx) {
				return false
			}
			u, err := decodeUpload(v)
			if err != nil {
				derr = s.corrupt("upload", k, err)
				return false
			}
			out = append(out, u)
			return true
		})
		return errors.Join(err, derr)
	})
	slices.SortStableFunc(out, func(a, b *Upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// listParts returns an upload's parts with their table keys.
func (s *Store) listParts(t kvTx, uploadID string) ([]*Part, [][]byte, error) {
	pfx := partPrefix(uploadID)
	var parts []*Part
	var keys [][]byte
	var derr error
	err := t.seek(tableParts, pfx, func(k, v []byte) bool {
		if !bytes.HasPrefix(k, pfx) {
			return false
		}
		p, err := decodePart(v)
		if err != nil {
			derr = s.corrupt("part", k, err)
			return false
		}
		parts = append(parts, p)
		keys = append(keys, bytes.Clone(k))
		return true
	})
	return parts, keys, errors.Join(err, derr)
}

// removeParts deletes all of an upload's parts, adding the blobs of those
// not in keep to garbage.
func removeParts(t kvTx, parts []*Part, keys [][]byte, keep map[int]bool, garbage *[]string) error {
	for i, p := range parts {
		if err := t.del(tableParts, keys[i]); err != nil {
			return err
		}
		if keep[p.Number] {
			continue
		}
		if err := removeSegments(t, p.Body, garbage); err != nil {
			return err
		}
	}
	return nil
}

// PutPart streams one part (replacing a part with that number). The MD5 is
// its ETag; checksum is stored as given. It is PutPartInput without Finish.
func (s *Store) PutPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, checksum Checksum) (*Part, error) {
	return s.PutPartInput(ctx, bucket, key, uploadID, number, PartInput{Body: body, Size: size, Checksum: checksum})
}

// PutPartInput streams one part (replacing a part with that number): the
// body is read as PutObject reads it, its MD5 is the part's ETag, and
// in.Finish (when set) runs between storing the body and committing the
// part. ErrNoSuchUpload, ErrInvalidPart (a number outside 1..10000 is the
// S3 layer's to refuse; the store takes 1..2^31).
func (s *Store) PutPartInput(ctx context.Context, bucket, key, uploadID string, number int, in PartInput) (*Part, error) {
	if number < 1 || number > 1<<31 {
		return nil, fmt.Errorf("%w: part number %d", ErrInvalidPart, number)
	}
	if err := s.kv.view(func(t kvTx) error {
		_, err := s.getUpload(t, bucket, key, uploadID)
		return err
	}); err != nil {
		return nil, err
	}
	b, err := s.writeBody(ctx, in.Body, in.Size)
	if err != nil {
		return nil, fmt.Errorf("store: put part %d of %s/%s: %w", number, bucket, key, err)
	}
	p := &Part{Number: number, Size: b.size, ETag: b.etag, Checksum: in.Checksum, Body: b.segs}
	if in.Finish != nil {
		// The hook sees a copy and may change only the checksum.
		c := *p
		c.Body = slices.Clone(p.Body)
		if err := in.Finish(&c); err != nil {
			s.removeBlobs(fileBlobs(b.segs))
			return nil, err
		}
		p.Checksum = c.Checksum
	}
	var garbage []string
	err = s.kv.update(func(t kvTx) error {
		garbage = garbage[:0]
		if _, err := s.getUpload(t, bucket, key, uploadID); err != nil {
			return err
		}
		pk := partKey(uploadID, number)
		if raw := t.get(tableParts, pk); raw != nil {
			old, err := decodePart(raw)
			if err != nil {
				return s.corrupt("part", pk, err)
			}
			if err := removeParts(t, []*Part{old}, [][]byte{pk}, nil, &garbage); err != nil {
				return err
			}
		}
		p.LastModified = s.clock()
		if err := putRecord(t, tableParts, pk, p); err != nil {
			return err
		}
		if err := b.putInline(t); err != nil {
			return err
		}
		return indexBlobs(t, p.Body, "p")
	})
	if err != nil {
		s.removeBlobs(fileBlobs(b.segs))
		return nil, err
	}
	s.removeBlobs(garbage)
	out := *p
	out.Body = slices.Clone(p.Body)
	return &out, nil
}

// Parts returns an upload's parts by number.
func (s *Store) Parts(bucket, key, uploadID string) ([]*Part, error) {
	var parts []*Part
	err := s.kv.view(func(t kvTx) error {
		if _, err := s.getUpload(t, bucket, key, uploadID); err != nil {
			return err
		}
		var err error
		parts, _, err = s.listParts(t, uploadID)
		return err
	})
	return parts, err
}

// AbortUpload removes an upload and its parts. ErrNoSuchUpload.
func (s *Store) AbortUpload(bucket, key, uploadID string) error {
	var garbage []string
	err := s.kv.update(func(t kvTx) error {
		garbage = garbage[:0]
		if _, err := s.getUpload(t, bucket, key, uploadID); err != nil {
			return err
		}
		parts, keys, err := s.listParts(t, uploadID)
		if err != nil {
			return err
		}
		if err := removeParts(t, parts, keys, nil, &garbage); err != nil {
			return err
		}
		return t.del(tableUploads, uploadKey(bucket, key, uploadID))
	})
	if err != nil {
		return err
	}
	s.removeBlobs(garbage)
	return nil
}

// CompleteUpload makes the listed parts one object version (no bytes are
// copied: the version's body is the parts' segments), with the upload's
// meta, in.ETag and in.Checksum, and removes the upload and its unlisted
// parts, in one transaction. ErrNoSuchUpload, ErrInvalidPart. An empty
// in.ETag is computed as S3 does (MD5 of the parts' MD5s, "-N"). The
// version returned is shared with the store: the caller must not change
// its maps or slices.
func (s *Store) CompleteUpload(bucket, key, uploadID string, in CompleteInput) (*Version, error) {
	if len(in.Parts) == 0 {
		return nil, fmt.Errorf("%w: no parts listed", ErrInvalidPart)
	}
	var garbage []string
	var v *Version
	err := s.kv.update(func(t kvTx) error {
		garbage = garbage[:0]
		bk, err := s.peekBucket(t, bucket)
		if err != nil {
			return err
		}
		u, err := s.getUpload(t, bucket, key, uploadID)
		if err != nil {
			return err
		}
		parts, keys, err := s.listParts(t, uploadID)
		if err != nil {
			return err
		}
		byNumber := make(map[int]int, len(parts)) // number -> index in parts
		for i, p := range parts {
			byNumber[p.Number] = i
		}
		v = &Version{Bucket: bucket, Key: key, ObjectMeta: u.Meta, ETag: in.ETag}
		v.Checksum = in.Checksum
		keep := map[int]bool{}
		etags := md5.New()
		for _, cp := range in.Parts {
			i, ok := byNumber[cp.Number]
			if !ok {
				return fmt.Errorf("%w: part %d of upload %q not uploaded", ErrInvalidPart, cp.Number, uploadID)
			}
			p := parts[i]
			if want := strings.Trim(cp.ETag, `"`); want != p.ETag {
				return fmt.Errorf("%w: part %d of upload %q has ETag %q, not %q", ErrInvalidPart, cp.Number, uploadID, p.ETag, want)
			}
			if keep[cp.Number] {
				return fmt.Errorf("%w: part %d listed twice", ErrInvalidPart, cp.Number)
			}
			keep[cp.Number] = true
			raw, err := hex.DecodeString(p.ETag)
			if err != nil {
				return s.corrupt("part ETag", keys[i], err)
			}
			etags.Write(raw)
			v.Size += p.Size
			v.Body = append(v.Body, p.Body...)
			v.Parts = append(v.Parts, PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
		}
		if v.ETag == "" {
			v.ETag = fmt.Sprintf("%s-%d", hex.EncodeToString(etags.Sum(nil)), len(in.Parts))
		}
		if in.Check != nil {
			cur, _, err := s.current(t, bucket, key)
			if err != nil {
				return err
			}
			if err := in.Check(cur); err != nil {
				return err
			}
		}
		if err := removeParts(t, parts, keys, keep, &garbage); err != nil {
			return err
		}
		if err := t.del(tableUploads, uploadKey(bucket, key, uploadID)); err != nil {
			return err
		}
		return s.addVersion(t, bk, v, &garbage)
	})
	if err != nil {
		return nil, err
	}
	s.removeBlobs(garbage)
	return v, nil
}
