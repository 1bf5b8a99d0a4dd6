package awschunked

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"
)

func TestChecksumVectors(t *testing.T) {
	// Check values of the catalogue of parametrised CRC algorithms for
	// "123456789", and the SHA digests of the same string.
	tests := []struct {
		alg, header, want string
	}{
		{"CRC32", "x-amz-checksum-crc32", b64u32(0xcbf43926)},
		{"crc32c", "x-amz-checksum-crc32c", b64u32(0xe3069283)},
		{"CRC64NVME", "x-amz-checksum-crc64nvme", b64u64(0xae8b14860a799888)},
		{"SHA1", "x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="},
		{"SHA256", "x-amz-checksum-sha256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			h, header, err := Checksum(tt.alg)
			if err != nil {
				t.Fatal(err)
			}
			if header != tt.header {
				t.Errorf("header = %q, want %q", header, tt.header)
			}
			h.Write([]byte("1234"))
			h.Write([]byte("56789"))
			if got := EncodeChecksum(h); got != tt.want {
				t.Errorf("checksum = %s, want %s", got, tt.want)
			}
			if alg, ok := ChecksumAlgorithm(header); !ok || !equalFoldASCII(alg, tt.alg) {
				t.Errorf("ChecksumAlgorithm(%q) = %q, %v", header, alg, ok)
			}
		})
	}
	if _, _, err := Checksum("MD5"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Checksum(MD5) err = %v, want ErrUnsupported", err)
	}
	if _, ok := ChecksumAlgorithm("x-amz-checksum-md5"); ok {
		t.Error("ChecksumAlgorithm accepted md5")
	}
}

func b64u32(v uint32) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, v))
}

func b64u64(v uint64) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, v))
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
