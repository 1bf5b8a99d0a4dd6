package emulator_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// TestErrorsCarryRequestIDs: errors from every source — SigV4, the body
// decoder, the policy gate, the body limits, the S3 operations, an
// operation s3vpce does not implement — come through the one writer:
// S3's XML body whose RequestId and HostId equal the x-amz-request-id and
// x-amz-id-2 headers, and whose Resource is set.
func TestErrorsCarryRequestIDs(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("ids"))
	srv.SetBucketPolicy("ids", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ids/denied"}]}`)
	c := srv.Client()
	u := srv.URL()
	tests := []struct {
		name, method, path string
		body               []byte
		hdr                map[string]string
		code               string
	}{
		{"sigv4 refusal (clock skew)", "GET", "/ids/x", nil, h("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAS3VPCE0EXAMPLE01/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="+strings.Repeat("0", 64), "Anonymous", "1", "X-Amz-Date", "20260101T000000Z", "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"), "RequestTimeTooSkewed"},
		{"policy deny", "GET", "/ids/denied", nil, nil, "AccessDenied"},
		{"no such key", "GET", "/ids/missing", nil, nil, "NoSuchKey"},
		{"no such bucket", "GET", "/nobucket-ids/k", nil, nil, "NoSuchBucket"},
		{"bad digest", "PUT", "/ids/k", []byte("hello"), h("X-Amz-Checksum-Crc32", "AAAAAA=="), "BadDigest"},
		{"sha256 mismatch", "PUT", "/ids/k", []byte("hello"), h("X-Amz-Content-Sha256", strings.Repeat("0", 64)), "XAmzContentSHA256Mismatch"},
		{"malformed xml", "PUT", "/ids", []byte("<CreateBucketConfiguration>"), nil, "MalformedXML"},
		{"no such upload", "GET", "/ids/k?uploadId=nope", nil, nil, "NoSuchUpload"},
		{"not implemented", "GET", "/ids?replication", nil, nil, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *bytes.Reader
			if tt.body != nil {
				body = bytes.NewReader(tt.body)
			}
			var resp, b = doMaybeBody(t, c, tt.method, u+tt.path, body, tt.hdr)
			var e struct {
				Code, Message, Resource, RequestId, HostId string
			}
			if err := xml.Unmarshal(b, &e); err != nil {
				t.Fatalf("%d, body is not S3 XML: %v\n%s", resp.StatusCode, err, b)
			}
			if e.Code != tt.code {
				t.Errorf("code %s (%s), want %s", e.Code, e.Message, tt.code)
			}
			if e.RequestId == "" || e.RequestId != resp.Header.Get("x-amz-request-id") || e.HostId != resp.Header.Get("x-amz-id-2") || e.Resource == "" {
				t.Errorf("RequestId %q HostId %q Resource %q; headers %q %q", e.RequestId, e.HostId, e.Resource,
					resp.Header.Get("x-amz-request-id"), resp.Header.Get("x-amz-id-2"))
			}
		})
	}
}

// doMaybeBody is do with a body only when one is given.
func doMaybeBody(t *testing.T, c *http.Client, method, url string, body *bytes.Reader, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	if body == nil {
		return do(t, c, method, url, nil, hdr, false)
	}
	if hdr == nil || hdr["X-Amz-Content-Sha256"] == "" {
		m := map[string]string{}
		for k, v := range hdr {
			m[k] = v
		}
		hdr = m
	}
	return do(t, c, method, url, body, hdr, false)
}
