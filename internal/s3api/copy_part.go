package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/store"
)

// copyPartResult is UploadPartCopy's response body.
type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

// copySourceRange parses x-amz-copy-source-range ("bytes=first-last", both
// zero-based and inclusive) against a source of size bytes.
func copySourceRange(v string, size int64) (first, last int64, serr *Error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || !ok2 || err1 != nil || err2 != nil || first < 0 || last < first ||
		strings.HasPrefix(a, "+") || strings.HasPrefix(b, "+") {
		return 0, 0, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
			Message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
			Extra:   []ExtraElement{elem("ArgumentName", "x-amz-copy-source-range"), elem("ArgumentValue", v)}}
	}
	if last >= size {
		return 0, 0, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
			Message: "Range specified is not valid for source object of size: " + strconv.FormatInt(size, 10),
			Extra:   []ExtraElement{elem("ArgumentName", "x-amz-copy-source-range"), elem("ArgumentValue", v)}}
	}
	return first, last, nil
}

// uploadPartCopy copies a source version, or a byte range of it, into a
// part of a multipart upload, streaming it from the store into the part.
func (h *Handler) uploadPartCopy(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := req.Query
	number, serr := multipartPartNumber(q)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	src, serr := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	uploadID := q.Get("uploadId")
	if _, err := h.store.Upload(req.Bucket, req.Key, uploadID); err != nil {
		if errors.Is(err, store.ErrNoSuchUpload) {
			serr = errNoSuchUpload(uploadID)
		} else {
			serr = storeError(err, req.Bucket, req.Key, "")
		}
		WriteError(w, r, serr)
		return
	}
	source, sourceID, serr := h.lookupCopySource(r.Header, src)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	first, length := int64(0), source.Size
	if v, ok := r.Header["X-Amz-Copy-Source-Range"]; ok {
		var last int64
		if first, last, serr = copySourceRange(v[0], source.Size); serr != nil {
			WriteError(w, r, serr)
			return
		}
		length = last - first + 1
	}
	body, err := h.store.Open(source, first, length)
	if err != nil {
		WriteError(w, r, storeError(err, src.bucket, src.key, source.VersionID))
		return
	}
	defer body.Close()
	part, err := h.store.PutPart(r.Context(), req.Bucket, req.Key, uploadID, number, body, length, store.Checksum{})
	if err != nil {
		if errors.Is(err, store.ErrNoSuchUpload) {
			serr = errNoSuchUpload(uploadID)
		} else {
			serr = storeError(err, req.Bucket, req.Key, "")
		}
		WriteError(w, r, serr)
		return
	}
	if sourceID != "" {
		w.Header().Set("x-amz-copy-source-version-id", sourceID)
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	WriteXML(w, r, copyPartResult{Xmlns: s3Namespace, LastModified: s3Time(part.LastModified), ETag: quoteETag(part.ETag)})
}
