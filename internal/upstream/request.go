package upstream

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// unsignedPayload is x-amz-content-sha256 for a payload the signature
// does not cover.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// droppedHeaders are the client's request headers the upstream request
// does not carry: hop-by-hop headers, the client's authentication, and
// the transport of the client's body (its framing is decoded; the
// upstream request has its own).
var droppedHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Expect", "Host", "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
	"X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "Content-Length",
}

// presignParams are the query parameters of a presigned URL: they
// authenticated the client and are not forwarded.
var presignParams = map[string]bool{
	"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true, "x-amz-expires": true,
	"x-amz-signedheaders": true, "x-amz-signature": true, "x-amz-security-token": true,
}

// newRequest builds the signed upstream request for req.
func (f *Forwarder) newRequest(ctx context.Context, req *Request) (*http.Request, *s3err.Error) {
	in := req.HTTP
	u := f.target(req.Bucket, req.Key)
	h := make(http.Header, len(in.Header))
	for k, v := range in.Header {
		h[k] = append([]string(nil), v...)
	}
	for _, k := range droppedHeaders {
		delete(h, k)
	}
	u.RawQuery = forwardQuery(in.URL.RawQuery, h)
	out, err := http.NewRequestWithContext(ctx, in.Method, u.String(), nil)
	if err != nil {
		return nil, s3err.New(http.StatusInternalServerError, "InternalError", "s3vpce could not build the upstream request: "+err.Error())
	}
	out.URL = u // keeps RawPath: the key's bytes as S3 encodes them
	out.Header = h
	hash := emptySHA256
	if b := req.Body; b != nil && b.Size != 0 {
		hash = unsignedPayload
		body := io.Reader(verdictReader{b.Reader})
		size := b.Size
		if len(req.PayloadHash) == 64 {
			hash = req.PayloadHash // the client's: the upstream checks it too
		}
		if name, alg, ok := trailerChecksum(req.Trailer); ok && b.Checksum != nil {
			enc := newChunkEncoder(body, size, name, alg, b.Checksum)
			body, size, hash = enc, enc.encodedLength(), streamingUnsignedTrailer
			h.Set("Content-Encoding", appendEncoding(h.Get("Content-Encoding")))
			h.Set("X-Amz-Trailer", name)
			h.Set("X-Amz-Decoded-Content-Length", itoa(b.Size))
		}
		out.Body, out.ContentLength = io.NopCloser(body), size
	}
	h.Set("X-Amz-Content-Sha256", hash)
	creds, err := f.creds.Retrieve(ctx)
	if err != nil {
		return nil, s3err.New(http.StatusInternalServerError, "InternalError", "s3vpce could not get its upstream credentials: "+err.Error())
	}
	if err := f.signer.SignHTTP(ctx, creds, out, hash, "s3", f.region, now()); err != nil {
		return nil, s3err.New(http.StatusInternalServerError, "InternalError", "s3vpce could not sign the upstream request: "+err.Error())
	}
	return out, nil
}

// target is the upstream URL of bucket/key, path or virtual-hosted style.
func (f *Forwarder) target(bucket, key string) *url.URL {
	u := *f.base
	path, raw := u.Path, escapePath(u.Path)
	switch {
	case bucket == "":
		path, raw = path+"/", raw+"/"
	case f.virtualHost && virtualHostable(bucket):
		u.Host = bucket + "." + u.Host
		path, raw = "/"+key, "/"+escapePath(key)
	default:
		path, raw = path+"/"+bucket, raw+"/"+escapePath(bucket)
		if key != "" {
			path, raw = path+"/"+key, raw+"/"+escapePath(key)
		}
	}
	u.Path, u.RawPath = path, raw
	return &u
}

// virtualHostable reports whether bucket can be a host name label set
// under TLS wildcards: no dots, lower case.
func virtualHostable(bucket string) bool {
	return !strings.Contains(bucket, ".") && strings.ToLower(bucket) == bucket
}

// escapePath encodes a path as S3 canonicalises it: every byte but the
// unreserved characters and '/' percent-encoded.
func escapePath(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// forwardQuery drops a presigned URL's authentication parameters from a
// raw query, keeping the others as sent. Headers a presigned URL carried
// in its query (x-amz-acl, x-amz-server-side-encryption, …) move to h.
func forwardQuery(raw string, h http.Header) string {
	if raw == "" {
		return ""
	}
	var keep []string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			keep = append(keep, part)
			continue
		}
		ln := strings.ToLower(n)
		if presignParams[ln] {
			continue
		}
		if strings.HasPrefix(ln, "x-amz-") {
			if v, err := url.QueryUnescape(value); err == nil {
				h.Set(n, v)
				continue
			}
		}
		keep = append(keep, part)
	}
	return strings.Join(keep, "&")
}

// verdictReader passes a verified body through, except that the read
// which ends it with an error (a checksum or signature mismatch found at
// the end) delivers no bytes: the upstream then never receives the whole
// declared length and cannot commit a body s3vpce refused.
type verdictReader struct{ r io.Reader }

func (v verdictReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if err != nil && err != io.EOF {
		return 0, err
	}
	return n, err
}
