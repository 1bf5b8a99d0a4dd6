package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/awschunked"
)

const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

var testCreds = aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey}

func s3Signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// signedReq builds a request signed like aws-sdk-go-v2 signs S3 requests.
func signedReq(t *testing.T, method, url string, body []byte, payload string, creds aws.Credentials, region, service string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if err := s3Signer().SignHTTP(context.Background(), creds, req, payload, service, region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

// signedChunkedPut builds a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload of
// chunks, each signed in the chain seeded by the request signature; tamper
// may change the encoded body before it is sent.
func signedChunkedPut(t *testing.T, url string, chunks [][]byte, tamper func([]byte) []byte) *http.Request {
	t.Helper()
	const sigLen = 64
	decoded, encodedLen := 0, 0
	for _, c := range append(chunks, nil) {
		decoded += len(c)
		encodedLen += len(strconv.FormatInt(int64(len(c)), 16)) + len(";chunk-signature=") + sigLen + 2 + len(c) + 2
	}
	req, err := http.NewRequest("PUT", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	const payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	at := time.Now().UTC()
	req.Header.Set("X-Amz-Content-Sha256", payload)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
	req.ContentLength = int64(encodedLen)
	if err := s3Signer().SignHTTP(context.Background(), testCreds, req, payload, "s3", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	seed := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
	date := at.Format("20060102")
	v := awschunked.NewSigV4ChunkVerifier(awschunked.DeriveSigningKey(testCreds.SecretAccessKey, date, "us-east-1", "s3"),
		at.Format("20060102T150405Z"), date+"/us-east-1/s3/aws4_request", seed)
	var body bytes.Buffer
	prev := seed
	for _, c := range append(chunks, nil) {
		sig := v.ChunkSignature(prev, sha256.Sum256(c))
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n", len(c), sig)
		body.Write(c)
		body.WriteString("\r\n")
		prev = sig
	}
	b := body.Bytes()
	if tamper != nil {
		b = tamper(b)
	}
	req.ContentLength = int64(len(b))
	req.Body = io.NopCloser(bytes.NewReader(b))
	return req
}

func s3ErrorOf(t *testing.T, resp *http.Response) xmlError {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e xmlError
	if resp.Request.Method != "HEAD" {
		if err := xml.Unmarshal(b, &e); err != nil {
			t.Fatalf("status %d, body is not S3 XML: %s", resp.StatusCode, b)
		}
	}
	return e
}

// TestForgeryMatrix: each forged or broken request gets S3's error code and
// stores nothing.
func TestForgeryMatrix(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"forge"}})
	base := srv.URL() + "/forge/"
	now := time.Now().UTC()
	body := []byte("forged content")
	other := aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: "wrong-secret-wrong-secret-wrong-secret-00"}
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: emulator.DefaultSecretAccessKey}
	flip := func(b []byte, old, repl string) []byte { return bytes.Replace(b, []byte(old), []byte(repl), 1) }

	tests := []struct {
		name   string
		key    string
		req    func(url string) *http.Request
		status int
		code   string
	}{
		{"tampered signature", "k1", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", a[len(a)-1])+1)%16]))
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"wrong secret", "k2", func(u string) *http.Request { return signedReq(t, "PUT", u, body, "", other, "us-east-1", "s3", now) }, 403, "SignatureDoesNotMatch"},
		{"unknown access key", "k3", func(u string) *http.Request { return signedReq(t, "PUT", u, body, "", unknown, "us-east-1", "s3", now) }, 403, "InvalidAccessKeyId"},
		{"tampered signed header", "k4", func(u string) *http.Request {
			r, _ := http.NewRequest("PUT", u, bytes.NewReader(body))
			r.Header.Set("X-Amz-Meta-Owner", "alice")
			sum := sha256.Sum256(body)
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
			s3Signer().SignHTTP(context.Background(), testCreds, r, hex.EncodeToString(sum[:]), "s3", "us-east-1", now)
			r.Header.Set("X-Amz-Meta-Owner", "mallory")
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"tampered query", "k5", func(u string) *http.Request {
			r := signedReq(t, "PUT", u+"?tagging", []byte("<Tagging/>"), "", testCreds, "us-east-1", "s3", now)
			r.URL.RawQuery = "acl"
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"tampered path", "k6", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			r.URL.Path += "-other"
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"clock 20 minutes ahead", "k7", func(u string) *http.Request {
			return signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now.Add(20*time.Minute))
		}, 403, "RequestTimeTooSkewed"},
		{"clock 20 minutes behind", "k8", func(u string) *http.Request {
			return signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now.Add(-20*time.Minute))
		}, 403, "RequestTimeTooSkewed"},
		{"wrong region", "k9", func(u string) *http.Request {
			return signedReq(t, "PUT", u, body, "", testCreds, "eu-west-1", "s3", now)
		}, 400, "AuthorizationHeaderMalformed"},
		{"wrong service", "k10", func(u string) *http.Request {
			return signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "ec2", now)
		}, 400, "AuthorizationHeaderMalformed"},
		{"body differs from signed sha256", "k11", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			r.Body = io.NopCloser(bytes.NewReader([]byte("FORGED content")))
			return r
		}, 400, "XAmzContentSHA256Mismatch"},
		{"unsigned body claimed as signed sha256", "k12", func(u string) *http.Request {
			return signedReq(t, "PUT", u, body, emptySHA, testCreds, "us-east-1", "s3", now)
		}, 400, "XAmzContentSHA256Mismatch"},
		{"missing x-amz-content-sha256", "k13", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			r.Header.Del("X-Amz-Content-Sha256")
			return r
		}, 400, "InvalidRequest"},
		{"no authentication (anonymous)", "k14", func(u string) *http.Request {
			r, _ := http.NewRequest("PUT", u, bytes.NewReader(body))
			return r
		}, 403, "AccessDenied"},
		{"signature version 2", "k15", func(u string) *http.Request {
			r, _ := http.NewRequest("PUT", u, bytes.NewReader(body))
			r.Header.Set("Authorization", "AWS "+emulator.DefaultAccessKeyID+":c2lnbmF0dXJl")
			return r
		}, 400, "InvalidRequest"},
		{"malformed authorization header", "k16", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=broken")
			return r
		}, 400, "AuthorizationHeaderMalformed"},
		{"chunk signature tampered mid-stream", "k17", func(u string) *http.Request {
			return signedChunkedPut(t, u, [][]byte{bytes.Repeat([]byte("a"), 8192), bytes.Repeat([]byte("b"), 100)}, func(b []byte) []byte {
				i := bytes.Index(b[10:], []byte("chunk-signature=")) + 10 // the second chunk's
				i = bytes.Index(b[i+1:], []byte("chunk-signature=")) + i + 1 + len("chunk-signature=")
				if b[i] == '0' { // another hex digit, so only the signature is wrong
					b[i] = '1'
				} else {
					b[i] = '0'
				}
				return b
			})
		}, 403, "SignatureDoesNotMatch"},
		{"chunk data tampered", "k18", func(u string) *http.Request {
			return signedChunkedPut(t, u, [][]byte{[]byte("hello world")}, func(b []byte) []byte { return flip(b, "hello", "jello") })
		}, 403, "SignatureDoesNotMatch"},
		{"replayed chunk", "k19", func(u string) *http.Request {
			return signedChunkedPut(t, u, [][]byte{[]byte("first"), []byte("first")}, func(b []byte) []byte {
				// Replace the second chunk (same bytes) by a copy of the first, signature included.
				parts := bytes.SplitN(b, []byte("\r\n"), 5)
				first := append(append(append([]byte{}, parts[0]...), "\r\n"...), append(parts[1], "\r\n"...)...)
				rest := bytes.Join(parts[4:], nil)
				return append(append(append([]byte{}, first...), first...), append([]byte("0;"), bytes.SplitN(rest, []byte("0;"), 2)[1]...)...)
			})
		}, 403, "SignatureDoesNotMatch"},
		{"trailer checksum mismatch", "k20", func(u string) *http.Request {
			enc := []byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
			r, _ := http.NewRequest("PUT", u, bytes.NewReader(enc))
			r.Header.Set("Content-Encoding", "aws-chunked")
			r.Header.Set("X-Amz-Decoded-Content-Length", "5")
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			s3Signer().SignHTTP(context.Background(), testCreds, r, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", "us-east-1", now)
			return r
		}, 400, "BadDigest"},
		{"checksum header mismatch", "k21", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
			r.Header.Set("X-Amz-Checksum-Sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
			s3Signer().SignHTTP(context.Background(), testCreds, r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", now)
			return r
		}, 400, "BadDigest"},
		{"host swapped to another endpoint name", "k22", func(u string) *http.Request {
			r := signedReq(t, "PUT", u, body, "", testCreds, "us-east-1", "s3", now)
			r.Host = strings.Replace(r.URL.Host, "9tcntpvn", "9tcntpvn-us-east-1a", 1)
			return r
		}, 403, "SignatureDoesNotMatch"},
	}
	c := srv.Client()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Do(tt.req(base + tt.key))
			if err != nil {
				t.Fatal(err)
			}
			e := s3ErrorOf(t, resp)
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, tt.status, tt.code)
			}
			if e.RequestId == "" || e.RequestId != resp.Header.Get("x-amz-request-id") {
				t.Errorf("RequestId %q, header %q", e.RequestId, resp.Header.Get("x-amz-request-id"))
			}
			head := signedReq(t, "HEAD", base+tt.key, nil, "", testCreds, "us-east-1", "s3", time.Now())
			if resp, err := c.Do(head); err != nil || resp.StatusCode != 404 {
				t.Errorf("after the refused PUT, HEAD %s = %v %v; want 404: nothing stored", tt.key, resp.StatusCode, err)
			}
		})
	}
	t.Run("valid signed chunks are accepted", func(t *testing.T) {
		resp, err := c.Do(signedChunkedPut(t, base+"chunked", [][]byte{bytes.Repeat([]byte("x"), 65536), []byte("tail")}, nil))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %+v", resp.StatusCode, s3ErrorOf(t, resp))
		}
	})
	if n := len(tests); n < 20 {
		t.Fatalf("forgery matrix has %d cases, want at least 20", n)
	}
}

// TestForgeriesThroughSDK runs the client-side forgeries through
// aws-sdk-go-v2 itself.
func TestForgeriesThroughSDK(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"sdkforge"}})
	ctx := t.Context()
	client := func(key, secret, region string) *s3.Client {
		return s3.NewFromConfig(aws.Config{Region: region, HTTPClient: srv.Client(),
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	}
	tests := []struct {
		name                string
		key, secret, region string
		code                string
	}{
		{"wrong secret", emulator.DefaultAccessKeyID, "not-the-secret-not-the-secret-not-the-se", "us-east-1", "SignatureDoesNotMatch"},
		{"unknown key", "AKIANOSUCHKEY0000000", emulator.DefaultSecretAccessKey, "us-east-1", "InvalidAccessKeyId"},
		{"wrong region", emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "us-west-2", "AuthorizationHeaderMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.key, tt.secret, tt.region).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdkforge"), Key: aws.String("k"), Body: strings.NewReader("x")})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Fatalf("PutObject: %v; want %s", err, tt.code)
			}
		})
	}
	good := client(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "us-east-1")
	if _, err := good.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdkforge"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("a correct PutObject failed: %v", err)
	}
	presign := s3.NewPresignClient(good)
	get := func(expires time.Duration, tamper func(string) string) (int, string) {
		p, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdkforge"), Key: aws.String("k")}, s3.WithPresignExpires(expires))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Get(tamper(p.URL))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 200 {
			resp.Body.Close()
			return 200, ""
		}
		return resp.StatusCode, s3ErrorOf(t, resp).Code
	}
	same := func(s string) string { return s }
	if st, code := get(time.Minute, same); st != 200 {
		t.Errorf("valid presigned GET: %d %s", st, code)
	}
	if st, code := get(time.Minute, func(s string) string { return strings.Replace(s, "/k?", "/other?", 1) }); code != "SignatureDoesNotMatch" {
		t.Errorf("presigned URL for another key: %d %s", st, code)
	}
	if st, code := get(time.Minute, func(s string) string { return strings.Replace(s, "X-Amz-Expires=60", "X-Amz-Expires=600", 1) }); code != "SignatureDoesNotMatch" {
		t.Errorf("presigned URL with a longer expiry: %d %s", st, code)
	}
	if st, code := get(1*time.Second, same); st != 200 {
		t.Errorf("fresh 1 s presigned GET: %d %s", st, code)
	}
	expired := emulator.Options{Buckets: []string{"sdkforge"}, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}
	later := startServer(t, expired)
	p, _ := s3.NewPresignClient(s3.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: later.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(later.URL()) })).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdkforge"), Key: aws.String("k")}, s3.WithPresignExpires(time.Hour))
	resp, err := later.Client().Get(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	if e := s3ErrorOf(t, resp); resp.StatusCode != 403 || e.Code != "AccessDenied" || e.Message != "Request has expired" {
		t.Errorf("expired presigned URL: %d %s %q", resp.StatusCode, e.Code, e.Message)
	}
}

// authErrorXML is an S3 error body with the elements of authentication
// refusals.
type authErrorXML struct {
	Code, Message, HeadersNotSigned, ArgumentName, ArgumentValue, RequestId string
}

// presignedPut presigns a PUT of url (UNSIGNED-PAYLOAD, as every SDK
// presigns) with hdr signed as headers, and builds the request that sends
// body with those headers.
func presignedPut(t *testing.T, url string, body []byte, hdr map[string]string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest("PUT", url+"?X-Amz-Expires=900", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping, o.DisableHeaderHoisting = true, true })
	u, signedHdr, err := signer.PresignHTTP(context.Background(), testCreds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest("PUT", u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range signedHdr {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	return out
}

// headerSignedPut signs a PUT of url in the Authorization header with
// UNSIGNED-PAYLOAD (what aws CLI v2 and the SDKs send over HTTPS for some
// uploads), hdr among the signed headers.
func headerSignedPut(t *testing.T, url string, body []byte, hdr map[string]string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := s3Signer().SignHTTP(context.Background(), testCreds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestForgeryUnsignedHeaders: whoever holds a presigned PUT URL, or a
// captured header-signed PUT with UNSIGNED-PAYLOAD, cannot add an x-amz-*
// header to it: S3's AccessDenied with HeadersNotSigned, and nothing is
// stored, copied, tagged or changed. The same headers signed are accepted
// and take effect. Also refused before anything is stored: a repeated
// X-Amz-Signature, an Authorization header beside query authentication,
// and two Authorization headers.
func TestForgeryUnsignedHeaders(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"unsigned"}})
	c := srv.Client()
	base := srv.URL() + "/unsigned/"
	secret := []byte("the signer can read this")
	original := []byte("original content")
	body := []byte("uploaded through the signed request")

	send := func(t *testing.T, r *http.Request) (*http.Response, []byte) {
		t.Helper()
		resp, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	signed := func(t *testing.T, method, url string, b []byte) (*http.Response, []byte) {
		t.Helper()
		return send(t, signedReq(t, method, url, b, "", testCreds, "us-east-1", "s3", time.Now()))
	}
	put := func(t *testing.T, key string, b []byte) {
		t.Helper()
		if resp, rb := signed(t, "PUT", base+key, b); resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %d %s", key, resp.StatusCode, rb)
		}
	}
	refused := func(t *testing.T, resp *http.Response, b []byte, status int, code string) authErrorXML {
		t.Helper()
		var e authErrorXML
		if err := xml.Unmarshal(b, &e); err != nil {
			t.Fatalf("status %d, body is not S3 XML: %s", resp.StatusCode, b)
		}
		if resp.StatusCode != status || e.Code != code {
			t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, status, code)
		}
		if e.RequestId == "" || e.RequestId != resp.Header.Get("x-amz-request-id") {
			t.Errorf("RequestId %q, header %q", e.RequestId, resp.Header.Get("x-amz-request-id"))
		}
		return e
	}
	absent := func(t *testing.T, key string) {
		t.Helper()
		if resp, _ := signed(t, "HEAD", base+key, nil); resp.StatusCode != 404 {
			t.Errorf("HEAD %s = %d after the refused request, want 404: nothing stored", key, resp.StatusCode)
		}
	}
	put(t, "source", secret)

	type mode struct {
		name string
		req  func(t *testing.T, url string, body []byte, hdr map[string]string, at time.Time) *http.Request
	}
	modes := []mode{{"presigned PUT", presignedPut}, {"header-signed UNSIGNED-PAYLOAD PUT", headerSignedPut}}
	headers := []struct {
		name, value string
		copies      bool // the request is a CopyObject: no body
		// took checks that the signed header had its effect on key.
		took func(t *testing.T, key string, resp *http.Response, got []byte)
	}{
		{"x-amz-copy-source", "/unsigned/source", true, func(t *testing.T, key string, resp *http.Response, got []byte) {
			if !bytes.Equal(got, secret) {
				t.Errorf("%s = %q, want the copied %q", key, got, secret)
			}
		}},
		{"x-amz-tagging", "forged=yes", false, func(t *testing.T, key string, resp *http.Response, got []byte) {
			if n := resp.Header.Get("x-amz-tagging-count"); n != "1" {
				t.Errorf("x-amz-tagging-count %q, want 1", n)
			}
		}},
		{"x-amz-meta-foo", "forged", false, func(t *testing.T, key string, resp *http.Response, got []byte) {
			if v := resp.Header.Get("x-amz-meta-foo"); v != "forged" {
				t.Errorf("x-amz-meta-foo %q, want forged", v)
			}
		}},
		{"x-amz-storage-class", "STANDARD_IA", false, func(t *testing.T, key string, resp *http.Response, got []byte) {
			if v := resp.Header.Get("x-amz-storage-class"); v != "STANDARD_IA" {
				t.Errorf("x-amz-storage-class %q, want STANDARD_IA", v)
			}
		}},
		{"x-amz-acl", "bucket-owner-full-control", false, nil},
	}
	for _, m := range modes {
		for _, h := range headers {
			key := strings.ReplaceAll(m.name+"-"+h.name, " ", "-")
			b := body
			if h.copies {
				b = nil
			}
			forged := func(t *testing.T, key string) *http.Request {
				r := m.req(t, base+key, b, nil, time.Now())
				r.Header.Set(h.name, h.value)
				return r
			}
			t.Run(m.name+"/"+h.name+" added unsigned, new key", func(t *testing.T) {
				resp, rb := send(t, forged(t, key+"-new"))
				e := refused(t, resp, rb, 403, "AccessDenied")
				if e.Message != "There were headers present in the request which were not signed" || e.HeadersNotSigned != h.name {
					t.Errorf("Message %q HeadersNotSigned %q, want S3's message and %q", e.Message, e.HeadersNotSigned, h.name)
				}
				absent(t, key+"-new")
			})
			t.Run(m.name+"/"+h.name+" added unsigned, existing key", func(t *testing.T) {
				put(t, key+"-old", original)
				resp, rb := send(t, forged(t, key+"-old"))
				if e := refused(t, resp, rb, 403, "AccessDenied"); e.HeadersNotSigned != h.name {
					t.Errorf("HeadersNotSigned %q, want %q", e.HeadersNotSigned, h.name)
				}
				resp, got := signed(t, "GET", base+key+"-old", nil)
				if resp.StatusCode != 200 || !bytes.Equal(got, original) {
					t.Fatalf("GET after the refused request: %d %q, want the original %q", resp.StatusCode, got, original)
				}
				for _, hdr := range []string{"x-amz-tagging-count", "x-amz-meta-foo", "x-amz-storage-class"} {
					if v := resp.Header.Get(hdr); v != "" {
						t.Errorf("%s: %q after the refused request, want none", hdr, v)
					}
				}
				if resp, tags := signed(t, "GET", base+key+"-old?tagging", nil); resp.StatusCode != 200 || bytes.Contains(tags, []byte("<Tag>")) {
					t.Errorf("GetObjectTagging after the refused request: %d %s, want no tags", resp.StatusCode, tags)
				}
			})
			t.Run(m.name+"/"+h.name+" signed is accepted", func(t *testing.T) {
				resp, rb := send(t, m.req(t, base+key+"-signed", b, map[string]string{h.name: h.value}, time.Now()))
				if resp.StatusCode != 200 {
					t.Fatalf("signed %s: %d %s", h.name, resp.StatusCode, rb)
				}
				resp, got := signed(t, "GET", base+key+"-signed", nil)
				if resp.StatusCode != 200 {
					t.Fatalf("GET: %d %s", resp.StatusCode, got)
				}
				if h.took != nil {
					h.took(t, key+"-signed", resp, got)
				}
			})
		}
	}
	if resp, got := signed(t, "GET", base+"source", nil); resp.StatusCode != 200 || !bytes.Equal(got, secret) {
		t.Errorf("the copy source changed: %d %q", resp.StatusCode, got)
	}

	sig := strings.Repeat("0", 64)
	tests := []struct {
		name, key    string
		req          func(url string) *http.Request
		status       int
		code, msgHas string
		argName      string
	}{
		{name: "second X-Amz-Signature after the valid one", key: "dup-sig-after", req: func(u string) *http.Request {
			r := presignedPut(t, u, body, nil, time.Now())
			r.URL.RawQuery += "&X-Amz-Signature=" + sig
			return r
		}, status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Signature"},
		{name: "second X-Amz-Signature before the valid one", key: "dup-sig-before", req: func(u string) *http.Request {
			r := presignedPut(t, u, body, nil, time.Now())
			r.URL.RawQuery = "X-Amz-Signature=" + sig + "&" + r.URL.RawQuery
			return r
		}, status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Signature"},
		{name: "second X-Amz-Credential", key: "dup-cred", req: func(u string) *http.Request {
			r := presignedPut(t, u, body, nil, time.Now())
			r.URL.RawQuery += "&X-Amz-Credential=AKIAUNKNOWNKEY000000%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
			return r
		}, status: 400, code: "AuthorizationQueryParametersError", msgHas: "X-Amz-Credential"},
		{name: "Authorization header and presigned query, both valid", key: "both", req: func(u string) *http.Request {
			r := presignedPut(t, u, body, nil, time.Now())
			r.Header.Set("Authorization", headerSignedPut(t, u, body, nil, time.Now()).Header.Get("Authorization"))
			return r
		}, status: 400, code: "InvalidArgument", msgHas: "Only one auth mechanism allowed", argName: "Authorization"},
		{name: "two Authorization headers", key: "two-auth", req: func(u string) *http.Request {
			r := headerSignedPut(t, u, body, nil, time.Now())
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r
		}, status: 400, code: "AuthorizationHeaderMalformed", msgHas: "more than one Authorization header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, rb := send(t, tt.req(base+tt.key))
			e := refused(t, resp, rb, tt.status, tt.code)
			if !strings.Contains(e.Message, tt.msgHas) {
				t.Errorf("Message %q, want it to contain %q", e.Message, tt.msgHas)
			}
			if e.ArgumentName != tt.argName || tt.argName != "" && !strings.HasPrefix(e.ArgumentValue, "AWS4-HMAC-SHA256 Credential=") {
				t.Errorf("ArgumentName %q ArgumentValue %q, want %q and the header", e.ArgumentName, e.ArgumentValue, tt.argName)
			}
			absent(t, tt.key)
		})
	}
	t.Run("the presigned PUT itself is accepted", func(t *testing.T) {
		if resp, rb := send(t, presignedPut(t, base+"presigned-ok", body, nil, time.Now())); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, rb)
		}
		if resp, got := signed(t, "GET", base+"presigned-ok", nil); resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("GET: %d %q", resp.StatusCode, got)
		}
	})
}
