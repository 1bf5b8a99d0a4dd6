package emulator_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

func startServer(t testing.TB, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// sdkClient is aws-sdk-go-v2 with its default settings (virtual-hosted
// addressing, default request and response checksums) pointed at endpoint.
func sdkClient(srv *emulator.Server, endpoint string, pathStyle bool, mod ...func(*s3.Options)) *s3.Client {
	cfg := aws.Config{
		Region:      vpce.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		HTTPClient:  srv.Client(),
	}
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = pathStyle
	}}, mod...)...)
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestSDKRoundTrip(t *testing.T) {
	srv := startServer(t, emulator.Options{})
	zonal, err := srv.EndpointURL(vpce.DefaultEndpointID, vpce.DefaultZone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		endpoint  string
		pathStyle bool
		alg       types.ChecksumAlgorithm
		size      int
	}{
		{"regional virtual-hosted default checksum", srv.URL(), false, "", 1 << 10},
		{"zonal virtual-hosted default checksum", zonal, false, "", 300 << 10},
		{"regional path-style", srv.URL(), true, "", 10},
		{"empty object", srv.URL(), false, "", 0},
		{"crc32c", zonal, false, types.ChecksumAlgorithmCrc32c, 70 << 10},
		{"crc64nvme", zonal, false, types.ChecksumAlgorithmCrc64nvme, 70 << 10},
		{"sha1", srv.URL(), true, types.ChecksumAlgorithmSha1, 1 << 20},
		{"sha256 larger than the spool memory", srv.URL(), false, types.ChecksumAlgorithmSha256, 17 << 20},
	}
	ctx := t.Context()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sdkClient(srv, tt.endpoint, tt.pathStyle)
			bucket := "sdk-bucket-" + string(rune('a'+i))
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			want := randomBytes(t, tt.size)
			key := "dir/object with spaces+plus.bin"
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(want), ChecksumAlgorithm: tt.alg, Metadata: map[string]string{"note": "hi"}}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("GetObject returned %d bytes, not the %d bytes stored (first bytes %q)", len(got), len(want), got[:min(len(got), 40)])
			}
			if out.Metadata["note"] != "hi" {
				t.Errorf("metadata = %v", out.Metadata)
			}
			if tt.alg != "" && checksumOf(out, tt.alg) == "" {
				t.Errorf("GetObject with ChecksumMode ENABLED returned no %s checksum", tt.alg)
			}
		})
	}
}

func checksumOf(out *s3.GetObjectOutput, alg types.ChecksumAlgorithm) string {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(out.ChecksumCRC32)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(out.ChecksumCRC32C)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(out.ChecksumCRC64NVME)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(out.ChecksumSHA1)
	case types.ChecksumAlgorithmSha256:
		return aws.ToString(out.ChecksumSHA256)
	}
	return ""
}

func TestSDKMultipartUpload(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"mpu"}})
	c := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	bucket, key := "mpu", "big/object"
	parts := [][]byte{randomBytes(t, 5<<20), randomBytes(t, 5<<20), randomBytes(t, 1234)}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId, PartNumber: &n, Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Join(parts, nil); !bytes.Equal(got, want) {
		t.Fatalf("multipart object: got %d bytes, want %d identical bytes", len(got), len(want))
	}
	// A ranged GET must not carry the whole object's checksum.
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: aws.String("bytes=10-19")})
	if err != nil {
		t.Fatalf("ranged GetObject: %v", err)
	}
	b, _ := io.ReadAll(rng.Body)
	rng.Body.Close()
	if !bytes.Equal(b, parts[0][10:20]) {
		t.Errorf("range = %x, want %x", b, parts[0][10:20])
	}
}

func TestSDKListBucketsThroughEveryName(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"wsgbucket"}})
	e, _ := srv.Topology().Endpoint(vpce.DefaultEndpointID)
	for _, z := range append([]string{""}, "us-east-1a", "us-east-1d", "us-east-1f") {
		u, err := srv.EndpointURL(e.ID, z)
		if err != nil {
			t.Fatal(err)
		}
		out, err := sdkClient(srv, u, false).ListBuckets(t.Context(), &s3.ListBucketsInput{})
		if err != nil {
			t.Fatalf("%s: ListBuckets: %v", u, err)
		}
		if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "wsgbucket" {
			t.Errorf("%s: buckets %v", u, out.Buckets)
		}
	}
	if _, err := srv.EndpointURL(e.ID, "us-east-1z"); err == nil {
		t.Error("EndpointURL accepted a zone the endpoint has no interface in")
	}
}

func TestSDKBareNameFailsTLS(t *testing.T) {
	srv := startServer(t, emulator.Options{})
	u := strings.Replace(srv.URL(), "https://bucket.", "https://", 1)
	_, err := sdkClient(srv, u, true).ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err == nil || !strings.Contains(err.Error(), "certificate is valid for") {
		t.Fatalf("ListBuckets on the bare name: err = %v, want a certificate name mismatch", err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		t.Errorf("got an S3 answer (%s) through a name the certificate does not cover", ae.ErrorCode())
	}
}
