package emulator_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/upstream"
	"github.com/s3vpce/s3vpce/internal/upstream/upstreamtest"
)

// upstreamClients are the ways aws-sdk-go-v2 sends a body over TLS: its
// default (aws-chunked with a trailing CRC32) and UNSIGNED-PAYLOAD. (A hex
// SHA-256 of the payload: TestUpstreamRawHTTP.)
// wantHash is the x-amz-content-sha256 the upstream sees for the PUT.
var upstreamClients = []struct {
	name     string
	mod      func(*s3.Options)
	wantHash func(string) bool
}{
	{"default checksums", func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported }, func(h string) bool { return h == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" }},
	{"unsigned payload", func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	}, func(h string) bool { return h == "UNSIGNED-PAYLOAD" }},
}

// upstreamPair is an emulator in upstream mode in front of a test
// upstream, in process or over loopback.
type upstreamPair struct {
	up  *upstreamtest.Server
	srv *emulatortest.Server
}

func newUpstreamPair(t *testing.T, inProcess bool, opts ...emulatortest.Option) upstreamPair {
	t.Helper()
	up := upstreamtest.New(t, upstreamtest.Options{Buckets: []string{"ub"}})
	o := emulatortest.WithUpstreamURL(up.URL(), up.Credentials())
	if inProcess {
		o = emulatortest.WithUpstream(up.Handler())
	}
	return upstreamPair{up: up, srv: emulatortest.New(t, append([]emulatortest.Option{o}, opts...)...)}
}

func (p upstreamPair) client(mod ...func(*s3.Options)) *s3.Client {
	return sdkClient(p.srv.Server, p.srv.URL(), false, append(mod, func(o *s3.Options) { o.RetryMaxAttempts = 1 })...)
}

// requireOnlyUpstreamKey fails unless every request the upstream saw was
// signed with its own key.
func (p upstreamPair) requireOnlyUpstreamKey(t *testing.T) {
	t.Helper()
	seen := p.up.Seen()
	if len(seen) == 0 {
		t.Fatal("the upstream saw no request")
	}
	for _, s := range seen {
		if s.AccessKeyID != upstreamtest.DefaultAccessKeyID {
			t.Fatalf("the upstream saw %s %s signed by %q, want only %q", s.Method, s.Path, s.AccessKeyID, upstreamtest.DefaultAccessKeyID)
		}
		if strings.Contains(s.Header.Get("Authorization"), emulator.DefaultAccessKeyID) {
			t.Fatalf("the client's key reached the upstream: %v", s.Header)
		}
	}
}

func (p upstreamPair) requireObject(t *testing.T, key string, want []byte) {
	t.Helper()
	got, err := p.up.Object("ub", key)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("upstream object %s: %d bytes, %v; want %d bytes", key, len(got), err, len(want))
	}
}

// TestUpstreamObjectLifecycle runs the common S3 operations through an
// emulator in upstream mode with each way of sending a body: the objects
// land in the upstream, reads come back from it, and the upstream sees
// only its own key.
func TestUpstreamObjectLifecycle(t *testing.T) {
	for _, transport := range []struct {
		name      string
		inProcess bool
	}{{"loopback", false}, {"in process", true}} {
		for _, cl := range upstreamClients {
			t.Run(transport.name+"/"+cl.name, func(t *testing.T) {
				p := newUpstreamPair(t, transport.inProcess)
				c := p.client(cl.mod)
				ctx := t.Context()
				data := randomBytes(t, 300<<10)
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ub"), Key: aws.String("dir/k 1+é"), Body: bytes.NewReader(data)}); err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				p.requireObject(t, "dir/k 1+é", data)
				if put := p.up.Seen()[0]; !cl.wantHash(put.ContentSHA256) || put.Path != "/ub/dir/k%201%2B%C3%A9" {
					t.Fatalf("the upstream saw PUT %s with x-amz-content-sha256 %q", put.Path, put.ContentSHA256)
				}
				get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ub"), Key: aws.String("dir/k 1+é")})
				if err != nil {
					t.Fatalf("GetObject: %v", err)
				}
				got, err := io.ReadAll(get.Body)
				get.Body.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("GetObject: %d bytes, %v", len(got), err)
				}
				requireOwnRequestID(t, get.ResultMetadata)
				rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ub"), Key: aws.String("dir/k 1+é"), Range: aws.String("bytes=10-19")})
				if err != nil {
					t.Fatalf("ranged GetObject: %v", err)
				}
				got, _ = io.ReadAll(rng.Body)
				rng.Body.Close()
				if !bytes.Equal(got, data[10:20]) || aws.ToString(rng.ContentRange) != "bytes 10-19/307200" {
					t.Fatalf("ranged GetObject: %q, Content-Range %q", got, aws.ToString(rng.ContentRange))
				}
				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ub"), Key: aws.String("dir/k 1+é")})
				if err != nil || aws.ToInt64(head.ContentLength) != int64(len(data)) {
					t.Fatalf("HeadObject: %v, %v", head, err)
				}
				if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ub"), Key: aws.String("copy"), CopySource: aws.String("ub/dir/k%201%2B%C3%A9")}); err != nil {
					t.Fatalf("CopyObject: %v", err)
				}
				p.requireObject(t, "copy", data)
				list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ub")})
				if err != nil || len(list.Contents) != 2 || aws.ToString(list.Contents[1].Key) != "dir/k 1+é" {
					t.Fatalf("ListObjectsV2: %+v, %v", list, err)
				}
				upstreamMultipart(t, c, p, data)
				del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("ub"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
					{Key: aws.String("copy")}, {Key: aws.String("dir/k 1+é")}}}})
				if err != nil || len(del.Deleted) != 2 || len(del.Errors) != 0 {
					t.Fatalf("DeleteObjects: %+v, %v", del, err)
				}
				if _, err := p.up.Object("ub", "copy"); err == nil {
					t.Fatal("copy is still in the upstream after DeleteObjects")
				}
				p.requireOnlyUpstreamKey(t)
			})
		}
	}
}

// upstreamMultipart uploads two parts and completes them.
func upstreamMultipart(t *testing.T, c *s3.Client, p upstreamPair, tail []byte) {
	t.Helper()
	ctx := t.Context()
	first := randomBytes(t, 5<<20)
	mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ub"), Key: aws.String("mp")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var parts []types.CompletedPart
	for i, b := range [][]byte{first, tail} {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ub"), Key: aws.String("mp"), UploadId: mu.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ub"), Key: aws.String("mp"), UploadId: mu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	p.requireObject(t, "mp", append(first, tail...))
}

// TestUpstreamVersioning: versioning is the upstream's.
func TestUpstreamVersioning(t *testing.T) {
	p := newUpstreamPair(t, true)
	c := p.client()
	ctx := t.Context()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ub"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	var ids []string
	for _, body := range []string{"one", "two"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ub"), Key: aws.String("v"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		ids = append(ids, aws.ToString(out.VersionId))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ub"), Key: aws.String("v"), VersionId: aws.String(ids[0])})
	if err != nil {
		t.Fatalf("GetObject of the first version: %v", err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(got) != "one" {
		t.Fatalf("first version = %q, want one", got)
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ub")})
	if err != nil || len(vs.Versions) != 2 {
		t.Fatalf("ListObjectVersions: %+v, %v", vs, err)
	}
	p.requireObject(t, "v", []byte("two"))
}

// TestUpstreamErrors: the upstream's S3 errors reach the client with
// their code and s3vpce's request ID; an upstream that is down is 503
// ServiceUnavailable.
func TestUpstreamErrors(t *testing.T) {
	p := newUpstreamPair(t, false)
	down := emulatortest.New(t, emulatortest.WithUpstreamURL(upstreamtest.DownURL(t), p.up.Credentials()))
	downClient := sdkClient(down.Server, down.URL(), false, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	tests := []struct {
		name     string
		srv      *emulatortest.Server
		c        *s3.Client
		bucket   string
		wantCode string
		status   int
	}{
		{"missing key", p.srv, p.client(), "ub", "NoSuchKey", http.StatusNotFound},
		{"missing bucket", p.srv, p.client(), "nosuchbucket", "NoSuchBucket", http.StatusNotFound},
		{"upstream down", down, downClient, "ub", "ServiceUnavailable", http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(tc.bucket), Key: aws.String("nokey")})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode {
				t.Fatalf("GetObject error = %v, want %s", err, tc.wantCode)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Fatalf("GetObject status: %v, want %d", err, tc.status)
			}
			var re2 *smithyhttp.ResponseError
			if !errors.As(err, &re2) {
				t.Fatalf("GetObject error has no response: %v", err)
			}
			id := re2.Response.Header.Get("X-Amz-Request-Id")
			if up := re2.Response.Header.Get(upstream.HeaderUpstreamRequestID); id == "" || id == up {
				t.Fatalf("x-amz-request-id %q, upstream's %q: want s3vpce's own", id, up)
			}
		})
	}
}

// TestUpstreamRawHTTP sends signed requests by hand: the client's
// payload hash is forwarded (so a body that does not match it is stored
// nowhere), error documents carry s3vpce's RequestId and the upstream's
// ID moves to its own header, and a presigned GET works.
func TestUpstreamRawHTTP(t *testing.T) {
	p := newUpstreamPair(t, false)
	hc := p.srv.Client()
	url := p.srv.URL() + "/ub/raw"
	now := time.Now()
	body := []byte("raw body")
	put := signedReq(t, http.MethodPut, url, body, "", testCreds, "us-east-1", "s3", now)
	resp := rawDo(t, hc, put)
	if resp.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", resp.status, resp.body)
	}
	p.requireObject(t, "raw", body)
	if got := p.up.Seen()[0].ContentSHA256; len(got) != 64 {
		t.Fatalf("upstream saw x-amz-content-sha256 %q, want the client's hex hash", got)
	}

	bad := signedReq(t, http.MethodPut, p.srv.URL()+"/ub/bad", body, strings.Repeat("0", 64), testCreds, "us-east-1", "s3", now)
	resp = rawDo(t, hc, bad)
	if resp.status != http.StatusBadRequest || !bytes.Contains(resp.body, []byte("XAmzContentSHA256Mismatch")) {
		t.Fatalf("PUT with a wrong payload hash: %d %s", resp.status, resp.body)
	}
	if _, err := p.up.Object("ub", "bad"); err == nil {
		t.Fatal("a body that failed verification was stored upstream")
	}

	missing := signedReq(t, http.MethodGet, p.srv.URL()+"/ub/missing", nil, "", testCreds, "us-east-1", "s3", now)
	resp = rawDo(t, hc, missing)
	reqID := resp.header.Get("X-Amz-Request-Id")
	if resp.status != http.StatusNotFound || !bytes.Contains(resp.body, []byte("<RequestId>"+reqID+"</RequestId>")) ||
		!bytes.Contains(resp.body, []byte("<Code>NoSuchKey</Code>")) {
		t.Fatalf("GET of a missing key: %d %s (x-amz-request-id %s)", resp.status, resp.body, reqID)
	}
	if up := resp.header.Get(upstream.HeaderUpstreamRequestID); up == "" || up == reqID {
		t.Fatalf("%s = %q, want the upstream's own ID", upstream.HeaderUpstreamRequestID, up)
	}

	presigned, err := s3.NewPresignClient(p.client()).PresignGetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("ub"), Key: aws.String("raw")})
	if err != nil {
		t.Fatal(err)
	}
	get, err := http.NewRequestWithContext(t.Context(), http.MethodGet, presigned.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.up.Reset()
	resp = rawDo(t, hc, get)
	if resp.status != http.StatusOK || !bytes.Equal(resp.body, body) {
		t.Fatalf("presigned GET: %d %s", resp.status, resp.body)
	}
	if q := p.up.Seen()[0].Query; q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") {
		t.Fatalf("the presigned URL's authentication reached the upstream: %v", q)
	}
	p.requireOnlyUpstreamKey(t)
}

// requireOwnRequestID fails unless a response's x-amz-request-id is
// s3vpce's, with the upstream's in its own header.
func requireOwnRequestID(t *testing.T, md middleware.Metadata) {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw response")
	}
	id, up := raw.Header.Get("X-Amz-Request-Id"), raw.Header.Get(upstream.HeaderUpstreamRequestID)
	if id == "" || up == "" || id == up {
		t.Fatalf("x-amz-request-id %q, %s %q: want s3vpce's and the upstream's", id, upstream.HeaderUpstreamRequestID, up)
	}
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func rawDo(t *testing.T, hc *http.Client, req *http.Request) rawResponse {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header, b}
}
