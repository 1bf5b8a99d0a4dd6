package awschunked

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// captured is one request as the server saw it.
type captured struct {
	header http.Header
	body   []byte
}

// captureServer starts a TLS (or, if plain, HTTP) server that records every request and answers
// like S3 does to PutObject and UploadPart, and returns an S3 client for it.
func captureServer(t *testing.T, plain bool, calc aws.RequestChecksumCalculation) (*s3.Client, func() captured) {
	t.Helper()
	var mu sync.Mutex
	var last captured
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h := r.Header.Clone()
		if r.ContentLength >= 0 {
			h.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		if len(r.TransferEncoding) > 0 {
			h.Set("Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
		}
		mu.Lock()
		last = captured{header: h, body: body}
		mu.Unlock()
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		w.WriteHeader(http.StatusOK)
	}))
	if plain {
		srv.Start()
	} else {
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:                 srv.Client(),
		RequestChecksumCalculation: calc,
		RetryMaxAttempts:           1,
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	return client, func() captured {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

// onlyReader hides Seek (and Len) so the SDK cannot learn the length.
type onlyReader struct{ io.Reader }

func TestSDKRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		calc      aws.RequestChecksumCalculation
		alg       types.ChecksumAlgorithm
		size      int
		unseekble bool
		part      bool
		plain     bool   // http:// endpoint
		chunked   bool   // expect an aws-chunked body
		trailer   string // expected checksum trailer
	}{
		{name: "put default", size: 100 << 10, chunked: true, trailer: "x-amz-checksum-crc32"},
		{name: "put default 1 byte", size: 1, chunked: true, trailer: "x-amz-checksum-crc32"},
		{name: "put default over http", plain: true, size: 100 << 10},
		{name: "put when required", calc: aws.RequestChecksumCalculationWhenRequired, size: 100 << 10},
		{name: "put crc32", alg: types.ChecksumAlgorithmCrc32, size: 70000, chunked: true, trailer: "x-amz-checksum-crc32"},
		{name: "put crc32c", alg: types.ChecksumAlgorithmCrc32c, size: 70000, chunked: true, trailer: "x-amz-checksum-crc32c"},
		{name: "put crc64nvme", alg: types.ChecksumAlgorithmCrc64nvme, size: 70000, chunked: true, trailer: "x-amz-checksum-crc64nvme"},
		{name: "put sha1", alg: types.ChecksumAlgorithmSha1, size: 70000, chunked: true, trailer: "x-amz-checksum-sha1"},
		{name: "put sha256", alg: types.ChecksumAlgorithmSha256, size: 70000, chunked: true, trailer: "x-amz-checksum-sha256"},
		{name: "put when required crc64nvme", calc: aws.RequestChecksumCalculationWhenRequired, alg: types.ChecksumAlgorithmCrc64nvme,
			size: 70000, chunked: true, trailer: "x-amz-checksum-crc64nvme"},
		{name: "put unseekable", size: 3<<20 + 17, unseekble: true, chunked: true, trailer: "x-amz-checksum-crc32"},
		{name: "upload part default", part: true, size: 200 << 10, chunked: true, trailer: "x-amz-checksum-crc32"},
		{name: "upload part sha256", part: true, alg: types.ChecksumAlgorithmSha256, size: 200 << 10, chunked: true, trailer: "x-amz-checksum-sha256"},
		{name: "upload part unseekable crc32c", part: true, alg: types.ChecksumAlgorithmCrc32c, size: 1<<20 + 3, unseekble: true,
			chunked: true, trailer: "x-amz-checksum-crc32c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calc := tt.calc
			if calc == 0 {
				calc = aws.RequestChecksumCalculationWhenSupported
			}
			client, last := captureServer(t, tt.plain, calc)
			payload := payloadOf(tt.size)
			var body io.Reader = bytes.NewReader(payload)
			if tt.unseekble {
				body = onlyReader{body}
			}
			var err error
			if tt.part {
				_, err = client.UploadPart(t.Context(), &s3.UploadPartInput{
					Bucket: aws.String("bucket"), Key: aws.String("key"), UploadId: aws.String("upload-1"),
					PartNumber: aws.Int32(1), Body: body, ChecksumAlgorithm: tt.alg,
				})
			} else {
				_, err = client.PutObject(t.Context(), &s3.PutObjectInput{
					Bucket: aws.String("bucket"), Key: aws.String("key"), Body: body, ChecksumAlgorithm: tt.alg,
				})
			}
			if err != nil {
				t.Fatal(err)
			}
			got := last()
			t.Logf("x-amz-content-sha256=%q content-encoding=%q x-amz-trailer=%q x-amz-decoded-content-length=%q content-length=%q transfer-encoding=%q",
				got.header.Get(HeaderContentSHA256), got.header.Get("Content-Encoding"), got.header.Get(HeaderTrailer),
				got.header.Get(HeaderDecodedContentLength), got.header.Get("Content-Length"), got.header.Get("Transfer-Encoding"))
			if Decoding(got.header) != tt.chunked {
				t.Fatalf("Decoding = %v, want %v", !tt.chunked, tt.chunked)
			}
			if !tt.chunked {
				if !bytes.Equal(got.body, payload) {
					t.Fatal("plain body differs from payload")
				}
				return
			}
			decoded, trailers := decodeCaptured(t, got)
			if !bytes.Equal(decoded, payload) {
				t.Fatalf("decoded %d bytes, want the %d-byte payload", len(decoded), len(payload))
			}
			value := trailers.Get(tt.trailer)
			if value == "" {
				t.Fatalf("trailer %s missing; trailers %v", tt.trailer, trailers)
			}
			alg, _ := ChecksumAlgorithm(tt.trailer)
			h, _, _ := Checksum(alg)
			h.Write(payload)
			if want := EncodeChecksum(h); value != want {
				t.Errorf("%s = %s, independent computation gives %s", tt.trailer, value, want)
			}
		})
	}
}

// decodeCaptured replays a captured request through the decoder the way
// the emulator does (OptionsFromHeader, NewReader, RewriteHeader) and
// checks the rewritten headers.
func decodeCaptured(t *testing.T, c captured) ([]byte, http.Header) {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPut, "https://bucket.example/key", bytes.NewReader(c.body))
	req.Header = c.header.Clone()
	opts, err := OptionsFromHeader(req.Header)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(req.Body, opts)
	RewriteHeader(req.Header, opts.DecodedLength)
	req.ContentLength = opts.DecodedLength
	decoded, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if v := c.header.Get(HeaderDecodedContentLength); v != "" {
		if req.Header.Get("Content-Length") != v || strconv.FormatInt(req.ContentLength, 10) != v {
			t.Errorf("Content-Length %q / %d after rewrite, want %s", req.Header.Get("Content-Length"), req.ContentLength, v)
		}
	}
	for _, name := range []string{HeaderDecodedContentLength, HeaderTrailer, HeaderContentSHA256, "Content-Encoding"} {
		if v := req.Header.Get(name); v != "" {
			t.Errorf("%s = %q after rewrite", name, v)
		}
	}
	return decoded, r.Trailers()
}
