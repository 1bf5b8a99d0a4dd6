package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Multipart checksums as S3 keeps them. CreateMultipartUpload names an
// algorithm (x-amz-checksum-algorithm) and a type (x-amz-checksum-type):
// COMPOSITE, the default for CRC32, CRC32C, SHA1 and SHA256, is the
// algorithm's hash of the parts' binary checksums, written "<base64>-N";
// FULL_OBJECT, the default and only type for CRC64NVME (and allowed for
// CRC32 and CRC32C), is the CRC of the whole object, which S3 combines
// from the parts' CRCs without reading the bytes again. Each part carries
// its own checksum of the upload's algorithm; CompleteMultipartUpload
// lists them and may state the object's.

// Checksum types.
const (
	checksumComposite  = "COMPOSITE"
	checksumFullObject = "FULL_OBJECT"
)

// uploadChecksum reads CreateMultipartUpload's x-amz-checksum-algorithm
// and x-amz-checksum-type into the checksum the upload keeps (Value
// empty), with S3's InvalidRequest for a combination S3 refuses.
func uploadChecksum(hdr http.Header) (store.Checksum, *s3err.Error) {
	alg := strings.ToUpper(strings.TrimSpace(reqHeader(hdr, "X-Amz-Checksum-Algorithm")))
	typ := strings.ToUpper(strings.TrimSpace(reqHeader(hdr, "X-Amz-Checksum-Type")))
	invalid := func(msg string) (store.Checksum, *s3err.Error) {
		return store.Checksum{}, s3err.New(http.StatusBadRequest, "InvalidRequest", msg)
	}
	if alg == "" {
		if typ != "" {
			return invalid("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return store.Checksum{}, nil
	}
	if _, _, err := awschunked.Checksum(alg); err != nil {
		return invalid("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	switch typ {
	case "":
		typ = checksumComposite
		if alg == awschunked.CRC64NVME {
			typ = checksumFullObject
		}
	case checksumComposite, checksumFullObject:
	default:
		return invalid("Value for x-amz-checksum-type header is invalid.")
	}
	if (typ == checksumFullObject && (alg == awschunked.SHA1 || alg == awschunked.SHA256)) ||
		(typ == checksumComposite && alg == awschunked.CRC64NVME) {
		return invalid("The " + typ + " checksum type cannot be used with the " + strings.ToLower(alg) + " checksum algorithm.")
	}
	return store.Checksum{Algorithm: alg, Type: typ}, nil
}

// checkPartChecksum refuses, as S3 does, a part whose checksum is of
// another algorithm than the upload's, or that has none when the upload's
// type is COMPOSITE (a FULL_OBJECT upload's part without one gets the CRC
// s3vpce computed as it stored the part, see partCRC).
func checkPartChecksum(upload, part store.Checksum) *s3err.Error {
	if upload.Algorithm == "" || part.Algorithm == upload.Algorithm || (part.Algorithm == "" && upload.Type != checksumComposite) {
		return nil
	}
	actual := strings.ToLower(part.Algorithm)
	if actual == "" {
		actual = "null"
	}
	return s3err.New(http.StatusBadRequest, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: "+
		strings.ToLower(upload.Algorithm)+", actual checksum Type: "+actual)
}

// partCRC hashes a part as it streams into the store when its upload is a
// FULL_OBJECT one, so that a part sent without a checksum still has the
// CRC the object's checksum is combined from; nil otherwise.
type partCRC struct {
	alg string
	h   hash.Hash
}

func newPartCRC(upload store.Checksum) *partCRC {
	if upload.Type != checksumFullObject {
		return nil
	}
	h, _, err := awschunked.Checksum(upload.Algorithm)
	if err != nil {
		return nil
	}
	return &partCRC{alg: upload.Algorithm, h: h}
}

// reader is body, hashed as it is read.
func (c *partCRC) reader(body io.Reader) io.Reader {
	if c == nil {
		return body
	}
	return io.TeeReader(body, c.h)
}

// fill gives a part without a checksum the CRC computed.
func (c *partCRC) fill(p *store.Checksum) {
	if c != nil && p.Algorithm == "" {
		*p = store.Checksum{Algorithm: c.alg, Value: awschunked.EncodeChecksum(c.h)}
	}
}

// completedPart is one Part of a CompleteMultipartUpload request.
type completedPart struct {
	PartNumber string `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumElements
}

// checksumOf is the value the request gives for alg ("" when none).
func (e checksumElements) checksumOf(alg string) string {
	switch alg {
	case awschunked.CRC32:
		return e.CRC32
	case awschunked.CRC32C:
		return e.CRC32C
	case awschunked.CRC64NVME:
		return e.CRC64NVME
	case awschunked.SHA1:
		return e.SHA1
	case awschunked.SHA256:
		return e.SHA256
	}
	return ""
}

// objectChecksum computes a completed upload's checksum from its listed
// parts as S3 does (see the comment at the top); ok is false when the
// upload has no algorithm or a part lacks its checksum.
func objectChecksum(spec store.Checksum, parts []*store.Part) (c store.Checksum, ok bool) {
	if spec.Algorithm == "" {
		return store.Checksum{}, false
	}
	raws := make([][]byte, len(parts))
	for i, p := range parts {
		if p.Checksum.Algorithm != spec.Algorithm {
			return store.Checksum{}, false
		}
		raw, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
		if err != nil {
			return store.Checksum{}, false
		}
		raws[i] = raw
	}
	out := store.Checksum{Algorithm: spec.Algorithm, Type: spec.Type}
	if spec.Type == checksumFullObject {
		crc, ok := crcOf(spec.Algorithm)
		if !ok {
			return store.Checksum{}, false
		}
		var sum uint64
		for i, raw := range raws {
			v, ok := crc.decode(raw)
			if !ok {
				return store.Checksum{}, false
			}
			if i == 0 {
				sum = v
			} else {
				sum = crc.combine(sum, v, parts[i].Size)
			}
		}
		out.Value = base64.StdEncoding.EncodeToString(crc.encode(sum))
		return out, true
	}
	h, _, err := awschunked.Checksum(spec.Algorithm)
	if err != nil {
		return store.Checksum{}, false
	}
	for _, raw := range raws {
		h.Write(raw)
	}
	out.Value = awschunked.EncodeChecksum(h) + "-" + strconv.Itoa(len(parts))
	return out, true
}

// verifyCompleteChecksums checks a CompleteMultipartUpload of an upload
// with a checksum algorithm as S3 does: the object's checksum the request
// states (x-amz-checksum-ALG) against the one computed (BadDigest), then
// each listed part's checksum, which must be the part's (InvalidPart) and,
// for a COMPOSITE upload, be given (InvalidRequest; a part copied with
// UploadPartCopy, which has none stored, is let through).
func verifyCompleteChecksums(spec, computed store.Checksum, hdr http.Header, in []completedPart, listed []*store.Part, uploadID string) *s3err.Error {
	if spec.Algorithm == "" {
		return nil
	}
	if want := hdr.Get(checksumPrefix + spec.Algorithm); want != "" && want != computed.Value {
		return s3err.New(http.StatusBadRequest, "BadDigest", "The "+strings.ToLower(spec.Algorithm)+" you specified did not match the calculated checksum.")
	}
	for i, p := range in {
		got := p.checksumOf(spec.Algorithm)
		if got == "" && (spec.Type != checksumComposite || listed[i].Checksum.Algorithm == "") {
			continue
		}
		if got == "" {
			return s3err.New(http.StatusBadRequest, "InvalidRequest", "The upload was created using a "+strings.ToLower(spec.Algorithm)+
				" checksum. The complete request must include the checksum for each part. It was missing for part "+
				strconv.Itoa(listed[i].Number)+" in the request.")
		}
		if got != listed[i].Checksum.Value {
			return errInvalidPart().With("UploadId", uploadID).With("PartNumber", strconv.Itoa(listed[i].Number))
		}
	}
	return nil
}

// crcParams describes a reflected CRC with all-ones initial value and
// final XOR (CRC-32, CRC-32C, CRC-64/NVME), for combining CRCs.
type crcParams struct {
	width int    // 32 or 64
	poly  uint64 // reflected polynomial
}

func crcOf(alg string) (crcParams, bool) {
	switch alg {
	case awschunked.CRC32:
		return crcParams{32, 0xedb88320}, true
	case awschunked.CRC32C:
		return crcParams{32, 0x82f63b78}, true
	case awschunked.CRC64NVME:
		return crcParams{64, 0x9a6c9329ac4bc9b5}, true
	}
	return crcParams{}, false
}

func (c crcParams) decode(raw []byte) (uint64, bool) {
	switch {
	case c.width == 32 && len(raw) == 4:
		return uint64(binary.BigEndian.Uint32(raw)), true
	case c.width == 64 && len(raw) == 8:
		return binary.BigEndian.Uint64(raw), true
	}
	return 0, false
}

func (c crcParams) encode(v uint64) []byte {
	if c.width == 32 {
		return binary.BigEndian.AppendUint32(nil, uint32(v))
	}
	return binary.BigEndian.AppendUint64(nil, v)
}

// one is x^0 in the reflected representation.
func (c crcParams) one() uint64 { return 1 << (c.width - 1) }

// mulmod multiplies a(x) by b(x) modulo the polynomial (reflected).
func (c crcParams) mulmod(a, b uint64) uint64 {
	var p uint64
	for m := c.one(); m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// combine is the CRC of A||B from crc(A), crc(B) and len(B) in bytes
// (zlib's crc32_combine, for any width): crc(A) times x^(8·len(B)), plus
// crc(B).
func (c crcParams) combine(crcA, crcB uint64, lenB int64) uint64 {
	pow, base := c.one(), c.one()>>8 // x^0 and x^8
	for n := lenB; n > 0; n >>= 1 {
		if n&1 != 0 {
			pow = c.mulmod(pow, base)
		}
		base = c.mulmod(base, base)
	}
	return c.mulmod(pow, crcA) ^ crcB
}

// writePartChecksum sets, on a GET or HEAD with ?partNumber and
// x-amz-checksum-mode: ENABLED, the checksum of the part sent (for an
// object not made of parts, part 1 is the object) and the object's
// checksum type.
func writePartChecksum(w http.ResponseWriter, req *Request, v *store.Version) {
	if !req.Query.Has("partNumber") || !strings.EqualFold(reqHeader(req.HTTP.Header, "X-Amz-Checksum-Mode"), "ENABLED") || v.Checksum.Algorithm == "" {
		return
	}
	n, err := strconv.Atoi(req.Query.Get("partNumber"))
	if err != nil {
		return
	}
	c := store.Checksum{}
	if v.Parts == nil && n == 1 {
		c = v.Checksum
	}
	for _, p := range v.Parts {
		if p.Number == n && p.Checksum.Algorithm == v.Checksum.Algorithm {
			c = p.Checksum
		}
	}
	if c.Algorithm == "" {
		return
	}
	w.Header().Set(checksumPrefix+c.Algorithm, c.Value)
	if v.Checksum.Type != "" {
		w.Header().Set("X-Amz-Checksum-Type", v.Checksum.Type)
	}
}
