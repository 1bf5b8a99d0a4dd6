package s3api_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/s3api"
)

// errorFields returns every child element of an S3 <Error> body by
// name (Code, Message, and the extra elements such as Condition).
func errorFields(t *testing.T, r rawResponse) map[string]string {
	t.Helper()
	errorOf(t, r) // checks it is S3's shape with a matching RequestId
	var e struct {
		Fields []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("body: %v", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.XMLName.Local] = f.Value
	}
	return out
}

// md5ETag is S3's ETag of a single-part object with body.
func md5ETag(body string) string {
	sum := md5.Sum([]byte(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// getOK reads an object through a raw request and fails unless it is 200.
func getOK(t *testing.T, srv *emulatortest.Server, path string) rawResponse {
	t.Helper()
	r := do(t, srv, "GET", path, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	return r
}

var s3TimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestCopyObjectRaw(t *testing.T) {
	srv, c := newServer(t, "copy-b", "copy-other")
	src := map[string]string{"x-amz-meta-color": "red", "Content-Type": "text/plain", "Cache-Control": "max-age=9",
		"x-amz-tagging": "team=blue"}
	if r := do(t, srv, "PUT", "/copy-b/src", []byte("hello"), src); r.Status != 200 {
		t.Fatalf("PUT src: %d %s", r.Status, r.Body)
	}
	put(t, c, "copy-b", "dir/a b+c ü.txt", "odd key")
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	etag := md5ETag("hello")

	tests := []struct {
		name     string
		dst      string
		hdr      map[string]string
		status   int
		code     string
		message  string
		extra    map[string]string // extra error elements
		body     string            // the destination's content after a copy
		wantMeta map[string]string // headers of the destination on GET
		noMeta   []string          // headers the destination must not have
	}{
		{name: "metadata directive COPY is the default", dst: "/copy-b/d1", hdr: map[string]string{"x-amz-copy-source": "copy-b/src"},
			status: 200, body: "hello",
			wantMeta: map[string]string{"x-amz-meta-color": "red", "Content-Type": "text/plain", "Cache-Control": "max-age=9"}},
		{name: "COPY ignores the request's metadata", dst: "/copy-b/d2",
			hdr:    map[string]string{"x-amz-copy-source": "/copy-b/src", "x-amz-metadata-directive": "COPY", "x-amz-meta-size": "big", "Content-Type": "application/json"},
			status: 200, body: "hello",
			wantMeta: map[string]string{"x-amz-meta-color": "red", "Content-Type": "text/plain"}, noMeta: []string{"x-amz-meta-size"}},
		{name: "REPLACE takes only the request's metadata", dst: "/copy-b/d3",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-metadata-directive": "REPLACE", "x-amz-meta-size": "big", "Content-Type": "application/json"},
			status: 200, body: "hello",
			wantMeta: map[string]string{"x-amz-meta-size": "big", "Content-Type": "application/json"}, noMeta: []string{"x-amz-meta-color", "Cache-Control"}},
		{name: "REPLACE without Content-Type", dst: "/copy-b/d4",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-metadata-directive": "REPLACE"},
			status: 200, body: "hello", wantMeta: map[string]string{"Content-Type": "binary/octet-stream"}, noMeta: []string{"x-amz-meta-color"}},
		{name: "to another bucket", dst: "/copy-other/x", hdr: map[string]string{"x-amz-copy-source": "copy-b/src"},
			status: 200, body: "hello", wantMeta: map[string]string{"x-amz-meta-color": "red"}},
		{name: "URL-encoded source key", dst: "/copy-b/d5", hdr: map[string]string{"x-amz-copy-source": "copy-b/dir/a%20b%2Bc%20%C3%BC.txt"},
			status: 200, body: "odd key"},
		{name: "onto itself without changes", dst: "/copy-b/src", hdr: map[string]string{"x-amz-copy-source": "copy-b/src"},
			status: 400, code: "InvalidRequest",
			message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},
		{name: "onto itself with COPY", dst: "/copy-b/src", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-metadata-directive": "COPY"},
			status: 400, code: "InvalidRequest"},
		{name: "onto itself with REPLACE", dst: "/copy-b/src",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-metadata-directive": "REPLACE", "x-amz-meta-color": "green", "Content-Type": "text/plain"},
			status: 200, body: "hello", wantMeta: map[string]string{"x-amz-meta-color": "green"}},
		{name: "onto itself with a storage class", dst: "/copy-b/src",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-storage-class": "STANDARD"},
			status: 200, body: "hello"},
		{name: "missing source key", dst: "/copy-b/d6", hdr: map[string]string{"x-amz-copy-source": "copy-b/nope"},
			status: 404, code: "NoSuchKey", message: "The specified key does not exist.", extra: map[string]string{"Key": "nope"}},
		{name: "missing source bucket", dst: "/copy-b/d6", hdr: map[string]string{"x-amz-copy-source": "no-such-bucket/src"},
			status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist", extra: map[string]string{"BucketName": "no-such-bucket"}},
		{name: "missing destination bucket", dst: "/copy-missing/d", hdr: map[string]string{"x-amz-copy-source": "copy-b/src"},
			status: 404, code: "NoSuchBucket", extra: map[string]string{"BucketName": "copy-missing"}},
		{name: "unknown metadata directive", dst: "/copy-b/d6", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-metadata-directive": "MERGE"},
			status: 400, code: "InvalidArgument", message: "Unknown metadata directive.",
			extra: map[string]string{"ArgumentName": "x-amz-metadata-directive", "ArgumentValue": "MERGE"}},
		{name: "unknown tagging directive", dst: "/copy-b/d6", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-tagging-directive": "KEEP"},
			status: 400, code: "InvalidArgument", message: "Unknown tag directive."},
		{name: "If-None-Match * on an existing destination", dst: "/copy-b/d1", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "If-None-Match": "*"},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "If-None-Match"}},
		{name: "If-None-Match * on a new destination", dst: "/copy-b/d14", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "If-None-Match": "*"},
			status: 200, body: "hello"},
		{name: "If-Match on a missing destination", dst: "/copy-b/d15", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "If-Match": etag},
			status: 404, code: "NoSuchKey"},
		{name: "if-match holds", dst: "/copy-b/d7", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-match": etag},
			status: 200, body: "hello"},
		{name: "if-match fails", dst: "/copy-b/d8", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-match": `"0123"`},
			status: 412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold",
			extra: map[string]string{"Condition": "x-amz-copy-source-If-Match"}},
		{name: "if-match holds over a failing if-unmodified-since", dst: "/copy-b/d9",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-match": etag, "x-amz-copy-source-if-unmodified-since": past},
			status: 200, body: "hello"},
		{name: "if-unmodified-since fails", dst: "/copy-b/d8", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-unmodified-since": past},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "x-amz-copy-source-If-Unmodified-Since"}},
		{name: "if-unmodified-since holds", dst: "/copy-b/d10", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-unmodified-since": future},
			status: 200, body: "hello"},
		{name: "if-none-match fails", dst: "/copy-b/d8", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-none-match": etag},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "x-amz-copy-source-If-None-Match"}},
		{name: "if-none-match fails over a holding if-modified-since", dst: "/copy-b/d8",
			hdr:    map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-none-match": etag, "x-amz-copy-source-if-modified-since": past},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "x-amz-copy-source-If-None-Match"}},
		{name: "if-none-match holds", dst: "/copy-b/d11", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-none-match": `"0123"`},
			status: 200, body: "hello"},
		{name: "if-modified-since fails", dst: "/copy-b/d8", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-modified-since": "now"},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "x-amz-copy-source-If-Modified-Since"}},
		{name: "if-modified-since in the future is ignored", dst: "/copy-b/d13", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-modified-since": future},
			status: 200, body: "hello"},
		{name: "if-modified-since holds", dst: "/copy-b/d12", hdr: map[string]string{"x-amz-copy-source": "copy-b/src", "x-amz-copy-source-if-modified-since": past},
			status: 200, body: "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := maps.Clone(tt.hdr)
			for k, v := range hdr {
				if v == "now" {
					hdr[k] = time.Now().UTC().Format(http.TimeFormat)
				}
			}
			r := do(t, srv, "PUT", tt.dst, nil, hdr)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if tt.status != 200 {
				f := errorFields(t, r)
				if f["Code"] != tt.code {
					t.Errorf("Code %q, want %q", f["Code"], tt.code)
				}
				if tt.message != "" && f["Message"] != tt.message {
					t.Errorf("Message %q, want %q", f["Message"], tt.message)
				}
				if f["Resource"] != tt.dst {
					t.Errorf("Resource %q, want %q", f["Resource"], tt.dst)
				}
				for k, v := range tt.extra {
					if f[k] != v {
						t.Errorf("%s = %q, want %q", k, f[k], v)
					}
				}
				return
			}
			var res struct {
				XMLName      xml.Name
				ETag         string
				LastModified string
			}
			if err := xml.Unmarshal(r.Body, &res); err != nil {
				t.Fatalf("body %q: %v", r.Body, err)
			}
			if res.XMLName.Local != "CopyObjectResult" || res.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" {
				t.Errorf("root %v", res.XMLName)
			}
			if res.ETag != md5ETag(tt.body) {
				t.Errorf("ETag %q, want %q", res.ETag, md5ETag(tt.body))
			}
			if !s3TimeRE.MatchString(res.LastModified) {
				t.Errorf("LastModified %q", res.LastModified)
			}
			if got := r.Header.Get("x-amz-server-side-encryption"); got != "AES256" {
				t.Errorf("x-amz-server-side-encryption %q", got)
			}
			g := getOK(t, srv, tt.dst)
			if string(g.Body) != tt.body {
				t.Errorf("body %q, want %q", g.Body, tt.body)
			}
			if g.Header.Get("ETag") != res.ETag {
				t.Errorf("GET ETag %q, copy said %q", g.Header.Get("ETag"), res.ETag)
			}
			for k, v := range tt.wantMeta {
				if got := g.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.noMeta {
				if got := g.Header.Get(k); got != "" {
					t.Errorf("%s = %q, want none", k, got)
				}
			}
		})
	}
}

func TestCopyObjectSDK(t *testing.T) {
	_, c := newServer(t, "copy-sdk")
	ctx := t.Context()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copy-sdk"), Key: aws.String("src"),
		Body: strings.NewReader("payload"), ContentType: aws.String("text/csv"), Metadata: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       s3.CopyObjectInput
		err      string
		wantMeta map[string]string
		wantType string
	}{
		{name: "COPY", in: s3.CopyObjectInput{Key: aws.String("c1"), CopySource: aws.String("copy-sdk/src")},
			wantMeta: map[string]string{"a": "1"}, wantType: "text/csv"},
		{name: "REPLACE", in: s3.CopyObjectInput{Key: aws.String("c2"), CopySource: aws.String("copy-sdk/src"),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"b": "2"}, ContentType: aws.String("text/html")},
			wantMeta: map[string]string{"b": "2"}, wantType: "text/html"},
		{name: "onto itself", in: s3.CopyObjectInput{Key: aws.String("src"), CopySource: aws.String("copy-sdk/src")},
			err: "InvalidRequest: This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},
		{name: "if-match fails", in: s3.CopyObjectInput{Key: aws.String("c3"), CopySource: aws.String("copy-sdk/src"), CopySourceIfMatch: aws.String(`"ab"`)},
			err: "PreconditionFailed: At least one of the pre-conditions you specified did not hold"},
		{name: "destination exists", in: s3.CopyObjectInput{Key: aws.String("c1"), CopySource: aws.String("copy-sdk/src"), IfNoneMatch: aws.String("*")},
			err: "PreconditionFailed: At least one of the pre-conditions you specified did not hold"},
		{name: "missing source", in: s3.CopyObjectInput{Key: aws.String("c4"), CopySource: aws.String("copy-sdk/none")},
			err: "NoSuchKey: The specified key does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket = aws.String("copy-sdk")
			out, err := c.CopyObject(ctx, &in)
			if got := apiError(err); got != tt.err {
				t.Fatalf("error %q, want %q", got, tt.err)
			}
			if err != nil {
				return
			}
			if got := aws.ToString(out.CopyObjectResult.ETag); got != md5ETag("payload") {
				t.Errorf("ETag %q", got)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copy-sdk"), Key: in.Key})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(head.Metadata, tt.wantMeta) {
				t.Errorf("Metadata %v, want %v", head.Metadata, tt.wantMeta)
			}
			if got := aws.ToString(head.ContentType); got != tt.wantType {
				t.Errorf("ContentType %q, want %q", got, tt.wantType)
			}
		})
	}
}

func TestCopyObjectVersionedSource(t *testing.T) {
	srv, c := newServer(t, "copy-ver")
	ctx := t.Context()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("copy-ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copy-ver"), Key: aws.String("k"), Body: strings.NewReader("one")})
	if err != nil {
		t.Fatal(err)
	}
	put(t, c, "copy-ver", "k", "two")
	id := aws.ToString(v1.VersionId)

	t.Run("SDK", func(t *testing.T) {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-ver"), Key: aws.String("old"),
			CopySource: aws.String("copy-ver/k?versionId=" + id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.CopySourceVersionId); got != id {
			t.Errorf("CopySourceVersionId %q, want %q", got, id)
		}
		if aws.ToString(out.VersionId) == "" {
			t.Error("no VersionId for a copy into a versioned bucket")
		}
		g := getOK(t, srv, "/copy-ver/old")
		if string(g.Body) != "one" {
			t.Errorf("body %q, want the old version", g.Body)
		}
	})
	t.Run("restore an old version onto itself", func(t *testing.T) {
		r := do(t, srv, "PUT", "/copy-ver/k", nil, map[string]string{"x-amz-copy-source": "copy-ver/k?versionId=" + id})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if g := getOK(t, srv, "/copy-ver/k"); string(g.Body) != "one" {
			t.Errorf("body %q", g.Body)
		}
		vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("copy-ver"), Prefix: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs.Versions) != 3 || len(vs.DeleteMarkers) != 0 {
			t.Errorf("%d versions and %d delete markers, want 3 and 0", len(vs.Versions), len(vs.DeleteMarkers))
		}
	})
	t.Run("missing version", func(t *testing.T) {
		r := do(t, srv, "PUT", "/copy-ver/x", nil, map[string]string{"x-amz-copy-source": "copy-ver/k?versionId=nope"})
		if r.Status != 404 && r.Status != 400 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if code := errorOf(t, r).Code; code != "NoSuchVersion" && code != "InvalidArgument" {
			t.Errorf("Code %q", code)
		}
	})
}

func TestCopyObjectTagging(t *testing.T) {
	_, c := newServer(t, "copy-tags")
	ctx := t.Context()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copy-tags"), Key: aws.String("src"),
		Body: strings.NewReader("x"), Tagging: aws.String("a=1&b=2")})
	if err != nil {
		t.Fatal(err)
	}
	tags := func(key string) map[string]string {
		t.Helper()
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("copy-tags"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tag := range out.TagSet {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return m
	}
	tests := []struct {
		name string
		in   s3.CopyObjectInput
		want map[string]string
	}{
		{"COPY keeps the source's tags", s3.CopyObjectInput{Key: aws.String("t1")}, map[string]string{"a": "1", "b": "2"}},
		{"REPLACE takes x-amz-tagging", s3.CopyObjectInput{Key: aws.String("t2"), TaggingDirective: types.TaggingDirectiveReplace,
			Tagging: aws.String("c=3")}, map[string]string{"c": "3"}},
		{"REPLACE without tags clears them", s3.CopyObjectInput{Key: aws.String("t3"), TaggingDirective: types.TaggingDirectiveReplace},
			map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket, in.CopySource = aws.String("copy-tags"), aws.String("copy-tags/src")
			if _, err := c.CopyObject(ctx, &in); err != nil {
				t.Fatal(err)
			}
			if got := tags(aws.ToString(in.Key)); !maps.Equal(got, tt.want) {
				t.Errorf("tags %v, want %v", got, tt.want)
			}
		})
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("copy-tags"), Key: aws.String("t1")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if string(b) != "x" {
		t.Errorf("body %q", b)
	}
}

// TestCopySourceMalformed calls the handler directly: the emulator's gate
// refuses a copy source without a key before the S3 layer sees it.
func TestCopySourceMalformed(t *testing.T) {
	h := newHandler(t, "b")
	for _, tt := range []struct{ op, target, source string }{
		{"CopyObject", "/b/dst", "b"},
		{"CopyObject", "/b/dst", "/b/"},
		{"CopyObject", "/b/dst", "b/%zz"},
		{"UploadPartCopy", "/b/dst?partNumber=1&uploadId=1", "b"},
	} {
		t.Run(tt.op+" "+tt.source, func(t *testing.T) {
			r := httptest.NewRequest("PUT", tt.target, nil)
			r.Header.Set("x-amz-copy-source", tt.source)
			w := httptest.NewRecorder()
			h.Answer(w, &s3api.Request{Op: tt.op, Bucket: "b", Key: "dst", HTTP: r})
			var e struct{ Code, Message, ArgumentName, ArgumentValue string }
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 400 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			want := "Copy Source must mention the source bucket and key: sourcebucket/sourcekey."
			if e.Code != "InvalidArgument" || e.Message != want || e.ArgumentName != "x-amz-copy-source" || e.ArgumentValue != tt.source {
				t.Errorf("%+v", e)
			}
		})
	}
}
