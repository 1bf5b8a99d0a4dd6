package s3api

import (
	"io"
	"net/http"
	"sync"
)

// What a 1 KiB PUT or GET costs in this package: response headers are set
// under their canonical keys directly (http.Header.Set would canonicalise
// each again, allocating for a key such as "ETag"), and a body the store
// can write out itself is sent without a copy buffer.

// Canonical response header keys (TestCanonicalHeaderKeys checks each is
// what http.CanonicalHeaderKey makes of it).
const (
	keyETag          = "Etag"
	keyVersionID     = "X-Amz-Version-Id"
	keyContentLength = "Content-Length"
	keyLastModified  = "Last-Modified"
	keyAcceptRanges  = "Accept-Ranges"
	keyChecksumType  = "X-Amz-Checksum-Type"
)

// writeBody sends a GET's body: one that writes itself out (io.WriterTo:
// the memory store's inline bytes) hands its bytes to w as they are; any
// other is copied through a buffer from bufs. The response writer's own
// ReadFrom is not used: it would sniff and copy through a buffer of its
// own.
func writeBody(w io.Writer, body io.Reader, bufs *sync.Pool) {
	// An error here is the client going away or the store failing
	// mid-body: the status is sent, so all that is left is to stop.
	if wt, ok := body.(io.WriterTo); ok {
		_, _ = wt.WriteTo(w)
		return
	}
	buf := bufs.Get().(*[]byte)
	_, _ = io.CopyBuffer(w, struct{ io.Reader }{body}, *buf)
	bufs.Put(buf)
}

// headerSlots hands out the one-value slices of several headers from one
// array: one allocation for them all. Each slice's capacity is 1, so an
// Add to one of them copies rather than writing into the next.
type headerSlots []string

// set sets header key, which is in canonical form, to value.
func (s *headerSlots) set(hdr http.Header, key, value string) {
	if len(*s) == 0 {
		*s = make([]string, 4)
	}
	(*s)[0] = value
	hdr[key] = (*s)[:1:1]
	*s = (*s)[1:]
}

// maxCanonicalIDs bounds the Handler's memo of canonical user IDs: the
// accounts that write and own buckets are those of the configured keys,
// so a few suffice; past the bound an ID is computed each time.
const maxCanonicalIDs = 256

// CanonicalUserID is the package's CanonicalUserID(account), remembered
// per account (a SHA-256 and an allocation less per request), for the
// handler's writes and for its caller's requests alike.
func (h *Handler) CanonicalUserID(account string) string {
	if id, ok := h.userIDs.Load(account); ok {
		return id
	}
	id := CanonicalUserID(account)
	h.userIDs.Store(account, id)
	return id
}

// responseOverrides are GetObject's response-* query parameters and the
// header each sets.
var responseOverrides = [...]struct{ param, header string }{
	{"response-content-type", "Content-Type"}, {"response-content-language", "Content-Language"},
	{"response-expires", "Expires"}, {"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"},
}
