package awschunked

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// Test credentials and request of the AWS sigv4-streaming documentation example.
const (
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docDate   = "20130524T000000Z"
	docScope  = "20130524/us-east-1/s3/aws4_request"
)

func docVerifier(seed string) *SigV4ChunkVerifier {
	return NewSigV4ChunkVerifier(DeriveSigningKey(docSecret, "20130524", "us-east-1", "s3"), docDate, docScope, seed)
}

// frame describes how to encode a payload for a test.
type frame struct {
	chunk    int                 // chunk size; 0 means one chunk holding everything
	signing  Signing             // chunk-signature form
	signer   *SigV4ChunkVerifier // signs SignedHMAC chunks; nil writes dummy signatures
	trailers [][2]string         // name, value (value "" means: compute the checksum)
	trailer  bool                // write a trailer section (and its signature when signed)
}

// encode builds an aws-chunked body for payload.
func encode(tb testing.TB, payload []byte, f frame) []byte {
	tb.Helper()
	var out bytes.Buffer
	prev := ""
	if f.signer != nil {
		prev = f.signer.Seed()
	}
	sign := func(data []byte) string {
		switch {
		case f.signing == Unsigned:
			return ""
		case f.signing == SignedECDSA:
			return ";" + chunkSigPrefix + strings.Repeat("ab", 35) + strings.Repeat("*", ecdsaSigLength-70)
		case f.signer == nil:
			return ";" + chunkSigPrefix + strings.Repeat("0", hmacSigLength)
		}
		prev = f.signer.ChunkSignature(prev, sha256.Sum256(data))
		return ";" + chunkSigPrefix + prev
	}
	size := f.chunk
	if size == 0 {
		size = max(len(payload), 1)
	}
	for rest := payload; len(rest) > 0; {
		n := min(size, len(rest))
		fmt.Fprintf(&out, "%x%s\r\n", n, sign(rest[:n]))
		out.Write(rest[:n])
		out.WriteString("\r\n")
		rest = rest[n:]
	}
	fmt.Fprintf(&out, "0%s\r\n", sign(nil))
	if f.trailer {
		var canonical bytes.Buffer
		for _, kv := range f.trailers {
			v := kv[1]
			if v == "" {
				alg, _ := ChecksumAlgorithm(kv[0])
				h, _, err := Checksum(alg)
				if err != nil {
					tb.Fatal(err)
				}
				h.Write(payload)
				v = EncodeChecksum(h)
			}
			fmt.Fprintf(&out, "%s:%s\r\n", kv[0], v)
			fmt.Fprintf(&canonical, "%s:%s\n", kv[0], v)
		}
		switch {
		case f.signing == SignedHMAC && f.signer != nil:
			fmt.Fprintf(&out, "%s:%s\r\n", HeaderTrailerSignature, f.signer.TrailerSignature(prev, canonical.Bytes()))
		case f.signing != Unsigned:
			fmt.Fprintf(&out, "%s:%s\r\n", HeaderTrailerSignature, sign(nil)[len(";"+chunkSigPrefix):])
		}
	}
	out.WriteString("\r\n")
	return out.Bytes()
}

// payloadOf returns n deterministic bytes.
func payloadOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}
