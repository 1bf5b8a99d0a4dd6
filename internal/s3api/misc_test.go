package s3api_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// enableVersioning sets the bucket's versioning status through the SDK.
func enableVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	if _, err := c.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}); err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", status, err)
	}
}

// GetObjectAttributes answers S3's XML document (never the body), with
// ObjectParts only for multipart objects and paginated by x-amz-max-parts
// and x-amz-part-number-marker.
func TestGetObjectAttributes(t *testing.T) {
	srv, c := newServer(t, "attrs", "attrsv")
	ctx := t.Context()
	put(t, c, "attrs", "plain", "foo")
	// A multipart object of three parts.
	up := createUpload(t, srv, "attrs", "mp", nil)
	p1, p2, p3 := bytes.Repeat([]byte("a"), 5*mib), bytes.Repeat([]byte("b"), 5*mib), []byte("tail")
	e1, e2, e3 := putPart(t, srv, "attrs", "mp", up, 1, p1), putPart(t, srv, "attrs", "mp", up, 2, p2), putPart(t, srv, "attrs", "mp", up, 3, p3)
	if r := do(t, srv, "POST", uploadPath("attrs", "mp", up), completeXML(1, e1, 2, e2, 3, e3), nil); r.Status != http.StatusOK {
		t.Fatalf("CompleteMultipartUpload: %d %s", r.Status, r.Body)
	}
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum,
		types.ObjectAttributesObjectParts, types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

	t.Run("plain object", func(t *testing.T) {
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("plain"), ObjectAttributes: all})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != md5Hex([]byte("foo")) || aws.ToInt64(out.ObjectSize) != 3 || out.StorageClass != types.StorageClassStandard ||
			out.ObjectParts != nil || out.VersionId != nil || out.LastModified == nil {
			t.Errorf("got ETag %q size %d class %q parts %v version %v modified %v", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize),
				out.StorageClass, out.ObjectParts, out.VersionId, out.LastModified)
		}
		// The SDK's default checksum on PutObject is CRC32: stored and reported.
		if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumCRC32) == "" || out.Checksum.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("Checksum %+v, want the CRC32 the SDK sent", out.Checksum)
		}
	})
	t.Run("only what is asked", func(t *testing.T) {
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("plain"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
		if err != nil {
			t.Fatal(err)
		}
		if out.ETag != nil || out.StorageClass != "" || out.Checksum != nil || aws.ToInt64(out.ObjectSize) != 3 {
			t.Errorf("asked for ObjectSize only, got ETag %v class %q checksum %v size %d", out.ETag, out.StorageClass, out.Checksum, aws.ToInt64(out.ObjectSize))
		}
	})
	t.Run("multipart paginated", func(t *testing.T) {
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("mp"), ObjectAttributes: all,
			MaxParts: aws.Int32(1), PartNumberMarker: aws.String("1")})
		if err != nil {
			t.Fatal(err)
		}
		op := out.ObjectParts
		if op == nil || aws.ToInt32(op.TotalPartsCount) != 3 || aws.ToInt32(op.MaxParts) != 1 || aws.ToString(op.PartNumberMarker) != "1" ||
			!aws.ToBool(op.IsTruncated) || aws.ToString(op.NextPartNumberMarker) != "2" || len(op.Parts) != 1 ||
			aws.ToInt32(op.Parts[0].PartNumber) != 2 || aws.ToInt64(op.Parts[0].Size) != 5*mib {
			t.Fatalf("ObjectParts %+v", op)
		}
		if want := strings.Trim(partsETag(p1, p2, p3), `"`); aws.ToString(out.ETag) != want || aws.ToInt64(out.ObjectSize) != int64(10*mib+4) {
			t.Errorf("ETag %q size %d, want %q %d", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize), want, 10*mib+4)
		}
		out, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("mp"), ObjectAttributes: all,
			PartNumberMarker: aws.String("2")})
		if err != nil {
			t.Fatal(err)
		}
		if op := out.ObjectParts; aws.ToBool(op.IsTruncated) || len(op.Parts) != 1 || aws.ToInt32(op.Parts[0].PartNumber) != 3 || aws.ToInt64(op.Parts[0].Size) != 4 {
			t.Errorf("last page %+v", op)
		}
	})
	t.Run("versions", func(t *testing.T) {
		enableVersioning(t, c, "attrsv", types.BucketVersioningStatusEnabled)
		first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("attrsv"), Key: aws.String("k"), Body: strings.NewReader("one")})
		if err != nil {
			t.Fatal(err)
		}
		put(t, c, "attrsv", "k", "second")
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrsv"), Key: aws.String("k"), ObjectAttributes: all,
			VersionId: first.VersionId})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.VersionId) != aws.ToString(first.VersionId) || aws.ToInt64(out.ObjectSize) != 3 {
			t.Errorf("version %q size %d, want %q 3", aws.ToString(out.VersionId), aws.ToInt64(out.ObjectSize), aws.ToString(first.VersionId))
		}
		cur, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrsv"), Key: aws.String("k"), ObjectAttributes: all})
		if err != nil || aws.ToInt64(cur.ObjectSize) != 6 || aws.ToString(cur.VersionId) == "" {
			t.Errorf("current: %v size %d version %q", err, aws.ToInt64(cur.ObjectSize), aws.ToString(cur.VersionId))
		}
	})
	for _, tc := range []struct {
		name, path string
		hdr        map[string]string
		status     int
		code       string
	}{
		{"no attributes", "/attrs/plain?attributes", nil, 400, "InvalidArgument"},
		{"unknown attribute", "/attrs/plain?attributes", map[string]string{"x-amz-object-attributes": "ETag,Colour"}, 400, "InvalidArgument"},
		{"bad max parts", "/attrs/mp?attributes", map[string]string{"x-amz-object-attributes": "ObjectParts", "x-amz-max-parts": "x"}, 400, "InvalidArgument"},
		{"missing key", "/attrs/nope?attributes", map[string]string{"x-amz-object-attributes": "ETag"}, 404, "NoSuchKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", tc.path, nil, tc.hdr)
			if r.Status != tc.status || errorOf(t, r).Code != tc.code {
				t.Errorf("%d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	t.Run("raw document", func(t *testing.T) {
		r := do(t, srv, "GET", "/attrs/plain?attributes", nil, map[string]string{"x-amz-object-attributes": "ETag,ObjectSize"})
		var doc struct {
			XMLName    xml.Name
			ETag       string
			ObjectSize int64
		}
		if r.Status != 200 || xml.Unmarshal(r.Body, &doc) != nil || doc.XMLName.Local != "GetObjectAttributesResponse" ||
			doc.ETag != md5Hex([]byte("foo")) || doc.ObjectSize != 3 || r.Header.Get("Last-Modified") == "" {
			t.Errorf("%d %s %v", r.Status, r.Body, r.Header)
		}
	})
}

// GetBucketPolicyStatus: 404 NoSuchBucketPolicy without a policy, as S3;
// IsPublic for a policy that lets anyone in, not for one tied to a
// network.
func TestGetBucketPolicyStatus(t *testing.T) {
	const public = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ps/*"}]}`
	const private = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::ps/*",` +
		`"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}}]}`
	srv, c := newServer(t, "ps")
	ctx := t.Context()
	r := do(t, srv, "GET", "/ps?policyStatus", nil, nil)
	if r.Status != 404 || errorOf(t, r).Code != "NoSuchBucketPolicy" {
		t.Fatalf("without a policy: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		name, doc string
		public    bool
	}{{"public", public, true}, {"condition on the source IP", private, false}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("ps"), Policy: aws.String(tc.doc)}); err != nil {
				t.Fatal(err)
			}
			out, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("ps")})
			if err != nil || out.PolicyStatus == nil || aws.ToBool(out.PolicyStatus.IsPublic) != tc.public {
				t.Errorf("%v %+v, want IsPublic %v", err, out, tc.public)
			}
		})
	}
	if r := do(t, srv, "GET", "/nobucket?policyStatus", nil, nil); r.Status != 404 || errorOf(t, r).Code != "NoSuchBucket" {
		t.Errorf("missing bucket: %d %s", r.Status, r.Body)
	}
}

// Non-ASCII user metadata: stored as text (RFC 2047 words decoded, raw
// bytes read as ISO-8859-1) and sent back RFC 2047-encoded; ASCII values
// go back as sent.
func TestUserMetadataNonASCII(t *testing.T) {
	srv, _ := newServer(t, "meta")
	for _, tc := range []struct{ name, sent, want string }{
		{"ascii", "Hello World", "Hello World"},
		{"encoded word", "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=", "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="},
		{"raw latin-1 byte", "Hello World\xe9", "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="},
		{"raw UTF-8 bytes read as latin-1", "\xc3\xb6", "=?UTF-8?B?w4PCtg==?="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := do(t, srv, "PUT", "/meta/k", []byte("x"), map[string]string{"x-amz-meta-m": tc.sent}); r.Status != 200 {
				t.Fatalf("PUT: %d %s", r.Status, r.Body)
			}
			r := do(t, srv, "HEAD", "/meta/k", nil, nil)
			if got := r.Header.Get("x-amz-meta-m"); got != tc.want {
				t.Errorf("x-amz-meta-m %q, want %q", got, tc.want)
			}
		})
	}
}

// ListObjectsV2 with an empty continuation-token lists from the start and
// echoes the empty token.
func TestListObjectsV2EmptyContinuationToken(t *testing.T) {
	srv, c := newServer(t, "lct")
	put(t, c, "lct", "a", "1")
	put(t, c, "lct", "b", "2")
	r := do(t, srv, "GET", "/lct?list-type=2&continuation-token=", nil, nil)
	var doc struct {
		ContinuationToken *string
		Contents          []struct{ Key string }
	}
	if r.Status != 200 || xml.Unmarshal(r.Body, &doc) != nil || doc.ContinuationToken == nil || *doc.ContinuationToken != "" || len(doc.Contents) != 2 {
		t.Errorf("%d %s", r.Status, r.Body)
	}
	if r := do(t, srv, "GET", "/lct?list-type=2&continuation-token=bogus", nil, nil); r.Status != 400 || errorOf(t, r).Code != "InvalidArgument" {
		t.Errorf("a bad token: %d %s", r.Status, r.Body)
	}
}

// The sequence that made gofakes3 panic (500): versioning suspended, the
// null version deleted twice, then PUT; each step answers as S3 does.
func TestSuspendedNullVersionDeletedTwice(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("susp"))
	c := s3.NewFromConfig(srv.AWSConfig(t))
	ctx := t.Context()
	enableVersioning(t, c, "susp", types.BucketVersioningStatusEnabled)
	put(t, c, "susp", "k", "enabled")
	enableVersioning(t, c, "susp", types.BucketVersioningStatusSuspended)
	put(t, c, "susp", "k", "null one")
	for i := range 2 {
		r := do(t, srv, "DELETE", "/susp/k?versionId=null", nil, nil)
		if r.Status != http.StatusNoContent || r.Header.Get("x-amz-version-id") != "null" {
			t.Fatalf("delete %d of the null version: %d %v %s", i+1, r.Status, r.Header, r.Body)
		}
	}
	put(t, c, "susp", "k", "null two")
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("susp"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if aws.ToString(got.VersionId) != "null" || aws.ToInt64(got.ContentLength) != int64(len("null two")) {
		t.Errorf("after PUT: version %q length %d", aws.ToString(got.VersionId), aws.ToInt64(got.ContentLength))
	}
	// A DELETE without a version now makes a null delete marker in place of
	// the null version; deleting it twice again is 204 both times.
	r := do(t, srv, "DELETE", "/susp/k", nil, nil)
	if r.Status != http.StatusNoContent || r.Header.Get("x-amz-delete-marker") != "true" || r.Header.Get("x-amz-version-id") != "null" {
		t.Fatalf("DELETE: %d %v", r.Status, r.Header)
	}
	for i := range 2 {
		if r := do(t, srv, "DELETE", "/susp/k?versionId=null", nil, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete %d of the null marker: %d %s", i+1, r.Status, r.Body)
		}
	}
	put(t, c, "susp", "k", "null three")
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("susp")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 2 || aws.ToString(vs.Versions[0].VersionId) != "null" || !aws.ToBool(vs.Versions[0].IsLatest) || len(vs.DeleteMarkers) != 0 {
		t.Errorf("versions %+v markers %+v: want the null version (latest) and the enabled-era one", vs.Versions, vs.DeleteMarkers)
	}
}
