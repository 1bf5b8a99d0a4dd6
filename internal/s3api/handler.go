package s3api

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/johannesboyne/gofakes3"
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

// Handler answers the S3 operations gofakes3 gets wrong.
type Handler struct {
	// store holds all S3 state.
	store *store.Store
	// backend is gofakes3's view of store (being replaced by direct store
	// calls).
	backend gofakes3.Backend
	// fake is gofakes3's own handler, for operations passed through after
	// a check or a rewrite.
	fake http.Handler

	log *slog.Logger

	objects *objectState // objects.go: metadata, conditional requests, tagging
	config  *configState // subresources.go: bucket and object sub-resources
}

// New builds a Handler over a gofakes3 backend and gofakes3's handler for
// the same backend.
func New(st *store.Store, backend gofakes3.Backend, fake http.Handler, opts ...Option) *Handler {
	h := &Handler{store: st, backend: backend, fake: fake, objects: newObjectState(), config: newConfigState(),
		log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Serve answers req when this package handles its operation and reports
// whether it did; when it returns false the caller passes the request to
// gofakes3 unchanged. Areas are tried in a fixed order; each answers only
// the operations (and cases) it owns.
func (h *Handler) Serve(w http.ResponseWriter, req *Request) bool {
	if req.Query == nil {
		req.Query = req.HTTP.URL.Query()
	}
	for _, serve := range []func(http.ResponseWriter, *Request) bool{
		h.serveListing,      // listing.go
		h.serveObjects,      // objects.go
		h.serveCopy,         // copy.go
		h.serveMultipart,    // multipart.go
		h.serveSubresources, // subresources.go
	} {
		if serve(w, req) {
			return true
		}
	}
	return false
}
