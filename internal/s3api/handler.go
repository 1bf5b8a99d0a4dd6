package s3api

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

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
	// Query is HTTP's query, parsed once by the caller; Serve parses it
	// when nil.
	Query url.Values
	// Owner is the canonical ID and display name S3 shows as owner.
	OwnerID, OwnerName string
	// Account is the caller's account ID ("" when anonymous): a bucket it
	// creates is owned by it.
	Account string
	// RequestID is the request's x-amz-request-id.
	RequestID string
	// Now is the request's time from the injected clock.
	Now time.Time
	// Body is the request's decoded, verified body; nil for methods
	// without one (GET, HEAD, DELETE).
	Body *Body
	// Auth decides further authorizations the operation needs (one per key
	// of DeleteObjects; s3:ListBucket for a missing key).
	Auth Authorizer
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
}

// New builds a Handler over the store.
func New(st *store.Store, opts ...Option) *Handler {
	h := &Handler{store: st, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(h)
	}
	return h
}
