package s3api

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// lookupVersion finds the version a GET, HEAD or tagging request is about:
// ?versionId's, else the key's current one. A delete marker is S3's 404
// NoSuchKey when current and 405 MethodNotAllowed when named, both with
// x-amz-delete-marker. reportedID is the x-amz-version-id S3 sends with
// it: the version's ID when named or when the bucket has versioning, ""
// otherwise.
func (h *Handler) lookupVersion(req *Request) (v *store.Version, reportedID string, serr *s3err.Error) {
	return h.findVersion(req, h.store.Object)
}

// findVersion is lookupVersion with the store's lookup to use: Object, or
// ViewObject for a caller that only reads the version.
func (h *Handler) findVersion(req *Request, object func(bucket, key, versionID string) (*store.Version, error)) (v *store.Version, reportedID string, serr *s3err.Error) {
	b, err := h.store.ViewBucket(req.Bucket) // read only
	if err != nil {
		return nil, "", h.storeError(req, requestTarget(req), err)
	}
	named := req.Query.Has("versionId")
	id := req.Query.Get("versionId")
	if named && id == "" {
		return nil, "", errInvalidVersionID("versionId", id)
	}
	v, err = object(req.Bucket, req.Key, id)
	if err != nil {
		return nil, "", h.storeError(req, requestTarget(req), err)
	}
	if !v.DeleteMarker {
		if named || b.Versioning != store.Unversioned {
			return v, v.VersionID, nil
		}
		return v, "", nil
	}
	markerHeaders := map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": v.VersionID}
	if named {
		markerHeaders["Allow"] = "DELETE"
		e := s3err.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
			With("Method", req.HTTP.Method).With("ResourceType", "DeleteMarker")
		e.Header = markerHeaders
		return nil, "", e
	}
	e := errNoSuchKey(req.Key)
	e.Header = markerHeaders
	return nil, "", e
}

// getObject answers GetObject and HeadObject. The version is looked up
// once, shared with the store (read only); its body is streamed from the
// store (a stored version's bytes never change), holding no lock while the
// client reads.
func (h *Handler) getObject(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	v, reportedID, serr := h.findVersion(req, h.store.ViewObject)
	if serr != nil {
		if serr.Code == "NoSuchKey" && req.Auth != nil && !req.Auth.Allow("ListObjects", "", "") {
			// S3 tells a caller that may not list the bucket nothing about
			// which keys exist: 403, not 404.
			serr = s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
		}
		return serr
	}
	if serr := checkReadSSE(r.Header, v); serr != nil {
		return serr
	}
	etag := quoteETag(v.ETag)
	switch status, cond := readCondition(r.Header, etag, v.LastModified); status {
	case http.StatusPreconditionFailed:
		return errPreconditionFailed(cond)
	case http.StatusNotModified:
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", v.LastModified.UTC().Format(http.TimeFormat))
		if reportedID != "" {
			w.Header().Set("x-amz-version-id", reportedID)
		}
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	sel, serr := selectBytes(req, v)
	if serr != nil {
		return serr
	}
	var body io.ReadCloser
	if r.Method == http.MethodGet && sel.length > 0 {
		var err error
		if body, err = h.store.Open(v, sel.start, sel.length); err != nil {
			return h.storeError(req, target{bucket: req.Bucket, key: req.Key, versionID: v.VersionID}, err)
		}
		defer body.Close()
	}
	wantChecksum := strings.EqualFold(reqHeader(r.Header, "X-Amz-Checksum-Mode"), "ENABLED") &&
		reqHeader(r.Header, "Range") == "" && !req.Query.Has("partNumber")
	writeVersionHeaders(w, v, etag, reportedID, wantChecksum)
	h.setExpiration(w, req, v)
	writeLockHeaders(w.Header(), v)
	writePartChecksum(w, req, v) // mpchecksum.go
	if len(req.Query) > 0 {
		for _, o := range responseOverrides {
			if s := req.Query.Get(o.param); s != "" {
				w.Header().Set(o.header, s)
			}
		}
	}
	if sel.contentRange != "" {
		w.Header().Set("Content-Range", sel.contentRange)
	}
	if sel.partsCount > 0 {
		w.Header().Set("x-amz-mp-parts-count", strconv.Itoa(sel.partsCount))
	}
	w.Header()[keyContentLength] = []string{strconv.FormatInt(sel.length, 10)}
	w.WriteHeader(sel.status)
	if body != nil {
		writeBody(w, body, &h.copyBufs)
	}
	return nil
}

// copyBufSize is the size of the buffers GET bodies stream through: one
// TLS record's worth of plaintext several times over, and the dir store's
// file reads at a size the kernel reads ahead well.
const copyBufSize = 128 << 10

// byteSelection is the part of a version a GET or HEAD sends.
type byteSelection struct {
	status        int // 200 or 206
	start, length int64
	contentRange  string // Content-Range for 206
	partsCount    int    // x-amz-mp-parts-count; 0 for none
}

// selectBytes resolves a Range header or ?partNumber against v as S3 does.
func selectBytes(req *Request, v *store.Version) (byteSelection, *s3err.Error) {
	r := req.HTTP
	size := v.Size
	whole := byteSelection{status: http.StatusOK, length: size}
	partial := func(start, end int64) byteSelection {
		return byteSelection{status: http.StatusPartialContent, start: start, length: end - start + 1,
			contentRange: "bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10) + "/" + strconv.FormatInt(size, 10)}
	}
	spec := reqHeader(r.Header, "Range")
	if !req.Query.Has("partNumber") {
		start, end, ranged, unsatisfiable := byteRange(spec, size)
		switch {
		case unsatisfiable:
			return byteSelection{}, s3err.New(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
				With("RangeRequested", spec).With("ActualObjectSize", strconv.FormatInt(size, 10))
		case ranged:
			return partial(start, end), nil
		}
		return whole, nil
	}
	n, serr := partNumber(req.Query)
	if serr != nil {
		return byteSelection{}, serr
	}
	if spec != "" {
		return byteSelection{}, s3err.New(http.StatusBadRequest, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	}
	count := max(len(v.Parts), 1)
	notSatisfiable := s3err.New(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").
		With("PartNumberRequested", strconv.Itoa(n)).With("ActualPartCount", strconv.Itoa(count))
	if v.Parts == nil {
		if n != 1 {
			return byteSelection{}, notSatisfiable
		}
		if size == 0 {
			return whole, nil
		}
		return partial(0, size-1), nil
	}
	var offset int64
	for _, p := range v.Parts {
		if p.Number == n {
			sel := partial(offset, offset+p.Size-1)
			if p.Size == 0 {
				sel = byteSelection{status: http.StatusPartialContent, start: offset}
			}
			sel.partsCount = len(v.Parts)
			return sel, nil
		}
		offset += p.Size
	}
	return byteSelection{}, notSatisfiable
}

// putObject answers PutObject: the body streams into the store, which
// computes its MD5 in the same pass.
func (h *Handler) putObject(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		return serr
	}
	b, err := h.store.ViewBucket(req.Bucket) // read only
	if err != nil {
		return err
	}
	if r.ContentLength < 0 && req.Post == nil {
		return errMissingContentLength()
	}
	wantMD5, serr := contentMD5(r.Header)
	if serr != nil {
		return serr
	}
	meta, serr := objectMeta(r.Header)
	if serr != nil {
		return serr
	}
	if err := h.writeOwnership(req, &meta); err != nil {
		return err
	}
	if serr := h.lockOnWrite(req, &meta); serr != nil {
		return serr
	}
	sse, err := writeSSE(r, b, req.Account)
	if err != nil {
		return err
	}
	sse.apply(&meta)
	cond, serr := writeCheck(r.Header, req.Key)
	if serr != nil {
		return serr
	}
	// Once the body is stored: its MD5 (computed by the store in the same
	// pass) against Content-MD5, and the checksum the emulator verified —
	// an aws-chunked trailer is known only now. The condition runs in the
	// write's transaction.
	finish := func(v *store.Version) error {
		if serr := verifyMD5(v.ETag, wantMD5); serr != nil {
			return serr
		}
		if c := bodyChecksum(req); c.Algorithm != "" {
			if c.Type == "" {
				c.Type = checksumFullObject // a single PUT's checksum is of the whole object
			}
			v.Checksum = c
		}
		if serr := lockNeedsDigest(req, v); serr != nil {
			return serr
		}
		return nil
	}
	v, err := h.store.PutObject(r.Context(), req.Bucket, req.Key,
		store.PutInput{Meta: meta, Body: requestBody{r.Body}, Size: r.ContentLength, Check: cond, Finish: finish})
	if err != nil {
		return err
	}
	hdr := w.Header()
	var slots headerSlots
	slots.set(hdr, keyETag, quoteETag(v.ETag))
	if v.VersionID != store.NullVersionID {
		slots.set(hdr, keyVersionID, v.VersionID)
	}
	if c := v.Checksum; c.Algorithm != "" {
		hdr.Set(checksumPrefix+c.Algorithm, c.Value)
		slots.set(hdr, keyChecksumType, c.Type)
	}
	writeSSEHeaders(hdr, v.ObjectMeta, true)
	h.setExpiration(w, req, v)
	slots.set(hdr, keyContentLength, "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// byteRange resolves a Range header against an object's size as S3 does:
// a single "bytes=first-last", "bytes=first-" or "bytes=-suffix" range;
// anything S3 cannot parse (other units, several ranges, white space as in
// "bytes= -1", last < first) is ignored and the whole object returned.
// ok is false for no range; unsatisfiable is true when the range starts
// beyond the object or is the empty suffix "bytes=-0". A non-empty suffix
// of an empty object is, like S3, no range at all (200, whole object).
func byteRange(spec string, size int64) (start, end int64, ok, unsatisfiable bool) {
	rest, found := strings.CutPrefix(spec, "bytes=")
	if !found || strings.ContainsAny(rest, ", \t") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false, false
	}
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
		if n == 0 {
			return 0, 0, true, true
		}
		if size == 0 {
			return 0, 0, false, false
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
