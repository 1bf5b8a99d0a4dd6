package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/store"
)

// S3's multipart limits.
const (
	multipartMinPartSize = 5 << 20
	multipartMaxParts    = 10000
	// multipartMaxCompleteXML bounds a CompleteMultipartUpload body: 10000
	// parts of well under 200 bytes each.
	multipartMaxCompleteXML = 2 << 20
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

func errInvalidPart(uploadID string, number int, etag string) *Error {
	e := &Error{Status: http.StatusBadRequest, Code: "InvalidPart",
		Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
		Extra:   []ExtraElement{elem("UploadId", uploadID), elem("PartNumber", strconv.Itoa(number))}}
	if etag != "" {
		e.Extra = append(e.Extra, elem("ETag", etag))
	}
	return e
}

// uploadRejected carries an S3 error out of a CompleteInput.Check (the
// store returns the check's error as is).
type uploadRejected struct{ e *Error }

func (r uploadRejected) Error() string { return "s3api: " + r.e.Code + ": " + r.e.Message }

// uploadError is S3's error for a store error about an upload of
// bucket/key.
func uploadError(err error, bucket, key, uploadID string) *Error {
	var rej uploadRejected
	switch {
	case errors.As(err, &rej):
		return rej.e
	case errors.Is(err, store.ErrNoSuchBucket):
		return errNoSuchBucket(bucket)
	case errors.Is(err, store.ErrNoSuchUpload):
		return errNoSuchUpload(uploadID)
	case errors.Is(err, store.ErrNoSuchKey):
		return errNoSuchKey(key)
	case errors.Is(err, store.ErrInvalidPart):
		return errInvalidPart(uploadID, 0, "")
	case errors.Is(err, store.ErrIncompleteBody):
		return BodyReadError(err)
	}
	return errInternal()
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

// multipartETag is S3's ETag of an object completed from parts (without
// quotes): the MD5 of the parts' binary MD5s, "-" and the part count.
func multipartETag(parts []*store.Part) (string, error) {
	h := md5.New()
	for _, p := range parts {
		sum, err := hex.DecodeString(p.ETag)
		if err != nil || len(sum) != md5.Size {
			return "", fmt.Errorf("s3api: part %d has ETag %q, not an MD5", p.Number, p.ETag)
		}
		h.Write(sum)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// uploadMeta is what a CreateMultipartUpload request sets on the object it
// will complete: user metadata (MetadataTooLarge past S3's limit), the
// standard and x-amz-* headers S3 keeps, the storage class, the tags of
// x-amz-tagging and the checksum algorithm and type the parts use.
func uploadMeta(hdr http.Header) (store.ObjectMeta, *Error) {
	var meta store.ObjectMeta
	size := 0
	for k, v := range hdr {
		name, ok := strings.CutPrefix(http.CanonicalHeaderKey(k), "X-Amz-Meta-")
		if !ok || name == "" || len(v) == 0 {
			continue
		}
		size += len(name) + len(v[0])
		if meta.Metadata == nil {
			meta.Metadata = map[string]string{}
		}
		meta.Metadata[strings.ToLower(name)] = v[0]
	}
	if size > maxUserMetadata {
		return meta, &Error{Status: http.StatusBadRequest, Code: "MetadataTooLarge",
			Message: "Your metadata headers exceed the maximum allowed metadata size.",
			Extra:   []ExtraElement{elem("Size", strconv.Itoa(size)), elem("MaxSizeAllowed", strconv.Itoa(maxUserMetadata))}}
	}
	meta.Headers = map[string]string{"Content-Type": "binary/octet-stream"}
	for _, names := range [][]string{objectStandardHeaders, objectAmzHeaders} {
		for _, k := range names {
			if v, ok := hdr[k]; ok && len(v) > 0 && k != "X-Amz-Storage-Class" {
				meta.Headers[k] = v[0]
			}
		}
	}
	meta.StorageClass = hdr.Get("X-Amz-Storage-Class")
	meta.Checksum = store.Checksum{Algorithm: strings.ToUpper(hdr.Get("X-Amz-Checksum-Algorithm")), Type: hdr.Get("X-Amz-Checksum-Type")}
	if vs, ok := hdr["X-Amz-Tagging"]; ok {
		tags, serr := parseTaggingHeader(vs[0])
		if serr != nil {
			return meta, serr
		}
		for _, t := range tags {
			meta.Tags = append(meta.Tags, store.Tag{Key: t.Key, Value: t.Value})
		}
	}
	return meta, nil
}

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
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, ""))
		return
	}
	meta, serr := uploadMeta(r.Header)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	meta.Owner = req.OwnerID
	u, err := h.store.CreateUpload(req.Bucket, req.Key, meta)
	if err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, ""))
		return
	}
	w.Header().Set("x-amz-server-side-encryption", sseOf(meta.Headers))
	WriteXML(w, r, multipartInitiateResult{Xmlns: s3Namespace, Bucket: req.Bucket, Key: req.Key, UploadID: u.ID})
}

// sseOf is the server-side encryption S3 reports for stored headers: the
// requested one, else AES256 (S3 encrypts every object by default).
func sseOf(headers map[string]string) string {
	if v := headers["X-Amz-Server-Side-Encryption"]; v != "" {
		return v
	}
	return "AES256"
}

func (h *Handler) uploadPart(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	number, serr := multipartPartNumber(req.Query)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	if r.ContentLength < 0 {
		WriteError(w, r, &Error{Status: http.StatusLengthRequired, Code: "MissingContentLength",
			Message: "You must provide the Content-Length HTTP header."})
		return
	}
	wantMD5, serr := contentMD5(r.Header)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	uploadID := req.Query.Get("uploadId")
	body := &bodyReader{r: r.Body}
	p, err := h.store.PutPartInput(r.Context(), req.Bucket, req.Key, uploadID, number, store.PartInput{Body: body, Size: r.ContentLength,
		Finish: func(p *store.Part) error {
			if serr := verifyMD5(p.ETag, wantMD5); serr != nil {
				return uploadRejected{serr}
			}
			p.Checksum = bodyChecksum(req)
			p.Checksum.Type = ""
			return nil
		}})
	if err != nil {
		if body.err != nil && !errors.As(err, new(uploadRejected)) {
			WriteError(w, r, BodyReadError(body.err))
			return
		}
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
		return
	}
	w.Header().Set("ETag", `"`+p.ETag+`"`)
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) abortMultipartUpload(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	uploadID := req.Query.Get("uploadId")
	if err := h.store.AbortUpload(req.Bucket, req.Key, uploadID); err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
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

// completeCheck reads CompleteMultipartUpload's conditional headers
// (If-None-Match: *, If-Match) into a check the store runs in the
// completion's own transaction, so no write comes between the check and
// the completion. nil without such headers; NotImplemented for an
// If-None-Match other than "*".
func completeCheck(hdr http.Header, key string) (func(*store.Version) error, *Error) {
	ifMatch, ifNoneMatch := hdr.Get("If-Match"), hdr.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil, nil
	}
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return nil, &Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented",
			Extra:   []ExtraElement{elem("Header", "If-None-Match")}}
	}
	return func(cur *store.Version) error {
		exists := cur != nil && !cur.DeleteMarker
		switch {
		case ifNoneMatch == "*" && exists:
			return uploadRejected{errPreconditionFailed("If-None-Match")}
		case ifMatch != "" && !exists:
			return uploadRejected{errNoSuchKey(key)}
		case ifMatch != "" && !etagListMatches(ifMatch, cur.ETag):
			return uploadRejected{errPreconditionFailed("If-Match")}
		}
		return nil
	}, nil
}

// completeParts checks a CompleteMultipartUpload's part list against the
// uploaded parts as S3 does — ascending numbers (InvalidPartOrder), each
// uploaded with that ETag (InvalidPart), every part but the last at least
// 5 MiB (EntityTooSmall) — and returns the listed parts.
func completeParts(in multipartCompleteRequest, uploaded []*store.Part, uploadID string) ([]*store.Part, *Error) {
	byNumber := make(map[int]*store.Part, len(uploaded))
	for _, p := range uploaded {
		byNumber[p.Number] = p
	}
	numbers := make([]int, len(in.Parts))
	for i, p := range in.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			return nil, errMalformedXML()
		}
		numbers[i] = n
	}
	listed := make([]*store.Part, len(in.Parts))
	for i, p := range in.Parts {
		if i > 0 && numbers[i] <= numbers[i-1] {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidPartOrder",
				Message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
				Extra:   []ExtraElement{elem("UploadId", uploadID)}}
		}
		etag := strings.Trim(strings.TrimSpace(p.ETag), `"`)
		up, ok := byNumber[numbers[i]]
		if !ok || etag != up.ETag {
			return nil, errInvalidPart(uploadID, numbers[i], etag)
		}
		listed[i] = up
	}
	for _, up := range listed[:len(listed)-1] {
		if up.Size < multipartMinPartSize {
			return nil, &Error{Status: http.StatusBadRequest, Code: "EntityTooSmall",
				Message: "Your proposed upload is smaller than the minimum allowed size",
				Extra: []ExtraElement{elem("ProposedSize", strconv.FormatInt(up.Size, 10)),
					elem("MinSizeAllowed", strconv.Itoa(multipartMinPartSize)),
					elem("PartNumber", strconv.Itoa(up.Number)), elem("ETag", up.ETag)}}
		}
	}
	return listed, nil
}

func (h *Handler) completeMultipartUpload(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	uploadID := req.Query.Get("uploadId")
	uploaded, err := h.store.Parts(req.Bucket, req.Key, uploadID)
	if err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
		return
	}
	var in multipartCompleteRequest
	if err := xml.NewDecoder(io.LimitReader(r.Body, multipartMaxCompleteXML)).Decode(&in); err != nil || len(in.Parts) == 0 {
		WriteError(w, r, errMalformedXML())
		return
	}
	listed, serr := completeParts(in, uploaded, uploadID)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	check, serr := completeCheck(r.Header, req.Key)
	if serr != nil {
		WriteError(w, r, serr)
		return
	}
	etag, err := multipartETag(listed)
	if err != nil {
		WriteError(w, r, errInternal())
		return
	}
	done := store.CompleteInput{ETag: etag, Check: check, Parts: make([]store.CompletedPart, len(listed))}
	for i, p := range listed {
		done.Parts[i] = store.CompletedPart{Number: p.Number, ETag: p.ETag}
	}
	v, err := h.store.CompleteUpload(req.Bucket, req.Key, uploadID, done)
	if err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v.VersionID != store.NullVersionID {
		w.Header().Set("x-amz-version-id", v.VersionID)
	}
	w.Header().Set("x-amz-server-side-encryption", sseOf(v.Headers))
	WriteXML(w, r, multipartCompleteResult{Xmlns: s3Namespace, Location: scheme + "://" + r.Host + "/" + req.Bucket + "/" + req.Key,
		Bucket: req.Bucket, Key: req.Key, ETag: `"` + v.ETag + `"`})
}

type multipartOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// multipartPart is one part in a ListParts response.
type multipartPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
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
// exclusive and NextPartNumberMarker is the last part listed.
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
	u, err := h.store.Upload(req.Bucket, req.Key, uploadID)
	if err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
		return
	}
	parts, err := h.store.Parts(req.Bucket, req.Key, uploadID)
	if err != nil {
		WriteError(w, r, uploadError(err, req.Bucket, req.Key, uploadID))
		return
	}
	class := u.Meta.StorageClass
	if class == "" {
		class = "STANDARD"
	}
	owner := multipartOwner{ID: req.OwnerID, DisplayName: req.OwnerName}
	out := multipartListPartsResult{Xmlns: s3Namespace, Bucket: req.Bucket, Key: req.Key, UploadID: uploadID,
		PartNumberMarker: marker, MaxParts: maxParts, Initiator: owner, Owner: owner, StorageClass: class}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, multipartPart{PartNumber: p.Number, LastModified: s3Time(p.LastModified),
			ETag: `"` + p.ETag + `"`, Size: p.Size})
	}
	if n := len(out.Parts); n > 0 {
		out.NextPartNumberMarker = out.Parts[n-1].PartNumber
	}
	WriteXML(w, r, out)
}
