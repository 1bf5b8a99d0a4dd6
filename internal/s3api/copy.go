package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// serveCopy answers CopyObject and UploadPartCopy. gofakes3 merges the
// source's metadata into the request's whatever the metadata directive,
// copies an object onto itself, ignores the x-amz-copy-source-if-*
// conditions and source version IDs, and answers UploadPartCopy with
// MissingContentLength.
func (h *Handler) serveCopy(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "CopyObject":
		h.copyObject(w, req)
	case "UploadPartCopy":
		h.uploadPartCopy(w, req)
	default:
		return false
	}
	return true
}

// s3Namespace is the XML namespace of S3's response bodies.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3Time formats t as S3 does in XML bodies (always milliseconds).
func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// copyObjectResult is CopyObject's response body.
type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

// copySource is a parsed x-amz-copy-source header.
type copySource struct {
	bucket, key string
	versionID   string
	hasVersion  bool
}

// parseCopySource parses x-amz-copy-source: "[/]bucket/key[?versionId=id]",
// URL-encoded.
func parseCopySource(v string) (copySource, *Error) {
	bad := &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
		Message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.",
		Extra:   []ExtraElement{elem("ArgumentName", "x-amz-copy-source"), elem("ArgumentValue", v)}}
	path, query, hasQuery := strings.Cut(v, "?")
	var src copySource
	if hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil {
			return src, bad
		}
		if vs, ok := q["versionId"]; ok {
			src.versionID, src.hasVersion = vs[0], true
		}
	}
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return src, bad
	}
	src.bucket, src.key, _ = strings.Cut(path, "/")
	if src.bucket == "" || src.key == "" {
		return src, bad
	}
	return src, nil
}

// copySourceObject is the object a copy reads, with its body.
type copySourceObject struct {
	obj  *gofakes3.Object
	body []byte
	// head is the same version from HeadObject, which keeps the version
	// ID the memory backend hides on GET (tags are kept by it).
	head *gofakes3.Object
	// versionID is what S3 reports as x-amz-copy-source-version-id ("" for
	// none).
	versionID string
}

// readCopySource finds and reads the source object of a copy.
func (h *Handler) readCopySource(src copySource) (copySourceObject, *Error) {
	if ok, err := h.backend.BucketExists(src.bucket); err != nil || !ok {
		return copySourceObject{}, errNoSuchBucket(src.bucket)
	}
	status := h.versioning(src.bucket)
	var obj *gofakes3.Object
	var err error
	if !src.hasVersion || src.versionID == "null" && status == gofakes3.VersioningNone {
		obj, err = h.backend.GetObject(src.bucket, src.key, nil)
	} else {
		vb, ok := h.backend.(gofakes3.VersionedBackend)
		if !ok || src.versionID == "" {
			return copySourceObject{}, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid version id specified",
				Extra: []ExtraElement{elem("ArgumentName", "x-amz-copy-source"), elem("ArgumentValue", src.versionID)}}
		}
		obj, err = vb.GetObjectVersion(src.bucket, src.key, gofakes3.VersionID(src.versionID), nil)
		if err == nil && obj.IsDeleteMarker {
			obj.Contents.Close()
			return copySourceObject{}, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
				Message: "The source of a copy request may not specifically refer to a delete marker by version id."}
		}
	}
	if err != nil {
		return copySourceObject{}, backendError(err, src.bucket, src.key, src.versionID)
	}
	defer obj.Contents.Close()
	if obj.IsDeleteMarker {
		return copySourceObject{}, errNoSuchKey(src.key)
	}
	body, err := io.ReadAll(obj.Contents)
	if err != nil {
		return copySourceObject{}, errInternal()
	}
	out := copySourceObject{obj: obj, body: body, head: obj}
	if src.hasVersion && src.versionID != "null" {
		if vb, ok := h.backend.(gofakes3.VersionedBackend); ok {
			if head, err := vb.HeadObjectVersion(src.bucket, src.key, gofakes3.VersionID(src.versionID)); err == nil {
				out.head = head
			}
		}
	} else if head, err := h.backend.HeadObject(src.bucket, src.key); err == nil {
		out.head = head
	}
	switch {
	case src.hasVersion:
		out.versionID = src.versionID
	case status == gofakes3.VersioningEnabled:
		out.versionID = string(obj.VersionID)
	}
	return out, nil
}

// copySourceCondition evaluates the x-amz-copy-source-if-* headers as S3
// does: if-match that holds overrides a failing if-unmodified-since, and
// if-none-match that holds overrides a failing if-modified-since; any
// failure is 412 PreconditionFailed naming the header.
func copySourceCondition(hdr http.Header, etag string, modified time.Time) *Error {
	const prefix = "x-amz-copy-source-"
	ifMatch, hasMatch := hdr["X-Amz-Copy-Source-If-Match"]
	ifNone, hasNone := hdr["X-Amz-Copy-Source-If-None-Match"]
	since := func(name string) (time.Time, bool) {
		v := hdr.Get(name)
		if v == "" {
			return time.Time{}, false
		}
		t, err := http.ParseTime(v)
		return t, err == nil
	}
	modified = modified.Truncate(time.Second)
	if hasMatch {
		if !etagListMatches(ifMatch[0], etag) {
			return errPreconditionFailed(prefix + "If-Match")
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Unmodified-Since"); ok && modified.After(t) {
		return errPreconditionFailed(prefix + "If-Unmodified-Since")
	}
	if hasNone {
		if etagListMatches(ifNone[0], etag) {
			return errPreconditionFailed(prefix + "If-None-Match")
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Modified-Since"); ok && !modified.After(t) && !t.After(time.Now()) {
		return errPreconditionFailed(prefix + "If-Modified-Since")
	}
	return nil
}

// copyDirective reads x-amz-metadata-directive or x-amz-tagging-directive:
// COPY (the default) or REPLACE.
func copyDirective(hdr http.Header, name, message string) (replace bool, serr *Error) {
	switch v := hdr.Get(name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: message,
			Extra: []ExtraElement{elem("ArgumentName", name), elem("ArgumentValue", v)}}
	}
}

// copyStandardHeaders are the standard HTTP headers an object keeps.
var copyStandardHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Expires"}

// copyRequestHeaders are the x-amz-* headers of a copy request that apply
// to the new object whatever the metadata directive (storage class,
// website redirect, encryption, object lock).
var copyRequestHeaders = []string{
	"X-Amz-Website-Redirect-Location", "X-Amz-Storage-Class",
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
	"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "X-Amz-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Server-Side-Encryption-Customer-Key-Md5",
	"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold",
}

// copyChangesObject reports whether a copy request changes something
// besides the content, which is what makes copying an object onto itself
// legal.
func copyChangesObject(hdr http.Header, replaceMeta bool) bool {
	if replaceMeta {
		return true
	}
	for _, k := range []string{"X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location", "X-Amz-Server-Side-Encryption",
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Customer-Algorithm"} {
		if hdr.Get(k) != "" {
			return true
		}
	}
	return false
}

// copyMetadata is the metadata of the object a CopyObject creates: the
// source's (COPY) or the request's (REPLACE) user and standard metadata,
// then the request's storage class, encryption and ACL headers. ACLs are
// never copied.
func copyMetadata(hdr http.Header, source map[string]string, replace bool, now time.Time) (map[string]string, *Error) {
	meta := map[string]string{}
	if replace {
		user := 0
		for k, v := range hdr {
			ck := http.CanonicalHeaderKey(k)
			if strings.HasPrefix(ck, "X-Amz-Meta-") {
				user += len(ck) - len("X-Amz-Meta-") + len(v[0])
				meta[ck] = v[0]
			}
		}
		if user > 2048 {
			return nil, &Error{Status: http.StatusBadRequest, Code: "MetadataTooLarge",
				Message: "Your metadata headers exceed the maximum allowed metadata size.",
				Extra:   []ExtraElement{elem("Size", strconv.Itoa(user)), elem("MaxSizeAllowed", "2048")}}
		}
		for _, k := range copyStandardHeaders {
			if v, ok := hdr[k]; ok {
				meta[k] = v[0]
			}
		}
	} else {
		for k, v := range source {
			ck := http.CanonicalHeaderKey(k)
			switch {
			case strings.HasPrefix(ck, "X-Amz-Meta-"), strings.HasPrefix(ck, "X-Amz-Checksum-"):
				meta[ck] = v
			default:
				for _, std := range append(copyStandardHeaders, copyRequestHeaders...) {
					if ck == std {
						meta[ck] = v
					}
				}
			}
		}
	}
	for k, v := range hdr {
		ck := http.CanonicalHeaderKey(k)
		if ck == "X-Amz-Acl" || strings.HasPrefix(ck, "X-Amz-Grant-") {
			meta[ck] = v[0]
		}
	}
	for _, k := range copyRequestHeaders {
		if v, ok := hdr[k]; ok {
			meta[k] = v[0]
		}
	}
	if meta["Content-Type"] == "" {
		meta["Content-Type"] = "binary/octet-stream"
	}
	meta["Last-Modified"] = now.UTC().Format(http.TimeFormat)
	return meta, nil
}

// copyStore stores body with exactly meta at bucket/key. The memory
// backend merges an existing object's metadata into a new write; S3
// replaces it, so a stale object is removed first (in a versioned bucket
// through a delete marker that is removed again).
func (h *Handler) copyStore(bucket, key string, meta map[string]string, body []byte) (gofakes3.PutObjectResult, *Error) {
	existing, err := h.backend.HeadObject(bucket, key)
	if err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		return gofakes3.PutObjectResult{}, backendError(err, bucket, key, "")
	}
	return h.replaceObject(bucket, key, existing, meta, body, h.versioning(bucket))
}

// openCopySource reads the copy source and checks its
// x-amz-copy-source-if-* conditions.
func (h *Handler) openCopySource(hdr http.Header, src copySource) (copySourceObject, *Error) {
	source, serr := h.readCopySource(src)
	if serr != nil {
		return source, serr
	}
	return source, copySourceCondition(hdr, h.etagOf(source.obj), lastModifiedOf(source.obj))
}

func (h *Handler) copyObject(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		WriteError(w, r, serr)
		return
	}
	src, serr := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	replaceMeta, serr := copyDirective(r.Header, "x-amz-metadata-directive", "Unknown metadata directive.")
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	replaceTags, serr := copyDirective(r.Header, "x-amz-tagging-directive", "Unknown tag directive.")
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	var newTags []objTag
	if replaceTags {
		if v := r.Header.Get("X-Amz-Tagging"); v != "" {
			if newTags, serr = parseTaggingHeader(v); serr != nil {
				WriteError(w, r, serr)
				return
			}
		}
	}
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	source, serr := h.openCopySource(r.Header, src)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if src.bucket == req.Bucket && src.key == req.Key && !copyChangesObject(r.Header, replaceMeta) &&
		(!src.hasVersion || h.isCurrentVersion(src, source.head)) {
		WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."})
		return
	}
	if serr := h.writeCondition(r.Header, req.Bucket, req.Key); serr != nil {
		WriteError(w, r, serr)
		return
	}
	now := time.Now()
	meta, serr := copyMetadata(r.Header, source.obj.Metadata, replaceMeta, now)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	tags := newTags
	if !replaceTags {
		tags = h.tagsOf(src.bucket, src.key, source.head)
	}
	res, serr := h.copyStore(req.Bucket, req.Key, meta, source.body)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	status := h.versioning(req.Bucket)
	if stored, err := h.backend.HeadObject(req.Bucket, req.Key); err == nil {
		h.setTags(req.Bucket, req.Key, stored, tags, status != gofakes3.VersioningEnabled)
	}
	hdr := w.Header()
	if source.versionID != "" {
		hdr.Set("x-amz-copy-source-version-id", source.versionID)
	}
	if status == gofakes3.VersioningEnabled && res.VersionID != "" {
		hdr.Set("x-amz-version-id", string(res.VersionID))
	}
	sse := meta["X-Amz-Server-Side-Encryption"]
	if sse == "" {
		sse = "AES256"
	}
	hdr.Set("x-amz-server-side-encryption", sse)
	sum := md5.Sum(source.body)
	WriteXML(w, r, copyObjectResult{Xmlns: s3Namespace, LastModified: s3Time(now), ETag: `"` + hex.EncodeToString(sum[:]) + `"`})
}

// writeCondition evaluates the conditional-write headers of CopyObject and
// CompleteMultipartUpload on the destination as S3 does for PutObject:
// If-None-Match: * fails (412) when the key exists, If-Match fails (412)
// when its ETag differs and is NoSuchKey when there is no object.
func (h *Handler) writeCondition(hdr http.Header, bucket, key string) *Error {
	ifMatch, ifNoneMatch := hdr.Get("If-Match"), hdr.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil
	}
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return &Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented",
			Extra:   []ExtraElement{elem("Header", "If-None-Match")}}
	}
	existing, err := h.backend.HeadObject(bucket, key)
	if err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		return backendError(err, bucket, key, "")
	}
	if existing != nil && existing.IsDeleteMarker {
		existing = nil
	}
	switch {
	case ifNoneMatch == "*" && existing != nil:
		return errPreconditionFailed("If-None-Match")
	case ifMatch != "" && existing == nil:
		return errNoSuchKey(key)
	case ifMatch != "" && !etagListMatches(ifMatch, h.etagOf(existing)):
		return errPreconditionFailed("If-Match")
	}
	return nil
}

// isCurrentVersion reports whether obj, read as src's version, is the
// current version of its key.
func (h *Handler) isCurrentVersion(src copySource, obj *gofakes3.Object) bool {
	cur, err := h.backend.HeadObject(src.bucket, src.key)
	if err != nil {
		return false
	}
	return cur.VersionID == obj.VersionID || src.versionID == "null" && h.versioning(src.bucket) == gofakes3.VersioningNone
}
