package s3api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/sigv4"
)

// sdkStatus is the HTTP status and code of an SDK error (0, "" for nil).
func sdkStatus(err error) (int, string) {
	if err == nil {
		return 0, ""
	}
	code := ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode(), code
	}
	return -1, code
}

// TestRangeForms: S3's reading of the Range header on GetObject — a
// malformed range (white space, other units, several ranges, last <
// first) is ignored and the whole object returned with 200; suffix and
// open ranges; bytes=-0 and ranges from beyond the end are 416
// InvalidRange; on an empty object a suffix range is the whole (empty)
// object and any other range is 416 (the answers versitygw's integration
// suite records from S3).
func TestRangeForms(t *testing.T) {
	srv, c := newServer(t, "rng")
	body := strings.Repeat("0123456789", 10)
	put(t, c, "rng", "obj", body)
	put(t, c, "rng", "empty", "")
	tests := []struct {
		name, key, rng string
		status         int
		contentRange   string
		want           string
	}{
		{"space before suffix", "obj", "bytes= -1", 200, "", body},
		{"space before dash", "obj", "bytes=0 -1", 200, "", body},
		{"letters", "obj", "bytes=abc", 200, "", body},
		{"letter range", "obj", "bytes=a-z", 200, "", body},
		{"comma only", "obj", "bytes=,", 200, "", body},
		{"two ranges", "obj", "bytes=0-0,1-2", 200, "", body},
		{"other unit", "obj", "foo=0-1", 200, "", body},
		{"double dash", "obj", "bytes=--1", 200, "", body},
		{"negative last", "obj", "bytes=0--1", 200, "", body},
		{"last before first", "obj", "bytes=10-5", 200, "", body},
		{"bad last", "obj", "bytes=100-x", 200, "", body},
		{"leading zeros", "obj", "bytes=00-01", 206, "bytes 0-1/100", "01"},
		{"suffix", "obj", "bytes=-5", 206, "bytes 95-99/100", "56789"},
		{"suffix past start", "obj", "bytes=-101", 206, "bytes 0-99/100", body},
		{"open", "obj", "bytes=95-", 206, "bytes 95-99/100", "56789"},
		{"last past end", "obj", "bytes=98-1000", 206, "bytes 98-99/100", "89"},
		{"zero suffix", "obj", "bytes=-0", 416, "", ""},
		{"from the end", "obj", "bytes=100-110", 416, "", ""},
		{"empty: suffix", "empty", "bytes=-1", 200, "", ""},
		{"empty: zero suffix", "empty", "bytes=-0", 416, "", ""},
		{"empty: open", "empty", "bytes=0-", 416, "", ""},
		{"empty: first byte", "empty", "bytes=0-0", 416, "", ""},
		{"empty: malformed", "empty", "bytes= -1", 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, http.MethodGet, "/rng/"+tc.key, nil, map[string]string{"Range": tc.rng})
			if r.Status != tc.status {
				t.Fatalf("Range %q: status %d, want %d: %s", tc.rng, r.Status, tc.status, r.Body)
			}
			if r.Status == 416 {
				if e := errorOf(t, r); e.Code != "InvalidRange" {
					t.Errorf("code %q, want InvalidRange", e.Code)
				}
				if !bytes.Contains(r.Body, []byte("<RangeRequested>"+tc.rng+"</RangeRequested>")) {
					t.Errorf("no RangeRequested in %s", r.Body)
				}
				return
			}
			if got := r.Header.Get("Content-Range"); got != tc.contentRange {
				t.Errorf("Content-Range %q, want %q", got, tc.contentRange)
			}
			if string(r.Body) != tc.want {
				t.Errorf("body %q, want %q", r.Body, tc.want)
			}
		})
	}
}

// TestRangeFormsHead: HeadObject reads Range as GetObject does.
func TestRangeFormsHead(t *testing.T) {
	srv, c := newServer(t, "rngh")
	put(t, c, "rngh", "obj", "0123456789")
	for _, tc := range []struct {
		rng          string
		status       int
		contentRange string
	}{
		{"bytes= -1", 200, ""},
		{"bytes=-5", 206, "bytes 5-9/10"},
		{"bytes=10-", 416, ""},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			r := do(t, srv, http.MethodHead, "/rngh/obj", nil, map[string]string{"Range": tc.rng})
			if r.Status != tc.status || r.Header.Get("Content-Range") != tc.contentRange {
				t.Errorf("status %d Content-Range %q, want %d %q", r.Status, r.Header.Get("Content-Range"), tc.status, tc.contentRange)
			}
		})
	}
}

// TestStorageClass: x-amz-storage-class is validated on PutObject,
// CopyObject and CreateMultipartUpload (400 InvalidStorageClass with
// StorageClassRequested) and reported on HEAD and GET, absent for
// STANDARD as S3 sends it.
func TestStorageClass(t *testing.T) {
	srv, c := newServer(t, "sc")
	put(t, c, "sc", "src", "source")
	t.Run("accepted and reported", func(t *testing.T) {
		for _, class := range []types.StorageClass{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
			"INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"} {
			t.Run(string(class), func(t *testing.T) {
				key := "k-" + string(class)
				if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("sc"), Key: aws.String(key),
					Body: strings.NewReader("x"), StorageClass: class}); err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				r := do(t, srv, http.MethodHead, "/sc/"+key, nil, nil)
				want := string(class)
				if class == "STANDARD" {
					want = ""
				}
				if got := r.Header.Get("X-Amz-Storage-Class"); r.Status != 200 || got != want {
					t.Errorf("HEAD: %d, x-amz-storage-class %q, want %q", r.Status, got, want)
				}
			})
		}
	})
	t.Run("GET reports it", func(t *testing.T) {
		if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("sc"), Key: aws.String("ia"),
			Body: strings.NewReader("x"), StorageClass: types.StorageClassStandardIa}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("sc"), Key: aws.String("ia")})
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
		if out.StorageClass != types.StorageClassStandardIa {
			t.Errorf("StorageClass %q", out.StorageClass)
		}
	})
	refused := []struct {
		name, method, path string
		hdr                map[string]string
	}{
		{"PutObject", http.MethodPut, "/sc/bad", nil},
		{"CopyObject", http.MethodPut, "/sc/bad", map[string]string{"X-Amz-Copy-Source": "/sc/src"}},
		{"CreateMultipartUpload", http.MethodPost, "/sc/bad?uploads", nil},
	}
	for _, op := range refused {
		for _, class := range []string{"BOGUS", "standard", "EXPRESS_ONEZONE", "OUTPOSTS"} {
			t.Run(op.name+"/"+class, func(t *testing.T) {
				hdr := map[string]string{"X-Amz-Storage-Class": class}
				for k, v := range op.hdr {
					hdr[k] = v
				}
				r := do(t, srv, op.method, op.path, nil, hdr)
				if r.Status != 400 {
					t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
				}
				if e := errorOf(t, r); e.Code != "InvalidStorageClass" || e.Message != "The storage class you specified is not valid" {
					t.Errorf("error %+v", e)
				}
				if !bytes.Contains(r.Body, []byte("<StorageClassRequested>"+class+"</StorageClassRequested>")) {
					t.Errorf("no StorageClassRequested in %s", r.Body)
				}
			})
		}
	}
	t.Run("SDK PutObject", func(t *testing.T) {
		_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("sc"), Key: aws.String("bad"),
			Body: strings.NewReader("x"), StorageClass: "BOGUS"})
		if st, code := sdkStatus(err); st != 400 || code != "InvalidStorageClass" {
			t.Errorf("got %d %q (%v), want 400 InvalidStorageClass", st, code, err)
		}
		if _, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("sc"), Key: aws.String("bad")}); err == nil {
			t.Error("the refused object was stored")
		}
	})
}

// newUpload starts a multipart upload of bucket/key with one part and
// returns its ID and the completed-parts list.
func newUpload(t *testing.T, c *s3.Client, bucket, key, body string) (string, *types.CompletedMultipartUpload) {
	t.Helper()
	cr, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadPart(t.Context(), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return *cr.UploadId, &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}
}

// TestCompleteConditionalWrite: If-Match (an ETag or "*") and
// If-None-Match ("*" only) on CompleteMultipartUpload, as on PutObject:
// 412 PreconditionFailed when they do not hold, 404 NoSuchKey for
// If-Match on a missing key, 501 NotImplemented for If-None-Match with an
// ETag; a failed condition leaves the upload in place.
func TestCompleteConditionalWrite(t *testing.T) {
	_, c := newServer(t, "cw")
	put(t, c, "cw", "there", "old")
	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("cw"), Key: aws.String("there")})
	if err != nil {
		t.Fatal(err)
	}
	etag := *head.ETag
	tests := []struct {
		name, key            string
		ifMatch, ifNoneMatch string
		status               int
		code                 string
	}{
		{"if-none-match * on existing", "there", "", "*", 412, "PreconditionFailed"},
		{"if-match other etag", "there", `"0123456789abcdef0123456789abcdef"`, "", 412, "PreconditionFailed"},
		{"if-match on missing key", "missing", etag, "", 404, "NoSuchKey"},
		{"if-match * on missing key", "missing", "*", "", 404, "NoSuchKey"},
		{"if-none-match etag", "there", "", etag, 501, "NotImplemented"},
		{"if-none-match * on missing key", "fresh", "", "*", 0, ""},
		{"if-match current etag", "there", etag, "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, parts := newUpload(t, c, "cw", tc.key, "new")
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("cw"), Key: aws.String(tc.key), UploadId: aws.String(id), MultipartUpload: parts}
			if tc.ifMatch != "" {
				in.IfMatch = aws.String(tc.ifMatch)
			}
			if tc.ifNoneMatch != "" {
				in.IfNoneMatch = aws.String(tc.ifNoneMatch)
			}
			_, err := c.CompleteMultipartUpload(t.Context(), in)
			if st, code := sdkStatus(err); st != tc.status || code != tc.code {
				t.Fatalf("got %d %q (%v), want %d %q", st, code, err, tc.status, tc.code)
			}
			if tc.status == 0 {
				return
			}
			if _, err := c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String("cw"), Key: aws.String(tc.key), UploadId: aws.String(id)}); err != nil {
				t.Errorf("the upload is gone after a failed condition: %v", err)
			}
		})
	}
}

// TestAbortIfMatchInitiatedTime: x-amz-if-match-initiated-time on
// AbortMultipartUpload aborts only an upload initiated at that second (412
// PreconditionFailed otherwise, the upload kept); a future time is
// ignored; an upload that does not exist is 204 with the header,
// NoSuchUpload without it.
func TestAbortIfMatchInitiatedTime(t *testing.T) {
	_, c := newServer(t, "ab")
	initiated := func(t *testing.T, id string) time.Time {
		t.Helper()
		out, err := c.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("ab")})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Uploads {
			if *u.UploadId == id {
				return *u.Initiated
			}
		}
		t.Fatalf("upload %s not listed", id)
		return time.Time{}
	}
	tests := []struct {
		name   string
		when   func(initiated time.Time) *time.Time
		status int
		code   string
	}{
		{"no header", func(time.Time) *time.Time { return nil }, 0, ""},
		{"initiated time", func(i time.Time) *time.Time { return &i }, 0, ""},
		{"a year later", func(i time.Time) *time.Time { v := i.AddDate(1, 0, 0); return &v }, 0, ""},
		{"a day earlier", func(i time.Time) *time.Time { v := i.AddDate(0, 0, -1); return &v }, 412, "PreconditionFailed"},
		{"a second earlier", func(i time.Time) *time.Time { v := i.Add(-time.Second); return &v }, 412, "PreconditionFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, _ := newUpload(t, c, "ab", "k-"+tc.name, "x")
			_, err := c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String("ab"), Key: aws.String("k-" + tc.name),
				UploadId: aws.String(id), IfMatchInitiatedTime: tc.when(initiated(t, id))})
			if st, code := sdkStatus(err); st != tc.status || code != tc.code {
				t.Fatalf("got %d %q (%v), want %d %q", st, code, err, tc.status, tc.code)
			}
			_, lerr := c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String("ab"), Key: aws.String("k-" + tc.name), UploadId: aws.String(id)})
			if kept := lerr == nil; kept != (tc.status != 0) {
				t.Errorf("upload kept %v after the abort answered %d", kept, tc.status)
			}
		})
	}
	t.Run("missing upload", func(t *testing.T) {
		when := time.Now().Add(-time.Hour)
		if _, err := c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String("ab"), Key: aws.String("none"),
			UploadId: aws.String("0123456789abcdef0123456789abcdef"), IfMatchInitiatedTime: &when}); err != nil {
			t.Errorf("with the header: %v, want 204", err)
		}
		_, err := c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String("ab"), Key: aws.String("none"),
			UploadId: aws.String("0123456789abcdef0123456789abcdef")})
		if _, code := sdkStatus(err); code != "NoSuchUpload" {
			t.Errorf("without the header: %v, want NoSuchUpload", err)
		}
	})
}

// TestExpectedBucketOwner: x-amz-expected-bucket-owner naming another
// account is 403 AccessDenied on every bucket, object, multipart and
// configuration operation (ListBuckets has no bucket), before anything
// is read or written; x-amz-source-expected-bucket-owner likewise on
// CopyObject and UploadPartCopy.
func TestExpectedBucketOwner(t *testing.T) {
	srv, c := newServer(t, "eb", "eb2")
	put(t, c, "eb", "k", "data")
	id, _ := newUpload(t, c, "eb", "mp", "part")
	const other = "222222222222"
	ops := []struct{ name, method, path string }{
		{"DeleteBucket", "DELETE", "/eb2"},
		{"HeadBucket", "HEAD", "/eb"},
		{"GetBucketLocation", "GET", "/eb?location"},
		{"ListObjects", "GET", "/eb"},
		{"ListObjectsV2", "GET", "/eb?list-type=2"},
		{"ListObjectVersions", "GET", "/eb?versions"},
		{"ListMultipartUploads", "GET", "/eb?uploads"},
		{"GetObject", "GET", "/eb/k"},
		{"HeadObject", "HEAD", "/eb/k"},
		{"PutObject", "PUT", "/eb/k"},
		{"DeleteObject", "DELETE", "/eb/k"},
		{"DeleteObjects", "POST", "/eb?delete"},
		{"CreateMultipartUpload", "POST", "/eb/k2?uploads"},
		{"UploadPart", "PUT", "/eb/mp?partNumber=2&uploadId=" + id},
		{"CompleteMultipartUpload", "POST", "/eb/mp?uploadId=" + id},
		{"AbortMultipartUpload", "DELETE", "/eb/mp?uploadId=" + id},
		{"ListParts", "GET", "/eb/mp?uploadId=" + id},
		{"GetObjectTagging", "GET", "/eb/k?tagging"},
		{"PutObjectTagging", "PUT", "/eb/k?tagging"},
		{"DeleteObjectTagging", "DELETE", "/eb/k?tagging"},
		{"GetObjectAcl", "GET", "/eb/k?acl"},
		{"PutObjectAcl", "PUT", "/eb/k?acl"},
		{"GetObjectAttributes", "GET", "/eb/k?attributes"},
		{"GetObjectRetention", "GET", "/eb/k?retention"},
		{"PutObjectRetention", "PUT", "/eb/k?retention"},
		{"GetObjectLegalHold", "GET", "/eb/k?legal-hold"},
		{"PutObjectLegalHold", "PUT", "/eb/k?legal-hold"},
		{"GetBucketTagging", "GET", "/eb?tagging"},
		{"PutBucketTagging", "PUT", "/eb?tagging"},
		{"DeleteBucketTagging", "DELETE", "/eb?tagging"},
		{"GetBucketAcl", "GET", "/eb?acl"},
		{"PutBucketAcl", "PUT", "/eb?acl"},
		{"GetBucketCors", "GET", "/eb?cors"},
		{"PutBucketCors", "PUT", "/eb?cors"},
		{"DeleteBucketCors", "DELETE", "/eb?cors"},
		{"GetPublicAccessBlock", "GET", "/eb?publicAccessBlock"},
		{"PutPublicAccessBlock", "PUT", "/eb?publicAccessBlock"},
		{"DeletePublicAccessBlock", "DELETE", "/eb?publicAccessBlock"},
		{"GetBucketOwnershipControls", "GET", "/eb?ownershipControls"},
		{"PutBucketOwnershipControls", "PUT", "/eb?ownershipControls"},
		{"DeleteBucketOwnershipControls", "DELETE", "/eb?ownershipControls"},
		{"GetBucketEncryption", "GET", "/eb?encryption"},
		{"PutBucketEncryption", "PUT", "/eb?encryption"},
		{"DeleteBucketEncryption", "DELETE", "/eb?encryption"},
		{"GetBucketVersioning", "GET", "/eb?versioning"},
		{"PutBucketVersioning", "PUT", "/eb?versioning"},
		{"GetBucketPolicy", "GET", "/eb?policy"},
		{"PutBucketPolicy", "PUT", "/eb?policy"},
		{"DeleteBucketPolicy", "DELETE", "/eb?policy"},
		{"GetBucketPolicyStatus", "GET", "/eb?policyStatus"},
		{"GetObjectLockConfiguration", "GET", "/eb?object-lock"},
		{"PutObjectLockConfiguration", "PUT", "/eb?object-lock"},
		{"GetBucketLifecycleConfiguration", "GET", "/eb?lifecycle"},
		{"PutBucketLifecycleConfiguration", "PUT", "/eb?lifecycle"},
		{"DeleteBucketLifecycle", "DELETE", "/eb?lifecycle"},
		{"GetBucketLogging", "GET", "/eb?logging"},
		{"PutBucketLogging", "PUT", "/eb?logging"},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			r := do(t, srv, op.method, op.path, nil, map[string]string{"X-Amz-Expected-Bucket-Owner": other})
			if r.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %s", r.Status, r.Body)
			}
			if op.method != "HEAD" {
				if e := errorOf(t, r); e.Code != "AccessDenied" || e.Message != "Access Denied" {
					t.Errorf("error %+v", e)
				}
			}
		})
	}
	t.Run("nothing changed", func(t *testing.T) {
		if _, err := c.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String("eb2")}); err != nil {
			t.Errorf("eb2 deleted: %v", err)
		}
		if _, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("eb"), Key: aws.String("k")}); err != nil {
			t.Errorf("k deleted: %v", err)
		}
		if _, err := c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String("eb"), Key: aws.String("mp"), UploadId: aws.String(id)}); err != nil {
			t.Errorf("upload gone: %v", err)
		}
	})
	t.Run("owner matches", func(t *testing.T) {
		out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("eb"), Key: aws.String("k"), ExpectedBucketOwner: aws.String(emulator.DefaultAccountID)})
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
	})
	t.Run("SDK PutObject", func(t *testing.T) {
		_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("eb"), Key: aws.String("sdk"), Body: strings.NewReader("x"), ExpectedBucketOwner: aws.String(other)})
		if st, code := sdkStatus(err); st != 403 || code != "AccessDenied" {
			t.Errorf("got %d %q (%v)", st, code, err)
		}
	})
	t.Run("SDK CompleteMultipartUpload", func(t *testing.T) {
		id2, parts := newUpload(t, c, "eb", "mp2", "x")
		_, err := c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{Bucket: aws.String("eb"), Key: aws.String("mp2"),
			UploadId: aws.String(id2), MultipartUpload: parts, ExpectedBucketOwner: aws.String(other)})
		if st, code := sdkStatus(err); st != 403 || code != "AccessDenied" {
			t.Errorf("got %d %q (%v)", st, code, err)
		}
	})
	for _, tc := range []struct{ name, path string }{
		{"CopyObject", "/eb2/copy"},
		{"UploadPartCopy", "/eb/mp?partNumber=3&uploadId=" + id},
	} {
		t.Run(tc.name+" source owner", func(t *testing.T) {
			hdr := map[string]string{"X-Amz-Copy-Source": "/eb/k", "X-Amz-Source-Expected-Bucket-Owner": other}
			if r := do(t, srv, http.MethodPut, tc.path, nil, hdr); r.Status != 403 || errorOf(t, r).Code != "AccessDenied" {
				t.Errorf("status %d: %s", r.Status, r.Body)
			}
			hdr["X-Amz-Source-Expected-Bucket-Owner"] = emulator.DefaultAccountID
			if r := do(t, srv, http.MethodPut, tc.path, nil, hdr); r.Status != 200 {
				t.Errorf("matching owner: status %d: %s", r.Status, r.Body)
			}
		})
	}
}

// TestUploadPartEmptyBody: an UploadPart with no body (Content-Length: 0)
// is a part of zero bytes, as S3 takes it, not 411; through the SDK with
// its default checksums and raw.
func TestUploadPartEmptyBody(t *testing.T) {
	srv, c := newServer(t, "ep")
	cr, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String("ep"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadPart(t.Context(), &s3.UploadPartInput{Bucket: aws.String("ep"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(nil)})
	if err != nil {
		t.Fatalf("SDK UploadPart with an empty body: %v", err)
	}
	if *up.ETag != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Errorf("ETag %s, want the MD5 of nothing", *up.ETag)
	}
	r := do(t, srv, http.MethodPut, "/ep/k?partNumber=2&uploadId="+*cr.UploadId, nil, map[string]string{"Content-Length": "0"})
	if r.Status != 200 || r.Header.Get("ETag") != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Fatalf("raw UploadPart: %d %q: %s", r.Status, r.Header.Get("ETag"), r.Body)
	}
	out, err := c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{Bucket: aws.String("ep"), Key: aws.String("k"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}})
	if err != nil {
		t.Fatalf("Complete with the one empty part: %v", err)
	}
	if *out.ETag != `"`+"59adb24ef3cdbe0297f05b395827453f"+`-1"` {
		t.Errorf("ETag %s", *out.ETag)
	}
}

// sendAuth sends a PUT of "x" to /ea/k with the given Authorization
// (omitted when "-") and date headers, x-amz-content-sha256 set; when sign
// is true the Authorization's placeholder signature is replaced by the
// real one over the request as built (with sigv4's own canonical form).
func sendAuth(t *testing.T, srv *emulatortest.Server, authz string, hdr map[string]string, sign bool) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL()+"/ea/k", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("x"))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if authz != "-" {
		req.Header.Set("Authorization", authz)
	}
	if sign {
		a, err := sigv4.Parse(req)
		if err != nil {
			t.Fatalf("parse own request: %v", err)
		}
		canonical, err := a.CanonicalRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		mac := hmac.New(sha256.New, sigv4.SigningKey(emulator.DefaultSecretAccessKey, a.Date, a.Region, a.Service))
		mac.Write([]byte(a.StringToSign(canonical)))
		req.Header.Set("Authorization", strings.Replace(authz, a.Signature, hex.EncodeToString(mac.Sum(nil)), 1))
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestAuthorizationHeaderForms: malformed Authorization headers and date
// headers answered with S3's status, code and message: another scheme is
// 400 InvalidArgument "Unsupported Authorization Type" echoing the header;
// a SigV4 header without one of its three components, or with a bad
// credential date, is 400 AuthorizationHeaderMalformed; an empty
// Authorization is an anonymous request (403 on a private bucket); an
// invalid or missing date is 403 AccessDenied; a Date header in RFC 1123
// with a numeric zone (botocore's form) is a valid date; an x-amz-*
// header that is not signed is 403 AccessDenied naming it.
func TestAuthorizationHeaderForms(t *testing.T) {
	srv, _ := newServer(t, "ea")
	now := time.Now().UTC()
	day := now.Format("20060102")
	amzDate := now.Format("20060102T150405Z")
	cred := "Credential=" + emulator.DefaultAccessKeyID + "/" + day + "/us-east-1/s3/aws4_request"
	sig := "Signature=" + strings.Repeat("0", 64)
	withDate := map[string]string{"X-Amz-Date": amzDate}
	tests := []struct {
		name, authz string
		hdr         map[string]string
		sign        bool
		status      int
		code, msg   string
		argValue    string
	}{
		{"empty is anonymous", "", withDate, false, 403, "AccessDenied", "", ""},
		{"no header is anonymous", "-", withDate, false, 403, "AccessDenied", "", ""},
		{"bearer", "Bearer abc", withDate, false, 400, "InvalidArgument", "Unsupported Authorization Type", "Bearer abc"},
		{"misspelt algorithm", "AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, " + sig, withDate, false, 400, "InvalidArgument", "Unsupported Authorization Type", "AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, " + sig},
		{"algorithm alone", "AWS4-HMAC-SHA256", withDate, false, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", ""},
		{"no credential", "AWS4-HMAC-SHA256 SignedHeaders=host, " + sig, withDate, false, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", ""},
		{"no signed headers", "AWS4-HMAC-SHA256 " + cred + ", " + sig, withDate, false, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", ""},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", withDate, false, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", ""},
		{"bad credential date", "AWS4-HMAC-SHA256 Credential=" + emulator.DefaultAccessKeyID + "/2026-11-30/us-east-1/s3/aws4_request, SignedHeaders=host, " + sig, withDate, false, 400, "AuthorizationHeaderMalformed", "", ""},
		{"bad x-amz-date", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, " + sig, map[string]string{"X-Amz-Date": "yesterday"}, false, 403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", ""},
		{"no date at all", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-content-sha256, " + sig, nil, false, 403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", ""},
		{"date with numeric zone", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=date;host;x-amz-content-sha256, " + sig, map[string]string{"Date": now.Format(time.RFC1123Z)}, true, 200, "", "", ""},
		{"date in GMT", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=date;host;x-amz-content-sha256, " + sig, map[string]string{"Date": now.Format(http.TimeFormat)}, true, 200, "", "", ""},
		{"unsigned x-amz-date", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=date;host;x-amz-content-sha256, " + sig, map[string]string{"Date": now.Format(http.TimeFormat), "X-Amz-Date": amzDate}, false, 403, "AccessDenied", "There were headers present in the request which were not signed", ""},
		{"host not signed", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-content-sha256;x-amz-date, " + sig, withDate, false, 400, "AuthorizationHeaderMalformed", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sendAuth(t, srv, tc.authz, tc.hdr, tc.sign)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code == "" {
				return
			}
			e := errorOf(t, r)
			if e.Code != tc.code || tc.msg != "" && e.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if tc.argValue != "" && !bytes.Contains(r.Body, []byte("<ArgumentName>Authorization</ArgumentName><ArgumentValue>"+tc.argValue+"</ArgumentValue>")) {
				t.Errorf("no ArgumentName/ArgumentValue in %s", r.Body)
			}
		})
	}
}
