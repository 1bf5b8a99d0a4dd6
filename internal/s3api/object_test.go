package s3api_test

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/store"
)

// httpStatus returns the HTTP status of an SDK error (0 for none).
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// newHandler builds a Handler over a new memory store holding the
// given (empty) buckets, for tests that call it directly.
func newHandler(t *testing.T, buckets ...string) *s3api.Handler {
	t.Helper()
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { st.Close() })
	for _, b := range buckets {
		if err := st.CreateBucket(store.Bucket{Name: b}); err != nil {
			t.Fatal(err)
		}
	}
	return s3api.New(st)
}

func TestObjectMetadataReplacedNotMerged(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("v1"),
		Metadata:     map[string]string{"Foo": "bar", "camelCase": "x"},
		CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="f.txt"`),
		ContentEncoding: aws.String("identity"), ContentLanguage: aws.String("de"),
		ContentType: aws.String("text/plain"), Expires: aws.Time(expires),
	})
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"foo": "bar", "camelcase": "x"}; !maps.Equal(head.Metadata, want) {
		t.Errorf("Metadata = %v, want %v", head.Metadata, want)
	}
	for name, got := range map[string]*string{
		"max-age=60": head.CacheControl, `attachment; filename="f.txt"`: head.ContentDisposition,
		"identity": head.ContentEncoding, "de": head.ContentLanguage, "text/plain": head.ContentType,
	} {
		if aws.ToString(got) != name {
			t.Errorf("got %q, want %q", aws.ToString(got), name)
		}
	}
	if head.ExpiresString == nil || !strings.Contains(*head.ExpiresString, "2030") {
		t.Errorf("Expires = %v", aws.ToString(head.ExpiresString))
	}

	// A second PUT replaces every piece of metadata.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("v2"),
		Metadata: map[string]string{"other": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(body) != "v2" || !maps.Equal(get.Metadata, map[string]string{"other": "1"}) {
		t.Errorf("after overwrite: body %q metadata %v", body, get.Metadata)
	}
	if get.CacheControl != nil || get.ContentDisposition != nil || get.ContentLanguage != nil || get.ExpiresString != nil {
		t.Errorf("standard headers survived the overwrite: %v %v %v %v", get.CacheControl, get.ContentDisposition, get.ContentLanguage, get.ExpiresString)
	}
	if aws.ToString(get.ContentType) != "application/octet-stream" { // what the SDK sends by default
		t.Errorf("Content-Type = %q", aws.ToString(get.ContentType))
	}
	// Without Content-Type S3 stores binary/octet-stream.
	if r := do(t, srv, "PUT", "/b/untyped", []byte("x"), nil); r.Status != 200 {
		t.Fatalf("PUT: %d", r.Status)
	}
	if r := do(t, srv, "HEAD", "/b/untyped", nil, nil); r.Header.Get("Content-Type") != "binary/octet-stream" {
		t.Errorf("default Content-Type = %q", r.Header.Get("Content-Type"))
	}

	// Raw: only what S3 returns; request headers like x-amz-acl, x-amz-date
	// or x-amz-storage-class: STANDARD are not echoed.
	r := do(t, srv, "PUT", "/b/raw", []byte("x"), map[string]string{
		"x-amz-meta-Mixed-Case": "v", "x-amz-acl": "private", "x-amz-storage-class": "STANDARD", "Content-Type": "text/csv",
	})
	if r.Status != 200 || r.Header.Get("ETag") != `"9dd4e461268c8034f5c8564e155c67a6"` {
		t.Fatalf("PUT: %d %v", r.Status, r.Header)
	}
	r = do(t, srv, "GET", "/b/raw", nil, nil)
	if r.Status != 200 || string(r.Body) != "x" {
		t.Fatalf("GET: %d %q", r.Status, r.Body)
	}
	if r.Header.Get("x-amz-meta-mixed-case") != "v" || r.Header.Get("Content-Type") != "text/csv" || r.Header.Get("Content-Length") != "1" ||
		r.Header.Get("Last-Modified") == "" || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("GET headers: %v", r.Header)
	}
	for _, h := range []string{"X-Amz-Acl", "X-Amz-Date", "X-Amz-Storage-Class", "X-Amz-Content-Sha256", "X-Amz-Version-Id", "X-Amz-Tagging-Count"} {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("GET returned %s: %q", h, v)
		}
	}
}

func TestObjectMetadataReplacedInVersionedBucket(t *testing.T) {
	_, c := newServer(t, "v")
	ctx := t.Context()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("v"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("v"), Key: aws.String("k"), Body: strings.NewReader("1"), Metadata: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("v"), Key: aws.String("k"), Body: strings.NewReader("2"), Metadata: map[string]string{"b": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(first.VersionId) == "" || aws.ToString(first.VersionId) == aws.ToString(second.VersionId) {
		t.Fatalf("version ids %q %q", aws.ToString(first.VersionId), aws.ToString(second.VersionId))
	}
	cur, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("v"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(cur.Metadata, map[string]string{"b": "2"}) || aws.ToString(cur.VersionId) != aws.ToString(second.VersionId) {
		t.Errorf("current: %v %q", cur.Metadata, aws.ToString(cur.VersionId))
	}
	old, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("v"), Key: aws.String("k"), VersionId: first.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(old.Metadata, map[string]string{"a": "1"}) {
		t.Errorf("old version metadata %v", old.Metadata)
	}
	list, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("v")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Versions) != 2 || len(list.DeleteMarkers) != 0 {
		t.Errorf("versions %d, delete markers %d; want 2, 0", len(list.Versions), len(list.DeleteMarkers))
	}
}

// TestObjectWireShape calls the handler directly to see what the emulator
// and Go's client hide: lower-case metadata names on the wire and the
// extra elements of error bodies.
func TestObjectWireShape(t *testing.T) {
	h := newHandler(t, "b")
	serve := func(op, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		w := httptest.NewRecorder()
		h.Answer(w, &s3api.Request{Op: op, Bucket: bucket, Key: key, HTTP: r})
		return w
	}
	if w := serve("PutObject", "PUT", "/b/k", "hello", map[string]string{"X-Amz-Meta-Foo-Bar": "1"}); w.Code != 200 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	w := serve("GetObject", "GET", "/b/k", "", nil)
	if got := w.Result().Header["x-amz-meta-foo-bar"]; len(got) != 1 || got[0] != "1" {
		t.Errorf("metadata header names on the wire: %v", w.Result().Header)
	}
	for _, tc := range []struct {
		name, op, method, target string
		hdr                      map[string]string
		status                   int
		contains                 []string
	}{
		{"if-match", "GetObject", "GET", "/b/k", map[string]string{"If-Match": `"nope"`}, 412,
			[]string{"<Code>PreconditionFailed</Code>", "<Condition>If-Match</Condition>"}},
		{"if-unmodified-since", "GetObject", "GET", "/b/k", map[string]string{"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 412,
			[]string{"<Condition>If-Unmodified-Since</Condition>"}},
		{"range", "GetObject", "GET", "/b/k", map[string]string{"Range": "bytes=5-"}, 416,
			[]string{"<Code>InvalidRange</Code>", "<RangeRequested>bytes=5-</RangeRequested>", "<ActualObjectSize>5</ActualObjectSize>"}},
		{"no such key", "GetObject", "GET", "/b/missing", nil, 404, []string{"<Code>NoSuchKey</Code>", "<Key>missing</Key>"}},
		{"no such bucket", "HeadObject", "GET", "/nob/k", nil, 404, []string{"<Code>NoSuchBucket</Code>", "<BucketName>nob</BucketName>"}},
		{"put if-none-match", "PutObject", "PUT", "/b/k", map[string]string{"If-None-Match": "*"}, 412,
			[]string{"<Condition>If-None-Match</Condition>"}},
		{"key too long", "PutObject", "PUT", "/b/" + strings.Repeat("k", 1025), nil, 400,
			[]string{"<Code>KeyTooLongError</Code>", "<Size>1025</Size>", "<MaxSizeAllowed>1024</MaxSizeAllowed>"}},
		{"no tag set", "GetBucketTagging", "GET", "/b?tagging", nil, 404, []string{"<Code>NoSuchTagSet</Code>", "<BucketName>b</BucketName>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(tc.op, tc.method, tc.target, "", tc.hdr)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			for _, s := range tc.contains {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body lacks %s: %s", s, w.Body)
				}
			}
		})
	}
}

func TestObjectConditionalReads(t *testing.T) {
	srv, c := newServer(t, "b")
	put(t, c, "b", "k", "hello")
	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(head.ETag)
	modified := aws.ToTime(head.LastModified)
	before := modified.Add(-time.Hour).Format(http.TimeFormat)
	after := modified.Add(time.Hour).Format(http.TimeFormat)
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"if-match", map[string]string{"If-Match": etag}, 200},
		{"if-match unquoted", map[string]string{"If-Match": strings.Trim(etag, `"`)}, 200},
		{"if-match star", map[string]string{"If-Match": "*"}, 200},
		{"if-match list", map[string]string{"If-Match": `"x", ` + etag}, 200},
		{"if-match differs", map[string]string{"If-Match": `"0123"`}, 412},
		{"if-none-match", map[string]string{"If-None-Match": etag}, 304},
		{"if-none-match unquoted", map[string]string{"If-None-Match": strings.Trim(etag, `"`)}, 304},
		{"if-none-match star", map[string]string{"If-None-Match": "*"}, 304},
		{"if-none-match differs", map[string]string{"If-None-Match": `"0123"`}, 200},
		{"if-modified-since earlier", map[string]string{"If-Modified-Since": before}, 200},
		{"if-modified-since later", map[string]string{"If-Modified-Since": after}, 304},
		{"if-modified-since unparsable", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"if-unmodified-since earlier", map[string]string{"If-Unmodified-Since": before}, 412},
		{"if-unmodified-since later", map[string]string{"If-Unmodified-Since": after}, 200},
		{"if-match true beats if-unmodified-since false", map[string]string{"If-Match": etag, "If-Unmodified-Since": before}, 200},
		{"if-none-match false beats if-modified-since true", map[string]string{"If-None-Match": etag, "If-Modified-Since": before}, 304},
		{"if-none-match true skips if-modified-since", map[string]string{"If-None-Match": `"0123"`, "If-Modified-Since": after}, 200},
		{"412 before 304", map[string]string{"If-Match": `"0123"`, "If-None-Match": etag}, 412},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD"} {
				r := do(t, srv, method, "/b/k", nil, tc.hdr)
				if r.Status != tc.status {
					t.Fatalf("%s: status %d, want %d: %s", method, r.Status, tc.status, r.Body)
				}
				switch {
				case tc.status == 412 && method == "GET":
					if e := errorOf(t, r); e.Code != "PreconditionFailed" || e.Message != "At least one of the pre-conditions you specified did not hold" {
						t.Errorf("error %+v", e)
					}
				case tc.status == 304:
					if len(r.Body) != 0 || r.Header.Get("ETag") != etag || r.Header.Get("Last-Modified") == "" {
						t.Errorf("304: body %q headers %v", r.Body, r.Header)
					}
				case tc.status == 200 && method == "GET":
					if string(r.Body) != "hello" {
						t.Errorf("body %q", r.Body)
					}
				}
			}
			// The same through the SDK.
			in := &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")}
			for k, v := range tc.hdr {
				switch k {
				case "If-Match":
					in.IfMatch = aws.String(v)
				case "If-None-Match":
					in.IfNoneMatch = aws.String(v)
				case "If-Modified-Since", "If-Unmodified-Since":
					tm, err := http.ParseTime(v)
					if err != nil {
						return // the SDK cannot send an unparsable date
					}
					if k == "If-Modified-Since" {
						in.IfModifiedSince = aws.Time(tm)
					} else {
						in.IfUnmodifiedSince = aws.Time(tm)
					}
				}
			}
			out, err := c.GetObject(t.Context(), in)
			if tc.status == 200 {
				if err != nil {
					t.Fatalf("SDK: %v", err)
				}
				out.Body.Close()
				return
			}
			if got := httpStatus(err); got != tc.status {
				t.Errorf("SDK: status %d (%v), want %d", got, err, tc.status)
			}
			if tc.status == 412 && apiError(err) != "PreconditionFailed: At least one of the pre-conditions you specified did not hold" {
				t.Errorf("SDK: %s", apiError(err))
			}
		})
	}
}

func TestObjectConditionalWrites(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	putIf := func(key, body string, ifMatch, ifNoneMatch *string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String(key), Body: strings.NewReader(body), IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
		return err
	}
	if err := putIf("new", "1", nil, aws.String("*")); err != nil {
		t.Fatalf("If-None-Match * on a new key: %v", err)
	}
	if err := putIf("new", "2", nil, aws.String("*")); httpStatus(err) != 412 || !strings.HasPrefix(apiError(err), "PreconditionFailed:") {
		t.Errorf("If-None-Match * on an existing key: %v", err)
	}
	if err := putIf("absent", "1", aws.String(`"c4ca4238a0b923820dcc509a6f75849b"`), nil); httpStatus(err) != 404 || apiError(err) != "NoSuchKey: The specified key does not exist." {
		t.Errorf("If-Match on an absent key: %v", err)
	}
	if err := putIf("new", "2", aws.String(`"0123"`), nil); httpStatus(err) != 412 {
		t.Errorf("If-Match with another ETag: %v", err)
	}
	if err := putIf("new", "2", aws.String(`"c4ca4238a0b923820dcc509a6f75849b"`), nil); err != nil { // md5("1")
		t.Errorf("If-Match with the ETag: %v", err)
	}
	if r := do(t, srv, "GET", "/b/new", nil, nil); string(r.Body) != "2" {
		t.Errorf("after conditional writes: %q", r.Body)
	}
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"if-none-match star exists", map[string]string{"If-None-Match": "*"}, 412, "PreconditionFailed"},
		{"if-match unquoted", map[string]string{"If-Match": "c81e728d9d4c2f636f067f89cc14862c"}, 200, ""}, // md5("2")
		{"if-match differs", map[string]string{"If-Match": `"0123"`}, 412, "PreconditionFailed"},
		{"if-none-match etag", map[string]string{"If-None-Match": `"0123"`}, 501, "NotImplemented"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "PUT", "/b/new", []byte("2"), tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code != "" {
				if e := errorOf(t, r); e.Code != tc.code {
					t.Errorf("code %s, want %s", e.Code, tc.code)
				}
			}
		})
	}
	if r := do(t, srv, "PUT", "/b/gone", []byte("x"), map[string]string{"If-Match": "*"}); r.Status != 404 || errorOf(t, r).Code != "NoSuchKey" {
		t.Errorf("If-Match * on an absent key: %d %s", r.Status, r.Body)
	}
}

func TestObjectRanges(t *testing.T) {
	srv, c := newServer(t, "b")
	put(t, c, "b", "k", "0123456789")
	for _, tc := range []struct {
		rng          string
		status       int
		body, crange string
	}{
		{"bytes=0-4", 206, "01234", "bytes 0-4/10"},
		{"bytes=5-", 206, "56789", "bytes 5-9/10"},
		{"bytes=-3", 206, "789", "bytes 7-9/10"},
		{"bytes=-20", 206, "0123456789", "bytes 0-9/10"},
		{"bytes=8-20", 206, "89", "bytes 8-9/10"},
		{"bytes=9-9", 206, "9", "bytes 9-9/10"},
		{"bytes=10-", 416, "", ""},
		{"bytes=10-20", 416, "", ""},
		{"bytes=-0", 416, "", ""},
		{"bytes=0-1,3-4", 200, "0123456789", ""},
		{"bytes=abc", 200, "0123456789", ""},
		{"bytes=5-2", 200, "0123456789", ""},
		{"items=0-1", 200, "0123456789", ""},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			r := do(t, srv, "GET", "/b/k", nil, map[string]string{"Range": tc.rng})
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.status == 416 {
				if e := errorOf(t, r); e.Code != "InvalidRange" || e.Message != "The requested range is not satisfiable" {
					t.Errorf("error %+v", e)
				}
				return
			}
			if string(r.Body) != tc.body || r.Header.Get("Content-Range") != tc.crange {
				t.Errorf("body %q Content-Range %q", r.Body, r.Header.Get("Content-Range"))
			}
			h := do(t, srv, "HEAD", "/b/k", nil, map[string]string{"Range": tc.rng})
			if h.Status != tc.status || h.Header.Get("Content-Range") != tc.crange {
				t.Errorf("HEAD: %d %q", h.Status, h.Header.Get("Content-Range"))
			}
		})
	}
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Range: aws.String("bytes=2-3")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "23" || aws.ToString(out.ContentRange) != "bytes 2-3/10" || aws.ToInt64(out.ContentLength) != 2 {
		t.Errorf("SDK range: %q %q %d", b, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength))
	}
	_, err = c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Range: aws.String("bytes=100-")})
	if httpStatus(err) != 416 || apiError(err) != "InvalidRange: The requested range is not satisfiable" {
		t.Errorf("SDK unsatisfiable range: %v", err)
	}
}

func TestObjectPutErrors(t *testing.T) {
	srv, c := newServer(t, "b")
	sum := md5.Sum([]byte("body"))
	good := base64.StdEncoding.EncodeToString(sum[:])
	other := md5.Sum([]byte("other"))
	for _, tc := range []struct {
		name   string
		path   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"content-md5 ok", "/b/k", map[string]string{"Content-MD5": good}, 200, ""},
		{"content-md5 mismatch", "/b/k", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(other[:])}, 400, "BadDigest"},
		{"content-md5 not base64", "/b/k", map[string]string{"Content-MD5": "not base64!"}, 400, "InvalidDigest"},
		{"content-md5 short", "/b/k", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString([]byte("short"))}, 400, "InvalidDigest"},
		{"key too long", "/b/" + strings.Repeat("a", 1025), nil, 400, "KeyTooLongError"},
		{"key of 1024 bytes", "/b/" + strings.Repeat("a", 1024), nil, 200, ""},
		{"metadata too large", "/b/k", map[string]string{"x-amz-meta-big": strings.Repeat("x", 2100)}, 400, "MetadataTooLarge"},
		{"no such bucket", "/nob/k", nil, 404, "NoSuchBucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "PUT", tc.path, []byte("body"), tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code != "" {
				if e := errorOf(t, r); e.Code != tc.code {
					t.Errorf("code %s, want %s (%s)", e.Code, tc.code, e.Message)
				}
			}
		})
	}
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	if apiError(err) != "KeyTooLongError: Your key is too long" {
		t.Errorf("SDK key too long: %v", err)
	}
	_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("body"),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(other[:]))})
	if apiError(err) != "BadDigest: The Content-MD5 you specified did not match what we received." {
		t.Errorf("SDK bad digest: %v", err)
	}
}

func TestObjectChecksumHeaders(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("hello"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ChecksumCRC32) == "" {
		t.Errorf("PUT returned no CRC32")
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if aws.ToString(get.ChecksumCRC32) != aws.ToString(out.ChecksumCRC32) {
		t.Errorf("GET with checksum mode: %q, want %q", aws.ToString(get.ChecksumCRC32), aws.ToString(out.ChecksumCRC32))
	}
	if r := do(t, srv, "GET", "/b/k", nil, nil); r.Header.Get("x-amz-checksum-crc32") != "" {
		t.Errorf("GET without checksum mode returned %q", r.Header.Get("x-amz-checksum-crc32"))
	}
	if r := do(t, srv, "GET", "/b/k", nil, map[string]string{"x-amz-checksum-mode": "ENABLED", "Range": "bytes=0-1"}); r.Header.Get("x-amz-checksum-crc32") != "" {
		t.Errorf("ranged GET returned a checksum")
	}
}

func TestObjectTagging(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	getTags := func(key string) map[string]string {
		t.Helper()
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObjectTagging: %v", err)
		}
		m := map[string]string{}
		for _, tag := range out.TagSet {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return m
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("x"),
		Tagging: aws.String("a=1&b=two%20words")}); err != nil {
		t.Fatal(err)
	}
	if got := getTags("k"); !maps.Equal(got, map[string]string{"a": "1", "b": "two words"}) {
		t.Errorf("tags from x-amz-tagging: %v", got)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if aws.ToInt32(get.TagCount) != 2 {
		t.Errorf("TagCount %d", aws.ToInt32(get.TagCount))
	}
	if r := do(t, srv, "HEAD", "/b/k", nil, nil); r.Header.Get("x-amz-tagging-count") != "2" {
		t.Errorf("HEAD x-amz-tagging-count %q", r.Header.Get("x-amz-tagging-count"))
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("c"), Value: aws.String("3")}}}}); err != nil {
		t.Fatal(err)
	}
	if got := getTags("k"); !maps.Equal(got, map[string]string{"c": "3"}) {
		t.Errorf("after PutObjectTagging: %v", got)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if got := getTags("k"); len(got) != 0 {
		t.Errorf("after DeleteObjectTagging: %v", got)
	}
	if r := do(t, srv, "GET", "/b/k", nil, nil); r.Header.Get("x-amz-tagging-count") != "" {
		t.Errorf("untagged object has x-amz-tagging-count %q", r.Header.Get("x-amz-tagging-count"))
	}

	// An overwrite without x-amz-tagging drops the tags; a delete and
	// re-create starts without them too.
	do(t, srv, "PUT", "/b/k", []byte("x"), map[string]string{"x-amz-tagging": "d=4"})
	put(t, c, "b", "k", "y")
	if got := getTags("k"); len(got) != 0 {
		t.Errorf("after overwrite: %v", got)
	}
	do(t, srv, "PUT", "/b/k", []byte("x"), map[string]string{"x-amz-tagging": "d=4"})
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("b"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String("k")}); apiError(err) != "NoSuchKey: The specified key does not exist." {
		t.Errorf("tagging of a deleted key: %v", err)
	}
	put(t, c, "b", "k", "z")
	if got := getTags("k"); len(got) != 0 {
		t.Errorf("after delete and re-create: %v", got)
	}

	r := do(t, srv, "GET", "/b/k?tagging", nil, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>`) {
		t.Errorf("empty tag set: %d %s", r.Status, r.Body)
	}

	tagXML := func(n, keyLen, valueLen int) string {
		var b strings.Builder
		b.WriteString("<Tagging><TagSet>")
		for i := range n {
			b.WriteString("<Tag><Key>" + strings.Repeat("k", keyLen-1) + string(rune('a'+i)) + "</Key><Value>" + strings.Repeat("v", valueLen) + "</Value></Tag>")
		}
		b.WriteString("</TagSet></Tagging>")
		return b.String()
	}
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		code, message            string
	}{
		{"ten tags", "PUT", "/b/k?tagging", tagXML(10, 1, 1), nil, 200, "", ""},
		{"eleven tags", "PUT", "/b/k?tagging", tagXML(11, 1, 1), nil, 400, "BadRequest", "Object tags cannot be greater than 10"},
		{"key of 128", "PUT", "/b/k?tagging", tagXML(1, 128, 1), nil, 200, "", ""},
		{"key of 129", "PUT", "/b/k?tagging", tagXML(1, 129, 1), nil, 400, "InvalidTag", "The TagKey you have provided is invalid"},
		{"value of 256", "PUT", "/b/k?tagging", tagXML(1, 1, 256), nil, 200, "", ""},
		{"value of 257", "PUT", "/b/k?tagging", tagXML(1, 1, 257), nil, 400, "InvalidTag", "The TagValue you have provided is invalid"},
		{"duplicate keys", "PUT", "/b/k?tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>", nil, 400, "InvalidTag", "Cannot provide multiple Tags with the same key"},
		{"aws prefix", "PUT", "/b/k?tagging", "<Tagging><TagSet><Tag><Key>aws:x</Key><Value>1</Value></Tag></TagSet></Tagging>", nil, 400, "InvalidTag", "Your TagKey cannot be prefixed with aws:"},
		{"malformed xml", "PUT", "/b/k?tagging", "<Tagging><TagSet>", nil, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
		{"no tag set", "PUT", "/b/k?tagging", "<Tagging></Tagging>", nil, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
		{"missing key", "GET", "/b/missing?tagging", "", nil, 404, "NoSuchKey", "The specified key does not exist."},
		{"missing bucket", "GET", "/nob/k?tagging", "", nil, 404, "NoSuchBucket", "The specified bucket does not exist"},
		{"header too many", "PUT", "/b/h", "x", map[string]string{"x-amz-tagging": "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"}, 400, "BadRequest", "Object tags cannot be greater than 10"},
		{"header bad escape", "PUT", "/b/h", "x", map[string]string{"x-amz-tagging": "a=%zz"}, 400, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
		{"header duplicate", "PUT", "/b/h", "x", map[string]string{"x-amz-tagging": "a=1&a=2"}, 400, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
		{"header long value", "PUT", "/b/h", "x", map[string]string{"x-amz-tagging": "a=" + strings.Repeat("v", 257)}, 400, "InvalidTag", "The TagValue you have provided is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := do(t, srv, tc.method, tc.path, body, tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code != "" {
				if e := errorOf(t, r); e.Code != tc.code || e.Message != tc.message {
					t.Errorf("error %s: %s; want %s: %s", e.Code, e.Message, tc.code, tc.message)
				}
			}
		})
	}
	tooMany := make([]types.Tag, 11)
	for i := range tooMany {
		tooMany[i] = types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("v")}
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: tooMany}})
	if apiError(err) != "BadRequest: Object tags cannot be greater than 10" {
		t.Errorf("SDK eleven tags: %v", err)
	}
}

func TestObjectTaggingPerVersion(t *testing.T) {
	_, c := newServer(t, "v")
	ctx := t.Context()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("v"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("v"), Key: aws.String("k"), Body: strings.NewReader("1"), Tagging: aws.String("gen=1")})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("v"), Key: aws.String("k"), Body: strings.NewReader("2")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version *string
		want    int
	}{{first.VersionId, 1}, {second.VersionId, 0}, {nil, 0}} {
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("v"), Key: aws.String("k"), VersionId: tc.version})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TagSet) != tc.want {
			t.Errorf("version %q: %d tags, want %d", aws.ToString(tc.version), len(out.TagSet), tc.want)
		}
		if tc.version != nil && aws.ToString(out.VersionId) != aws.ToString(tc.version) {
			t.Errorf("VersionId %q, want %q", aws.ToString(out.VersionId), aws.ToString(tc.version))
		}
	}
}

func TestObjectBucketTagging(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("b")})
	if apiError(err) != "NoSuchTagSet: The TagSet does not exist" || httpStatus(err) != 404 {
		t.Errorf("untagged bucket: %v", err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("b"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("b")})
	if err != nil || len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Key) != "team" || aws.ToString(out.TagSet[0].Value) != "x" {
		t.Errorf("GetBucketTagging: %v %v", out, err)
	}
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("b")}); apiError(err) != "NoSuchTagSet: The TagSet does not exist" {
		t.Errorf("after delete: %v", err)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"put", "PUT", "/b?tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>", 204, ""},
		{"get", "GET", "/b?tagging", "", 200, ""},
		{"delete", "DELETE", "/b?tagging", "", 204, ""},
		{"get after delete", "GET", "/b?tagging", "", 404, "NoSuchTagSet"},
		{"malformed", "PUT", "/b?tagging", "<Tagging>", 400, "MalformedXML"},
		{"no such bucket", "GET", "/nob?tagging", "", 404, "NoSuchBucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := do(t, srv, tc.method, tc.path, body, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.code != "" && errorOf(t, r).Code != tc.code {
				t.Errorf("code %s, want %s", errorOf(t, r).Code, tc.code)
			}
			if tc.name == "get" && !strings.Contains(string(r.Body), "<TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet>") {
				t.Errorf("body %s", r.Body)
			}
		})
	}
}

// TestObjectPartNumber reads the parts of a multipart object (and the one
// part of a plain object) with GET and HEAD ?partNumber.
func TestObjectPartNumber(t *testing.T) {
	srv, c := newServer(t, "b")
	ctx := t.Context()
	first := strings.Repeat("a", 5<<20)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("b"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, body := range []string{first, "tail"} {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("b"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: &n, Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("b"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "b", "plain", "hello")
	size := strconv.Itoa(len(first) + len("tail"))
	for _, tc := range []struct {
		name, path string
		hdr        map[string]string
		status     int
		code       string
		body       string // for 200 and 206 GETs
		crange     string
		count      string // x-amz-mp-parts-count
	}{
		{"first part", "/b/mp?partNumber=1", nil, 206, "", first, "bytes 0-5242879/" + size, "2"},
		{"last part", "/b/mp?partNumber=2", nil, 206, "", "tail", "bytes 5242880-5242883/" + size, "2"},
		{"past the last part", "/b/mp?partNumber=3", nil, 416, "InvalidPartNumber", "", "", ""},
		{"plain object part 1", "/b/plain?partNumber=1", nil, 206, "", "hello", "bytes 0-4/5", ""},
		{"plain object part 2", "/b/plain?partNumber=2", nil, 416, "InvalidPartNumber", "", "", ""},
		{"part 0", "/b/plain?partNumber=0", nil, 400, "InvalidArgument", "", "", ""},
		{"with a Range", "/b/mp?partNumber=1", map[string]string{"Range": "bytes=0-1"}, 400, "InvalidRequest", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", tc.path, nil, tc.hdr)
			if r.Status != tc.status {
				t.Fatalf("GET: status %d, want %d: %.200s", r.Status, tc.status, r.Body)
			}
			if tc.code != "" {
				if e := errorOf(t, r); e.Code != tc.code {
					t.Errorf("code %s, want %s", e.Code, tc.code)
				}
			} else if string(r.Body) != tc.body || r.Header.Get("Content-Range") != tc.crange || r.Header.Get("x-amz-mp-parts-count") != tc.count {
				t.Errorf("GET: %d bytes, Content-Range %q, parts count %q; want %d, %q, %q",
					len(r.Body), r.Header.Get("Content-Range"), r.Header.Get("x-amz-mp-parts-count"), len(tc.body), tc.crange, tc.count)
			}
			h := do(t, srv, "HEAD", tc.path, nil, tc.hdr)
			if h.Status != tc.status || h.Header.Get("Content-Range") != tc.crange {
				t.Errorf("HEAD: %d, Content-Range %q", h.Status, h.Header.Get("Content-Range"))
			}
			if tc.code == "" && h.Header.Get("Content-Length") != strconv.Itoa(len(tc.body)) {
				t.Errorf("HEAD: Content-Length %q, want %d", h.Header.Get("Content-Length"), len(tc.body))
			}
		})
	}
}
