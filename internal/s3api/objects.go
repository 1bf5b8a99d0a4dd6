package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// serveObjects answers GetObject, HeadObject and PutObject (metadata,
// conditional requests, ranges) and object and bucket tagging. GetObject
// with ?partNumber is left to later areas and gofakes3.
func (h *Handler) serveObjects(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "GetObject", "HeadObject":
		if req.Query.Has("partNumber") {
			return false
		}
		h.getObject(w, req)
	case "PutObject":
		h.putObject(w, req)
	case "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging":
		h.objectTagging(w, req)
	case "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging":
		h.bucketTagging(w, req)
	default:
		return false
	}
	return true
}

// objectState is what this area keeps beside the backend.
type objectState struct {
	// write serializes PutObject's condition check, metadata replacement
	// and store (and the tag updates that follow it) against GetObject and
	// HeadObject, which hold it for reading.
	write sync.RWMutex

	mu sync.Mutex
	// tags holds object tag sets by "bucket/key", then by the stored
	// version's stamp (see objectStamp); a stamp names one write, so tags
	// never outlive the object version they were set on.
	tags map[string]map[string][]objTag
	// bucketTags holds bucket tag sets by bucket name, with the bucket's
	// creation date so a re-created bucket starts without tags.
	bucketTags map[string]bucketTagSet
	// etags holds, by stamp, the ETag of objects whose S3 ETag is not the
	// MD5 of their content: multipart uploads ("md5-of-part-md5s-N");
	// etagKeys the stamp of the last such write by "bucket/key".
	etags    map[string]string
	etagKeys map[string]string
}

type bucketTagSet struct {
	created time.Time
	tags    []objTag
}

func newObjectState() *objectState {
	return &objectState{tags: map[string]map[string][]objTag{}, bucketTags: map[string]bucketTagSet{}, etags: map[string]string{}, etagKeys: map[string]string{}}
}

// maxKeyLength is S3's limit on key names, in bytes.
const maxKeyLength = 1024

// checkKeyLength is S3's KeyTooLongError for a key over maxKeyLength
// bytes, nil otherwise. Every operation that creates an object checks it.
func checkKeyLength(key string) *Error {
	if len(key) <= maxKeyLength {
		return nil
	}
	return &Error{Status: http.StatusBadRequest, Code: "KeyTooLongError", Message: "Your key is too long",
		Extra: []ExtraElement{elem("Size", strconv.Itoa(len(key))), elem("MaxSizeAllowed", strconv.Itoa(maxKeyLength))}}
}

// maxUserMetadata is S3's limit on user-defined metadata (x-amz-meta-*
// names and values), in bytes.
const maxUserMetadata = 2048

// objectStandardHeaders are the standard HTTP headers S3 stores with an
// object on PUT and returns on GET and HEAD.
var objectStandardHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Expires"}

// objectAmzHeaders are the x-amz-* request headers (besides x-amz-meta-*
// and x-amz-checksum-*) S3 keeps with an object and returns on GET/HEAD.
var objectAmzHeaders = []string{
	"X-Amz-Website-Redirect-Location", "X-Amz-Storage-Class",
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
	"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "X-Amz-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Server-Side-Encryption-Customer-Key-Md5",
	"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold",
}

// objectStoredOnly are request headers kept with the object (other areas,
// e.g. ACL reads, may look at them) but never returned on GET/HEAD.
func objectStoredOnly(k string) bool {
	return k == "X-Amz-Acl" || strings.HasPrefix(k, "X-Amz-Grant-")
}

func isChecksumHeader(k string) bool {
	if !strings.HasPrefix(k, "X-Amz-Checksum-") {
		return false
	}
	switch k {
	case "X-Amz-Checksum-Mode", "X-Amz-Checksum-Algorithm", "X-Amz-Checksum-Type":
		return false
	}
	return true
}

// objectMetadata returns what a PutObject request stores as metadata, in
// gofakes3's form (canonical header names), or S3's error for it.
func objectMetadata(hdr http.Header, now time.Time) (map[string]string, *Error) {
	meta := map[string]string{}
	user := 0
	for k, v := range hdr {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case strings.HasPrefix(ck, "X-Amz-Meta-"):
			user += len(ck) - len("X-Amz-Meta-") + len(v[0])
		case isChecksumHeader(ck), objectStoredOnly(ck):
		default:
			continue
		}
		meta[ck] = v[0]
	}
	if user > maxUserMetadata {
		return nil, &Error{Status: http.StatusBadRequest, Code: "MetadataTooLarge",
			Message: "Your metadata headers exceed the maximum allowed metadata size.",
			Extra:   []ExtraElement{elem("Size", strconv.Itoa(user)), elem("MaxSizeAllowed", strconv.Itoa(maxUserMetadata))}}
	}
	for _, k := range append(objectStandardHeaders, objectAmzHeaders...) {
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

// writeObjectHeaders sets the headers S3 returns for a stored object on
// GET and HEAD (and, for ETag and version, on 304).
func (h *Handler) writeObjectHeaders(w http.ResponseWriter, obj *gofakes3.Object, versionID string) {
	etag := h.etagOf(obj)
	hdr := w.Header()
	for k, v := range obj.Metadata {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case strings.HasPrefix(ck, "X-Amz-Meta-"):
			// S3 sends user metadata names lower-cased.
			hdr[strings.ToLower(ck)] = []string{v}
		case isChecksumHeader(ck):
			// The emulator drops these unless the client asked for them
			// (x-amz-checksum-mode: ENABLED) and gets the whole object.
			hdr[ck] = []string{v}
		case ck == "X-Amz-Storage-Class" && v == "STANDARD":
		case ck == "Last-Modified":
			hdr.Set(ck, v)
		default:
			for _, std := range append(objectStandardHeaders, objectAmzHeaders...) {
				if ck == std {
					hdr.Set(ck, v)
				}
			}
		}
	}
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "binary/octet-stream")
	}
	if hdr.Get("X-Amz-Server-Side-Encryption") == "" {
		hdr.Set("X-Amz-Server-Side-Encryption", "AES256") // S3 encrypts every object by default
	}
	hdr.Set("ETag", etag)
	if versionID != "" {
		hdr.Set("x-amz-version-id", versionID)
	}
	hdr.Set("Accept-Ranges", "bytes")
}

// etagOf is the ETag S3 reports for a stored object: the MD5 of its
// content, or the multipart ETag recorded when it was assembled.
func (h *Handler) etagOf(obj *gofakes3.Object) string {
	h.objects.mu.Lock()
	etag, ok := h.objects.etags[objectStamp(obj)]
	h.objects.mu.Unlock()
	if ok {
		return etag
	}
	return `"` + hex.EncodeToString(obj.Hash) + `"`
}

// setETag records the S3 ETag of the stored write obj of bucket/key when
// it is not the MD5 of the content (multipart uploads). Listings find it by
// version ID, or in unversioned buckets (whose listings show no version
// IDs) through the key's current write.
func (h *Handler) setETag(bucket, key string, obj *gofakes3.Object, etag string) {
	h.objects.mu.Lock()
	defer h.objects.mu.Unlock()
	stamp := objectStamp(obj)
	h.objects.etags[stamp] = etag
	h.objects.etagKeys[bucket+"/"+key] = stamp
}

// listedETag is the ETag a listing shows for one version: the recorded
// multipart ETag, else the backend's.
func (h *Handler) listedETag(bucket, key, versionID, etag string) string {
	h.objects.mu.Lock()
	e, ok := h.objects.etags[versionID]
	stamp, keyed := h.objects.etagKeys[bucket+"/"+key]
	h.objects.mu.Unlock()
	if ok && versionID != "" {
		return e
	}
	if keyed {
		if obj, err := h.backend.HeadObject(bucket, key); err == nil && objectStamp(obj) == stamp {
			return h.etagOf(obj)
		}
	}
	return etag
}

func lastModifiedOf(obj *gofakes3.Object) time.Time {
	t, _ := http.ParseTime(obj.Metadata["Last-Modified"])
	return t
}

func elem(name, value string) ExtraElement {
	var e ExtraElement
	e.XMLName.Local = name
	e.Value = value
	return e
}

func errNoSuchBucket(bucket string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist",
		Extra: []ExtraElement{elem("BucketName", bucket)}}
}

func errNoSuchKey(key string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
		Extra: []ExtraElement{elem("Key", key)}}
}

func errNoSuchVersion(key, version string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchVersion", Message: "The specified version does not exist.",
		Extra: []ExtraElement{elem("Key", key), elem("VersionId", version)}}
}

func errPreconditionFailed(condition string) *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
		Message: "At least one of the pre-conditions you specified did not hold",
		Extra:   []ExtraElement{elem("Condition", condition)}}
}

func errInternal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
}

// backendError turns a gofakes3 backend error into S3's error.
func backendError(err error, bucket, key, version string) *Error {
	switch {
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket):
		return errNoSuchBucket(bucket)
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
		return errNoSuchKey(key)
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchVersion):
		return errNoSuchVersion(key, version)
	}
	return errInternal()
}

// versioning returns the bucket's versioning status ("" when never set).
func (h *Handler) versioning(bucket string) gofakes3.VersioningStatus {
	vb, ok := h.backend.(gofakes3.VersionedBackend)
	if !ok {
		return gofakes3.VersioningNone
	}
	cfg, err := vb.VersioningConfiguration(bucket)
	if err != nil {
		return gofakes3.VersioningNone
	}
	return cfg.Status
}

// objectTarget is one object version a request is about.
type objectTarget struct {
	obj *gofakes3.Object
	// versionID is what S3 reports as x-amz-version-id ("" for none).
	versionID string
}

// headTarget finds the object (or, with ?versionId, the version) req is
// about, without its body. A bucket that does not exist is NoSuchBucket.
func (h *Handler) headTarget(req *Request) (objectTarget, *Error) {
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		return objectTarget{}, errNoSuchBucket(req.Bucket)
	}
	q := req.Query
	status := h.versioning(req.Bucket)
	version := q.Get("versionId")
	if !q.Has("versionId") || version == "null" && status == gofakes3.VersioningNone {
		obj, err := h.backend.HeadObject(req.Bucket, req.Key)
		if err != nil {
			e := backendError(err, req.Bucket, req.Key, version)
			if e.Code == "NoSuchKey" && status != gofakes3.VersioningNone {
				e.Header = h.deleteMarkerHeaders(req.Bucket, req.Key)
			}
			return objectTarget{}, e
		}
		t := objectTarget{obj: obj}
		if status == gofakes3.VersioningEnabled {
			t.versionID = string(obj.VersionID)
		}
		if version == "null" {
			t.versionID = "null"
		}
		return t, nil
	}
	vb, ok := h.backend.(gofakes3.VersionedBackend)
	if !ok || version == "" {
		return objectTarget{}, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid version id specified",
			Extra: []ExtraElement{elem("ArgumentName", "versionId"), elem("ArgumentValue", version)}}
	}
	obj, err := vb.HeadObjectVersion(req.Bucket, req.Key, gofakes3.VersionID(version))
	if err != nil {
		return objectTarget{}, backendError(err, req.Bucket, req.Key, version)
	}
	if obj.IsDeleteMarker {
		return objectTarget{}, &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Message: "The specified method is not allowed against this resource.",
			Extra:   []ExtraElement{elem("Method", req.HTTP.Method), elem("ResourceType", "DeleteMarker")},
			Header:  map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": version}}
	}
	return objectTarget{obj: obj, versionID: version}, nil
}

// deleteMarkerHeaders returns, when the current version of key is a delete
// marker, the headers S3 sends with the 404: x-amz-delete-marker: true and
// the marker's x-amz-version-id; nil otherwise.
func (h *Handler) deleteMarkerHeaders(bucket, key string) map[string]string {
	versions, err := h.listingVersions(bucket)
	if err != nil {
		return nil
	}
	for _, v := range versions {
		if v.key == key && v.latest && v.deleteMarker {
			return map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": listingVersionID(v.versionID)}
		}
	}
	return nil
}

// objectStamp names one stored write of an object: gofakes3's memory
// backend gives every write its own version ID (hidden on GET in
// unversioned buckets, but kept by HeadObject); other backends fall back
// to ETag and modification time.
func objectStamp(obj *gofakes3.Object) string {
	if obj.VersionID != "" {
		return string(obj.VersionID)
	}
	return hex.EncodeToString(obj.Hash) + "@" + obj.Metadata["Last-Modified"]
}

// readCondition evaluates GET/HEAD preconditions as S3 does (RFC 7232
// section 6): If-Match, else If-Unmodified-Since (412); then If-None-Match,
// else If-Modified-Since (304). It returns the status (0 to go on) and the
// failed header.
func readCondition(hdr http.Header, etag string, modified time.Time) (int, string) {
	if v := hdr.Get("If-Match"); v != "" {
		if !etagListMatches(v, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if t, err := http.ParseTime(hdr.Get("If-Unmodified-Since")); err == nil && modified.After(t) {
		return http.StatusPreconditionFailed, "If-Unmodified-Since"
	}
	if v := hdr.Get("If-None-Match"); v != "" {
		if etagListMatches(v, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if t, err := http.ParseTime(hdr.Get("If-Modified-Since")); err == nil && !modified.After(t) {
		return http.StatusNotModified, "If-Modified-Since"
	}
	return 0, ""
}

// etagListMatches reports whether a comma-separated If-Match or
// If-None-Match value names etag; "*" names any object; quotes and a weak
// prefix are optional.
func etagListMatches(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" {
			return true
		}
		v = strings.TrimPrefix(v, "W/")
		if strings.Trim(v, `"`) == want {
			return true
		}
	}
	return false
}

// byteRange resolves a Range header against an object's size as S3 does:
// a single "bytes=first-last", "bytes=first-" or "bytes=-suffix" range;
// anything S3 cannot parse (other units, several ranges, last < first) is
// ignored and the whole object returned. ok is false for no range;
// unsatisfiable is true when the range starts beyond the object.
func byteRange(spec string, size int64) (start, end int64, ok, unsatisfiable bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(spec), "bytes=")
	if !found || strings.Contains(rest, ",") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(rest), "-")
	if !found {
		return 0, 0, false, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	parse := func(s string) (int64, bool) {
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" {
		n, valid := parse(last)
		if !valid {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, true
		}
		return max(size-n, 0), size - 1, true, false
	}
	s, valid := parse(first)
	if !valid {
		return 0, 0, false, false
	}
	e := size - 1
	if last != "" {
		if e2, valid := parse(last); !valid || e2 < s {
			return 0, 0, false, false
		} else if e2 < e {
			e = e2
		}
	}
	if s >= size {
		return 0, 0, true, true
	}
	return s, e, true, false
}

func (h *Handler) getObject(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	// The object is looked up and its headers set under the read lock; the
	// body is streamed after it is released, so a client that stops reading
	// never holds up writers (the backend's contents of a stored version are
	// never modified in place).
	status, body, length, serr := h.prepareGet(w, req)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if body != nil {
		defer body.Close()
	}
	w.WriteHeader(status)
	if body != nil && status != http.StatusNotModified {
		io.CopyN(w, body, length)
	}
}

// prepareGet finds the object version a GetObject or HeadObject reads,
// checks its conditions and sets the response headers; it returns the
// status, the body to send (nil for HEAD, empty objects and 304) and its
// length. It holds the object read lock only while it runs.
func (h *Handler) prepareGet(w http.ResponseWriter, req *Request) (status int, body io.ReadCloser, length int64, serr *Error) {
	r := req.HTTP
	h.objects.write.RLock()
	defer h.objects.write.RUnlock()
	t, serr := h.headTarget(req)
	if serr != nil {
		return 0, nil, 0, serr
	}
	etag := h.etagOf(t.obj)
	modified := lastModifiedOf(t.obj)
	if status, cond := readCondition(r.Header, etag, modified); status == http.StatusPreconditionFailed {
		return 0, nil, 0, errPreconditionFailed(cond)
	} else if status == http.StatusNotModified {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", t.obj.Metadata["Last-Modified"])
		if t.versionID != "" {
			w.Header().Set("x-amz-version-id", t.versionID)
		}
		return http.StatusNotModified, nil, 0, nil
	}
	size := t.obj.Size
	spec := r.Header.Get("Range")
	start, end, ranged, unsatisfiable := byteRange(spec, size)
	if unsatisfiable {
		return 0, nil, 0, &Error{Status: http.StatusRequestedRangeNotSatisfiable, Code: "InvalidRange",
			Message: "The requested range is not satisfiable",
			Extra:   []ExtraElement{elem("RangeRequested", spec), elem("ActualObjectSize", strconv.FormatInt(size, 10))}}
	}
	if r.Method == http.MethodGet && size > 0 {
		var rng *gofakes3.ObjectRangeRequest
		if ranged {
			rng = &gofakes3.ObjectRangeRequest{Start: start, End: end}
		}
		var obj *gofakes3.Object
		var err error
		if vb, ok := h.backend.(gofakes3.VersionedBackend); ok && t.versionID != "" && t.versionID != "null" {
			obj, err = vb.GetObjectVersion(req.Bucket, req.Key, gofakes3.VersionID(t.versionID), rng)
		} else {
			obj, err = h.backend.GetObject(req.Bucket, req.Key, rng)
		}
		if err != nil {
			return 0, nil, 0, backendError(err, req.Bucket, req.Key, t.versionID)
		}
		body = obj.Contents
	}
	h.writeObjectHeaders(w, t.obj, t.versionID)
	if n := len(h.tagsOf(req.Bucket, req.Key, t.obj)); n > 0 {
		w.Header().Set("x-amz-tagging-count", strconv.Itoa(n))
	}
	for param, header := range map[string]string{
		"response-content-type": "Content-Type", "response-content-language": "Content-Language",
		"response-expires": "Expires", "response-cache-control": "Cache-Control",
		"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
	} {
		if v := req.Query.Get(param); v != "" {
			w.Header().Set(header, v)
		}
	}
	status = http.StatusOK
	length = size
	if ranged {
		status = http.StatusPartialContent
		length = end - start + 1
		w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(size, 10))
	}
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	return status, body, length, nil
}

func (h *Handler) putObject(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		WriteError(w, r, serr)
		return
	}
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	var wantMD5 []byte
	if vs, ok := r.Header["Content-Md5"]; ok {
		sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(vs[0]))
		if err != nil || len(sum) != md5.Size {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidDigest", Message: "The Content-MD5 you specified was invalid.",
				Extra: []ExtraElement{elem("Content-MD5", vs[0])}})
			return
		}
		wantMD5 = sum
	}
	var tags []objTag
	if vs, ok := r.Header["X-Amz-Tagging"]; ok {
		var serr *Error
		if tags, serr = parseTaggingHeader(vs[0]); serr != nil {
			WriteError(w, r, serr)
			return
		}
	}
	meta, serr := objectMetadata(r.Header, time.Now())
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	ifMatch, ifNoneMatch := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		WriteError(w, r, &Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented",
			Extra:   []ExtraElement{elem("Header", "If-None-Match")}})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil || r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		WriteError(w, r, BodyReadError(err))
		return
	}
	sum := md5.Sum(body)
	if wantMD5 != nil && !bytes.Equal(wantMD5, sum[:]) {
		WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "BadDigest", Message: "The Content-MD5 you specified did not match what we received.",
			Extra: []ExtraElement{elem("ExpectedDigest", hex.EncodeToString(wantMD5)), elem("CalculatedDigest", base64.StdEncoding.EncodeToString(sum[:]))}})
		return
	}

	h.objects.write.Lock()
	defer h.objects.write.Unlock()
	existing, err := h.backend.HeadObject(req.Bucket, req.Key)
	if err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		WriteError(w, r, backendError(err, req.Bucket, req.Key, ""))
		return
	}
	if existing != nil && existing.IsDeleteMarker {
		existing = nil
	}
	switch {
	case ifNoneMatch == "*" && existing != nil:
		WriteError(w, r, errPreconditionFailed("If-None-Match"))
		return
	case ifMatch != "" && existing == nil:
		WriteError(w, r, errNoSuchKey(req.Key))
		return
	case ifMatch != "" && !etagListMatches(ifMatch, h.etagOf(existing)):
		WriteError(w, r, errPreconditionFailed("If-Match"))
		return
	}
	status := h.versioning(req.Bucket)
	if _, serr := h.replaceObject(req.Bucket, req.Key, existing, meta, body, status); serr != nil {
		WriteError(w, r, serr)
		return
	}
	stored, err := h.backend.HeadObject(req.Bucket, req.Key)
	if err != nil {
		WriteError(w, r, backendError(err, req.Bucket, req.Key, ""))
		return
	}
	h.setTags(req.Bucket, req.Key, stored, tags, status != gofakes3.VersioningEnabled)

	hdr := w.Header()
	hdr.Set("ETag", h.etagOf(stored))
	if status == gofakes3.VersioningEnabled {
		hdr.Set("x-amz-version-id", string(stored.VersionID))
	}
	for k, v := range meta {
		if isChecksumHeader(k) || strings.HasPrefix(k, "X-Amz-Server-Side-Encryption") {
			hdr.Set(k, v)
		}
	}
	if hdr.Get("X-Amz-Server-Side-Encryption") == "" {
		hdr.Set("X-Amz-Server-Side-Encryption", "AES256")
	}
	hdr.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// replaceObject stores body and meta as the object's new content. The
// memory backend merges the previous object's metadata into the new one
// (gofakes3.MergeMetadata); S3 replaces it, so when the old object has
// metadata the new one lacks it is removed first (in a versioned bucket
// through a delete marker that is then removed, leaving the history as S3
// would). Callers hold h.objects.write.
func (h *Handler) replaceObject(bucket, key string, existing *gofakes3.Object, meta map[string]string, body []byte, status gofakes3.VersioningStatus) (gofakes3.PutObjectResult, *Error) {
	stale := false
	if existing != nil && !existing.IsDeleteMarker {
		for k := range existing.Metadata {
			if _, ok := meta[k]; !ok {
				stale = true
				break
			}
		}
	}
	var marker gofakes3.VersionID
	if stale {
		res, err := h.backend.DeleteObject(bucket, key)
		if err != nil {
			return gofakes3.PutObjectResult{}, backendError(err, bucket, key, "")
		}
		if status == gofakes3.VersioningEnabled && res.IsDeleteMarker {
			marker = res.VersionID
		}
	}
	res, err := h.backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil)
	if err != nil {
		return res, backendError(err, bucket, key, "")
	}
	if marker != "" {
		if vb, ok := h.backend.(gofakes3.VersionedBackend); ok {
			if _, err := vb.DeleteObjectVersion(bucket, key, marker); err != nil {
				return res, backendError(err, bucket, key, string(marker))
			}
		}
	}
	return res, nil
}
