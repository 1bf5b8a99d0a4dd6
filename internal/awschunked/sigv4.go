package awschunked

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/s3vpce/s3vpce/internal/sigv4"
)

// ChunkVerifier checks the signatures of a signed aws-chunked body. The
// [Reader] calls it once per chunk (including the final empty chunk) and once
// for the trailer, chaining each call to the signature accepted before it.
type ChunkVerifier interface {
	// Seed returns the signature of the request headers, which the first
	// chunk signature chains to.
	Seed() string
	// VerifyChunk checks sig for a chunk whose data hashes to chunkSHA256,
	// chained to prevSig.
	VerifyChunk(prevSig string, chunkSHA256 [32]byte, sig string) error
	// VerifyTrailer checks the x-amz-trailer-signature sig over the canonical
	// trailer bytes ("name:value\n" for each trailer, lower-case names, in the
	// order received, signature excluded), chained to the final chunk's
	// signature prevSig.
	VerifyTrailer(prevSig string, trailer []byte, sig string) error
}

// emptySHA256 is hex(sha256("")), a fixed line of the chunk string to sign.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// SigV4ChunkVerifier verifies STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
// signatures. It holds no mutable state and is safe for concurrent use.
type SigV4ChunkVerifier struct {
	key   []byte
	date  string
	scope string
	seed  string
}

var _ ChunkVerifier = (*SigV4ChunkVerifier)(nil)

// NewSigV4ChunkVerifier returns a verifier for one request: signingKey is the
// derived SigV4 key (see [DeriveSigningKey]), amzDate the request's
// x-amz-date (20130524T000000Z), scope its credential scope
// (20130524/us-east-1/s3/aws4_request) and seedSignature the Signature from
// its Authorization header.
func NewSigV4ChunkVerifier(signingKey []byte, amzDate, scope, seedSignature string) *SigV4ChunkVerifier {
	return &SigV4ChunkVerifier{key: signingKey, date: amzDate, scope: scope, seed: seedSignature}
}

// Seed returns the seed signature.
func (v *SigV4ChunkVerifier) Seed() string { return v.seed }

// ChunkSignature returns the signature of a chunk whose data hashes to
// chunkSHA256, chained to prevSig. The string to sign is
//
//	AWS4-HMAC-SHA256-PAYLOAD\n<amz-date>\n<scope>\n<prev-sig>\n<hex sha256("")>\n<hex sha256(chunk)>
func (v *SigV4ChunkVerifier) ChunkSignature(prevSig string, chunkSHA256 [32]byte) string {
	return v.sign("AWS4-HMAC-SHA256-PAYLOAD\n" + v.date + "\n" + v.scope + "\n" + prevSig + "\n" +
		emptySHA256 + "\n" + hex.EncodeToString(chunkSHA256[:]))
}

// TrailerSignature returns the x-amz-trailer-signature for the canonical
// trailer bytes, chained to the final chunk's signature prevSig. The string
// to sign is
//
//	AWS4-HMAC-SHA256-TRAILER\n<amz-date>\n<scope>\n<prev-sig>\n<hex sha256(trailer)>
func (v *SigV4ChunkVerifier) TrailerSignature(prevSig string, trailer []byte) string {
	sum := sha256.Sum256(trailer)
	return v.sign("AWS4-HMAC-SHA256-TRAILER\n" + v.date + "\n" + v.scope + "\n" + prevSig + "\n" +
		hex.EncodeToString(sum[:]))
}

// VerifyChunk implements [ChunkVerifier].
func (v *SigV4ChunkVerifier) VerifyChunk(prevSig string, chunkSHA256 [32]byte, sig string) error {
	return compareSignatures(v.ChunkSignature(prevSig, chunkSHA256), sig)
}

// VerifyTrailer implements [ChunkVerifier].
func (v *SigV4ChunkVerifier) VerifyTrailer(prevSig string, trailer []byte, sig string) error {
	return compareSignatures(v.TrailerSignature(prevSig, trailer), sig)
}

func (v *SigV4ChunkVerifier) sign(stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(v.key, stringToSign))
}

func compareSignatures(want, got string) error {
	if !hmac.Equal([]byte(want), []byte(got)) {
		return fmt.Errorf("%w: chunk signature %.16s... does not match", ErrSignatureMismatch, got)
	}
	return nil
}

// DeriveSigningKey returns the SigV4 signing key
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
// where date is YYYYMMDD (the same key sigv4.SigningKey derives).
func DeriveSigningKey(secret, date, region, service string) []byte {
	return sigv4.SigningKey(secret, date, region, service)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
