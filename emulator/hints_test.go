package emulator_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// requestRecord waits for the "request" log record of request id and
// returns its attributes: the record is logged once the decision log has
// it, so Decision(id) answers from then on.
func requestRecord(t *testing.T, tap *logTap, id string) map[string]string {
	t.Helper()
	timer := time.NewTimer(closeWait)
	defer timer.Stop()
	for {
		select {
		case r := <-tap.ch:
			if r.Message != "request" {
				continue
			}
			attrs := map[string]string{}
			r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
			if attrs["request_id"] == id {
				return attrs
			}
		case <-timer.C:
			t.Fatalf("no request log record for %s within %v", id, closeWait)
		}
	}
}

// TestRefusalHints: every refused request's decision record, and its log
// line, carry the S3 code and message and a hint naming the usual cause.
func TestRefusalHints(t *testing.T) {
	tap := newLogTap()
	srv := startServer(t, emulator.Options{Buckets: []string{"hb"}, Logger: slog.New(tap), RequestTimeout: 300 * time.Millisecond})
	// Everything is allowed through the endpoint but listing and deleting.
	const endpointPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
		{"Sid":"NoListNoDelete","Effect":"Deny","Principal":"*","Action":["s3:ListBucket","s3:DeleteObject"],"Resource":"*"}]}`
	if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, endpointPolicy); err != nil {
		t.Fatal(err)
	}
	base := srv.URL()
	_, port, _ := strings.Cut(strings.TrimPrefix(base, "https://"), ":")
	zonal, err := srv.EndpointURL(vpce.DefaultEndpointID, "us-east-1a")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	newReq := func(t *testing.T, method, path string) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	signAs := func(t *testing.T, req *http.Request, creds aws.Credentials, region string, at time.Time) {
		t.Helper()
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := s3Signer().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", region, at); err != nil {
			t.Fatal(err)
		}
	}
	const sigV2Msg = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	tests := []struct {
		name      string
		req       func(t *testing.T) (*http.Request, func())
		status    int
		code, msg string
		hint      []string // substrings the hint must contain
	}{
		{"SigV2 presigned URL", func(t *testing.T) (*http.Request, func()) {
			return newReq(t, "GET", "/hb/k?AWSAccessKeyId="+emulator.DefaultAccessKeyID+"&Expires=1893456000&Signature=abc%3D"), nil
		}, 400, "InvalidRequest", sigV2Msg, []string{"Signature Version 2", "presigned URL", "aws configure set default.s3.signature_version s3v4",
			"Config(signature_version='s3v4')", "s3cmd"}},
		{"SigV2 Authorization header", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			req.Header.Set("Authorization", "AWS "+emulator.DefaultAccessKeyID+":c2lnbmF0dXJl")
			return req, nil
		}, 400, "InvalidRequest", sigV2Msg, []string{"Authorization: AWS header", "signature_version s3v4"}},
		{"no x-amz-content-sha256 (curl --aws-sigv4)", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			if err := s3Signer().SignHTTP(context.Background(), testCreds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			return req, nil
		}, 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256",
			[]string{"--aws-sigv4 'aws:amz:us-east-1:s3' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD'"}},
		{"Host that is no endpoint name", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			req.Host = "localhost:" + port
			signAs(t, req, testCreds, "us-east-1", now)
			return req, nil
		}, 400, "InvalidRequest", "", []string{base + " (regional)", zonal + " (zonal)"}},
		{"Host below the endpoint that is no S3 name", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			req.Host = "www." + strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "bucket.")
			signAs(t, req, testCreds, "us-east-1", now)
			return req, nil
		}, 400, "InvalidRequest", "", []string{"is under the endpoint's name but is not one of its S3 names", base + " (regional)"}},
		{"wrong region", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			signAs(t, req, testCreds, "eu-west-1", now)
			return req, nil
		}, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
			[]string{"endpoint " + vpce.DefaultEndpointID + " is in us-east-1", "AWS_REGION=us-east-1"}},
		{"wrong secret", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			signAs(t, req, aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: "not-the-secret"}, "us-east-1", now)
			return req, nil
		}, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			[]string{"wrong secret", "proxy", "addressing_style path", "CanonicalRequest"}},
		{"unknown access key", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			signAs(t, req, aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"}, "us-east-1", now)
			return req, nil
		}, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
			[]string{emulator.DefaultAccessKeyID, "--credentials"}},
		{"x-amz-* header added after signing", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			signAs(t, req, testCreds, "us-east-1", now)
			req.Header.Set("X-Amz-Meta-Added", "later")
			return req, nil
		}, 403, "AccessDenied", "There were headers present in the request which were not signed",
			[]string{"sign every x-amz-* header", "x-amz-meta-added"}},
		{"clock skew", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/k")
			signAs(t, req, testCreds, "us-east-1", now.Add(-time.Hour))
			return req, nil
		}, 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
			[]string{"clock"}},
		{"denied by the endpoint policy", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "DELETE", "/hb/k")
			signAs(t, req, testCreds, "us-east-1", now)
			return req, nil
		}, 403, "AccessDenied", "", []string{"denied by policy", `Sid "NoListNoDelete"`, "s3vpce explain "}},
		{"missing key without s3:ListBucket", func(t *testing.T) (*http.Request, func()) {
			req := newReq(t, "GET", "/hb/missing")
			signAs(t, req, testCreds, "us-east-1", now)
			return req, nil
		}, 403, "AccessDenied", "Access Denied", []string{"denied by policy", "s3vpce explain "}},
		{"body over the operation's limit", func(t *testing.T) (*http.Request, func()) {
			done := make(chan struct{})
			req := newReq(t, "PUT", "/hb?tagging")
			req.Body = io.NopCloser(&stallingBody{left: 1024, done: done})
			req.ContentLength = 2 << 20
			signAs(t, req, testCreds, "us-east-1", now)
			return req, func() { close(done) }
		}, 400, "MaxMessageLengthExceeded", "Your request was too big.", []string{"PutBucketTagging", "smaller"}},
		{"body that stops coming", func(t *testing.T) (*http.Request, func()) {
			done := make(chan struct{})
			req := newReq(t, "PUT", "/hb/slow")
			req.Body = io.NopCloser(&stallingBody{left: 10, done: done})
			req.ContentLength = 1000
			signAs(t, req, testCreds, "us-east-1", now)
			return req, func() { close(done) }
		}, 400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
			[]string{"stopped sending the request body", "Content-Length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, release := tt.req(t)
			if release != nil {
				defer release()
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			e := s3ErrorOf(t, resp)
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, tt.status, tt.code)
			}
			attrs := requestRecord(t, tap, e.RequestId)
			d, ok := srv.Decision(e.RequestId)
			if !ok {
				t.Fatalf("no decision record for %s", e.RequestId)
			}
			if d.Code != tt.code || d.Message != e.Message {
				t.Errorf("record: code %q message %q; want the response's %q %q", d.Code, d.Message, tt.code, e.Message)
			}
			if tt.msg != "" && d.Message != tt.msg {
				t.Errorf("record message %q, want %q", d.Message, tt.msg)
			}
			for _, want := range tt.hint {
				if !strings.Contains(d.Hint, want) {
					t.Errorf("hint lacks %q:\n%s", want, d.Hint)
				}
			}
			if attrs["hint"] != d.Hint {
				t.Errorf("log line hint %q, want the record's %q", attrs["hint"], d.Hint)
			}
			if explain := d.Explain(); !strings.Contains(explain, "hint      "+d.Hint) || !strings.Contains(explain, tt.code+": "+d.Message) {
				t.Errorf("Explain lacks the code, message or hint:\n%s", explain)
			}
		})
	}
}

// TestHostHintNamesEveryEndpoint: a Host that is no endpoint name gets the
// names of each endpoint, with the port the client used.
func TestHostHintNamesEveryEndpoint(t *testing.T) {
	tap := newLogTap()
	srv := startServer(t, emulator.Options{Topology: twoEndpoints(t), Logger: slog.New(tap)})
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL(), "https://"), ":")
	req.Host = "127.0.0.1:" + port
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	e := s3ErrorOf(t, resp)
	requestRecord(t, tap, e.RequestId) // the record is kept by then
	d, ok := srv.Decision(e.RequestId)
	if !ok || d.Code != "InvalidRequest" {
		t.Fatalf("record %v (found %v), want one refused with InvalidRequest", d, ok)
	}
	for _, id := range []string{vpce.DefaultEndpointID, "vpce-0b11111111111111b"} {
		regional, err := srv.EndpointURL(id, "")
		if err != nil {
			t.Fatal(err)
		}
		zonal, err := srv.EndpointURL(id, "us-east-1a")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{regional + " (regional)", zonal + " (zonal)"} {
			if !strings.Contains(d.Hint, want) {
				t.Errorf("hint lacks %s:\n%s", want, d.Hint)
			}
		}
	}
}
