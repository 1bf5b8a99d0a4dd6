package awschunked

import (
	"strings"
	"testing"
)

// checksumAlgorithmRef is ChecksumAlgorithm as first written, lower-casing
// the whole header name.
func checksumAlgorithmRef(header string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(header), "x-amz-checksum-")
	if !ok {
		return "", false
	}
	for _, a := range Algorithms() {
		if strings.ToLower(a) == rest {
			return a, true
		}
	}
	return "", false
}

func TestChecksumAlgorithmMatchesReference(t *testing.T) {
	for _, h := range []string{"X-Amz-Checksum-Crc32", "x-amz-checksum-crc64nvme", "X-AMZ-CHECKSUM-SHA256", "X-Amz-Checksum-",
		"X-Amz-Checksum-Md5", "X-Amz-Date", "x-amz-checksum-crc32c", "X-Amz-Checksum-Crc32x", "x-amz-checksum-ſha1", "x-amz-chec\u212asum-crc32", "X-Amz-Checksum-Type", ""} {
		t.Run(h, func(t *testing.T) {
			alg, ok := ChecksumAlgorithm(h)
			wantAlg, wantOK := checksumAlgorithmRef(h)
			if alg != wantAlg || ok != wantOK {
				t.Fatalf("ChecksumAlgorithm(%q) = %q, %v; reference %q, %v", h, alg, ok, wantAlg, wantOK)
			}
		})
	}
}

// FuzzChecksumAlgorithm compares ChecksumAlgorithm with the reference on
// any header name.
func FuzzChecksumAlgorithm(f *testing.F) {
	f.Add("X-Amz-Checksum-Crc32")
	f.Add("x-amz-checksum-SHA1")
	f.Add("X-Amz-Checksum-Crc64nvme")
	f.Fuzz(func(t *testing.T, h string) {
		alg, ok := ChecksumAlgorithm(h)
		if wantAlg, wantOK := checksumAlgorithmRef(h); alg != wantAlg || ok != wantOK {
			t.Fatalf("ChecksumAlgorithm(%q) = %q, %v; reference %q, %v", h, alg, ok, wantAlg, wantOK)
		}
	})
}
