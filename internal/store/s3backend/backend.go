// Package s3backend presents a store.Store as gofakes3's Backend,
// VersionedBackend and MultipartBackend, so gofakes3 can answer, over the
// one store, the operations the S3 layer passes to it.
//
// Errors are gofakes3's own error values, unwrapped (gofakes3 tells them
// apart with a type switch). Bodies stream: GetObject hands gofakes3 the
// store's reader, PutObject and UploadPart hand the store gofakes3's.
//
// gofakes3 keeps an object's headers in one map of canonical header names;
// metaFromMap and mapFromVersion translate it to store.ObjectMeta and back
// (see metaFromMap for the rules).
package s3backend

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Backend is a store.Store seen by gofakes3.
type Backend struct {
	st *store.Store
}

// New returns gofakes3's view of st.
func New(st *store.Store) *Backend { return &Backend{st: st} }

var (
	_ gofakes3.Backend          = (*Backend)(nil)
	_ gofakes3.VersionedBackend = (*Backend)(nil)
	_ gofakes3.MultipartBackend = (*Backend)(nil)
)

// s3Error turns a store error into gofakes3's error for it; errors it does
// not know become InternalError (gofakes3's default for any other error).
func s3Error(err error, bucket, key string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoSuchBucket):
		return gofakes3.BucketNotFound(bucket)
	case errors.Is(err, store.ErrNoSuchKey):
		return gofakes3.KeyNotFound(key)
	case errors.Is(err, store.ErrNoSuchVersion):
		return gofakes3.ErrNoSuchVersion
	case errors.Is(err, store.ErrNoSuchUpload):
		return gofakes3.ErrNoSuchUpload
	case errors.Is(err, store.ErrInvalidPart):
		return gofakes3.ErrInvalidPart
	case errors.Is(err, store.ErrBucketExists):
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, bucket)
	case errors.Is(err, store.ErrBucketNotEmpty):
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, bucket)
	case errors.Is(err, store.ErrIncompleteBody):
		return gofakes3.ErrIncompleteBody
	}
	var code gofakes3.Error
	if errors.As(err, &code) {
		return code // a Check's own gofakes3 error, returned as is
	}
	return gofakes3.ErrorMessage(gofakes3.ErrInternal, err.Error())
}

// ListBuckets lists every bucket.
func (b *Backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	buckets, err := b.st.Buckets()
	if err != nil {
		return nil, s3Error(err, "", "")
	}
	out := make([]gofakes3.BucketInfo, 0, len(buckets))
	for _, bk := range buckets {
		out = append(out, gofakes3.BucketInfo{Name: bk.Name, CreationDate: gofakes3.NewContentTime(bk.Created)})
	}
	return out, nil
}

// commonPrefix is the common prefix key rolls up into under prefix and
// delimiter as S3 computes it (the key up to and including the first
// delimiter after the prefix), or "" when it is listed itself.
func commonPrefix(key, prefix, delimiter string) string {
	if delimiter == "" {
		return ""
	}
	if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
		return key[:len(prefix)+i+len(delimiter)]
	}
	return ""
}

// pastPrefix sorts after every key that starts with cp (keys are UTF-8,
// which never contains the byte 0xff).
func pastPrefix(cp string) string { return cp + "\xff" }

// ListBucket lists the current versions under prefix as S3's
// ListObjects(V2) does: keys after page.Marker, keys sharing a delimited
// common prefix rolled up into it, at most page.MaxKeys keys and prefixes.
func (b *Backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	var pfx, delim string
	if prefix != nil {
		pfx, delim = prefix.Prefix, prefix.Delimiter
	}
	out := gofakes3.NewObjectList()
	var count int64
	after := page.Marker
	full := func() bool { return page.MaxKeys > 0 && count >= page.MaxKeys }
	for {
		var skipTo string
		err := b.st.ListObjects(name, pfx, after, func(v *store.Version) bool {
			cp := commonPrefix(v.Key, pfx, delim)
			if cp != "" && cp <= page.Marker { // listed on an earlier page
				skipTo = pastPrefix(cp)
				return false
			}
			if full() {
				out.IsTruncated = true
				return false
			}
			if cp != "" {
				out.AddPrefix(cp)
				out.NextMarker = cp
				count++
				skipTo = pastPrefix(cp)
				return false
			}
			out.Add(&gofakes3.Content{
				Key:          v.Key,
				LastModified: gofakes3.NewContentTime(v.LastModified),
				ETag:         `"` + v.ETag + `"`,
				Size:         v.Size,
				StorageClass: gofakes3.StorageClass(v.StorageClass),
			})
			out.NextMarker = v.Key
			count++
			return true
		})
		if err != nil {
			return nil, s3Error(err, name, "")
		}
		if skipTo == "" {
			break
		}
		after = skipTo
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}

// CreateBucket creates a bucket.
func (b *Backend) CreateBucket(name string) error {
	return s3Error(b.st.CreateBucket(store.Bucket{Name: name}), name, "")
}

// BucketExists reports whether the bucket exists.
func (b *Backend) BucketExists(name string) (bool, error) {
	_, err := b.st.Bucket(name)
	if errors.Is(err, store.ErrNoSuchBucket) {
		return false, nil
	}
	if err != nil {
		return false, s3Error(err, name, "")
	}
	return true, nil
}

// DeleteBucket deletes an empty bucket.
func (b *Backend) DeleteBucket(name string) error {
	return s3Error(b.st.DeleteBucket(name), name, "")
}

// ForceDeleteBucket deletes a bucket with every version, delete marker and
// upload in it.
func (b *Backend) ForceDeleteBucket(name string) error {
	type ref struct{ key, id string }
	var refs []ref
	err := b.st.ListVersions(name, "", "", "", func(v *store.Version) bool {
		refs = append(refs, ref{v.Key, v.VersionID})
		return true
	})
	if err != nil {
		return s3Error(err, name, "")
	}
	for _, r := range refs {
		if _, err := b.st.DeleteObject(name, r.key, r.id, nil); err != nil && !errors.Is(err, store.ErrNoSuchVersion) {
			return s3Error(err, name, r.key)
		}
	}
	uploads, err := b.st.Uploads(name, "")
	if err != nil {
		return s3Error(err, name, "")
	}
	for _, u := range uploads {
		if err := b.st.AbortUpload(name, u.Key, u.ID); err != nil && !errors.Is(err, store.ErrNoSuchUpload) {
			return s3Error(err, name, u.Key)
		}
	}
	return s3Error(b.st.DeleteBucket(name), name, "")
}

// shownVersionID is the version ID gofakes3 reports for v: none in a bucket
// that never had versioning, else the store's (including "null").
func (b *Backend) shownVersionID(bucket string, v *store.Version) (gofakes3.VersionID, error) {
	bk, err := b.st.Bucket(bucket)
	if err != nil {
		return "", s3Error(err, bucket, v.Key)
	}
	if bk.Versioning == store.Unversioned {
		return "", nil
	}
	return gofakes3.VersionID(v.VersionID), nil
}

// object looks up a version; versionID "" is the current one, which must
// not be a delete marker (KeyNotFound, as gofakes3 expects).
func (b *Backend) object(bucket, key string, versionID gofakes3.VersionID) (*store.Version, error) {
	v, err := b.st.Object(bucket, key, string(versionID))
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	if versionID == "" && v.DeleteMarker {
		return nil, gofakes3.KeyNotFound(key)
	}
	return v, nil
}

// gofakesObject is v as gofakes3 sees it, with body as its Contents
// (http.NoBody when nil).
func gofakesObject(v *store.Version, id gofakes3.VersionID, body io.ReadCloser, rng *gofakes3.ObjectRange) *gofakes3.Object {
	if body == nil {
		body = http.NoBody
	}
	return &gofakes3.Object{
		Name:           v.Key,
		Metadata:       mapFromVersion(v),
		Size:           v.Size,
		Contents:       body,
		Hash:           etagHash(v.ETag),
		Range:          rng,
		VersionID:      id,
		IsDeleteMarker: v.DeleteMarker,
	}
}

// etagHash is the bytes gofakes3 hex-encodes as the ETag: the MD5 of the
// body, or for a multipart ETag "<hex>-N" the MD5 part only (gofakes3 has
// no way to show the suffix).
func etagHash(etag string) []byte {
	etag, _, _ = strings.Cut(etag, "-")
	h, _ := hex.DecodeString(etag)
	return h
}

// get returns a version with its body (the requested range of it).
func (b *Backend) get(bucket, key string, versionID gofakes3.VersionID, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	v, err := b.object(bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	id, err := b.shownVersionID(bucket, v)
	if err != nil {
		return nil, err
	}
	if v.DeleteMarker {
		return gofakesObject(v, id, nil, nil), nil
	}
	rng, err := rr.Range(v.Size)
	if err != nil {
		return nil, err
	}
	offset, length := int64(0), int64(-1)
	if rng != nil {
		offset, length = rng.Start, rng.Length
	}
	body, err := b.st.Open(v, offset, length)
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	return gofakesObject(v, id, body, rng), nil
}

// head returns a version without its body.
func (b *Backend) head(bucket, key string, versionID gofakes3.VersionID) (*gofakes3.Object, error) {
	v, err := b.object(bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	id, err := b.shownVersionID(bucket, v)
	if err != nil {
		return nil, err
	}
	return gofakesObject(v, id, nil, nil), nil
}

// GetObject returns the current version with its body (or the requested
// range of it), streamed from the store.
func (b *Backend) GetObject(bucket, key string, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.get(bucket, key, "", rr)
}

// HeadObject returns the current version without its body.
func (b *Backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return b.head(bucket, key, "")
}

// GetObjectVersion returns a version with its body; a delete marker comes
// back as an Object with IsDeleteMarker set.
func (b *Backend) GetObjectVersion(bucket, key string, versionID gofakes3.VersionID, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.get(bucket, key, versionID, rr)
}

// HeadObjectVersion returns a version without its body.
func (b *Backend) HeadObjectVersion(bucket, key string, versionID gofakes3.VersionID) (*gofakes3.Object, error) {
	return b.head(bucket, key, versionID)
}

// putCheck is the store Check for gofakes3's conditional PutObject,
// comparing the whole ETag (so that a multipart ETag matches too).
func putCheck(c *gofakes3.PutConditions) func(*store.Version) error {
	if c == nil || (c.IfMatch == nil && c.IfNoneMatch == nil) {
		return nil
	}
	return func(cur *store.Version) error {
		exists := cur != nil && !cur.DeleteMarker
		if c.IfNoneMatch != nil && *c.IfNoneMatch == "*" && exists {
			return gofakes3.ErrorMessage(gofakes3.ErrPreconditionFailed, "The object already exists")
		}
		if c.IfMatch != nil {
			if !exists {
				return gofakes3.ErrorMessage(gofakes3.ErrPreconditionFailed, "The object does not exist")
			}
			if strings.Trim(strings.TrimSpace(*c.IfMatch), `"`) != cur.ETag {
				return gofakes3.ErrorMessage(gofakes3.ErrPreconditionFailed, "The ETag does not match")
			}
		}
		return nil
	}
}

// PutObject streams input into a new version. The version ID is reported
// only when versioning is enabled.
func (b *Backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	// gofakes3's Backend has no context; the body's reader ends with the
	// request.
	v, err := b.st.PutObject(context.Background(), bucket, key, store.PutInput{
		Meta: metaFromMap(meta), Body: input, Size: size, Check: putCheck(conditions),
	})
	if err != nil {
		return gofakes3.PutObjectResult{}, s3Error(err, bucket, key)
	}
	return gofakes3.PutObjectResult{VersionID: b.enabledVersionID(bucket, v.VersionID)}, nil
}

// enabledVersionID is id when the bucket's versioning is enabled, else "".
func (b *Backend) enabledVersionID(bucket, id string) gofakes3.VersionID {
	if bk, err := b.st.Bucket(bucket); err == nil && bk.Versioning == store.Enabled {
		return gofakes3.VersionID(id)
	}
	return ""
}

// CopyObject streams the current version of src into a new version of dst
// with meta (gofakes3 has already merged the source's metadata into it).
func (b *Backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	src, err := b.object(srcBucket, srcKey, "")
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	body, err := b.st.Open(src, 0, -1)
	if err != nil {
		return gofakes3.CopyObjectResult{}, s3Error(err, srcBucket, srcKey)
	}
	defer body.Close()
	v, err := b.st.PutObject(context.Background(), dstBucket, dstKey, store.PutInput{
		Meta: metaFromMap(meta), Body: body, Size: src.Size,
	})
	if err != nil {
		return gofakes3.CopyObjectResult{}, s3Error(err, dstBucket, dstKey)
	}
	return gofakes3.CopyObjectResult{ETag: `"` + v.ETag + `"`, LastModified: gofakes3.NewContentTime(v.LastModified)}, nil
}

// deleteResult is a store delete as gofakes3 reports it: nothing in a
// bucket that never had versioning.
func (b *Backend) deleteResult(bucket string, res store.DeleteResult) gofakes3.ObjectDeleteResult {
	bk, err := b.st.Bucket(bucket)
	if err != nil || bk.Versioning == store.Unversioned {
		return gofakes3.ObjectDeleteResult{}
	}
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: res.DeleteMarker, VersionID: gofakes3.VersionID(res.VersionID)}
}

// DeleteObject deletes as S3 does without a version ID (a delete marker
// when versioning is enabled or suspended).
func (b *Backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	res, err := b.st.DeleteObject(bucket, key, "", nil)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, s3Error(err, bucket, key)
	}
	return b.deleteResult(bucket, res), nil
}

// DeleteObjectVersion removes one version or delete marker; an absent key
// or version is no error.
func (b *Backend) DeleteObjectVersion(bucket, key string, versionID gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	res, err := b.st.DeleteObject(bucket, key, string(versionID), nil)
	if errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrNoSuchKey) {
		return gofakes3.ObjectDeleteResult{}, nil
	}
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, s3Error(err, bucket, key)
	}
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: res.DeleteMarker, VersionID: gofakes3.VersionID(res.VersionID)}, nil
}

// DeleteMulti deletes keys as DeleteObject does.
func (b *Backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	ids := make([]gofakes3.ObjectID, len(keys))
	for i, k := range keys {
		ids[i].Key = k
	}
	return b.DeleteMultiVersions(bucket, ids...)
}

// DeleteMultiVersions deletes each object (a version when it names one).
func (b *Backend) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	var out gofakes3.MultiDeleteResult
	if _, err := b.st.Bucket(bucket); err != nil {
		return out, s3Error(err, bucket, "")
	}
	for _, o := range objects {
		var err error
		if o.VersionID != "" {
			_, err = b.DeleteObjectVersion(bucket, o.Key, gofakes3.VersionID(o.VersionID))
		} else {
			_, err = b.DeleteObject(bucket, o.Key)
		}
		if err != nil {
			res := gofakes3.ErrorResultFromError(err)
			res.Key = o.Key
			out.Error = append(out.Error, res)
			continue
		}
		out.Deleted = append(out.Deleted, o)
	}
	return out, nil
}

// VersioningConfiguration returns the bucket's versioning state ("" when
// never configured).
func (b *Backend) VersioningConfiguration(bucket string) (gofakes3.VersioningConfiguration, error) {
	bk, err := b.st.Bucket(bucket)
	if err != nil {
		return gofakes3.VersioningConfiguration{}, s3Error(err, bucket, "")
	}
	return gofakes3.VersioningConfiguration{Status: gofakes3.VersioningStatus(bk.Versioning)}, nil
}

// SetVersioningConfiguration sets the bucket's versioning to Enabled or
// Suspended (an empty status changes nothing). MFA delete is not
// implemented.
func (b *Backend) SetVersioningConfiguration(bucket string, v gofakes3.VersioningConfiguration) error {
	if v.MFADelete.Enabled() {
		return gofakes3.ErrNotImplemented
	}
	var to store.Versioning
	switch v.Status {
	case gofakes3.VersioningEnabled:
		to = store.Enabled
	case gofakes3.VersioningSuspended:
		to = store.Suspended
	case gofakes3.VersioningNone:
		_, err := b.st.Bucket(bucket)
		return s3Error(err, bucket, "")
	default:
		return gofakes3.ErrIllegalVersioningConfiguration
	}
	_, err := b.st.UpdateBucket(bucket, func(bk *store.Bucket) error {
		bk.Versioning = to
		return nil
	})
	return s3Error(err, bucket, "")
}

// ListBucketVersions lists versions and delete markers under prefix as
// S3's ListObjectVersions does: keys in order, each key's versions newest
// first, after (KeyMarker, VersionIDMarker), keys sharing a delimited
// common prefix rolled up into it, at most MaxKeys entries and prefixes.
func (b *Backend) ListBucketVersions(bucket string, prefix *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	if page == nil {
		page = &gofakes3.ListBucketVersionsPage{}
	}
	out := gofakes3.NewListBucketVersionsResult(bucket, prefix, page)
	pfx, delim := prefix.Prefix, prefix.Delimiter
	var count int64
	full := func() bool { return page.MaxKeys > 0 && count >= page.MaxKeys }
	keyMarker, idMarker := page.KeyMarker, string(page.VersionIDMarker)
	var lastKey, lastID string
	for {
		var skipTo string
		err := b.st.ListVersions(bucket, pfx, keyMarker, idMarker, func(v *store.Version) bool {
			cp := commonPrefix(v.Key, pfx, delim)
			if cp != "" && cp <= page.KeyMarker { // listed on an earlier page
				skipTo = pastPrefix(cp)
				return false
			}
			if full() {
				out.IsTruncated = true
				return false
			}
			if cp != "" {
				out.AddPrefix(cp)
				lastKey, lastID = cp, ""
				count++
				skipTo = pastPrefix(cp)
				return false
			}
			mtime := gofakes3.NewContentTime(v.LastModified)
			if v.DeleteMarker {
				out.Versions = append(out.Versions, &gofakes3.DeleteMarker{
					Key: v.Key, VersionID: gofakes3.VersionID(v.VersionID), IsLatest: v.IsLatest, LastModified: mtime,
				})
			} else {
				out.Versions = append(out.Versions, &gofakes3.Version{
					Key: v.Key, VersionID: gofakes3.VersionID(v.VersionID), IsLatest: v.IsLatest, LastModified: mtime,
					Size: v.Size, ETag: `"` + v.ETag + `"`, StorageClass: gofakes3.StorageClass(v.StorageClass),
				})
			}
			lastKey, lastID = v.Key, v.VersionID
			count++
			return true
		})
		if err != nil {
			return nil, s3Error(err, bucket, "")
		}
		if skipTo == "" {
			break
		}
		keyMarker, idMarker = skipTo, ""
	}
	if out.IsTruncated {
		out.NextKeyMarker, out.NextVersionIDMarker = lastKey, gofakes3.VersionID(lastID)
	}
	return out, nil
}

// CreateMultipartUpload starts an upload whose object gets meta.
func (b *Backend) CreateMultipartUpload(bucket, key string, meta map[string]string) (gofakes3.UploadID, error) {
	u, err := b.st.CreateUpload(bucket, key, metaFromMap(meta))
	if err != nil {
		return "", s3Error(err, bucket, key)
	}
	return gofakes3.UploadID(u.ID), nil
}

// UploadPart streams one part and returns its quoted ETag.
func (b *Backend) UploadPart(bucket, key string, id gofakes3.UploadID, number int, size int64, input io.Reader) (string, error) {
	if number < 1 || number > gofakes3.MaxUploadPartNumber {
		return "", gofakes3.ErrInvalidPart
	}
	p, err := b.st.PutPart(context.Background(), bucket, key, string(id), number, input, size, store.Checksum{})
	if err != nil {
		return "", s3Error(err, bucket, key)
	}
	return `"` + p.ETag + `"`, nil
}

// ListMultipartUploads lists the bucket's uploads as S3 does: by key, then
// initiation; after the marker (exclusive); keys sharing a delimited
// common prefix rolled up into it; at most limit uploads and prefixes,
// NextKeyMarker/NextUploadIdMarker naming the last one listed.
func (b *Backend) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	uploads, err := b.st.Uploads(bucket, prefix.Prefix)
	if err != nil {
		return nil, s3Error(err, bucket, "")
	}
	out := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, Prefix: prefix.Prefix, Delimiter: prefix.Delimiter, MaxUploads: limit}
	var afterKey, afterID string
	if marker != nil {
		afterKey, afterID = marker.Object, string(marker.UploadID)
		out.KeyMarker, out.UploadIDMarker = marker.Object, marker.UploadID
	}
	// With an upload-id-marker, the marker key's uploads after that one
	// are listed too.
	pastMarker := afterID == ""
	seen := map[string]bool{}
	var count int64
	for _, u := range uploads {
		if u.Key < afterKey {
			continue
		}
		if u.Key == afterKey && u.Key != "" {
			if !pastMarker {
				pastMarker = u.ID == afterID
				continue
			}
			if afterID == "" {
				continue
			}
		}
		cp := commonPrefix(u.Key, prefix.Prefix, prefix.Delimiter)
		if cp != "" && (seen[cp] || cp <= afterKey) {
			continue
		}
		if limit > 0 && count >= limit {
			out.IsTruncated = true
			break
		}
		count++
		if cp != "" {
			seen[cp] = true
			out.CommonPrefixes = append(out.CommonPrefixes, gofakes3.CommonPrefix{Prefix: cp})
			out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
			continue
		}
		out.Uploads = append(out.Uploads, gofakes3.ListMultipartUploadItem{
			Key: u.Key, UploadID: gofakes3.UploadID(u.ID), StorageClass: gofakes3.StorageClass(u.Meta.StorageClass),
			Initiated: gofakes3.NewContentTime(u.Initiated),
		})
		out.NextKeyMarker, out.NextUploadIDMarker = u.Key, gofakes3.UploadID(u.ID)
	}
	if !out.IsTruncated {
		out.NextKeyMarker, out.NextUploadIDMarker = "", ""
	}
	return out, nil
}

// ListParts lists an upload's parts numbered above marker, at most limit
// of them, as S3 does.
func (b *Backend) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	u, err := b.st.Upload(bucket, key, string(id))
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	parts, err := b.st.Parts(bucket, key, string(id))
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	out := &gofakes3.ListMultipartUploadPartsResult{
		Bucket: bucket, Key: key, UploadID: id, PartNumberMarker: marker, MaxParts: limit,
		StorageClass: gofakes3.StorageClass(u.Meta.StorageClass),
	}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if limit > 0 && int64(len(out.Parts)) >= limit {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, gofakes3.ListMultipartUploadPartItem{
			PartNumber: p.Number, LastModified: gofakes3.NewContentTime(p.LastModified),
			ETag: `"` + p.ETag + `"`, Size: p.Size,
		})
		out.NextPartNumberMarker = p.Number
	}
	return out, nil
}

// AbortMultipartUpload removes an upload and its parts.
func (b *Backend) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	return s3Error(b.st.AbortUpload(bucket, key, string(id)), bucket, key)
}

// CompleteMultipartUpload makes the listed parts the object: parts in
// ascending order (InvalidPartOrder), each uploaded with that ETag
// (InvalidPart). The ETag is S3's multipart ETag; the version ID is
// reported only when versioning is enabled.
func (b *Backend) CompleteMultipartUpload(bucket, key string, id gofakes3.UploadID, input *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	if input == nil || len(input.Parts) == 0 {
		return "", "", gofakes3.ErrMalformedXML
	}
	parts, err := b.st.Parts(bucket, key, string(id))
	if err != nil {
		return "", "", s3Error(err, bucket, key)
	}
	byNumber := make(map[int]*store.Part, len(parts))
	for _, p := range parts {
		byNumber[p.Number] = p
	}
	in := store.CompleteInput{Parts: make([]store.CompletedPart, 0, len(input.Parts))}
	listed := make([]*store.Part, 0, len(input.Parts))
	for i, cp := range input.Parts {
		if i > 0 && cp.PartNumber <= input.Parts[i-1].PartNumber {
			return "", "", gofakes3.ErrInvalidPartOrder
		}
		etag := strings.Trim(strings.TrimSpace(cp.ETag), `"`)
		p, ok := byNumber[cp.PartNumber]
		if !ok || p.ETag != etag {
			return "", "", gofakes3.ErrorMessagef(gofakes3.ErrInvalidPart, "part %d with ETag %q was not uploaded", cp.PartNumber, etag)
		}
		listed = append(listed, p)
		in.Parts = append(in.Parts, store.CompletedPart{Number: cp.PartNumber, ETag: etag})
	}
	in.ETag, err = multipartETag(listed)
	if err != nil {
		return "", "", gofakes3.ErrorMessage(gofakes3.ErrInternal, err.Error())
	}
	v, err := b.st.CompleteUpload(bucket, key, string(id), in)
	if err != nil {
		return "", "", s3Error(err, bucket, key)
	}
	return b.enabledVersionID(bucket, v.VersionID), `"` + v.ETag + `"`, nil
}

// multipartETag is S3's ETag of an object made of parts: the MD5 of the
// parts' binary MD5s, "-" and the number of parts.
func multipartETag(parts []*store.Part) (string, error) {
	h := md5.New()
	for _, p := range parts {
		sum, err := hex.DecodeString(p.ETag)
		if err != nil || len(sum) != md5.Size {
			return "", fmt.Errorf("s3backend: part %d has ETag %q, not an MD5", p.Number, p.ETag)
		}
		h.Write(sum)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// Header names with a place of their own in store.ObjectMeta.
const (
	userMetaPrefix     = "X-Amz-Meta-"
	checksumPrefix     = "X-Amz-Checksum-"
	checksumTypeHeader = "X-Amz-Checksum-Type"
	storageClassHeader = "X-Amz-Storage-Class"
	lastModifiedHeader = "Last-Modified"
)

// requestOnly reports whether a header gofakes3 copies into an object's
// metadata (it keeps every x-amz-* request header) only describes the
// request, so S3 never stores or returns it.
func requestOnly(k string) bool {
	switch k {
	case "X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Decoded-Content-Length", "X-Amz-Security-Token",
		"X-Amz-Trailer", "X-Amz-User-Agent", "X-Amz-Checksum-Algorithm", "X-Amz-Checksum-Mode",
		"X-Amz-Metadata-Directive", "X-Amz-Tagging-Directive", "X-Amz-Expected-Bucket-Owner",
		"X-Amz-Source-Expected-Bucket-Owner", "X-Amz-Request-Payer", "X-Amz-Mfa",
		"X-Amz-Bypass-Governance-Retention":
		return true
	}
	return strings.HasPrefix(k, "X-Amz-Sdk-") || strings.HasPrefix(k, "X-Amz-Copy-Source")
}

// metaFromMap is gofakes3's metadata map as store.ObjectMeta:
//   - X-Amz-Meta-<name>: Metadata[lower-case name];
//   - X-Amz-Storage-Class: StorageClass;
//   - X-Amz-Checksum-<ALG> (the first in name order) and
//     X-Amz-Checksum-Type: Checksum;
//   - Last-Modified: dropped (the store's clock sets LastModified);
//   - headers that only describe the request (requestOnly): dropped;
//   - every other header (Content-Type, X-Amz-Tagging, X-Amz-Acl, a second
//     checksum...): Headers, by canonical name.
//
// mapFromVersion reverses it, so a map survives the round trip but for the
// dropped names.
func metaFromMap(meta map[string]string) store.ObjectMeta {
	var m store.ObjectMeta
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := meta[k]
		ck := http.CanonicalHeaderKey(k)
		switch {
		case ck == lastModifiedHeader, requestOnly(ck):
		case strings.HasPrefix(ck, userMetaPrefix) && len(ck) > len(userMetaPrefix):
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[strings.ToLower(ck[len(userMetaPrefix):])] = v
		case ck == storageClassHeader:
			m.StorageClass = v
		case ck == checksumTypeHeader:
			m.Checksum.Type = v
		case strings.HasPrefix(ck, checksumPrefix) && len(ck) > len(checksumPrefix) && m.Checksum.Algorithm == "":
			m.Checksum.Algorithm = strings.ToUpper(ck[len(checksumPrefix):])
			m.Checksum.Value = v
		default:
			if m.Headers == nil {
				m.Headers = map[string]string{}
			}
			m.Headers[ck] = v
		}
	}
	return m
}

// mapFromVersion is v's metadata as gofakes3 keeps it (see metaFromMap),
// with Last-Modified from v.
func mapFromVersion(v *store.Version) map[string]string {
	meta := make(map[string]string, len(v.Headers)+len(v.Metadata)+3)
	for k, val := range v.Headers {
		meta[k] = val
	}
	for k, val := range v.Metadata {
		meta[http.CanonicalHeaderKey(userMetaPrefix+k)] = val
	}
	if v.StorageClass != "" {
		meta[storageClassHeader] = v.StorageClass
	}
	if v.Checksum.Algorithm != "" {
		meta[http.CanonicalHeaderKey(checksumPrefix+v.Checksum.Algorithm)] = v.Checksum.Value
	}
	if v.Checksum.Type != "" {
		meta[checksumTypeHeader] = v.Checksum.Type
	}
	if !v.LastModified.IsZero() {
		meta[lastModifiedHeader] = v.LastModified.UTC().Format(http.TimeFormat)
	}
	return meta
}
