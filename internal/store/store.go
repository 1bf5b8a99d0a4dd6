// Package store holds every piece of S3 state s3vpce keeps: buckets (with
// their versioning state, policy, tags and sub-resource configurations),
// object versions and delete markers (bodies, metadata, checksums, tags,
// ACLs), and multipart uploads with their parts.
//
// One Store type has two engines with the same behaviour:
//
//   - dir (OpenDir): metadata in a bbolt database and bodies in plain files
//     under one directory (bodies of up to 16 KiB in the database, written
//     in the transaction that names them); survives restarts and kill -9. A
//     version becomes visible only once its body is written, synced and
//     renamed into place (or is inline) and its metadata committed in one
//     transaction; Open sweeps what a crash left behind. One process at a
//     time (a lock file).
//   - memory (NewMemory): the same records and bodies in memory.
//
// Bodies stream in and out with bounded buffers: nothing reads a whole body
// or part into memory (the memory engine stores it, of course). Writes to
// one key are serialised by the metadata transaction, so a conditional
// write's check and its effect are atomic.
//
// The store knows S3's data model (versions, "null" versions, delete
// markers, parts) but not its wire format: sub-resource configurations,
// ACLs and policies are opaque bytes the S3 layer encodes.
package store

import (
	"errors"
	"io"
	"log/slog"
	"time"
)

// Errors the store returns, wrapped with context; test with errors.Is.
var (
	ErrNoSuchBucket      = errors.New("store: no such bucket")
	ErrBucketExists      = errors.New("store: bucket already exists")
	ErrBucketNotEmpty    = errors.New("store: bucket not empty")
	ErrNoSuchKey         = errors.New("store: no such key")
	ErrNoSuchVersion     = errors.New("store: no such version")
	ErrNoSuchUpload      = errors.New("store: no such upload")
	ErrInvalidPart       = errors.New("store: invalid part")
	ErrIncompleteBody    = errors.New("store: body shorter than its declared size")
	ErrBodyTooLong       = errors.New("store: body longer than its declared size")
	ErrNoSpace           = errors.New("store: no space left on device")
	ErrLocked            = errors.New("store: directory in use by another process")
	ErrCorrupt           = errors.New("store: corrupt metadata")
	ErrUnsupportedFormat = errors.New("store: unsupported on-disk format")
)

// Versioning is a bucket's versioning state.
type Versioning string

// Versioning states. A bucket that never had versioning configured is
// Unversioned; once set it is Enabled or Suspended for good.
const (
	Unversioned Versioning = ""
	Enabled     Versioning = "Enabled"
	Suspended   Versioning = "Suspended"
)

// NullVersionID is the version ID of an object written while versioning was
// not enabled.
const NullVersionID = "null"

// Tag is one tag of a bucket or object, in the order set.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Bucket is one bucket's state.
type Bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Owner is the owning account ID.
	Owner      string     `json:"owner,omitempty"`
	Versioning Versioning `json:"versioning,omitempty"`
	// Policy is the bucket policy document as PUT; nil when none.
	Policy []byte `json:"policy,omitempty"`
	// Tags is the bucket's tag set; nil when none.
	Tags []Tag `json:"tags,omitempty"`
	// Config holds sub-resource configurations by name ("cors",
	// "encryption", "publicAccessBlock", "ownershipControls", "acl",
	// "lifecycle", "website", "object-lock", ...), encoded by the S3 layer.
	// A missing name means "not configured".
	Config map[string][]byte `json:"config,omitempty"`
}

// Checksum is an object's or part's additional checksum.
type Checksum struct {
	// Algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256; "" for none.
	Algorithm string `json:"alg,omitempty"`
	// Value is the base64 checksum as S3 returns it (for COMPOSITE, with
	// the "-N" part count suffix).
	Value string `json:"value,omitempty"`
	// Type is FULL_OBJECT or COMPOSITE.
	Type string `json:"type,omitempty"`
}

// ObjectMeta is what a writer sets on an object version besides its body.
type ObjectMeta struct {
	// Metadata is the user metadata (x-amz-meta-*), names lower case
	// without the prefix.
	Metadata map[string]string `json:"meta,omitempty"`
	// Headers are the stored response headers by canonical name:
	// Content-Type, Content-Encoding, Content-Disposition,
	// Content-Language, Cache-Control, Expires,
	// X-Amz-Website-Redirect-Location, X-Amz-Server-Side-Encryption…
	Headers  map[string]string `json:"headers,omitempty"`
	Checksum Checksum          `json:"checksum,omitempty"`
	Tags     []Tag             `json:"tags,omitempty"`
	// ACL is the object's ACL as the S3 layer encodes it; nil for the
	// owner's full control.
	ACL          []byte `json:"acl,omitempty"`
	StorageClass string `json:"class,omitempty"`
	// Owner is the account ID that wrote the version.
	Owner string `json:"owner,omitempty"`
	// Extra holds other per-version settings by name (retention, legal
	// hold, ...), encoded by the S3 layer.
	Extra map[string][]byte `json:"extra,omitempty"`
}

// PartInfo describes one part of an object made by a multipart upload.
type PartInfo struct {
	Number   int      `json:"n"`
	Size     int64    `json:"size"`
	ETag     string   `json:"etag"`
	Checksum Checksum `json:"checksum,omitempty"`
}

// Version is one version of an object, or a delete marker.
type Version struct {
	Bucket       string    `json:"-"`
	Key          string    `json:"-"`
	VersionID    string    `json:"id"`
	DeleteMarker bool      `json:"dm,omitempty"`
	LastModified time.Time `json:"mtime"`
	// IsLatest is set on versions returned by lookups and listings when the
	// version is the key's current one.
	IsLatest bool  `json:"-"`
	Size     int64 `json:"size"`
	// ETag is S3's ETag without quotes: the hex MD5 of the body, or
	// "<hex>-N" for an object completed from N parts.
	ETag string `json:"etag,omitempty"`
	ObjectMeta
	// Parts lists the parts of an object completed from a multipart upload
	// (nil otherwise), for GetObject ?partNumber and GetObjectAttributes.
	Parts []PartInfo `json:"parts,omitempty"`
	// Body locates the body's bytes; owned by the store.
	Body []Segment `json:"body,omitempty"`
}

// Segment is a run of body bytes in one blob, in order. Owned by the store.
type Segment struct {
	Blob string `json:"blob"`
	Size int64  `json:"size"`
	// Inline is set when the bytes are kept in the metadata (a small
	// body), not as a blob.
	Inline bool `json:"inline,omitempty"`
}

// Upload is one in-progress multipart upload.
type Upload struct {
	ID        string    `json:"id"`
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated"`
	// Meta is what CreateMultipartUpload set; the completed object gets it.
	Meta ObjectMeta `json:"meta"`
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number       int       `json:"n"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // hex MD5 of the part, no quotes
	LastModified time.Time `json:"mtime"`
	Checksum     Checksum  `json:"checksum,omitempty"`
	// Body locates the part's bytes; owned by the store.
	Body []Segment `json:"body,omitempty"`
}

// PutInput is one object write.
type PutInput struct {
	Meta ObjectMeta
	// Body is read to its end. With Size >= 0 it must hold exactly Size
	// bytes: fewer is ErrIncompleteBody, more ErrBodyTooLong; after the
	// Size bytes the store reads once more and needs io.EOF, so a reader
	// that verifies the body (a checksum, a signature) can return its
	// verdict from that read, and an error it returns there fails the write.
	// Size < 0 means the length is unknown (Transfer-Encoding: chunked):
	// the body is read up to io.EOF. Either way it streams through a
	// bounded buffer. A nil Body is an empty one.
	Body io.Reader
	Size int64
	// Check, when set, runs inside the write transaction with the key's
	// current version (nil when there is none; a delete marker when that is
	// current). An error it returns aborts the write and is returned as is.
	Check func(current *Version) error
	// Finish, when set, runs once the body has been read in full and
	// stored, before the write transaction: v has Size, ETag and the Meta
	// given. It may change v.ObjectMeta (say, set Checksum from a trailer
	// that arrives after the body); changes to other fields are ignored.
	// An error it returns aborts the write (nothing is stored, the body is
	// removed) and is returned as is.
	Finish func(v *Version) error
}

// PartInput is one UploadPart.
type PartInput struct {
	// Body is read as PutInput.Body is (Size < 0: to io.EOF).
	Body io.Reader
	Size int64
	// Checksum is stored as given (Finish may change it).
	Checksum Checksum
	// Finish, when set, runs once the body has been read in full and
	// stored, before the write transaction: p has Number, Size, ETag and
	// Checksum. It may change p.Checksum; changes to other fields are
	// ignored. An error it returns aborts the write (nothing is stored, the
	// body is removed) and is returned as is.
	Finish func(p *Part) error
}

// CompletedPart is one entry of a CompleteMultipartUpload request.
type CompletedPart struct {
	Number int
	ETag   string // hex MD5, no quotes
}

// CompleteInput is one CompleteMultipartUpload.
type CompleteInput struct {
	// Parts in order; each must exist with that ETag (else ErrInvalidPart).
	Parts []CompletedPart
	// ETag is the completed object's ETag ("<hex>-N"), computed by the S3
	// layer from the parts.
	ETag string
	// Checksum is the completed object's checksum, if any.
	Checksum Checksum
	// Check as in PutInput.
	Check func(current *Version) error
}

// DeleteResult is the outcome of a delete.
type DeleteResult struct {
	// VersionID is the version removed, or the delete marker created.
	VersionID string
	// DeleteMarker is set when a delete marker was created, or when the
	// version removed was one.
	DeleteMarker bool
}

// Options configure a Store.
type Options struct {
	// Now is the clock for every timestamp the store sets (creation dates,
	// LastModified, Initiated); time.Now when nil.
	Now func() time.Time
	// Logger receives the store's logs (sweeps, cleanup failures);
	// discarded when nil.
	Logger *slog.Logger
}
