package awschunked

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
	"sync"
	"unicode/utf8"
)

// Checksum algorithm names as S3 spells them in x-amz-checksum-algorithm and
// x-amz-sdk-checksum-algorithm.
const (
	CRC32     = "CRC32"
	CRC32C    = "CRC32C"
	CRC64NVME = "CRC64NVME"
	SHA1      = "SHA1"
	SHA256    = "SHA256"
)

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 bit-reversed,
// the form hash/crc64 expects.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// crc64NVMETable is built once; it is never written after construction.
var crc64NVMETable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(crc64NVMEPoly) })

// Algorithms lists the checksum algorithms [Checksum] supports.
func Algorithms() []string { return []string{CRC32, CRC32C, CRC64NVME, SHA1, SHA256} }

// Checksum returns a new hash for the S3 checksum algorithm alg (CRC32,
// CRC32C, CRC64NVME, SHA1 or SHA256, case-insensitive) and the name of the
// header that carries it (x-amz-checksum-crc32, ...). The S3 header value is
// base64 of Sum(nil); see [EncodeChecksum].
func Checksum(alg string) (h hash.Hash, header string, err error) {
	switch strings.ToUpper(alg) {
	case CRC32:
		h = crc32.NewIEEE()
	case CRC32C:
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case CRC64NVME:
		h = crc64.New(crc64NVMETable())
	case SHA1:
		h = sha1.New()
	case SHA256:
		h = sha256.New()
	default:
		return nil, "", unsupported("unknown checksum algorithm %q", alg)
	}
	return h, "x-amz-checksum-" + strings.ToLower(alg), nil
}

// ChecksumAlgorithm returns the algorithm for a checksum header name such as
// x-amz-checksum-crc32c (any case), and false for any other name.
func ChecksumAlgorithm(header string) (string, bool) {
	// Compared in place, ASCII case folded: this runs on every header of
	// every upload, and lower-casing a canonical name allocates.
	const prefix = "x-amz-checksum-"
	for i := range len(header) {
		if header[i] >= utf8.RuneSelf {
			// Unicode case mappings (the Kelvin sign lowers to 'k'):
			// the whole name lower-cased, as before.
			header = strings.ToLower(header)
			break
		}
	}
	if len(header) <= len(prefix) || !lowerEqualASCII(header[:len(prefix)], prefix) {
		return "", false
	}
	rest := header[len(prefix):]
	for _, a := range Algorithms() {
		if len(a) == len(rest) && lowerEqualASCII(rest, strings.ToLower(a)) {
			return a, true
		}
	}
	return "", false
}

// lowerEqualASCII reports whether strings.ToLower(s) == lower for lower
// made of ASCII: only the ASCII letters of s fold.
func lowerEqualASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// EncodeChecksum returns the S3 header form (standard base64) of h's sum.
func EncodeChecksum(h hash.Hash) string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// validChecksumValue reports whether v is canonical base64 of size bytes.
func validChecksumValue(v string, size int) bool {
	b, err := base64.StdEncoding.Strict().DecodeString(v)
	return err == nil && len(b) == size
}
