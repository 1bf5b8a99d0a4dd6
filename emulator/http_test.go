package emulator_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/s3vpce/s3vpce/emulator"
)

type xmlError struct {
	Code      string
	Message   string
	RequestId string
}

func do(t *testing.T, c *http.Client, method, url string, body io.Reader, hdr map[string]string, chunked bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	anonymous := false
	for k, v := range hdr {
		switch k {
		case "Host":
			req.Host = v // SNI still names the URL's host
		case "Anonymous":
			anonymous = true
		default:
			req.Header.Set(k, v)
		}
	}
	if chunked {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	if !anonymous {
		sign(t, req, time.Now())
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestRawHTTP(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"raw"}})
	c := srv.Client()
	base := srv.URL()
	endpointName := "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"
	virtual := strings.Replace(base, "https://bucket.", "https://raw.bucket.", 1)

	// Transfer-Encoding: chunked without a length (no Content-Length, no
	// aws-chunked decoded length): S3 answers 501 NotImplemented naming the
	// header, and stores nothing.
	resp, body := do(t, c, "PUT", base+"/raw/chunked", strings.NewReader("streamed body"), nil, true)
	if resp.StatusCode != 501 || !strings.Contains(string(body), "<Header>Transfer-Encoding</Header>") {
		t.Fatalf("chunked PUT: %d %s; want S3's 501 NotImplemented for Transfer-Encoding", resp.StatusCode, body)
	}
	resp, body = do(t, c, "GET", virtual+"/chunked", nil, nil, false)
	if resp.StatusCode != 404 {
		t.Fatalf("GET chunked object: %d %q; want 404", resp.StatusCode, body)
	}

	tests := []struct {
		name, method, url string
		body              string
		hdr               map[string]string
		status            int
		code              string
	}{
		{"checksum header mismatch", "PUT", base + "/raw/k", "hello", map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, 400, "BadDigest"},
		{"malformed aws-chunked body", "PUT", base + "/raw/k", "zz;chunk\r\n", map[string]string{"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5"}, 400, "InvalidRequest"},
		{"aws-chunked trailer checksum mismatch", "PUT", base + "/raw/k", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", map[string]string{"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5", "x-amz-trailer": "x-amz-checksum-crc32"}, 400, "BadDigest"},
		{"missing access point", "GET", strings.Replace(base, "https://bucket.", "https://ap-123456789012.accesspoint.", 1) + "/k", "", nil, 404, "NoSuchAccessPoint"},
		{"unknown label under endpoint", "GET", base + "/", "", map[string]string{"Host": "foo." + endpointName}, 400, "InvalidRequest"},
		{"unknown endpoint", "GET", base + "/", "", map[string]string{"Host": "bucket.vpce-0a77994aa2124c298-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"}, 400, "InvalidRequest"},
		{"not an endpoint name", "GET", base + "/", "", map[string]string{"Host": "example.com"}, 400, "InvalidRequest"},
		{"missing bucket", "GET", base + "/nosuchbucket/k", "", nil, 404, "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp, b := do(t, c, tt.method, tt.url, body, tt.hdr, false)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, b)
			}
			var e xmlError
			if err := xml.Unmarshal(b, &e); err != nil {
				t.Fatalf("body is not S3 XML: %v: %s", err, b)
			}
			if e.Code != tt.code || e.Message == "" {
				t.Errorf("Code %q Message %q, want %s", e.Code, e.Message, tt.code)
			}
			if got := resp.Header.Get("x-amz-request-id"); got == "" || got != e.RequestId {
				t.Errorf("x-amz-request-id %q, body RequestId %q", got, e.RequestId)
			}
		})
	}
	// Nothing from the failed PUTs was stored.
	if resp, _ := do(t, c, "HEAD", base+"/raw/k", nil, nil, false); resp.StatusCode != 404 {
		t.Errorf("HEAD after rejected PUTs: %d, want 404", resp.StatusCode)
	}
}

// sign signs req with the default credentials the way aws-sdk-go-v2 signs
// S3 requests; the payload hash is x-amz-content-sha256 when the test set
// it, else UNSIGNED-PAYLOAD.
func sign(t testing.TB, req *http.Request, at time.Time) {
	t.Helper()
	payload := req.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	creds := aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}
