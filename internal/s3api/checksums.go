package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"io"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Checksums of copies and listings, and the integrity checks S3 asks of
// request documents. CopyObject with x-amz-checksum-algorithm gives the
// copy a FULL_OBJECT checksum of that algorithm, computed as the bytes are
// copied; without it the copy keeps the source's checksum when that is a
// FULL_OBJECT one. UploadPartCopy into an upload with an algorithm
// computes the part's checksum the same way.

// copyChecksum computes a checksum of the bytes a copy reads; a nil
// *copyChecksum computes nothing.
type copyChecksum struct {
	alg string
	h   hash.Hash
}

// copyChecksumAlgorithm reads CopyObject's x-amz-checksum-algorithm: nil
// when absent, S3's InvalidRequest when it is not an algorithm S3 knows.
func copyChecksumAlgorithm(hdr http.Header) (*copyChecksum, *s3err.Error) {
	alg := strings.ToUpper(strings.TrimSpace(reqHeader(hdr, "X-Amz-Checksum-Algorithm")))
	if alg == "" {
		return nil, nil
	}
	return newCopyChecksum(alg)
}

func newCopyChecksum(alg string) (*copyChecksum, *s3err.Error) {
	h, _, err := awschunked.Checksum(alg)
	if err != nil {
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest",
			"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	return &copyChecksum{alg: alg, h: h}, nil
}

// partCopyChecksum is the checksum an UploadPartCopy into an upload whose
// algorithm is upload computes (nil when the upload has none).
func partCopyChecksum(upload store.Checksum) *copyChecksum {
	if upload.Algorithm == "" {
		return nil
	}
	c, _ := newCopyChecksum(upload.Algorithm)
	return c
}

// reader is body, hashed as it is read.
func (c *copyChecksum) reader(body io.Reader) io.Reader {
	if c == nil {
		return body
	}
	return io.TeeReader(body, c.h)
}

// sum is the checksum of what was read, of type typ; zero for a nil c.
func (c *copyChecksum) sum(typ string) store.Checksum {
	if c == nil {
		return store.Checksum{}
	}
	return store.Checksum{Algorithm: c.alg, Value: awschunked.EncodeChecksum(c.h), Type: typ}
}

// copiedChecksum is the checksum a CopyObject gives its copy: the one
// computed while copying (computed non-nil), else the source's when it
// is of the whole object (a COMPOSITE checksum names the source's parts,
// which the copy does not have).
func copiedChecksum(computed *copyChecksum, source store.Checksum) store.Checksum {
	if computed != nil {
		return computed.sum(checksumFullObject)
	}
	if source.Type == checksumComposite {
		return store.Checksum{}
	}
	return source
}

// copyResultChecksum is the checksum part of CopyObjectResult and
// CopyPartResult.
type copyResultChecksum struct {
	checksumElements
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// copyResultOf fills the checksum elements of a copy's result; the type
// only for CopyObject (CopyPartResult has no ChecksumType).
func copyResultOf(c store.Checksum, withType bool) copyResultChecksum {
	r := copyResultChecksum{checksumElements: checksumElementsOf(c)}
	if withType {
		r.ChecksumType = c.Type
	}
	return r
}

// listedChecksum is what ListObjects, ListObjectsV2 and
// ListObjectVersions show of an object's checksum.
type listedChecksum struct {
	ChecksumAlgorithm []string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
}

func listedChecksumOf(c store.Checksum) listedChecksum {
	if c.Algorithm == "" {
		return listedChecksum{}
	}
	typ := c.Type
	if typ == "" {
		typ = checksumFullObject
	}
	return listedChecksum{ChecksumAlgorithm: []string{c.Algorithm}, ChecksumType: typ}
}

// checkDocumentMD5 verifies a request document against its Content-MD5,
// when the request has one: InvalidDigest when the header is not an MD5,
// BadDigest when it is not the document's.
func checkDocumentMD5(hdr http.Header, doc []byte) *s3err.Error {
	want, serr := contentMD5(hdr)
	if serr != nil || want == nil {
		return serr
	}
	sum := md5.Sum(doc)
	return verifyMD5(hex.EncodeToString(sum[:]), want)
}

// readCheckedXML is readXML for the documents S3 takes only with
// Content-MD5 or an additional checksum (DeleteObjects, PutBucketCors):
// without either it is S3's InvalidRequest.
func readCheckedXML(req *Request, limit int64, v any) *s3err.Error {
	doc, serr := readCheckedLimited(req, limit, "Content-MD5 OR x-amz-checksum-*")
	if serr != nil {
		return serr
	}
	if len(doc) == 0 || int64(len(doc)) > limit || xml.Unmarshal(doc, v) != nil {
		return s3err.MalformedXML()
	}
	return nil
}
