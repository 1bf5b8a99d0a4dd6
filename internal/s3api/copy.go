package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// copyResult is the body of CopyObject's (CopyObjectResult) and
// UploadPartCopy's (CopyPartResult) responses.
type copyResult struct {
	XMLName      xml.Name
	Xmlns        string `xml:"xmlns,attr"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	copyResultChecksum
}

// copySource is a parsed x-amz-copy-source header.
type copySource struct {
	bucket, key string
	versionID   string
	hasVersion  bool
}

// parseCopySource parses x-amz-copy-source: "[/]bucket/key[?versionId=id]",
// URL-encoded.
func parseCopySource(v string) (copySource, *s3err.Error) {
	bad := errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey.", "x-amz-copy-source").
		With("ArgumentValue", v)
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

// lookupCopySource finds the version a copy reads and checks its
// x-amz-copy-source-if-* conditions on it. reportedID is what S3 reports
// as x-amz-copy-source-version-id ("" for none).
func (h *Handler) lookupCopySource(req *Request, src copySource) (v *store.Version, reportedID string, serr *s3err.Error) {
	at := target{bucket: src.bucket, key: src.key, versionID: src.versionID}
	b, err := h.store.Bucket(src.bucket)
	if err != nil {
		return nil, "", h.storeError(req, at, err)
	}
	if src.hasVersion && src.versionID == "" {
		return nil, "", errInvalidVersionID("x-amz-copy-source", src.versionID)
	}
	v, err = h.store.Object(src.bucket, src.key, src.versionID)
	if err != nil {
		return nil, "", h.storeError(req, at, err)
	}
	switch {
	case v.DeleteMarker && src.hasVersion:
		return nil, "", s3err.New(http.StatusBadRequest, "InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.")
	case v.DeleteMarker:
		return nil, "", errNoSuchKey(src.key)
	}
	if src.hasVersion || b.Versioning != store.Unversioned {
		reportedID = v.VersionID
	}
	if serr := copySourceCondition(req.HTTP.Header, quoteETag(v.ETag), v.LastModified, req.Now); serr != nil {
		return nil, "", serr
	}
	return v, reportedID, nil
}

// copyDirective reads x-amz-metadata-directive or x-amz-tagging-directive:
// COPY (the default) or REPLACE.
func copyDirective(hdr http.Header, name, message string) (replace bool, serr *s3err.Error) {
	switch v := reqHeader(hdr, name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, errInvalidArgument(message, strings.ToLower(name)).With("ArgumentValue", v)
	}
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
		if reqHeader(hdr, k) != "" {
			return true
		}
	}
	return false
}

// copyObject answers CopyObject: the source version streams from the store
// into the destination's write.
func (h *Handler) copyObject(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		return serr
	}
	src, serr := parseCopySource(reqHeader(r.Header, "X-Amz-Copy-Source"))
	if serr != nil {
		return serr
	}
	replaceMeta, serr := copyDirective(r.Header, "X-Amz-Metadata-Directive", "Unknown metadata directive.")
	if serr != nil {
		return serr
	}
	replaceTags, serr := copyDirective(r.Header, "X-Amz-Tagging-Directive", "Unknown tag directive.")
	if serr != nil {
		return serr
	}
	var newTags []store.Tag
	if replaceTags {
		if v := reqHeader(r.Header, "X-Amz-Tagging"); v != "" {
			if newTags, serr = parseTaggingHeader(v); serr != nil {
				return serr
			}
		}
	}
	cond, serr := writeCheck(r.Header, req.Key)
	if serr != nil {
		return serr
	}
	sum, serr := copyChecksumAlgorithm(r.Header) // checksums.go
	if serr != nil {
		return serr
	}
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	source, sourceID, serr := h.lookupCopySource(req, src)
	if serr != nil {
		return serr
	}
	if serr := checkCustomerKey(r.Header, copySourcePrefix, source.ObjectMeta, false); serr != nil {
		return serr
	}
	if src.bucket == req.Bucket && src.key == req.Key && !copyChangesObject(r.Header, replaceMeta) &&
		(!src.hasVersion || source.IsLatest) {
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	meta, serr := copyObjectMeta(r.Header, source.ObjectMeta, replaceMeta)
	if serr != nil {
		return serr
	}
	sse, err := writeSSE(r, b, req.Account)
	if err != nil {
		return err
	}
	sse.apply(&meta)
	meta.Tags = newTags
	if !replaceTags {
		meta.Tags = source.Tags
	}
	if err := h.writeOwnership(req, &meta); err != nil {
		return err
	}
	if serr := h.lockOnWrite(req, &meta); serr != nil {
		return serr
	}
	body, err := h.store.Open(source, 0, -1)
	if err != nil {
		return h.storeError(req, target{bucket: src.bucket, key: src.key, versionID: source.VersionID}, err)
	}
	defer body.Close()
	// The destination's If-None-Match/If-Match are checked in the write's
	// transaction: of concurrent conditional copies to one key exactly the
	// ones the store serialises first can win.
	v, err := h.store.PutObject(r.Context(), req.Bucket, req.Key, store.PutInput{Meta: meta, Body: sum.reader(body), Size: source.Size, Check: cond,
		Finish: func(v *store.Version) error { v.Checksum = copiedChecksum(sum, source.Checksum); return nil }})
	if err != nil {
		return err
	}
	hdr := w.Header()
	if sourceID != "" {
		hdr.Set("x-amz-copy-source-version-id", sourceID)
	}
	if v.VersionID != store.NullVersionID {
		hdr.Set("x-amz-version-id", v.VersionID)
	}
	writeSSEHeaders(hdr, v.ObjectMeta, true)
	h.setExpiration(w, req, v)
	return writeXML(w, r, copyResult{XMLName: xml.Name{Local: "CopyObjectResult"}, Xmlns: xmlns,
		LastModified: s3Time(v.LastModified), ETag: quoteETag(v.ETag), copyResultChecksum: copyResultOf(v.Checksum, true)})
}

// copySourceRange parses x-amz-copy-source-range ("bytes=first-last", both
// zero-based and inclusive) against a source of size bytes.
func copySourceRange(v string, size int64) (first, last int64, serr *s3err.Error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || !ok2 || err1 != nil || err2 != nil || first < 0 || last < first ||
		strings.HasPrefix(a, "+") || strings.HasPrefix(b, "+") {
		return 0, 0, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
			"x-amz-copy-source-range").With("ArgumentValue", v)
	}
	if last >= size {
		return 0, 0, errInvalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10),
			"x-amz-copy-source-range").With("ArgumentValue", v)
	}
	return first, last, nil
}

// uploadPartCopy copies a source version, or a byte range of it, into a
// part of a multipart upload, streaming it from the store into the part.
func (h *Handler) uploadPartCopy(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	number, serr := partNumber(req.Query)
	if serr != nil {
		return serr
	}
	src, serr := parseCopySource(reqHeader(r.Header, "X-Amz-Copy-Source"))
	if serr != nil {
		return serr
	}
	uploadID := req.Query.Get("uploadId")
	u, err := h.store.Upload(req.Bucket, req.Key, uploadID)
	if err != nil {
		return err
	}
	source, sourceID, serr := h.lookupCopySource(req, src)
	if serr != nil {
		return serr
	}
	if serr := checkCustomerKey(r.Header, copySourcePrefix, source.ObjectMeta, false); serr != nil {
		return serr
	}
	if serr := checkCustomerKey(r.Header, "", u.Meta, true); serr != nil {
		return serr
	}
	first, length := int64(0), source.Size
	if v, ok := r.Header["X-Amz-Copy-Source-Range"]; ok {
		var last int64
		if first, last, serr = copySourceRange(v[0], source.Size); serr != nil {
			return serr
		}
		length = last - first + 1
	}
	body, err := h.store.Open(source, first, length)
	if err != nil {
		return h.storeError(req, target{bucket: src.bucket, key: src.key, versionID: source.VersionID}, err)
	}
	defer body.Close()
	sum := partCopyChecksum(u.Meta.Checksum) // checksums.go
	part, err := h.store.PutPartInput(r.Context(), req.Bucket, req.Key, uploadID, number, store.PartInput{Body: sum.reader(body), Size: length,
		Finish: func(p *store.Part) error { p.Checksum = sum.sum(""); return nil }})
	if err != nil {
		return err
	}
	if sourceID != "" {
		w.Header().Set("x-amz-copy-source-version-id", sourceID)
	}
	writeSSEHeaders(w.Header(), u.Meta, false)
	return writeXML(w, r, copyResult{XMLName: xml.Name{Local: "CopyPartResult"}, Xmlns: xmlns,
		LastModified: s3Time(part.LastModified), ETag: quoteETag(part.ETag), copyResultChecksum: copyResultOf(part.Checksum, false)})
}
