package s3api

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/bounded"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Request is one authenticated S3 request in path-style form
// (/bucket/key), as the emulator's gate classified it.
type Request struct {
	// Op is the S3 operation name (as in policy.S3Operation), e.g.
	// "ListObjectsV2", "PutObject", "PutBucketCors".
	Op string
	// Bucket and Key are decoded from the path; Key is empty for bucket
	// operations.
	Bucket, Key string
	// HTTP is the request; its body is already decoded (no aws-chunked)
	// and has a Content-Length.
	HTTP *http.Request
	// Query is HTTP's query, parsed once by the caller; Answer parses it
	// when nil.
	Query url.Values
	// OwnerID and OwnerName are the canonical ID and display name S3 shows
	// as owner; OwnerName "" leaves DisplayName out, as S3 has since
	// 21 November 2025.
	OwnerID, OwnerName string
	// Account is the caller's account ID ("" when anonymous): a bucket it
	// creates is owned by it.
	Account string
	// RequestID is the request's x-amz-request-id.
	RequestID string
	// Now is the request's time from the emulator's clock; Answer takes
	// the system's when it is zero.
	Now time.Time
	// Body is the request's decoded, verified body; nil for methods
	// without one (GET, HEAD, DELETE).
	Body *Body
	// Auth decides further authorizations the operation needs (one per key
	// of DeleteObjects; s3:ListBucket for a missing key).
	Auth Authorizer
	// Post is set for a browser-based POST upload (Op "PostObject"): a
	// PutObject whose body has no declared length, answered as post.go
	// says.
	Post *PostForm
}

// Body is a request body as the S3 layer reads it: decoded (no aws-chunked
// framing), held to the operation's size limit, and verified while it is
// read. The read that reaches the end returns the S3 error (BadDigest,
// XAmzContentSHA256Mismatch, IncompleteBody, a chunk signature mismatch)
// instead of io.EOF when the body is not what the request declared, so a
// store that commits only bodies read to their end never keeps a bad one.
type Body struct {
	io.Reader
	// Size is the decoded size; -1 when unknown (Transfer-Encoding:
	// chunked without a declared length).
	Size int64
	// Checksum returns the request's additional checksum once verified:
	// algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and base64 value,
	// from an x-amz-checksum-* header, or from the aws-chunked trailer once
	// the body has been read to its end; "" when there is none.
	Checksum func() (alg, value string)
}

// Authorizer decides, with the request's caller, endpoint and policies,
// whether op may be performed on a key of the request's bucket ("" for the
// bucket itself). The emulator's gate implements it and records each
// decision in the request's decision log.
type Authorizer interface {
	Allow(op, key, versionID string) bool
}

// Handler answers S3 operations over the store (see Answer).
type Handler struct {
	// store holds all S3 state.
	store *store.Store
	log   *slog.Logger
	// copyBufs holds the buffers GET bodies are copied through.
	copyBufs sync.Pool
	// userIDs remembers CanonicalUserID for the writes' ownership.
	userIDs *bounded.Map[string, string]
	// defaultAccount owns buckets whose record names no owner.
	defaultAccount string
	// legacyDefaults: new buckets are ObjectWriter without a public
	// access block (see WithLegacyBucketDefaults).
	legacyDefaults bool
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sends the handler's logs (store failures, panics) to l.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// New builds a Handler over the store.
func New(st *store.Store, opts ...Option) *Handler {
	h := &Handler{store: st, log: slog.New(slog.DiscardHandler), defaultAccount: defaultAccountID,
		userIDs: bounded.New[string, string](maxCanonicalIDs)}
	h.copyBufs.New = func() any { b := make([]byte, copyBufSize); return &b }
	for _, o := range opts {
		o(h)
	}
	return h
}
