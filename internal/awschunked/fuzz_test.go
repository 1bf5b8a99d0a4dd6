package awschunked

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// fuzzOptions picks decoding options from a selector byte so the fuzzer
// explores every framing variant.
func fuzzOptions(mode byte) Options {
	seed := strings.Repeat("5", 64)
	crc := []string{"x-amz-checksum-crc32"}
	switch mode % 6 {
	case 0:
		return Options{Trailer: true, Trailers: crc, DecodedLength: -1}
	case 1:
		return Options{DecodedLength: -1}
	case 2:
		return Options{Signing: SignedHMAC, DecodedLength: -1, Verifier: docVerifier(seed)}
	case 3:
		return Options{Signing: SignedHMAC, Trailer: true, Trailers: crc, DecodedLength: -1, Verifier: docVerifier(seed)}
	case 4:
		return Options{Signing: SignedECDSA, Trailer: true, Trailers: crc, DecodedLength: -1}
	default:
		return Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc64nvme", "x-amz-checksum-sha256"}, DecodedLength: 5}
	}
}

func FuzzReader(f *testing.F) {
	seed := strings.Repeat("5", 64)
	crc := [][2]string{{"x-amz-checksum-crc32", ""}}
	f.Add(byte(0), encode(f, payloadOf(100), frame{chunk: 30, trailer: true, trailers: crc}))
	f.Add(byte(1), encode(f, payloadOf(100), frame{chunk: 64}))
	f.Add(byte(2), encode(f, payloadOf(100), frame{chunk: 40, signing: SignedHMAC, signer: docVerifier(seed)}))
	f.Add(byte(3), encode(f, payloadOf(100), frame{chunk: 40, signing: SignedHMAC, signer: docVerifier(seed), trailer: true, trailers: crc}))
	f.Add(byte(4), encode(f, payloadOf(100), frame{chunk: 50, signing: SignedECDSA, trailer: true, trailers: crc}))
	f.Add(byte(5), encode(f, []byte("hello"), frame{trailer: true,
		trailers: [][2]string{{"x-amz-checksum-crc64nvme", ""}, {"x-amz-checksum-sha256", ""}}}))
	f.Add(byte(0), []byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"))
	f.Add(byte(1), []byte("ffffffffffffffff\r\n"))
	f.Fuzz(func(t *testing.T, mode byte, body []byte) {
		r := NewReader(bytes.NewReader(body), fuzzOptions(mode))
		var out []byte
		buf := make([]byte, 1+int(mode)%97)
		// Every Read either consumes input or ends; a bound on the number of
		// calls catches a hang as a failure rather than a timeout.
		for calls := 0; ; calls++ {
			if calls > 2*len(body)+16 {
				t.Fatalf("no progress after %d reads of a %d-byte body", calls, len(body))
			}
			n, err := r.Read(buf)
			out = append(out, buf[:n]...)
			if len(out) > len(body) {
				t.Fatalf("decoded %d bytes from a %d-byte body", len(out), len(body))
			}
			if err == io.EOF {
				if r.Trailers() == nil {
					t.Fatal("nil Trailers after EOF")
				}
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "awschunked: ") {
					t.Fatalf("error without prefix: %v", err)
				}
				if _, ok := ToS3Error(err); !ok && !errors.Is(err, ErrChecksumMismatch) {
					t.Fatalf("error not mapped to S3: %v", err)
				}
				return
			}
		}
	})
}
