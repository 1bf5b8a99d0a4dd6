package s3api

// Transition shims: what multipart.go, listing.go and handler.go still
// call from the object area while they are being moved onto the store.
// Each goes when its last caller does (grep before deleting).

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3vpce/s3vpce/internal/store"
)

// objectState is empty: object tags, ETags and bucket tags live in the
// store. handler.go still names it.
type objectState struct{}

func newObjectState() *objectState { return &objectState{} }

// copyRequestHeaders are the x-amz-* headers a new object takes from the
// request (multipart.go).
var copyRequestHeaders = append([]string{"X-Amz-Storage-Class"}, objectAmzHeaders...)

// listedETag is the ETag a listing shows: the store's, which already is
// S3's (listing.go).
func (h *Handler) listedETag(bucket, key, versionID, etag string) string { return etag }

// versioning returns the bucket's versioning status in gofakes3's terms
// (multipart.go).
func (h *Handler) versioning(bucket string) gofakes3.VersioningStatus {
	b, err := h.store.Bucket(bucket)
	if err != nil {
		return gofakes3.VersioningNone
	}
	return gofakes3.VersioningStatus(b.Versioning)
}

// backendError turns a gofakes3 backend error into S3's error
// (multipart.go).
func backendError(err error, bucket, key, version string) *Error {
	switch {
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket):
		return errNoSuchBucket(bucket)
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
		return errNoSuchKey(key)
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchVersion):
		return errNoSuchVersion(key, version)
	}
	return storeError(err, bucket, key, version)
}

// writeCondition checks the conditional-write headers against the key's
// current version, apart from the write (multipart.go; a caller that
// writes through the store passes writeCheck's check to it instead, which
// makes the check and the write one step).
func (h *Handler) writeCondition(hdr http.Header, bucket, key string) *Error {
	check, serr := writeCheck(hdr, key)
	if serr != nil || check == nil {
		return serr
	}
	cur, err := h.store.Object(bucket, key, "")
	if err != nil && !errors.Is(err, store.ErrNoSuchKey) {
		return storeError(err, bucket, key, "")
	}
	if err := check(cur); err != nil {
		return storeError(err, bucket, key, "")
	}
	return nil
}

// setETag records S3's ETag of a completed multipart upload on the
// version gofakes3 stored (multipart.go).
func (h *Handler) setETag(bucket, key string, obj *gofakes3.Object, etag string) {
	h.store.UpdateObject(bucket, key, string(obj.VersionID), func(v *store.Version) error {
		v.ETag = strings.Trim(etag, `"`)
		return nil
	})
}

// setTags replaces the tags of the version gofakes3 stored (multipart.go).
func (h *Handler) setTags(bucket, key string, obj *gofakes3.Object, tags []objTag, _ bool) {
	h.store.UpdateObject(bucket, key, string(obj.VersionID), func(v *store.Version) error {
		v.Tags = tags
		return nil
	})
}

// copyStore stores body with meta, in gofakes3's metadata form, as a new
// version of bucket/key (multipart.go, which holds the body in memory).
func (h *Handler) copyStore(bucket, key string, meta map[string]string, body []byte) (gofakes3.PutObjectResult, *Error) {
	hdr := http.Header{}
	for k, v := range meta {
		hdr.Set(k, v)
	}
	m, serr := putObjectMeta(hdr)
	if serr != nil {
		return gofakes3.PutObjectResult{}, serr
	}
	v, err := h.store.PutObject(context.Background(), bucket, key, store.PutInput{Meta: m, Body: bytes.NewReader(body), Size: int64(len(body))})
	if err != nil {
		return gofakes3.PutObjectResult{}, storeError(err, bucket, key, "")
	}
	return gofakes3.PutObjectResult{VersionID: gofakes3.VersionID(v.VersionID)}, nil
}
