package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// contentMD5 parses a request's Content-MD5: nil when absent, S3's
// InvalidDigest when it is not the base64 of 16 bytes.
func contentMD5(hdr http.Header) ([]byte, *s3err.Error) {
	vs, ok := hdr["Content-Md5"]
	if !ok {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(vs[0]))
	if err != nil || len(sum) != md5.Size {
		return nil, s3err.New(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.").With("Content-MD5", vs[0])
	}
	return sum, nil
}

// verifyMD5 compares the MD5 the store computed while storing a body (its
// hex ETag) with the request's Content-MD5 (want, nil when none).
func verifyMD5(etag string, want []byte) *s3err.Error {
	if want == nil {
		return nil
	}
	got, err := hex.DecodeString(etag)
	if err == nil && string(got) == string(want) {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.").
		With("ExpectedDigest", hex.EncodeToString(want)).With("CalculatedDigest", base64.StdEncoding.EncodeToString(got))
}

// bodyChecksum is the additional checksum the emulator verified on req's
// body (from an x-amz-checksum-* header or an aws-chunked trailer), with
// the type the request gave (x-amz-checksum-type); valid once the body has
// been read to its end.
func bodyChecksum(req *Request) store.Checksum {
	if req.Body == nil || req.Body.Checksum == nil {
		return store.Checksum{}
	}
	alg, value := req.Body.Checksum()
	if alg == "" {
		return store.Checksum{}
	}
	return store.Checksum{Algorithm: alg, Value: value, Type: reqHeader(req.HTTP.Header, "X-Amz-Checksum-Type")}
}

// hasDigest reports whether the request carries Content-MD5 or an
// additional checksum header, which S3 requires of some requests.
func hasDigest(hdr http.Header) bool {
	if reqHeader(hdr, "Content-Md5") != "" {
		return true
	}
	for k := range hdr {
		if name, ok := strings.CutPrefix(http.CanonicalHeaderKey(k), checksumPrefix); ok && name != "Type" && name != "Mode" && name != "Algorithm" {
			return true
		}
	}
	return false
}

// readCheckedDocument reads a configuration document S3 accepts only with
// an integrity check: Content-MD5 (verified here against the bytes read)
// or an additional checksum, in a header or an aws-chunked trailer
// (verified by the emulator as the body is read). Without either it is
// S3's InvalidRequest naming the missing header(s).
func readCheckedDocument(req *Request, missing string) ([]byte, *s3err.Error) {
	return readCheckedLimited(req, maxDocument, missing)
}

// readCheckedLimited is readCheckedDocument for a document of at most
// limit bytes.
func readCheckedLimited(req *Request, limit int64, missing string) ([]byte, *s3err.Error) {
	r := req.HTTP
	wantMD5, serr := contentMD5(r.Header)
	if serr != nil {
		return nil, serr
	}
	doc, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, BodyReadError(err)
	}
	if wantMD5 != nil {
		sum := md5.Sum(doc)
		if serr := verifyMD5(hex.EncodeToString(sum[:]), wantMD5); serr != nil {
			return nil, serr
		}
	} else if !hasDigest(r.Header) && bodyChecksum(req).Algorithm == "" {
		return nil, s3err.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: "+missing)
	}
	return doc, nil
}
