package s3api_test

// Test helpers shared by the tests of every operation.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// newServer starts an emulator with buckets and returns it with an
// aws-sdk-go-v2 client using default settings (virtual-hosted addressing,
// default checksums).
func newServer(t *testing.T, buckets ...string) (*emulatortest.Server, *s3.Client) {
	t.Helper()
	srv := emulatortest.New(t, emulatortest.WithBuckets(buckets...))
	return srv, s3.NewFromConfig(srv.AWSConfig(t))
}

// rawResponse is the outcome of a raw HTTP request.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a raw, SigV4-signed (default credentials) path-style request:
// path is "/bucket/key?query". hdr may be nil.
func do(t *testing.T, srv *emulatortest.Server, method, path string, body []byte, hdr map[string]string) rawResponse {
	t.Helper()
	return doAt(t, srv, time.Now(), method, path, body, hdr)
}

// doAt is do with the request signed at now (the emulator's clock).
func doAt(t *testing.T, srv *emulatortest.Server, now time.Time, method, path string, body []byte, hdr map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// s3Err is the parsed body of an S3 error response.
type s3Err struct {
	Code, Message, Resource, RequestId string
}

// errorOf parses an error body, failing the test when it is not S3 XML.
func errorOf(t *testing.T, r rawResponse) s3Err {
	t.Helper()
	var e s3Err
	if err := xml.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("status %d: body is not an S3 error: %q", r.Status, r.Body)
	}
	if e.RequestId == "" || e.RequestId != r.Header.Get("x-amz-request-id") {
		t.Errorf("RequestId %q differs from x-amz-request-id %q", e.RequestId, r.Header.Get("x-amz-request-id"))
	}
	return e
}

// apiError returns "Code: Message" of an SDK error, "" for nil.
func apiError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// put stores an object through the SDK.
func put(t *testing.T, c *s3.Client, bucket, key, body string) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

// testClock is a settable clock: the emulator (signature checks, the
// store's timestamps) and the test's signer read the same time.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// mustDoAt sends a raw path-style request signed at the clock's time
// and fails the test unless it gets want.
func mustDoAt(t *testing.T, srv *emulatortest.Server, clock *testClock, method, path, body string, want int) []byte {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	r := doAt(t, srv, clock.now(), method, path, b, nil)
	if r.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.Body
}
