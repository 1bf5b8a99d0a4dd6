package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
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

// serveMultipart answers the multipart operations where gofakes3 differs
// from S3. gofakes3 keeps the uploads (in its own uploader, reached only
// through its handler); this area checks and rewrites around it:
// CompleteMultipartUpload enforces S3's part rules (EntityTooSmall,
// InvalidPart, InvalidPartOrder — gofakes3 never reports the last),
// conditional writes and replaces rather than merges metadata; ListParts
// paginates correctly; UploadPart validates the part number; errors get
// S3's shape. UploadPartCopy is in copy_part.go.
func (h *Handler) serveMultipart(w http.ResponseWriter, req *Request) bool {
	switch req.Op {
	case "CreateMultipartUpload":
		h.createMultipartUpload(w, req)
	case "UploadPart":
		h.uploadPart(w, req)
	case "CompleteMultipartUpload":
		h.completeMultipartUpload(w, req)
	case "AbortMultipartUpload":
		h.abortMultipartUpload(w, req)
	case "ListParts":
		h.listParts(w, req)
	default:
		return false
	}
	return true
}

// S3's multipart limits.
const (
	multipartMinPartSize = 5 << 20
	multipartMaxParts    = 10000
)

func errNoSuchUpload(uploadID string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchUpload",
		Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		Extra:   []ExtraElement{elem("UploadId", uploadID)}}
}

func errMalformedXML() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
		Message: "The XML you provided was not well-formed or did not validate against our published schema"}
}

// multipartPartNumber reads ?partNumber as S3 requires it (1 to 10000).
func multipartPartNumber(q url.Values) (int, *Error) {
	v := q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > multipartMaxParts {
		return 0, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
			Message: "Part number must be an integer between 1 and 10000, inclusive",
			Extra:   []ExtraElement{elem("ArgumentName", "partNumber"), elem("ArgumentValue", v)}}
	}
	return n, nil
}

// multipartRecorder records a response of gofakes3's handler.
type multipartRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (m *multipartRecorder) Header() http.Header { return m.header }
func (m *multipartRecorder) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return m.body.Write(b)
}
func (m *multipartRecorder) WriteHeader(status int) {
	if m.status == 0 {
		m.status = status
	}
}

// code returns the S3 error code of a failed response ("" when it
// succeeded).
func (m *multipartRecorder) code() string {
	if m.status < 300 {
		return ""
	}
	var e struct{ Code string }
	if xml.Unmarshal(m.body.Bytes(), &e) != nil || e.Code == "" {
		return "InternalError"
	}
	return e.Code
}

// multipartFake sends one path-style request to gofakes3 and records the
// answer. orig lends its context, host and TLS state (gofakes3 builds
// Location from them).
func (h *Handler) multipartFake(orig *http.Request, method, bucket, key string, q url.Values, hdr http.Header, body []byte) *multipartRecorder {
	u := &url.URL{Path: "/" + bucket + "/" + key, RawQuery: q.Encode()}
	r, err := http.NewRequestWithContext(orig.Context(), method, u.String(), bytes.NewReader(body))
	rec := &multipartRecorder{header: http.Header{}}
	if err != nil {
		rec.status = http.StatusInternalServerError
		return rec
	}
	r.URL.Path = u.Path // exactly the key, whatever its characters
	r.Host, r.TLS = orig.Host, orig.TLS
	if hdr != nil {
		r.Header = hdr
	}
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	h.fake.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec
}

// multipartFakeError turns a failed gofakes3 answer into S3's error.
func multipartFakeError(rec *multipartRecorder, bucket, key, uploadID string) *Error {
	switch code := rec.code(); code {
	case "NoSuchUpload":
		return errNoSuchUpload(uploadID)
	case "NoSuchBucket":
		return errNoSuchBucket(bucket)
	case "NoSuchKey":
		return errNoSuchKey(key)
	case "InternalError":
		return errInternal()
	default:
		var e struct{ Message string }
		xml.Unmarshal(rec.body.Bytes(), &e)
		return &Error{Status: rec.status, Code: code, Message: e.Message}
	}
}

// multipartPart is one uploaded part.
type multipartPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

// multipartParts lists every part of an upload in part-number order.
// gofakes3's ListParts numbers parts from the marker (part-number-marker m
// lists parts from m on, numbered from 0), so pages are renumbered here.
func (h *Handler) multipartParts(orig *http.Request, bucket, key, uploadID string) ([]multipartPart, *Error) {
	var parts []multipartPart
	marker := 0
	for {
		q := url.Values{"uploadId": {uploadID}, "max-parts": {"1000"}}
		if marker > 0 {
			q.Set("part-number-marker", strconv.Itoa(marker))
		}
		rec := h.multipartFake(orig, http.MethodGet, bucket, key, q, nil, nil)
		if rec.status != http.StatusOK {
			return nil, multipartFakeError(rec, bucket, key, uploadID)
		}
		var page struct {
			IsTruncated bool
			Parts       []multipartPart `xml:"Part"`
		}
		if err := xml.Unmarshal(rec.body.Bytes(), &page); err != nil {
			return nil, errInternal()
		}
		for _, p := range page.Parts {
			p.PartNumber += marker
			if t, err := time.Parse(time.RFC3339Nano, p.LastModified); err == nil {
				p.LastModified = s3Time(t)
			}
			parts = append(parts, p)
		}
		if !page.IsTruncated || len(page.Parts) == 0 {
			return parts, nil
		}
		marker = parts[len(parts)-1].PartNumber + 1
	}
}

// multipartSmuggled are object headers gofakes3's CreateMultipartUpload
// drops (it keeps only x-amz-* and three standard headers); they travel
// through it renamed and are restored at CompleteMultipartUpload.
var multipartSmuggled = []string{"Cache-Control", "Content-Language", "Expires"}

const multipartSmugglePrefix = "X-Amz-S3compat-"

type multipartInitiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (h *Handler) createMultipartUpload(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		WriteError(w, r, serr)
		return
	}
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	if v := r.Header.Get("X-Amz-Tagging"); v != "" {
		if _, serr := parseTaggingHeader(v); serr != nil {
			WriteError(w, r, serr)
			return
		}
	}
	hdr := r.Header.Clone()
	for _, k := range multipartSmuggled {
		if v, ok := hdr[k]; ok {
			hdr[multipartSmugglePrefix+k] = v
		}
	}
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "binary/octet-stream")
	}
	rec := h.multipartFake(r, http.MethodPost, req.Bucket, req.Key, url.Values{"uploads": {""}}, hdr, nil)
	if rec.status != http.StatusOK {
		WriteError(w, r, multipartFakeError(rec, req.Bucket, req.Key, ""))
		return
	}
	var out multipartInitiateResult
	if err := xml.Unmarshal(rec.body.Bytes(), &out); err != nil {
		WriteError(w, r, errInternal())
		return
	}
	out.Xmlns = s3Namespace
	if v := r.Header.Get("X-Amz-Server-Side-Encryption"); v != "" {
		w.Header().Set("x-amz-server-side-encryption", v)
	} else {
		w.Header().Set("x-amz-server-side-encryption", "AES256")
	}
	WriteXML(w, r, out)
}

func (h *Handler) uploadPart(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := req.Query
	if _, serr := multipartPartNumber(q); serr != nil {
		WriteError(w, r, serr)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		WriteError(w, r, BodyReadError(err))
		return
	}
	if serr := multipartCheckMD5(r.Header, body); serr != nil {
		WriteError(w, r, serr)
		return
	}
	hdr := r.Header.Clone()
	hdr.Del("Content-Md5") // checked above
	etag, serr := h.multipartPutPart(r, req.Bucket, req.Key, q, hdr, body)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// multipartPutPart stores body as a part through gofakes3 and returns its
// ETag.
func (h *Handler) multipartPutPart(orig *http.Request, bucket, key string, q url.Values, hdr http.Header, body []byte) (string, *Error) {
	uploadID := q.Get("uploadId")
	if ok, err := h.backend.BucketExists(bucket); err != nil || !ok {
		return "", errNoSuchBucket(bucket)
	}
	if len(body) == 0 {
		// gofakes3 refuses empty parts (MissingContentLength); S3 takes
		// them. Check the upload at least, so that a wrong ID is reported.
		if _, serr := h.multipartParts(orig, bucket, key, uploadID); serr != nil {
			return "", serr
		}
	}
	fq := url.Values{"uploadId": {uploadID}, "partNumber": {q.Get("partNumber")}}
	rec := h.multipartFake(orig, http.MethodPut, bucket, key, fq, hdr, body)
	if rec.status != http.StatusOK {
		return "", multipartFakeError(rec, bucket, key, uploadID)
	}
	return rec.header.Get("ETag"), nil
}

func (h *Handler) abortMultipartUpload(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	uploadID := req.Query.Get("uploadId")
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	rec := h.multipartFake(r, http.MethodDelete, req.Bucket, req.Key, url.Values{"uploadId": {uploadID}}, nil, nil)
	if rec.status >= 300 {
		WriteError(w, r, multipartFakeError(rec, req.Bucket, req.Key, uploadID))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// multipartCompleteRequest is CompleteMultipartUpload's body.
type multipartCompleteRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber string `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type multipartCompleteResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

func (h *Handler) completeMultipartUpload(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	uploadID := req.Query.Get("uploadId")
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	uploaded, serr := h.multipartParts(r, req.Bucket, req.Key, uploadID)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		WriteError(w, r, errMalformedXML())
		return
	}
	var in multipartCompleteRequest
	if err := xml.Unmarshal(raw, &in); err != nil || len(in.Parts) == 0 {
		WriteError(w, r, errMalformedXML())
		return
	}
	byNumber := make(map[int]multipartPart, len(uploaded))
	for _, p := range uploaded {
		byNumber[p.PartNumber] = p
	}
	numbers := make([]int, len(in.Parts))
	for i, p := range in.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			WriteError(w, r, errMalformedXML())
			return
		}
		numbers[i] = n
	}
	for i, p := range in.Parts {
		if i > 0 && numbers[i] <= numbers[i-1] {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidPartOrder",
				Message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
				Extra:   []ExtraElement{elem("UploadId", uploadID)}})
			return
		}
		up, ok := byNumber[numbers[i]]
		if !ok || strings.Trim(strings.TrimSpace(p.ETag), `"`) != strings.Trim(up.ETag, `"`) {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidPart",
				Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
				Extra: []ExtraElement{elem("UploadId", uploadID), elem("PartNumber", strconv.Itoa(numbers[i])),
					elem("ETag", strings.Trim(strings.TrimSpace(p.ETag), `"`))}})
			return
		}
	}
	for i := range len(in.Parts) - 1 {
		if up := byNumber[numbers[i]]; up.Size < multipartMinPartSize {
			WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "EntityTooSmall",
				Message: "Your proposed upload is smaller than the minimum allowed size",
				Extra: []ExtraElement{elem("ProposedSize", strconv.FormatInt(up.Size, 10)),
					elem("MinSizeAllowed", strconv.Itoa(multipartMinPartSize)),
					elem("PartNumber", strconv.Itoa(numbers[i])), elem("ETag", strings.Trim(up.ETag, `"`))}})
			return
		}
	}
	if serr := h.writeCondition(r.Header, req.Bucket, req.Key); serr != nil {
		WriteError(w, r, serr)
		return
	}

	// gofakes3 assembles the object (with S3's multipart ETag) and stores
	// it, merging an existing object's metadata into the upload's; the
	// metadata is then replaced by exactly the upload's.
	out := struct {
		XMLName xml.Name                 `xml:"CompleteMultipartUpload"`
		Parts   []gofakes3.CompletedPart `xml:"Part"`
	}{}
	for i := range in.Parts {
		out.Parts = append(out.Parts, gofakes3.CompletedPart{PartNumber: numbers[i], ETag: byNumber[numbers[i]].ETag})
	}
	body, _ := xml.Marshal(out)
	marker, serr := h.multipartClear(req.Bucket, req.Key)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	body = bytes.ReplaceAll(body, []byte("<CompletedPart>"), []byte("<Part>"))
	body = bytes.ReplaceAll(body, []byte("</CompletedPart>"), []byte("</Part>"))
	rec := h.multipartFake(r, http.MethodPost, req.Bucket, req.Key, url.Values{"uploadId": {uploadID}}, http.Header{}, body)
	if rec.status != http.StatusOK {
		WriteError(w, r, multipartFakeError(rec, req.Bucket, req.Key, uploadID))
		return
	}
	var res multipartCompleteResult
	if err := xml.Unmarshal(rec.body.Bytes(), &res); err != nil {
		WriteError(w, r, errInternal())
		return
	}
	versionID := rec.header.Get("x-amz-version-id")
	if newVersion, serr := h.multipartFinish(req.Bucket, req.Key, gofakes3.VersionID(versionID), marker); serr != nil {
		WriteError(w, r, serr)
		return
	} else if newVersion != "" {
		versionID = string(newVersion)
	}
	res.Xmlns = s3Namespace
	// HEAD, GET and listings must report the multipart ETag too, not the
	// MD5 of the assembled content that the backend keeps.
	if stored, err := h.backend.HeadObject(req.Bucket, req.Key); err == nil && res.ETag != "" {
		etag := res.ETag
		if !strings.HasPrefix(etag, `"`) {
			etag = `"` + etag + `"`
		}
		h.setETag(req.Bucket, req.Key, stored, etag)
	}
	if versionID != "" && h.versioning(req.Bucket) == gofakes3.VersioningEnabled {
		w.Header().Set("x-amz-version-id", versionID)
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	WriteXML(w, r, res)
}

// multipartObjectMeta is the metadata an upload's object keeps, from what
// gofakes3 stored (the CreateMultipartUpload request's headers, merged with
// any earlier object's metadata).
func multipartObjectMeta(stored map[string]string) map[string]string {
	meta := map[string]string{}
	for k, v := range stored {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case strings.HasPrefix(ck, "X-Amz-Meta-"), ck == "X-Amz-Acl", strings.HasPrefix(ck, "X-Amz-Grant-"),
			ck == "Last-Modified", ck == "Content-Type", ck == "Content-Disposition", ck == "Content-Encoding":
			meta[ck] = v
		case strings.HasPrefix(ck, multipartSmugglePrefix):
			meta[strings.TrimPrefix(ck, multipartSmugglePrefix)] = v
		default:
			for _, std := range copyRequestHeaders {
				if ck == std {
					meta[ck] = v
				}
			}
		}
	}
	return meta
}

// multipartClear removes the object at bucket/key before gofakes3 stores
// an upload there, so that the memory backend does not merge the old
// object's metadata into the new one. In a versioned bucket the delete
// marker this leaves is returned, to be removed once the new version is
// stored (leaving the history as S3 would).
func (h *Handler) multipartClear(bucket, key string) (gofakes3.VersionID, *Error) {
	existing, err := h.backend.HeadObject(bucket, key)
	if err != nil || existing.IsDeleteMarker {
		return "", nil
	}
	res, err := h.backend.DeleteObject(bucket, key)
	if err != nil {
		return "", backendError(err, bucket, key, "")
	}
	if res.IsDeleteMarker && h.versioning(bucket) == gofakes3.VersioningEnabled {
		return res.VersionID, nil
	}
	return "", nil
}

// multipartFinish completes what gofakes3 stored for an upload: it removes
// the delete marker multipartClear left, restores the headers gofakes3
// would have dropped (rewriting the object, and in a versioned bucket
// removing gofakes3's version so only one new version remains) and sets
// the tags of x-amz-tagging. It returns the object's new version ID when
// it rewrote it.
func (h *Handler) multipartFinish(bucket, key string, stored, marker gofakes3.VersionID) (gofakes3.VersionID, *Error) {
	vb, versioned := h.backend.(gofakes3.VersionedBackend)
	if marker != "" && versioned {
		if _, err := vb.DeleteObjectVersion(bucket, key, marker); err != nil {
			return "", backendError(err, bucket, key, string(marker))
		}
	}
	obj, err := h.backend.GetObject(bucket, key, nil)
	if err != nil {
		return "", backendError(err, bucket, key, "")
	}
	defer obj.Contents.Close()
	var newVersion gofakes3.VersionID
	smuggled := false
	for k := range obj.Metadata {
		smuggled = smuggled || strings.HasPrefix(http.CanonicalHeaderKey(k), multipartSmugglePrefix)
	}
	if smuggled {
		body, err := io.ReadAll(obj.Contents)
		if err != nil {
			return "", errInternal()
		}
		res, serr := h.copyStore(bucket, key, multipartObjectMeta(obj.Metadata), body)
		if serr != nil {
			return "", serr
		}
		if stored != "" && res.VersionID != "" && res.VersionID != stored && versioned &&
			h.versioning(bucket) == gofakes3.VersioningEnabled {
			if _, err := vb.DeleteObjectVersion(bucket, key, stored); err != nil {
				return "", backendError(err, bucket, key, string(stored))
			}
			newVersion = res.VersionID
		}
	}
	status := h.versioning(bucket)
	if cur, err := h.backend.HeadObject(bucket, key); err == nil {
		var tags []objTag
		if v := obj.Metadata["X-Amz-Tagging"]; v != "" {
			tags, _ = parseTaggingHeader(v)
		}
		h.setTags(bucket, key, cur, tags, status != gofakes3.VersioningEnabled)
	}
	return newVersion, nil
}

type multipartOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type multipartListPartsResult struct {
	XMLName              xml.Name        `xml:"ListPartsResult"`
	Xmlns                string          `xml:"xmlns,attr"`
	Bucket               string          `xml:"Bucket"`
	Key                  string          `xml:"Key"`
	UploadID             string          `xml:"UploadId"`
	PartNumberMarker     int             `xml:"PartNumberMarker"`
	NextPartNumberMarker int             `xml:"NextPartNumberMarker"`
	MaxParts             int             `xml:"MaxParts"`
	IsTruncated          bool            `xml:"IsTruncated"`
	Parts                []multipartPart `xml:"Part"`
	Initiator            multipartOwner  `xml:"Initiator"`
	Owner                multipartOwner  `xml:"Owner"`
	StorageClass         string          `xml:"StorageClass"`
}

// listParts answers ListParts with S3's pagination: part-number-marker is
// exclusive and NextPartNumberMarker is the last part listed (gofakes3
// renumbers parts after a marker and can panic past the last part).
func (h *Handler) listParts(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	q := req.Query
	uploadID := q.Get("uploadId")
	intArg := func(name string, def int) (int, *Error) {
		v, ok := q[name]
		if !ok {
			return def, nil
		}
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return 0, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
				Message: "Provided " + name + " not an integer or within integer range",
				Extra:   []ExtraElement{elem("ArgumentName", name), elem("ArgumentValue", v[0])}}
		}
		return n, nil
	}
	maxParts, serr := intArg("max-parts", 1000)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	marker, serr := intArg("part-number-marker", 0)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	maxParts = min(maxParts, 1000)
	if ok, err := h.backend.BucketExists(req.Bucket); err != nil || !ok {
		WriteError(w, r, errNoSuchBucket(req.Bucket))
		return
	}
	parts, serr := h.multipartParts(r, req.Bucket, req.Key, uploadID)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	owner := multipartOwner{ID: req.OwnerID, DisplayName: req.OwnerName}
	out := multipartListPartsResult{Xmlns: s3Namespace, Bucket: req.Bucket, Key: req.Key, UploadID: uploadID,
		PartNumberMarker: marker, MaxParts: maxParts, Initiator: owner, Owner: owner, StorageClass: "STANDARD"}
	for _, p := range parts {
		if p.PartNumber <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, p)
	}
	if n := len(out.Parts); n > 0 {
		out.NextPartNumberMarker = out.Parts[n-1].PartNumber
	}
	WriteXML(w, r, out)
}

// multipartCheckMD5 checks a part's Content-MD5 header as S3 does.
func multipartCheckMD5(hdr http.Header, body []byte) *Error {
	vs, ok := hdr["Content-Md5"]
	if !ok {
		return nil
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(vs[0]))
	if err != nil || len(want) != md5.Size {
		return &Error{Status: http.StatusBadRequest, Code: "InvalidDigest", Message: "The Content-MD5 you specified was invalid.",
			Extra: []ExtraElement{elem("Content-MD5", vs[0])}}
	}
	if sum := md5.Sum(body); !bytes.Equal(want, sum[:]) {
		return &Error{Status: http.StatusBadRequest, Code: "BadDigest", Message: "The Content-MD5 you specified did not match what we received.",
			Extra: []ExtraElement{elem("ExpectedDigest", hex.EncodeToString(want)), elem("CalculatedDigest", base64.StdEncoding.EncodeToString(sum[:]))}}
	}
	return nil
}
