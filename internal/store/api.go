package store

import (
	"context"
	"io"
)

// Store is the one store of S3 state. Its methods are safe for concurrent
// use. Build one with OpenDir or NewMemory; Close it when done.
type Store struct {
	// filled in by the implementation
}

// OpenDir opens (creating if needed) the dir store rooted at dir: it takes
// the lock file (ErrLocked if another process holds it), checks the format
// number (ErrUnsupportedFormat), validates the metadata (ErrCorrupt with the
// path), and sweeps temporary files and bodies no committed record names.
func OpenDir(dir string, opts Options) (*Store, error) { panic("unimplemented") }

// NewMemory returns an empty memory store.
func NewMemory(opts Options) *Store { panic("unimplemented") }

// Kind is "dir" or "memory".
func (s *Store) Kind() string { panic("unimplemented") }

// Dir is the dir store's root directory; "" for memory.
func (s *Store) Dir() string { panic("unimplemented") }

// Close releases the store (and the dir store's lock). Idempotent.
func (s *Store) Close() error { panic("unimplemented") }

// CreateBucket creates a bucket (Created set from the clock when zero).
// ErrBucketExists if it exists.
func (s *Store) CreateBucket(b Bucket) error { panic("unimplemented") }

// DeleteBucket removes an empty bucket (no versions, no delete markers, no
// uploads: else ErrBucketNotEmpty).
func (s *Store) DeleteBucket(name string) error { panic("unimplemented") }

// Bucket returns a copy of a bucket's state.
func (s *Store) Bucket(name string) (*Bucket, error) { panic("unimplemented") }

// Buckets returns every bucket, sorted by name.
func (s *Store) Buckets() ([]*Bucket, error) { panic("unimplemented") }

// UpdateBucket changes a bucket in one transaction: fn gets a copy and its
// changes are saved if it returns nil (Name and Created cannot change).
func (s *Store) UpdateBucket(name string, fn func(b *Bucket) error) (*Bucket, error) {
	panic("unimplemented")
}

// PutObject streams in.Body into a new version of bucket/key. With
// versioning Enabled the version gets a new ID; otherwise its ID is "null"
// and it replaces the key's null version (whose body is removed). The
// body's MD5 becomes the ETag. Nothing is visible until the body is stored
// and the metadata committed; on any error nothing changes.
func (s *Store) PutObject(ctx context.Context, bucket, key string, in PutInput) (*Version, error) {
	panic("unimplemented")
}

// Object returns a version of bucket/key: the current one when versionID
// is "" (which may be a delete marker: the caller decides what that means),
// else that version. ErrNoSuchBucket, ErrNoSuchKey (no version at all, or
// versionID "" and none), ErrNoSuchVersion.
func (s *Store) Object(bucket, key, versionID string) (*Version, error) { panic("unimplemented") }

// Open reads length bytes of v's body from offset (length -1: to the end).
// ErrNoSuchKey when the version was removed since it was looked up.
func (s *Store) Open(v *Version, offset, length int64) (io.ReadCloser, error) {
	panic("unimplemented")
}

// DeleteObject deletes as S3 does. versionID "": Enabled adds a delete
// marker with a new ID; Suspended adds one with ID "null" replacing the
// null version; Unversioned removes the null version (no error if none).
// versionID set: removes that version or marker (the next newest becomes
// current); ErrNoSuchVersion if absent... S3 answers 204 for an absent
// version, so the S3 layer maps it. check runs as in PutInput.
func (s *Store) DeleteObject(bucket, key, versionID string, check func(current *Version) error) (DeleteResult, error) {
	panic("unimplemented")
}

// UpdateObject changes the non-body fields of one version (ObjectMeta:
// tags, ACL, Extra...) in one transaction; versionID "" is the current
// version (ErrNoSuchKey if it is a delete marker or absent).
func (s *Store) UpdateObject(bucket, key, versionID string, fn func(v *Version) error) (*Version, error) {
	panic("unimplemented")
}

// ListObjects calls fn with the current version of each key under prefix
// whose key sorts after `after`, in key order, skipping keys whose current
// version is a delete marker, until fn returns false.
func (s *Store) ListObjects(bucket, prefix, after string, fn func(v *Version) bool) error {
	panic("unimplemented")
}

// ListVersions calls fn with every version and delete marker of keys under
// prefix, keys in order and each key's versions newest first, starting
// after (keyMarker, versionIDMarker) as S3's ListObjectVersions does
// (versionIDMarker "" : after all versions of keyMarker), until fn returns
// false. IsLatest is set on each key's newest.
func (s *Store) ListVersions(bucket, prefix, keyMarker, versionIDMarker string, fn func(v *Version) bool) error {
	panic("unimplemented")
}

// CreateUpload starts a multipart upload with a new ID.
func (s *Store) CreateUpload(bucket, key string, meta ObjectMeta) (*Upload, error) {
	panic("unimplemented")
}

// Upload returns an upload of bucket/key. ErrNoSuchUpload.
func (s *Store) Upload(bucket, key, uploadID string) (*Upload, error) { panic("unimplemented") }

// Uploads returns the bucket's uploads under prefix, by key then
// initiation time.
func (s *Store) Uploads(bucket, prefix string) ([]*Upload, error) { panic("unimplemented") }

// PutPart streams one part (replacing a part with that number). The MD5 is
// its ETag; checksum is stored as given.
func (s *Store) PutPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, checksum Checksum) (*Part, error) {
	panic("unimplemented")
}

// Parts returns an upload's parts by number.
func (s *Store) Parts(bucket, key, uploadID string) ([]*Part, error) { panic("unimplemented") }

// AbortUpload removes an upload and its parts. ErrNoSuchUpload.
func (s *Store) AbortUpload(bucket, key, uploadID string) error { panic("unimplemented") }

// CompleteUpload makes the listed parts one object version (no bytes are
// copied: the version's body is the parts' segments), with the upload's
// meta, in.ETag and in.Checksum, and removes the upload and its unlisted
// parts, in one transaction. ErrNoSuchUpload, ErrInvalidPart.
func (s *Store) CompleteUpload(bucket, key, uploadID string, in CompleteInput) (*Version, error) {
	panic("unimplemented")
}
