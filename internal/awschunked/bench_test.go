package awschunked

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkDecode compares decoding a 16 MiB body sent in 64 KiB chunks with
// copying the same encoded bytes unchanged (the floor any decoder pays).
// b.SetBytes counts payload bytes, so MB/s values are comparable.
func BenchmarkDecode(b *testing.B) {
	const size, chunk = 16 << 20, 64 << 10
	payload := payloadOf(size)
	crc := [][2]string{{"x-amz-checksum-crc32", ""}}
	plain := encode(b, payload, frame{chunk: chunk, trailer: true})
	withCRC := encode(b, payload, frame{chunk: chunk, trailer: true, trailers: crc})
	seed := "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	signed := encode(b, payload, frame{chunk: chunk, signing: SignedHMAC, signer: docVerifier(seed)})

	b.Run("io.Copy baseline", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := io.Copy(io.Discard, onlyReader{bytes.NewReader(plain)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	cases := []struct {
		name string
		body []byte
		opts Options
	}{
		{"unsigned", plain, Options{Trailer: true, DecodedLength: size}},
		{"unsigned+crc32", withCRC, Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: size}},
		{"sigv4 verified", signed, Options{Signing: SignedHMAC, DecodedLength: size, Verifier: docVerifier(seed)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				n, err := io.Copy(io.Discard, NewReader(bytes.NewReader(c.body), c.opts))
				if err != nil || n != size {
					b.Fatal(n, err)
				}
			}
		})
	}
}
