package awschunked

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
)

// The chunk signatures below are those printed in the Amazon S3 API
// Reference examples "sigv4-streaming" (PUT of 66560 bytes of 'a' in chunks
// of 65536 and 1024 bytes) and "sigv4-streaming-trailers" (the same object
// with an x-amz-checksum-crc32c trailer).
func TestSigV4DocumentationVectors(t *testing.T) {
	tests := []struct {
		name     string
		seed     string
		chunks   []string // signatures of the 65536-byte, 1024-byte and final chunk
		trailer  string   // canonical trailer, "" for none
		trailSig string
	}{
		{
			name: "sigv4-streaming",
			seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
			chunks: []string{
				"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
				"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
				"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
			},
		},
		{
			name: "sigv4-streaming-trailers",
			seed: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
			chunks: []string{
				"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
				"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
				"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
			},
			trailer:  "x-amz-checksum-crc32c:sOO8/Q==\n",
			trailSig: "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
		},
	}
	payload := bytes.Repeat([]byte{'a'}, 66560)
	parts := [][]byte{payload[:65536], payload[65536:], nil}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := docVerifier(tt.seed)
			prev := tt.seed
			for i, part := range parts {
				got := v.ChunkSignature(prev, sha256.Sum256(part))
				if got != tt.chunks[i] {
					t.Fatalf("chunk %d signature = %s, want %s", i, got, tt.chunks[i])
				}
				prev = got
			}
			if tt.trailer != "" {
				if got := v.TrailerSignature(prev, []byte(tt.trailer)); got != tt.trailSig {
					t.Fatalf("trailer signature = %s, want %s", got, tt.trailSig)
				}
			}

			// The same body through the Reader.
			var body bytes.Buffer
			for i, part := range parts {
				fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(part), tt.chunks[i], part)
			}
			body.Truncate(body.Len() - 2) // the final chunk's data CRLF doubles as the trailer end
			opts := Options{Signing: SignedHMAC, DecodedLength: 66560, Verifier: v}
			if tt.trailer != "" {
				fmt.Fprintf(&body, "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:%s\r\n", tt.trailSig)
				opts.Trailer, opts.Trailers = true, []string{"x-amz-checksum-crc32c"}
			}
			body.WriteString("\r\n")
			got, err := io.ReadAll(NewReader(&body, opts))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatal("payload differs")
			}
		})
	}
}

func TestSigV4VerifierRejects(t *testing.T) {
	v := docVerifier("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
	sum := sha256.Sum256(bytes.Repeat([]byte{'a'}, 65536))
	good := "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	if err := v.VerifyChunk(v.Seed(), sum, good); err != nil {
		t.Fatalf("good signature rejected: %v", err)
	}
	for _, bad := range []string{"", good[:63], good[:63] + "9", "AD80" + good[4:]} {
		if err := v.VerifyChunk(v.Seed(), sum, bad); !errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("VerifyChunk(%q) = %v, want ErrSignatureMismatch", bad, err)
		}
	}
	if err := v.VerifyTrailer(good, []byte("x:y\n"), good); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("VerifyTrailer = %v, want ErrSignatureMismatch", err)
	}
}
