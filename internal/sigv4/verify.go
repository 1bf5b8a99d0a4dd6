package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"time"
)

// MaxSkew is how far X-Amz-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Expect is what the endpoint requires of a request's credential scope.
type Expect struct {
	Region  string
	Service string // "s3"
	Now     time.Time
}

// SigningKey derives the SigV4 signing key.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// CheckScope checks the credential scope, clock skew and presign expiry
// against what the endpoint expects; it needs no secret.
func (a *Auth) CheckScope(e Expect) error {
	if a.Service != e.Service {
		return malformedFor(a, fmt.Sprintf("The authorization header is malformed; incorrect service %q. This endpoint belongs to %q.", a.Service, e.Service))
	}
	if a.Region != e.Region {
		err := malformedFor(a, fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", a.Region, e.Region))
		return err.With("Region", e.Region)
	}
	var day [16]byte
	if string(appendAmzTime(day[:0], a.Time, dateLayout)) != a.Date {
		return malformedFor(a, fmt.Sprintf("The authorization header is malformed; Invalid credential date \"%s\". Date is not the same as X-Amz-Date: \"%s\".", a.Date, a.Time.Format("20060102")))
	}
	if a.Kind == Post {
		return nil // a POST policy has its own expiration; no clock skew applies
	}
	if a.Kind == Query {
		if e.Now.Before(a.Time.Add(-MaxSkew)) {
			return s3err.New(http.StatusForbidden, "AccessDenied", "Request is not valid yet")
		}
		if e.Now.After(a.Time.Add(a.Expires)) {
			return s3err.New(http.StatusForbidden, "AccessDenied", "Request has expired")
		}
		return nil
	}
	if d := e.Now.Sub(a.Time); d > MaxSkew || d < -MaxSkew {
		return s3err.New(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	return nil
}

func malformedFor(a *Auth, msg string) *s3err.Error {
	if a.Kind == Query {
		return queryError(msg)
	}
	return malformed(msg)
}

// CanonicalRequest builds the canonical request S3 signs for r.
func (a *Auth) CanonicalRequest(r *http.Request) (string, error) {
	b, err := a.appendCanonicalRequest(nil, r)
	return string(b), err
}

// appendCanonicalRequest appends the canonical request for r to dst.
func (a *Auth) appendCanonicalRequest(dst []byte, r *http.Request) ([]byte, error) {
	b := append(dst, r.Method...)
	b = append(b, '\n')
	b = append(b, canonicalURI(r)...)
	b = append(b, '\n')
	b, err := appendCanonicalQuery(b, r.URL.RawQuery, a.Kind == Query)
	if err != nil {
		return nil, s3err.New(http.StatusBadRequest, "InvalidArgument", "The query string is not properly encoded.")
	}
	b = append(b, '\n')
	hasHost := false
	for _, h := range a.SignedHeaders {
		var ok bool
		b = append(b, h...)
		b = append(b, ':')
		if b, ok = appendHeaderValue(b, r, h); !ok && h != "content-length" {
			return nil, s3err.New(http.StatusForbidden, "AccessDenied", fmt.Sprintf("There were headers present in the request which were not signed; or a signed header is missing: %s", h))
		}
		if h == "host" {
			hasHost = true
		}
		b = append(b, '\n')
	}
	if !hasHost {
		return nil, malformedFor(a, "The authorization header is malformed; the host header must be signed.")
	}
	b = append(b, '\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	return append(b, a.PayloadHash...), nil
}

// StringToSign is the SigV4 string to sign for a canonical request.
func (a *Auth) StringToSign(canonical string) string {
	return string(a.appendStringToSign(nil, sha256.Sum256([]byte(canonical))))
}

// appendStringToSign appends the string to sign for a canonical request
// whose SHA-256 is sum.
func (a *Auth) appendStringToSign(dst []byte, sum [sha256.Size]byte) []byte {
	b := append(dst, Algorithm...)
	b = append(b, '\n')
	b = appendAmzTime(b, a.Time, amzDateLayout)
	b = append(b, '\n')
	b = append(b, a.Date...)
	b = append(b, '/')
	b = append(b, a.Region...)
	b = append(b, '/')
	b = append(b, a.Service...)
	b = append(b, "/aws4_request\n"...)
	return hex.AppendEncode(b, sum[:])
}

// Verify recomputes the signature with secret and compares it in constant
// time. The signing key is returned for verifying streamed chunks.
func (a *Auth) Verify(r *http.Request, secret string) (signingKey []byte, err error) {
	key := SigningKey(secret, a.Date, a.Region, a.Service)
	return key, a.VerifyWithKey(r, key)
}

// VerifyWithKey is Verify with a signing key the caller derived (and may
// cache: it depends only on the secret and the credential scope). A
// server verifying many requests uses a Verifier, which reuses buffers.
func (a *Auth) VerifyWithKey(r *http.Request, key []byte) error {
	var v Verifier
	return v.verify(a, r, key, false)
}

// Verify is a.VerifyWithKey(r, key), the canonical request and the string
// to sign built in one of v's buffers; strings are made only for the
// error.
func (v *Verifier) Verify(a *Auth, r *http.Request, key []byte) error {
	return v.verify(a, r, key, true)
}

// verify is Verify; poolMAC says whether to keep the key's HMAC state for
// later requests (not for a one-off Verifier).
func (v *Verifier) verify(a *Auth, r *http.Request, key []byte, poolMAC bool) error {
	bp := v.buffer()
	defer v.bufs.Put(bp)
	buf, err := a.appendCanonicalRequest((*bp)[:0], r)
	if err != nil {
		return err
	}
	n := len(buf)
	buf = a.appendStringToSign(buf, sha256.Sum256(buf[:n]))
	if cap(buf) <= maxPooledBuf {
		*bp = buf
	}
	if !v.signatureMatches(a, key, buf[n:], poolMAC) {
		canonical, sts := string(buf[:n]), string(buf[n:])
		return s3err.New(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.").
			With("AWSAccessKeyId", a.AccessKeyID).
			With("StringToSign", sts).
			With("SignatureProvided", a.Signature).
			With("StringToSignBytes", hexBytes(sts)).
			With("CanonicalRequest", canonical).
			With("CanonicalRequestBytes", hexBytes(canonical))
	}
	return nil
}
