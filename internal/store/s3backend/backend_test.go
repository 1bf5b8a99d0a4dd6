package s3backend

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/s3vpce/s3vpce/internal/store"
)

func TestMetaRoundTrip(t *testing.T) {
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name string
		in   map[string]string
		meta store.ObjectMeta // what the store keeps
		back map[string]string
	}{
		{
			name: "user metadata and content headers",
			in:   map[string]string{"X-Amz-Meta-Color": "blue", "X-Amz-Meta-Two-Words": "x", "Content-Type": "text/plain", "Last-Modified": "ignored"},
			meta: store.ObjectMeta{Metadata: map[string]string{"color": "blue", "two-words": "x"}, Headers: map[string]string{"Content-Type": "text/plain"}},
			back: map[string]string{"X-Amz-Meta-Color": "blue", "X-Amz-Meta-Two-Words": "x", "Content-Type": "text/plain", "Last-Modified": "Mon, 06 May 2024 07:08:09 GMT"},
		},
		{
			name: "storage class and checksum",
			in:   map[string]string{"X-Amz-Storage-Class": "STANDARD_IA", "X-Amz-Checksum-Crc32c": "AAAAAA==", "X-Amz-Checksum-Type": "FULL_OBJECT"},
			meta: store.ObjectMeta{StorageClass: "STANDARD_IA", Checksum: store.Checksum{Algorithm: "CRC32C", Value: "AAAAAA==", Type: "FULL_OBJECT"}},
			back: map[string]string{"X-Amz-Storage-Class": "STANDARD_IA", "X-Amz-Checksum-Crc32c": "AAAAAA==", "X-Amz-Checksum-Type": "FULL_OBJECT", "Last-Modified": "Mon, 06 May 2024 07:08:09 GMT"},
		},
		{
			name: "request-only headers dropped, others kept",
			in: map[string]string{"X-Amz-Date": "20240506T070809Z", "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD", "X-Amz-Sdk-Checksum-Algorithm": "CRC32",
				"X-Amz-Copy-Source": "/b/k", "X-Amz-Tagging": "a=b", "X-Amz-Acl": "private", "x-amz-website-redirect-location": "/other"},
			meta: store.ObjectMeta{Headers: map[string]string{"X-Amz-Tagging": "a=b", "X-Amz-Acl": "private", "X-Amz-Website-Redirect-Location": "/other"}},
			back: map[string]string{"X-Amz-Tagging": "a=b", "X-Amz-Acl": "private", "X-Amz-Website-Redirect-Location": "/other", "Last-Modified": "Mon, 06 May 2024 07:08:09 GMT"},
		},
		{
			name: "second checksum kept as a header",
			in:   map[string]string{"X-Amz-Checksum-Crc32": "one", "X-Amz-Checksum-Sha256": "two"},
			meta: store.ObjectMeta{Checksum: store.Checksum{Algorithm: "CRC32", Value: "one"}, Headers: map[string]string{"X-Amz-Checksum-Sha256": "two"}},
			back: map[string]string{"X-Amz-Checksum-Crc32": "one", "X-Amz-Checksum-Sha256": "two", "Last-Modified": "Mon, 06 May 2024 07:08:09 GMT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := metaFromMap(tt.in)
			if !maps.Equal(got.Metadata, tt.meta.Metadata) || !maps.Equal(got.Headers, tt.meta.Headers) ||
				got.StorageClass != tt.meta.StorageClass || got.Checksum != tt.meta.Checksum {
				t.Fatalf("metaFromMap = %+v, want %+v", got, tt.meta)
			}
			back := mapFromVersion(&store.Version{LastModified: mtime, ObjectMeta: got})
			if !maps.Equal(back, tt.back) {
				t.Fatalf("mapFromVersion = %v, want %v", back, tt.back)
			}
		})
	}
}

func TestCommonPrefix(t *testing.T) {
	tests := []struct {
		name, key, prefix, delim, want string
	}{
		{"no delimiter", "a/b", "", "", ""},
		{"top level", "a/b/c", "", "/", "a/"},
		{"under prefix", "a/b/c", "a/", "/", "a/b/"},
		{"leaf", "a/b", "a/", "/", ""},
		{"leading delimiter", "/x/y", "", "/", "/"},
		{"prefix mid-segment", "abc/d", "ab", "/", "abc/"},
		{"multi-byte delimiter", "a--b--c", "", "--", "a--"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commonPrefix(tt.key, tt.prefix, tt.delim); got != tt.want {
				t.Fatalf("commonPrefix(%q, %q, %q) = %q, want %q", tt.key, tt.prefix, tt.delim, got, tt.want)
			}
		})
	}
}

// eachStore runs test over each store engine, empty.
func eachStore(t *testing.T, test func(t *testing.T, st *store.Store)) {
	engines := []struct {
		name string
		open func(t *testing.T) *store.Store
	}{
		{"memory", func(*testing.T) *store.Store { return store.NewMemory(store.Options{}) }},
		{"dir", func(t *testing.T) *store.Store {
			st, err := store.OpenDir(t.TempDir(), store.Options{})
			if err != nil {
				t.Fatalf("OpenDir: %v", err)
			}
			return st
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			st := e.open(t)
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			test(t, st)
		})
	}
}

// newClient serves gofakes3 over st on loopback and returns an SDK client
// for it, and the backend.
func newClient(t *testing.T, st *store.Store) (*s3.Client, *Backend) {
	t.Helper()
	b := New(st)
	srv := httptest.NewServer(gofakes3.New(b).Server())
	t.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		HTTPClient:                 srv.Client(),
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	}), b
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func put(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte(body))})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return out
}

func get(t *testing.T, c *s3.Client, in *s3.GetObjectInput) (string, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(t.Context(), in)
	if err != nil {
		t.Fatalf("GetObject %s: %v", *in.Key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b), out
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestObjects(t *testing.T) { eachStore(t, testObjects) }

func testObjects(t *testing.T, st *store.Store) {
	c, _ := newClient(t, st)
	ctx := t.Context()
	bucket := "objects"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); errorCode(err) != "BucketAlreadyExists" {
		t.Fatalf("CreateBucket twice: %v, want BucketAlreadyExists", err)
	}
	body := "hello, store"
	key := "dir/hello.txt"
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte(body)),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}

	t.Run("get", func(t *testing.T) {
		got, out := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if got != body || aws.ToString(out.ETag) != `"`+md5Hex(body)+`"` || aws.ToString(out.ContentType) != "text/plain" ||
			out.Metadata["color"] != "blue" || out.LastModified == nil {
			t.Fatalf("GetObject = %q etag %s type %s meta %v mtime %v", got, aws.ToString(out.ETag), aws.ToString(out.ContentType), out.Metadata, out.LastModified)
		}
	})
	t.Run("head", func(t *testing.T) {
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if aws.ToInt64(out.ContentLength) != int64(len(body)) || out.Metadata["color"] != "blue" {
			t.Fatalf("HeadObject length %d meta %v", aws.ToInt64(out.ContentLength), out.Metadata)
		}
	})
	t.Run("range", func(t *testing.T) {
		tests := []struct{ name, rng, want, contentRange string }{
			{"middle", "bytes=2-5", body[2:6], "bytes 2-5/12"},
			{"open end", "bytes=7-", body[7:], "bytes 7-11/12"},
			{"suffix", "bytes=-5", body[7:], "bytes 7-11/12"},
			{"past the end", "bytes=10-100", body[10:], "bytes 10-11/12"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, out := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: &tt.rng})
				if got != tt.want || aws.ToString(out.ContentRange) != tt.contentRange {
					t.Fatalf("range %s = %q (%s), want %q (%s)", tt.rng, got, aws.ToString(out.ContentRange), tt.want, tt.contentRange)
				}
			})
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: aws.String("bytes=50-60")})
		if errorCode(err) != "InvalidRange" {
			t.Fatalf("unsatisfiable range: %v, want InvalidRange", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("missing")})
		if errorCode(err) != "NoSuchKey" {
			t.Fatalf("missing key: %v, want NoSuchKey", err)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: &key})
		if errorCode(err) != "NoSuchBucket" {
			t.Fatalf("missing bucket: %v, want NoSuchBucket", err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); errorCode(err) != "BucketNotEmpty" {
			t.Fatalf("DeleteBucket non-empty: %v, want BucketNotEmpty", err)
		}
	})
	t.Run("copy", func(t *testing.T) {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy"), CopySource: aws.String(bucket + "/" + key)})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		got, gout := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("copy")})
		if got != body || aws.ToString(out.CopyObjectResult.ETag) != `"`+md5Hex(body)+`"` || gout.Metadata["color"] != "blue" {
			t.Fatalf("copy = %q etag %s meta %v", got, aws.ToString(out.CopyObjectResult.ETag), gout.Metadata)
		}
	})
	t.Run("delete", func(t *testing.T) {
		for _, k := range []string{key, "copy"} {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(k)}); err != nil {
				t.Fatalf("DeleteObject %s: %v", k, err)
			}
		}
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key}); err == nil {
			t.Fatal("HeadObject after delete succeeded")
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key}); err != nil {
			t.Fatalf("DeleteObject of an absent key: %v", err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 0 {
			t.Fatalf("ListBuckets after delete = %v, %v", out, err)
		}
	})
}

func TestList(t *testing.T) { eachStore(t, testList) }

func testList(t *testing.T, st *store.Store) {
	c, _ := newClient(t, st)
	ctx := t.Context()
	bucket := "list"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	for _, k := range []string{"a/1", "a/2", "b/x/1", "b/x/2", "b/y", "c"} {
		put(t, c, bucket, k, k)
	}
	tests := []struct {
		name, prefix, delim string
		keys, prefixes      []string
	}{
		{name: "all", keys: []string{"a/1", "a/2", "b/x/1", "b/x/2", "b/y", "c"}},
		{name: "top level", delim: "/", keys: []string{"c"}, prefixes: []string{"a/", "b/"}},
		{name: "under b/", prefix: "b/", delim: "/", keys: []string{"b/y"}, prefixes: []string{"b/x/"}},
		{name: "prefix only", prefix: "b/x", keys: []string{"b/x/1", "b/x/2"}},
		{name: "no match", prefix: "z", keys: nil},
	}
	for _, tt := range tests {
		for _, maxKeys := range []int32{1000, 1} {
			t.Run(tt.name+"/v2/max-keys="+strconv.Itoa(int(maxKeys)), func(t *testing.T) {
				var keys, prefixes []string
				in := &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &tt.prefix, Delimiter: &tt.delim, MaxKeys: &maxKeys}
				for page := 0; ; page++ {
					if page > 10 {
						t.Fatal("more pages than entries")
					}
					out, err := c.ListObjectsV2(ctx, in)
					if err != nil {
						t.Fatalf("ListObjectsV2: %v", err)
					}
					for _, o := range out.Contents {
						keys = append(keys, *o.Key)
						if aws.ToString(o.ETag) != `"`+md5Hex(*o.Key)+`"` || aws.ToInt64(o.Size) != int64(len(*o.Key)) {
							t.Errorf("%s: etag %s size %d", *o.Key, aws.ToString(o.ETag), aws.ToInt64(o.Size))
						}
					}
					for _, p := range out.CommonPrefixes {
						prefixes = append(prefixes, *p.Prefix)
					}
					if !aws.ToBool(out.IsTruncated) {
						break
					}
					in.ContinuationToken = out.NextContinuationToken
				}
				if !slices.Equal(keys, tt.keys) || !slices.Equal(prefixes, tt.prefixes) {
					t.Fatalf("keys %q prefixes %q, want %q %q", keys, prefixes, tt.keys, tt.prefixes)
				}
			})
		}
		t.Run(tt.name+"/v1", func(t *testing.T) {
			out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &bucket, Prefix: &tt.prefix, Delimiter: &tt.delim})
			if err != nil {
				t.Fatalf("ListObjects: %v", err)
			}
			var keys, prefixes []string
			for _, o := range out.Contents {
				keys = append(keys, *o.Key)
			}
			for _, p := range out.CommonPrefixes {
				prefixes = append(prefixes, *p.Prefix)
			}
			if !slices.Equal(keys, tt.keys) || !slices.Equal(prefixes, tt.prefixes) || aws.ToBool(out.IsTruncated) {
				t.Fatalf("keys %q prefixes %q truncated %v, want %q %q", keys, prefixes, aws.ToBool(out.IsTruncated), tt.keys, tt.prefixes)
			}
		})
	}
	t.Run("v1 marker", func(t *testing.T) {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &bucket, Marker: aws.String("b/x/2"), MaxKeys: aws.Int32(1)})
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		if len(out.Contents) != 1 || *out.Contents[0].Key != "b/y" || !aws.ToBool(out.IsTruncated) {
			t.Fatalf("after b/x/2: %d entries, truncated %v", len(out.Contents), aws.ToBool(out.IsTruncated))
		}
	})
}

func TestVersioning(t *testing.T) { eachStore(t, testVersioning) }

func testVersioning(t *testing.T, st *store.Store) {
	c, b := newClient(t, st)
	ctx := t.Context()
	bucket, key := "versioned", "k"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	unversioned := put(t, c, bucket, key, "v0")
	if unversioned.VersionId != nil {
		t.Fatalf("PutObject before versioning gave version %q", *unversioned.VersionId)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	vc, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil || vc.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning = %v, %v", vc, err)
	}
	v1 := aws.ToString(put(t, c, bucket, key, "v1").VersionId)
	v2 := aws.ToString(put(t, c, bucket, key, "v2").VersionId)
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version IDs %q %q", v1, v2)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
		t.Fatalf("DeleteObject = %+v, %v; want a delete marker", del, err)
	}
	marker := aws.ToString(del.VersionId)

	t.Run("current is a delete marker", func(t *testing.T) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if errorCode(err) != "NoSuchKey" {
			t.Fatalf("GetObject: %v, want NoSuchKey", err)
		}
	})
	t.Run("get by version", func(t *testing.T) {
		for id, want := range map[string]string{v1: "v1", v2: "v2"} {
			got, out := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: aws.String(id)})
			if got != want || aws.ToString(out.VersionId) != id {
				t.Errorf("version %s = %q (%s), want %q", id, got, aws.ToString(out.VersionId), want)
			}
		}
		// gofakes3 routes ?versionId=null to the current version, so the
		// null version is read through the backend itself.
		obj, err := b.GetObjectVersion(bucket, key, "null", nil)
		if err != nil {
			t.Fatalf("GetObjectVersion null: %v", err)
		}
		got, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil || string(got) != "v0" || obj.VersionID != "null" {
			t.Fatalf("null version = %q (%s), %v; want v0", got, obj.VersionID, err)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: aws.String("nosuchversion")})
		if errorCode(err) != "NoSuchVersion" {
			t.Fatalf("absent version: %v, want NoSuchVersion", err)
		}
	})
	t.Run("list versions", func(t *testing.T) {
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
		if err != nil {
			t.Fatalf("ListObjectVersions: %v", err)
		}
		if len(out.DeleteMarkers) != 1 || aws.ToString(out.DeleteMarkers[0].VersionId) != marker || !aws.ToBool(out.DeleteMarkers[0].IsLatest) {
			t.Fatalf("delete markers %+v, want %s latest", out.DeleteMarkers, marker)
		}
		var ids []string
		for _, v := range out.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
			if aws.ToBool(v.IsLatest) {
				t.Errorf("version %s is latest under a delete marker", aws.ToString(v.VersionId))
			}
		}
		if !slices.Equal(ids, []string{v2, v1, "null"}) {
			t.Fatalf("versions %q, want %q", ids, []string{v2, v1, "null"})
		}
	})
	t.Run("list versions paged", func(t *testing.T) {
		var seen []string
		in := &s3.ListObjectVersionsInput{Bucket: &bucket, MaxKeys: aws.Int32(1)}
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("more pages than versions")
			}
			out, err := c.ListObjectVersions(ctx, in)
			if err != nil {
				t.Fatalf("ListObjectVersions: %v", err)
			}
			for _, m := range out.DeleteMarkers {
				seen = append(seen, aws.ToString(m.VersionId))
			}
			for _, v := range out.Versions {
				seen = append(seen, aws.ToString(v.VersionId))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
		}
		if want := []string{marker, v2, v1, "null"}; !slices.Equal(seen, want) {
			t.Fatalf("paged versions %q, want %q", seen, want)
		}
	})
	t.Run("delete the marker", func(t *testing.T) {
		out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &marker})
		if err != nil || !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != marker {
			t.Fatalf("DeleteObject marker = %+v, %v", out, err)
		}
		got, gout := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if got != "v2" || aws.ToString(gout.VersionId) != v2 {
			t.Fatalf("current after removing the marker = %q (%s), want v2 (%s)", got, aws.ToString(gout.VersionId), v2)
		}
	})
}

func TestMultipart(t *testing.T) { eachStore(t, testMultipart) }

func testMultipart(t *testing.T, st *store.Store) {
	c, _ := newClient(t, st)
	ctx := t.Context()
	bucket, key := "multipart", "big"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key,
		ContentType: aws.String("application/x-test"), Metadata: map[string]string{"origin": "parts"}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	id := create.UploadId
	bodies := []string{"first part, ", "second part, ", "third"}
	var completed []types.CompletedPart
	var sums []byte
	for i, b := range bodies {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: id, PartNumber: &n,
			Body: bytes.NewReader([]byte(b)), ContentLength: aws.Int64(int64(len(b)))})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		if aws.ToString(out.ETag) != `"`+md5Hex(b)+`"` {
			t.Fatalf("part %d ETag %s, want MD5 %s", n, aws.ToString(out.ETag), md5Hex(b))
		}
		completed = append(completed, types.CompletedPart{PartNumber: &n, ETag: out.ETag})
		sum := md5.Sum([]byte(b))
		sums = append(sums, sum[:]...)
	}
	whole := md5.Sum(sums)
	wantETag := `"` + hex.EncodeToString(whole[:]) + "-3" + `"`

	t.Run("list parts", func(t *testing.T) {
		out, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: id})
		if err != nil {
			t.Fatalf("ListParts: %v", err)
		}
		if len(out.Parts) != 3 || aws.ToBool(out.IsTruncated) {
			t.Fatalf("ListParts: %d parts, truncated %v", len(out.Parts), aws.ToBool(out.IsTruncated))
		}
		for i, p := range out.Parts {
			if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(bodies[i])) || aws.ToString(p.ETag) != `"`+md5Hex(bodies[i])+`"` {
				t.Errorf("part %d: number %d size %d etag %s", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ETag))
			}
		}
		page, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: id, MaxParts: aws.Int32(1), PartNumberMarker: aws.String("1")})
		if err != nil {
			t.Fatalf("ListParts page: %v", err)
		}
		if len(page.Parts) != 1 || aws.ToInt32(page.Parts[0].PartNumber) != 2 || !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextPartNumberMarker) != "2" {
			t.Fatalf("ListParts after 1, max 1: %d parts, truncated %v, next %s", len(page.Parts), aws.ToBool(page.IsTruncated), aws.ToString(page.NextPartNumberMarker))
		}
	})
	t.Run("list uploads", func(t *testing.T) {
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		if len(out.Uploads) != 1 || aws.ToString(out.Uploads[0].UploadId) != aws.ToString(id) || aws.ToString(out.Uploads[0].Key) != key {
			t.Fatalf("uploads %+v, want %s", out.Uploads, aws.ToString(id))
		}
	})
	t.Run("complete: wrong ETag", func(t *testing.T) {
		bad := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"` + md5Hex("other") + `"`)}}
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: bad}})
		if errorCode(err) != "InvalidPart" {
			t.Fatalf("wrong ETag: %v, want InvalidPart", err)
		}
	})
	t.Run("complete: out of order", func(t *testing.T) {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed[1], completed[0]}}})
		if errorCode(err) != "InvalidPartOrder" {
			t.Fatalf("out of order: %v, want InvalidPartOrder", err)
		}
	})
	t.Run("complete", func(t *testing.T) {
		out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
		if err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		if aws.ToString(out.ETag) != wantETag {
			t.Fatalf("ETag %s, want %s", aws.ToString(out.ETag), wantETag)
		}
		got, gout := get(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if got != bodies[0]+bodies[1]+bodies[2] || aws.ToString(gout.ContentType) != "application/x-test" || gout.Metadata["origin"] != "parts" {
			t.Fatalf("object %q type %s meta %v", got, aws.ToString(gout.ContentType), gout.Metadata)
		}
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
		if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != wantETag {
			t.Fatalf("listing after complete = %+v, %v; want ETag %s", list, err, wantETag)
		}
		if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: id}); errorCode(err) != "NoSuchUpload" {
			t.Fatalf("ListParts after complete: %v, want NoSuchUpload", err)
		}
	})
	t.Run("abort", func(t *testing.T) {
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted")})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))}); err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: up.UploadId}); err != nil {
			t.Fatalf("AbortMultipartUpload: %v", err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: up.UploadId}); errorCode(err) != "NoSuchUpload" {
			t.Fatalf("second abort: %v, want NoSuchUpload", err)
		}
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
		if err != nil || len(out.Uploads) != 0 {
			t.Fatalf("uploads after abort = %+v, %v", out, err)
		}
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("aborted")}); err == nil {
			t.Fatal("an aborted upload left an object")
		}
	})
}

// BenchmarkGetObject reads an 8 MiB object through gofakes3 over the
// backend: bytes allocated per read stay far below the object's size, as
// the body streams from the store to the socket.
func BenchmarkGetObject(b *testing.B) {
	st := store.NewMemory(store.Options{})
	b.Cleanup(func() { st.Close() })
	be := New(st)
	if err := be.CreateBucket("bench"); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)
	if _, err := be.PutObject("bench", "k", nil, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	b.Cleanup(srv.Close)
	client := srv.Client()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/bench/k")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != int64(len(body)) {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
