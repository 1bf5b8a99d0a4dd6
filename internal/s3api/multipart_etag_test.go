package s3api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// After CompleteMultipartUpload, HEAD, GET, ListObjectsV2 and
// ListObjectVersions report the multipart ETag Complete returned
// ("…-N"), as S3 does; a later single PUT reports its MD5 again.
func TestMultipartETagEverywhere(t *testing.T) {
	for _, versioned := range []bool{false, true} {
		srv, c := newServer(t, "mp")
		ctx := t.Context()
		if versioned {
			if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("mp"),
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
				t.Fatal(err)
			}
		}
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mp"), Key: aws.String("big")})
		if err != nil {
			t.Fatal(err)
		}
		var parts []types.CompletedPart
		for i, body := range [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("tail")} {
			n := int32(i + 1)
			out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mp"), Key: aws.String("big"), UploadId: up.UploadId, PartNumber: &n, Body: bytes.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
		}
		done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mp"), Key: aws.String("big"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil {
			t.Fatal(err)
		}
		want := aws.ToString(done.ETag)
		if !strings.HasSuffix(want, `-2"`) {
			t.Fatalf("Complete ETag %s, want the multipart form", want)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mp"), Key: aws.String("big")})
		if err != nil || aws.ToString(head.ETag) != want {
			t.Errorf("versioned=%v HEAD ETag %s (%v), want %s", versioned, aws.ToString(head.ETag), err, want)
		}
		if r := do(t, srv, "GET", "/mp/big", nil, map[string]string{"If-Match": want}); r.Status != 200 || r.Header.Get("ETag") != want {
			t.Errorf("versioned=%v GET If-Match the multipart ETag: %d, ETag %s", versioned, r.Status, r.Header.Get("ETag"))
		}
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mp")})
		if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != want {
			t.Errorf("versioned=%v ListObjectsV2: %+v %v", versioned, list, err)
		}
		vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("mp")})
		if err != nil || len(vers.Versions) != 1 || aws.ToString(vers.Versions[0].ETag) != want {
			t.Errorf("versioned=%v ListObjectVersions: %+v %v", versioned, vers, err)
		}
		put(t, c, "mp", "big", "small now")
		head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mp"), Key: aws.String("big")})
		if got := aws.ToString(head.ETag); got == want || strings.Contains(got, "-") {
			t.Errorf("versioned=%v after a single PUT the ETag is %s, want the MD5 form", versioned, got)
		}
	}
}
