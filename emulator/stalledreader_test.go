package emulator_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
)

// A client that starts a large GET and stops reading must not hold up
// anybody else: writes to the same key and to other keys, and reads of
// other keys, all complete while it stalls.
func TestStalledReaderBlocksNobody(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"stall"}})
	ctx := t.Context()
	client := sdkClient(srv, srv.URL(), false)

	// Far larger than the socket buffers on both sides, so the server's
	// write blocks once the stalled client stops reading.
	big := randomBytes(t, 48<<20)
	put := func(ctx context.Context, key string, body []byte) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("stall"), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	}
	if err := put(ctx, "big", big); err != nil {
		t.Fatal(err)
	}
	if err := put(ctx, "small", []byte("small")); err != nil {
		t.Fatal(err)
	}

	// The stalled reader: a presigned GET whose response body is read by
	// one byte, then left alone until the test ends.
	presigned, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stall"), Key: aws.String("big")},
		func(o *s3.PresignOptions) { o.Presigner = v4.NewSigner() })
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, presigned.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stalled GET: status %d", resp.StatusCode)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}

	// Everything else must finish while the reader stalls. The deadline
	// only turns a hang into a failure; nothing here measures time.
	opCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	ops := []struct {
		name string
		run  func(context.Context) error
	}{
		{"PutObject other key", func(ctx context.Context) error { return put(ctx, "other", []byte("other")) }},
		{"PutObject same key", func(ctx context.Context) error { return put(ctx, "big", []byte("replaced")) }},
		{"GetObject other key", func(ctx context.Context) error {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stall"), Key: aws.String("small")})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = io.Copy(io.Discard, out.Body)
			return err
		}},
		{"PutObjectTagging other key", func(ctx context.Context) error {
			_, err := client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("stall"), Key: aws.String("small"),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			if err := op.run(opCtx); err != nil {
				t.Fatalf("%s while a reader stalls: %v", op.name, err)
			}
		})
	}
	if t.Failed() {
		return // the deferred Close of the stalled response releases the server
	}

	// The new content is what a fresh reader sees; the stalled reader
	// still gets the version it started on, byte for byte.
	out, err := client.GetObject(opCtx, &s3.GetObjectInput{Bucket: aws.String("stall"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || string(got) != "replaced" {
		t.Fatalf("after the overwrite GET = %q, %v; want \"replaced\"", got, err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("finish the stalled GET: %v", err)
	}
	if !bytes.Equal(append(big[:1:1], rest...), big) {
		t.Fatalf("the stalled GET returned %d bytes that differ from the version it started on", 1+len(rest))
	}
}
