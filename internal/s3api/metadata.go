package s3api

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// maxUserMetadata is S3's limit on user-defined metadata (x-amz-meta-*
// names and values), in bytes.
const maxUserMetadata = 2048

// objectStandardHeaders are the standard HTTP headers S3 stores with an
// object on PUT and returns on GET and HEAD.
var objectStandardHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Expires"}

// objectAmzHeaders are the x-amz-* request headers (besides x-amz-meta-*,
// x-amz-checksum-* and x-amz-storage-class) S3 keeps with an object and
// returns on GET/HEAD. Encryption is resolved by writeSSE (sse.go). A copy takes them from the request whatever its
// metadata directive.
var objectAmzHeaders = []string{
	"X-Amz-Website-Redirect-Location",
	"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold",
}

const (
	userMetaPrefix = "X-Amz-Meta-"
	checksumPrefix = "X-Amz-Checksum-"
)

// userMetadata reads the x-amz-meta-* headers (names lower case, without
// the prefix), or S3's MetadataTooLarge.
func userMetadata(hdr http.Header) (map[string]string, *s3err.Error) {
	var meta map[string]string // made at the first name: most requests have none
	size := 0
	for k, v := range hdr {
		if len(k) < len(userMetaPrefix) || !strings.EqualFold(k[:len(userMetaPrefix)], userMetaPrefix) {
			continue // not one, whatever its case: spares canonicalising every header
		}
		ck := http.CanonicalHeaderKey(k)
		name, ok := strings.CutPrefix(ck, userMetaPrefix)
		if !ok || name == "" || len(v) == 0 {
			continue
		}
		size += len(name) + len(v[0])
		if meta == nil {
			meta = map[string]string{}
		}
		meta[strings.ToLower(name)] = decodeMetaValue(v[0]) // metaencoding.go
	}
	if size > maxUserMetadata {
		return nil, s3err.New(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.").
			With("Size", strconv.Itoa(size)).With("MaxSizeAllowed", strconv.Itoa(maxUserMetadata))
	}
	if len(meta) == 0 {
		return nil, nil
	}
	return meta, nil
}

// setRequestHeaders copies names from hdr into meta.Headers, except the
// storage class, which becomes meta.StorageClass.
func setRequestHeaders(meta *store.ObjectMeta, hdr http.Header, names []string) {
	for _, k := range names {
		v, ok := hdr[k]
		if !ok || len(v) == 0 {
			continue
		}
		if meta.Headers == nil {
			meta.Headers = map[string]string{}
		}
		meta.Headers[k] = v[0]
	}
	if v := reqHeader(hdr, "X-Amz-Storage-Class"); v != "" {
		meta.StorageClass = v
	}
}

// defaultContentType gives meta S3's Content-Type for an object stored
// without one.
func defaultContentType(meta *store.ObjectMeta) {
	if meta.Headers["Content-Type"] != "" {
		return
	}
	if meta.Headers == nil {
		meta.Headers = map[string]string{}
	}
	meta.Headers["Content-Type"] = "binary/octet-stream"
}

// objectMeta is what a PutObject or CreateMultipartUpload request stores
// with the object besides its body: user metadata, the standard and
// x-amz-* headers S3 keeps, the storage class and the tags of
// x-amz-tagging.
func objectMeta(hdr http.Header) (store.ObjectMeta, *s3err.Error) {
	var meta store.ObjectMeta
	if serr := checkStorageClass(hdr); serr != nil {
		return meta, serr
	}
	user, serr := userMetadata(hdr)
	if serr != nil {
		return meta, serr
	}
	meta.Metadata = user
	setRequestHeaders(&meta, hdr, objectStandardHeaders)
	setRequestHeaders(&meta, hdr, objectAmzHeaders)
	defaultContentType(&meta)
	if vs, ok := hdr["X-Amz-Tagging"]; ok {
		if meta.Tags, serr = parseTaggingHeader(vs[0]); serr != nil {
			return meta, serr
		}
	}
	return meta, nil
}

// copyObjectMeta is the metadata of the object a CopyObject creates: the
// source's (directive COPY) or the request's (REPLACE) user metadata and
// standard headers, then the request's storage class, website redirect,
// encryption and object lock headers. ACLs are never copied; a COMPOSITE
// checksum, which only a multipart object can have, is not either.
func copyObjectMeta(hdr http.Header, source store.ObjectMeta, replace bool) (store.ObjectMeta, *s3err.Error) {
	var meta store.ObjectMeta
	if serr := checkStorageClass(hdr); serr != nil {
		return meta, serr
	}
	if replace {
		user, serr := userMetadata(hdr)
		if serr != nil {
			return meta, serr
		}
		meta.Metadata = user
		setRequestHeaders(&meta, hdr, objectStandardHeaders)
	} else {
		meta.Metadata = maps.Clone(source.Metadata)
		meta.Headers = maps.Clone(source.Headers)
		meta.StorageClass = source.StorageClass
		if source.Checksum.Type != "COMPOSITE" {
			meta.Checksum = source.Checksum
		}
	}
	setRequestHeaders(&meta, hdr, objectAmzHeaders)
	defaultContentType(&meta)
	return meta, nil
}

// sseOf is the server-side encryption S3 reports for stored headers: the
// requested one, else AES256 (S3 encrypts every object by default).
func sseOf(headers map[string]string) string {
	if v := headers["X-Amz-Server-Side-Encryption"]; v != "" {
		return v
	}
	return "AES256"
}

// writeVersionHeaders sets the headers S3 returns for a stored version on
// GET and HEAD. etag is its ETag quoted; reportedID is the
// x-amz-version-id to send ("" for none); withChecksum says whether the
// stored checksum goes too (S3 sends it only when the client asks,
// x-amz-checksum-mode: ENABLED, for the whole object).
func writeVersionHeaders(w http.ResponseWriter, v *store.Version, etag, reportedID string, withChecksum bool) {
	hdr := w.Header()
	for name, value := range v.Metadata {
		hdr["x-amz-meta-"+name] = []string{encodeMetaValue(value)} // S3 sends the names lower case
	}
	for _, k := range objectStandardHeaders {
		if value, ok := v.Headers[k]; ok {
			hdr.Set(k, value)
		}
	}
	for _, k := range objectAmzHeaders {
		if value, ok := v.Headers[k]; ok {
			hdr.Set(k, value)
		}
	}
	if c := v.Checksum; c.Algorithm != "" && withChecksum {
		hdr.Set(checksumPrefix+c.Algorithm, c.Value)
		if c.Type != "" {
			hdr.Set("X-Amz-Checksum-Type", c.Type)
		}
	}
	if v.StorageClass != "" && v.StorageClass != "STANDARD" {
		hdr.Set("X-Amz-Storage-Class", v.StorageClass)
	}
	if reqHeader(hdr, "Content-Type") == "" {
		hdr.Set("Content-Type", "binary/octet-stream")
	}
	writeSSEHeaders(hdr, v.ObjectMeta, false)
	var slots headerSlots
	slots.set(hdr, keyLastModified, v.LastModified.UTC().Format(http.TimeFormat))
	slots.set(hdr, keyETag, etag)
	if reportedID != "" {
		slots.set(hdr, keyVersionID, reportedID)
	}
	if n := len(v.Tags); n > 0 {
		hdr.Set("x-amz-tagging-count", strconv.Itoa(n))
	}
	slots.set(hdr, keyAcceptRanges, "bytes")
}
