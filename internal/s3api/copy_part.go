package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// uploadPartCopy copies a source object, or a byte range of it, into a
// part of a multipart upload; the part is then stored through gofakes3
// like an uploaded one.
func (h *Handler) uploadPartCopy(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := req.Query
	if _, serr := multipartPartNumber(q); serr != nil {
		WriteError(w, r, serr)
		return
	}
	src, serr := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	if _, serr := h.multipartParts(r, req.Bucket, req.Key, q.Get("uploadId")); serr != nil {
		WriteError(w, r, serr)
		return
	}
	source, serr := h.openCopySource(r.Header, src)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	body := source.body
	if v, ok := r.Header["X-Amz-Copy-Source-Range"]; ok {
		first, last, serr := copySourceRange(v[0], int64(len(body)))
		if serr != nil {
			WriteError(w, r, serr)
			return
		}
		body = body[first : last+1]
	}
	etag, serr := h.multipartPutPart(r, req.Bucket, req.Key, q, http.Header{}, body)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if source.versionID != "" {
		w.Header().Set("x-amz-copy-source-version-id", source.versionID)
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	WriteXML(w, r, copyPartResult{Xmlns: s3Namespace, LastModified: s3Time(time.Now()), ETag: etag})
}
