package s3api_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// GET and HEAD of a key whose current version is a delete marker: 404 with
// x-amz-delete-marker: true and the marker's version ID; GET of the
// marker's version: 405 with the same headers.
func TestObjectDeleteMarkerHeaders(t *testing.T) {
	srv, c := newServer(t, "ver")
	ctx := t.Context()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "ver", "k", "v1")
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("DeleteObject: %v %+v", err, del)
	}
	marker := aws.ToString(del.VersionId)
	for _, method := range []string{"GET", "HEAD"} {
		r := do(t, srv, method, "/ver/k", nil, nil)
		if r.Status != 404 || r.Header.Get("x-amz-delete-marker") != "true" || r.Header.Get("x-amz-version-id") != marker {
			t.Errorf("%s of a deleted key: %d, delete-marker %q, version %q (want 404, true, %s)", method, r.Status, r.Header.Get("x-amz-delete-marker"), r.Header.Get("x-amz-version-id"), marker)
		}
		r = do(t, srv, method, "/ver/k?versionId="+marker, nil, nil)
		if r.Status != 405 || r.Header.Get("x-amz-delete-marker") != "true" || r.Header.Get("x-amz-version-id") != marker {
			t.Errorf("%s of the marker version: %d, delete-marker %q, version %q", method, r.Status, r.Header.Get("x-amz-delete-marker"), r.Header.Get("x-amz-version-id"))
		}
	}
	if r := do(t, srv, "GET", "/ver/never", nil, nil); r.Status != 404 || r.Header.Get("x-amz-delete-marker") != "" {
		t.Errorf("GET of a key that never existed: %d, delete-marker %q", r.Status, r.Header.Get("x-amz-delete-marker"))
	}
}
