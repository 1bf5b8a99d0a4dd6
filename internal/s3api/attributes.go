package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// objectAttributeNames are the attributes x-amz-object-attributes may
// name, as S3 spells them.
var objectAttributeNames = []string{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

// checksumElements holds an object's or part's additional checksum as
// S3's documents carry it: one ChecksumALG element, set for the stored
// algorithm.
type checksumElements struct {
	CRC32     string `xml:"ChecksumCRC32,omitempty"`
	CRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	CRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	SHA1      string `xml:"ChecksumSHA1,omitempty"`
	SHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// checksumElementsOf fills the element of c's algorithm.
func checksumElementsOf(c store.Checksum) checksumElements {
	var e checksumElements
	switch c.Algorithm {
	case "CRC32":
		e.CRC32 = c.Value
	case "CRC32C":
		e.CRC32C = c.Value
	case "CRC64NVME":
		e.CRC64NVME = c.Value
	case "SHA1":
		e.SHA1 = c.Value
	case "SHA256":
		e.SHA256 = c.Value
	}
	return e
}

// attributesChecksum is GetObjectAttributes' Checksum element.
type attributesChecksum struct {
	checksumElements
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// attributesPart is one Part of GetObjectAttributes' ObjectParts.
type attributesPart struct {
	checksumElements
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

// attributesParts is GetObjectAttributes' ObjectParts element.
type attributesParts struct {
	IsTruncated          bool             `xml:"IsTruncated"`
	MaxParts             int              `xml:"MaxParts"`
	NextPartNumberMarker int              `xml:"NextPartNumberMarker"`
	PartNumberMarker     int              `xml:"PartNumberMarker"`
	Parts                []attributesPart `xml:"Part"`
	PartsCount           int              `xml:"PartsCount"`
}

// objectAttributesResult is GetObjectAttributes' response document.
type objectAttributesResult struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	Xmlns        string              `xml:"xmlns,attr"`
	ETag         string              `xml:"ETag,omitempty"`
	Checksum     *attributesChecksum `xml:"Checksum"`
	ObjectParts  *attributesParts    `xml:"ObjectParts"`
	StorageClass string              `xml:"StorageClass,omitempty"`
	ObjectSize   *int64              `xml:"ObjectSize"`
}

// requestedAttributes reads x-amz-object-attributes (one header of
// comma-separated names, or several headers): S3's InvalidArgument for a
// name it does not know or when none is given.
func requestedAttributes(hdr http.Header) (map[string]bool, *s3err.Error) {
	want := map[string]bool{}
	for _, line := range hdr.Values("X-Amz-Object-Attributes") {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			known := false
			for _, n := range objectAttributeNames {
				if strings.EqualFold(n, name) {
					want[n], known = true, true
				}
			}
			if !known {
				return nil, errInvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes").With("ArgumentValue", name)
			}
		}
	}
	if len(want) == 0 {
		return nil, errInvalidArgument("Empty Attribute List", "x-amz-object-attributes")
	}
	return want, nil
}

// attributesPartArgs reads x-amz-max-parts (default and cap 1000) and
// x-amz-part-number-marker (default 0), GetObjectAttributes' pagination of
// ObjectParts.
func attributesPartArgs(hdr http.Header) (maxParts, marker int, serr *s3err.Error) {
	read := func(name string, def int) (int, *s3err.Error) {
		v := reqHeader(hdr, name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return 0, errInvalidArgument("Provided "+strings.ToLower(name)+" not an integer or within integer range", strings.ToLower(name)).With("ArgumentValue", v)
		}
		return n, nil
	}
	if maxParts, serr = read("X-Amz-Max-Parts", 1000); serr != nil {
		return 0, 0, serr
	}
	if marker, serr = read("X-Amz-Part-Number-Marker", 0); serr != nil {
		return 0, 0, serr
	}
	return min(maxParts, 1000), marker, nil
}

// objectAttributesAccess refuses a read of an object's attributes for
// what GetObject would refuse on the version: an SSE-C object needs its
// key (400 without it, 403 with another), as in S3.
func (h *Handler) objectAttributesAccess(req *Request, v *store.Version) *s3err.Error {
	return checkReadSSE(req.HTTP.Header, v)
}

// getObjectAttributes answers GetObjectAttributes: the attributes
// x-amz-object-attributes names, of ?versionId's version or the current
// one, with Last-Modified and x-amz-version-id as headers. ObjectParts is
// sent only for an object completed from parts, paginated by
// x-amz-max-parts and x-amz-part-number-marker; each part carries its
// checksum when it is of the object's algorithm.
func (h *Handler) getObjectAttributes(w http.ResponseWriter, req *Request) error {
	want, serr := requestedAttributes(req.HTTP.Header)
	if serr != nil {
		return serr
	}
	maxParts, marker, serr := attributesPartArgs(req.HTTP.Header)
	if serr != nil {
		return serr
	}
	v, reportedID, serr := h.lookupVersion(req)
	if serr != nil {
		return serr
	}
	if serr := h.objectAttributesAccess(req, v); serr != nil {
		return serr
	}
	out := objectAttributesResult{Xmlns: xmlns}
	if want["ETag"] {
		out.ETag = v.ETag
	}
	if want["Checksum"] && v.Checksum.Algorithm != "" {
		out.Checksum = &attributesChecksum{checksumElements: checksumElementsOf(v.Checksum), ChecksumType: v.Checksum.Type}
	}
	if want["ObjectParts"] && v.Parts != nil {
		op := &attributesParts{MaxParts: maxParts, PartNumberMarker: marker, PartsCount: len(v.Parts)}
		for _, p := range v.Parts {
			if p.Number <= marker {
				continue
			}
			if len(op.Parts) == maxParts {
				op.IsTruncated = true
				break
			}
			ap := attributesPart{PartNumber: p.Number, Size: p.Size}
			if p.Checksum.Algorithm != "" && p.Checksum.Algorithm == v.Checksum.Algorithm {
				ap.checksumElements = checksumElementsOf(p.Checksum)
			}
			op.Parts = append(op.Parts, ap)
		}
		if n := len(op.Parts); n > 0 {
			op.NextPartNumberMarker = op.Parts[n-1].PartNumber
		}
		out.ObjectParts = op
	}
	if want["StorageClass"] {
		out.StorageClass = storageClass(v.StorageClass)
	}
	if want["ObjectSize"] {
		size := v.Size
		out.ObjectSize = &size
	}
	w.Header().Set("Last-Modified", v.LastModified.UTC().Format(http.TimeFormat))
	if reportedID != "" {
		w.Header().Set("x-amz-version-id", reportedID)
	}
	return writeXML(w, req.HTTP, out)
}
