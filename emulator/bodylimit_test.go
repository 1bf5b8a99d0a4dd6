package emulator_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
)

// stallingBody yields n bytes of filler, then blocks until the test ends:
// a server that waited for the whole body would never answer.
type stallingBody struct {
	left int
	done <-chan struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		<-b.done
		return 0, io.EOF
	}
	n := min(len(p), b.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= n
	return n, nil
}

// TestOversizedBodiesRefusedBeforeRead: a body over the operation's limit
// is answered with S3's error although the client has sent only a little
// of it and then stalls, so the server cannot have read or buffered it.
func TestOversizedBodiesRefusedBeforeRead(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"lim"}})
	c := srv.Client()
	base := srv.URL()
	tests := []struct {
		name, method, path string
		length             int64 // -1: Transfer-Encoding chunked
		hdr                map[string]string
		code               string
		extra              string // an element the error must carry
	}{
		{"PutBucketTagging 60 MiB", "PUT", "/lim?tagging", 60 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"PutBucketTagging of unknown length", "PUT", "/lim?tagging", -1, nil, "MaxMessageLengthExceeded", ""},
		{"PutBucketCors 2 MiB", "PUT", "/lim?cors", 2 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"PutBucketLifecycleConfiguration 2 MiB", "PUT", "/lim?lifecycle", 2 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"PutObjectTagging 60 MiB", "PUT", "/lim/k?tagging", 60 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"PutObjectAcl of unknown length", "PUT", "/lim/k?acl", -1, nil, "MaxMessageLengthExceeded", ""},
		{"DeleteObjects 3 MiB", "POST", "/lim?delete", 3 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"CompleteMultipartUpload 5 MiB", "POST", "/lim/k?uploadId=x", 5 << 20, nil, "MaxMessageLengthExceeded", ""},
		{"PutBucketPolicy 30 MiB", "PUT", "/lim?policy", 30 << 20, nil, "PolicyTooLarge", ""},
		{"PutBucketPolicy of unknown length", "PUT", "/lim?policy", -1, nil, "PolicyTooLarge", ""},
		{"PutObject over 5 GiB", "PUT", "/lim/huge", 5<<30 + 1, nil, "EntityTooLarge", "<MaxSizeAllowed>5368709120</MaxSizeAllowed>"},
		{"aws-chunked tagging declaring 8 MiB", "PUT", "/lim?tagging", 1 << 20, map[string]string{
			"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"X-Amz-Decoded-Content-Length": strconv.Itoa(8 << 20)}, "MaxMessageLengthExceeded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			defer close(done)
			// Send well past every limit before stalling, so a server that
			// reads up to its limit has what it needs to decide.
			sent := 2<<20 + 1<<10
			if tt.length >= 0 {
				sent = int(min(int64(sent), tt.length-1))
			}
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tt.method, base+tt.path, &stallingBody{left: sent, done: done})
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tt.length
			if tt.length < 0 {
				req.TransferEncoding = []string{"chunked"}
			}
			for k, v := range tt.hdr {
				req.Header.Set(k, v)
			}
			sign(t, req, time.Now())
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("no answer before the body was complete: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var e xmlError
			if err := xml.Unmarshal(b, &e); err != nil {
				t.Fatalf("status %d, body is not S3 XML: %s", resp.StatusCode, b)
			}
			if resp.StatusCode != http.StatusBadRequest || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want 400 %s", resp.StatusCode, e.Code, e.Message, tt.code)
			}
			if tt.extra != "" && !strings.Contains(string(b), tt.extra) {
				t.Errorf("error lacks %s: %s", tt.extra, b)
			}
		})
	}
	if resp, _ := do(t, c, "HEAD", base+"/lim/huge", nil, nil, false); resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of the refused 5 GiB object: %d, want 404", resp.StatusCode)
	}
}

// Bodies at the limits still work: a 1000-key DeleteObjects and a
// configuration with the most tags S3 allows, through the SDK.
func TestBodiesWithinLimitsAccepted(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"lim"}})
	client := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	var ids []s3types.ObjectIdentifier
	for i := range 1000 {
		key := fmt.Sprintf("%04d-%s", i, strings.Repeat("k", 1000))
		ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(key)})
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lim"), Key: ids[999].Key, Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("lim"), Delete: &s3types.Delete{Objects: ids}})
	if err != nil {
		t.Fatalf("DeleteObjects of 1000 keys of 1 KiB: %v", err)
	}
	if len(out.Deleted) != 1000 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects: %d deleted, %d errors", len(out.Deleted), len(out.Errors))
	}
	var tags []s3types.Tag
	for i := range 50 {
		tags = append(tags, s3types.Tag{Key: aws.String(fmt.Sprintf("%03d%s", i, strings.Repeat("k", 125))), Value: aws.String(strings.Repeat("v", 256))})
	}
	if _, err := client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("lim"), Tagging: &s3types.Tagging{TagSet: tags}}); err != nil {
		t.Fatalf("PutBucketTagging with 50 tags of the largest size: %v", err)
	}
	got, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("lim")})
	if err != nil || len(got.TagSet) != 50 {
		t.Fatalf("GetBucketTagging: %d tags, %v", len(got.TagSet), err)
	}
}
