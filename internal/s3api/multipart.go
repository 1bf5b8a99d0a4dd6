package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// S3's multipart limits.
const (
	minPartSize   = 5 << 20
	maxPartNumber = 10000
)

// partNumber reads ?partNumber as S3 requires it (1 to 10000).
func partNumber(q url.Values) (int, *s3err.Error) {
	v := q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber").With("ArgumentValue", v)
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

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// createMultipartUpload answers CreateMultipartUpload: the upload keeps
// what the object it completes will have (see objectMeta) and the
// checksum algorithm and type its parts use.
func (h *Handler) createMultipartUpload(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	if serr := checkKeyLength(req.Key); serr != nil {
		return serr
	}
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	meta, serr := objectMeta(r.Header)
	if serr != nil {
		return serr
	}
	sse, err := writeSSE(r, b, req.Account)
	if err != nil {
		return err
	}
	sse.apply(&meta)
	if meta.Checksum, serr = uploadChecksum(r.Header); serr != nil {
		return serr
	}
	if err := h.writeOwnership(req, &meta); err != nil {
		return err
	}
	if serr := h.lockOnWrite(req, &meta); serr != nil {
		return serr
	}
	u, err := h.store.CreateUpload(req.Bucket, req.Key, meta)
	if err != nil {
		return err
	}
	writeSSEHeaders(w.Header(), meta, true)
	if c := meta.Checksum; c.Algorithm != "" {
		w.Header().Set("x-amz-checksum-algorithm", c.Algorithm)
		w.Header().Set("x-amz-checksum-type", c.Type)
	}
	return writeXML(w, r, initiateResult{Xmlns: xmlns, Bucket: req.Bucket, Key: req.Key, UploadID: u.ID})
}

// uploadPart answers UploadPart: the body streams into the store as the
// part, its MD5 checked against Content-MD5 once stored, and its
// checksum, which must be of the upload's algorithm, kept and echoed.
func (h *Handler) uploadPart(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	number, serr := partNumber(req.Query)
	if serr != nil {
		return serr
	}
	if r.ContentLength < 0 {
		return errMissingContentLength()
	}
	wantMD5, serr := contentMD5(r.Header)
	if serr != nil {
		return serr
	}
	uploadID := req.Query.Get("uploadId")
	u, err := h.store.Upload(req.Bucket, req.Key, uploadID)
	if err != nil {
		return err
	}
	if serr := checkCustomerKey(r.Header, "", u.Meta, true); serr != nil {
		return serr
	}
	crc := newPartCRC(u.Meta.Checksum)
	p, err := h.store.PutPartInput(r.Context(), req.Bucket, req.Key, uploadID, number, store.PartInput{Body: crc.reader(requestBody{r.Body}), Size: r.ContentLength,
		Finish: func(p *store.Part) error {
			if serr := verifyMD5(p.ETag, wantMD5); serr != nil {
				return serr
			}
			p.Checksum = bodyChecksum(req)
			p.Checksum.Type = ""
			if serr := checkPartChecksum(u.Meta.Checksum, p.Checksum); serr != nil {
				return serr
			}
			crc.fill(&p.Checksum)
			return nil
		}})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(p.ETag))
	if c := p.Checksum; c.Algorithm != "" {
		w.Header().Set(checksumPrefix+c.Algorithm, c.Value)
	}
	writeSSEHeaders(w.Header(), u.Meta, false)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) abortMultipartUpload(w http.ResponseWriter, req *Request) error {
	if done, err := h.abortPrecondition(req); err != nil {
		return err
	} else if done {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := h.store.AbortUpload(req.Bucket, req.Key, req.Query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// completeRequest is CompleteMultipartUpload's body.
type completeRequest struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []completedPart `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumElements
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// completeParts checks a CompleteMultipartUpload's part list against the
// uploaded parts as S3 does — ascending numbers (InvalidPartOrder), each
// uploaded with that ETag (InvalidPart), every part but the last at least
// 5 MiB (EntityTooSmall) — and returns the listed parts.
func completeParts(in completeRequest, uploaded []*store.Part, uploadID string) ([]*store.Part, *s3err.Error) {
	byNumber := make(map[int]*store.Part, len(uploaded))
	for _, p := range uploaded {
		byNumber[p.Number] = p
	}
	numbers := make([]int, len(in.Parts))
	for i, p := range in.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			return nil, s3err.MalformedXML()
		}
		numbers[i] = n
	}
	listed := make([]*store.Part, len(in.Parts))
	for i, p := range in.Parts {
		if i > 0 && numbers[i] <= numbers[i-1] {
			return nil, s3err.New(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.").
				With("UploadId", uploadID)
		}
		etag := strings.Trim(strings.TrimSpace(p.ETag), `"`)
		up, ok := byNumber[numbers[i]]
		if !ok || etag != up.ETag {
			e := errInvalidPart().With("UploadId", uploadID).With("PartNumber", strconv.Itoa(numbers[i]))
			if etag != "" {
				e.With("ETag", etag)
			}
			return nil, e
		}
		listed[i] = up
	}
	for _, up := range listed[:len(listed)-1] {
		if up.Size < minPartSize {
			return nil, s3err.New(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
				With("ProposedSize", strconv.FormatInt(up.Size, 10)).With("MinSizeAllowed", strconv.Itoa(minPartSize)).With("PartNumber", strconv.Itoa(up.Number)).With("ETag", up.ETag)
		}
	}
	return listed, nil
}

// completeMultipartUpload answers CompleteMultipartUpload: the listed
// parts become the object, in one store transaction with the request's
// conditions.
func (h *Handler) completeMultipartUpload(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	uploadID := req.Query.Get("uploadId")
	u, err := h.store.Upload(req.Bucket, req.Key, uploadID)
	var uploaded []*store.Part
	if err == nil {
		uploaded, err = h.store.Parts(req.Bucket, req.Key, uploadID)
	}
	if err != nil && !errors.Is(err, store.ErrNoSuchUpload) {
		return err
	}
	var in completeRequest
	if serr := readXML(r, maxDocument, &in); serr != nil {
		if err != nil {
			return err
		}
		return serr
	}
	if err != nil {
		// S3 answers a repeated request for an upload it just completed
		// as it answered the first.
		if v := h.completedBefore(req, in); v != nil {
			return h.writeCompleteResult(w, req, v)
		}
		return err
	}
	if serr := checkCustomerKey(r.Header, "", u.Meta, true); serr != nil {
		return serr
	}
	if len(in.Parts) == 0 {
		return s3err.MalformedXML()
	}
	listed, serr := completeParts(in, uploaded, uploadID)
	if serr != nil {
		return serr
	}
	check, serr := writeCheck(r.Header, req.Key)
	if serr != nil {
		return serr
	}
	etag, err := multipartETag(listed)
	if err != nil {
		return err
	}
	sum, _ := objectChecksum(u.Meta.Checksum, listed)
	if serr := verifyCompleteChecksums(u.Meta.Checksum, sum, r.Header, in.Parts, listed, uploadID); serr != nil {
		return serr
	}
	done := store.CompleteInput{ETag: etag, Checksum: sum, Check: check, Parts: make([]store.CompletedPart, len(listed))}
	for i, p := range listed {
		done.Parts[i] = store.CompletedPart{Number: p.Number, ETag: p.ETag}
	}
	v, err := h.store.CompleteUpload(req.Bucket, req.Key, uploadID, done)
	if err != nil {
		return err
	}
	return h.writeCompleteResult(w, req, v)
}

// completedBefore is the key's current version when it is the object a
// CompleteMultipartUpload with this part list made (same part numbers and
// ETags); nil otherwise.
func (h *Handler) completedBefore(req *Request, in completeRequest) *store.Version {
	v, err := h.store.Object(req.Bucket, req.Key, "")
	if err != nil || v.DeleteMarker || len(v.Parts) == 0 || len(v.Parts) != len(in.Parts) {
		return nil
	}
	for i, p := range in.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil || n != v.Parts[i].Number || strings.Trim(strings.TrimSpace(p.ETag), `"`) != v.Parts[i].ETag {
			return nil
		}
	}
	return v
}

// writeCompleteResult answers a CompleteMultipartUpload that made v.
func (h *Handler) writeCompleteResult(w http.ResponseWriter, req *Request, v *store.Version) error {
	r := req.HTTP
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v.VersionID != store.NullVersionID {
		w.Header().Set("x-amz-version-id", v.VersionID)
	}
	writeSSEHeaders(w.Header(), v.ObjectMeta, false)
	h.setExpiration(w, req, v)
	return writeXML(w, r, completeResult{Xmlns: xmlns, Location: scheme + "://" + r.Host + "/" + req.Bucket + "/" + req.Key,
		Bucket: req.Bucket, Key: req.Key, ETag: quoteETag(v.ETag), checksumElements: checksumElementsOf(v.Checksum), ChecksumType: v.Checksum.Type})
}

// listedPart is one part in a ListParts response.
type listedPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumElements
}

type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	Xmlns                string       `xml:"xmlns,attr"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
	Initiator            owner        `xml:"Initiator"`
	Owner                owner        `xml:"Owner"`
	StorageClass         string       `xml:"StorageClass"`
	ChecksumAlgorithm    string       `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string       `xml:"ChecksumType,omitempty"`
}

// listParts answers ListParts with S3's pagination: part-number-marker is
// exclusive and NextPartNumberMarker is the last part listed.
func (h *Handler) listParts(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	q := req.Query
	uploadID := q.Get("uploadId")
	intArg := func(name string, def int) (int, *s3err.Error) {
		v, ok := q[name]
		if !ok {
			return def, nil
		}
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return 0, errInvalidArgument("Provided "+name+" not an integer or within integer range", name).With("ArgumentValue", v[0])
		}
		return n, nil
	}
	maxParts, serr := intArg("max-parts", 1000)
	if serr != nil {
		return serr
	}
	marker, serr := intArg("part-number-marker", 0)
	if serr != nil {
		return serr
	}
	maxParts = min(maxParts, 1000)
	u, err := h.store.Upload(req.Bucket, req.Key, uploadID)
	if err != nil {
		return err
	}
	parts, err := h.store.Parts(req.Bucket, req.Key, uploadID)
	if err != nil {
		return err
	}
	ownerOf, err := h.owners(req)
	if err != nil {
		return err
	}
	out := listPartsResult{Xmlns: xmlns, Bucket: req.Bucket, Key: req.Key, UploadID: uploadID,
		PartNumberMarker: marker, MaxParts: maxParts, Initiator: initiator(req, &u.Meta), Owner: ownerOf(&u.Meta), StorageClass: storageClass(u.Meta.StorageClass),
		ChecksumAlgorithm: u.Meta.Checksum.Algorithm, ChecksumType: u.Meta.Checksum.Type}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, listedPart{PartNumber: p.Number, LastModified: s3Time(p.LastModified),
			ETag: quoteETag(p.ETag), Size: p.Size, checksumElements: checksumElementsOf(p.Checksum)})
	}
	if n := len(out.Parts); n > 0 {
		out.NextPartNumberMarker = out.Parts[n-1].PartNumber
	}
	return writeXML(w, r, out)
}
