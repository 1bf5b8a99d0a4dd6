package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

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
	src, serr := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if serr != nil {
		return serr
	}
	uploadID := req.Query.Get("uploadId")
	if _, err := h.store.Upload(req.Bucket, req.Key, uploadID); err != nil {
		return err
	}
	source, sourceID, serr := h.lookupCopySource(req, src)
	if serr != nil {
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
	part, err := h.store.PutPart(r.Context(), req.Bucket, req.Key, uploadID, number, body, length, store.Checksum{})
	if err != nil {
		return err
	}
	if sourceID != "" {
		w.Header().Set("x-amz-copy-source-version-id", sourceID)
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	return writeXML(w, r, copyResult{XMLName: xml.Name{Local: "CopyPartResult"}, Xmlns: xmlns,
		LastModified: s3Time(part.LastModified), ETag: quoteETag(part.ETag)})
}
