package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

const mib = 1 << 20

// createUpload starts an upload through a raw request.
func createUpload(t *testing.T, srv *emulatortest.Server, bucket, key string, hdr map[string]string) string {
	t.Helper()
	r := do(t, srv, "POST", "/"+bucket+"/"+key+"?uploads", nil, hdr)
	if r.Status != http.StatusOK {
		t.Fatalf("CreateMultipartUpload: %d %s", r.Status, r.Body)
	}
	var out struct {
		XMLName  xml.Name
		Bucket   string
		Key      string
		UploadId string
	}
	if err := xml.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	if out.XMLName.Local != "InitiateMultipartUploadResult" || out.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" ||
		out.Bucket != bucket || out.Key != key || out.UploadId == "" {
		t.Fatalf("CreateMultipartUpload answered %s", r.Body)
	}
	return out.UploadId
}

// uploadPath is the path of a request on an upload.
func uploadPath(bucket, key, uploadID string, q ...string) string {
	return "/" + bucket + "/" + key + "?uploadId=" + url.QueryEscape(uploadID) + strings.Join(q, "")
}

// putPart uploads one part and returns its ETag.
func putPart(t *testing.T, srv *emulatortest.Server, bucket, key, uploadID string, n int, body []byte) string {
	t.Helper()
	r := do(t, srv, "PUT", uploadPath(bucket, key, uploadID, "&partNumber="+strconv.Itoa(n)), body, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("UploadPart %d: %d %s", n, r.Status, r.Body)
	}
	if want := md5Hex(body); r.Header.Get("ETag") != `"`+want+`"` {
		t.Fatalf("UploadPart ETag %q, want %q", r.Header.Get("ETag"), want)
	}
	return r.Header.Get("ETag")
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// partsETag is S3's ETag of an object assembled from parts.
func partsETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		sums = append(sums, sum[:]...)
	}
	return fmt.Sprintf(`"%s-%d"`, md5Hex(sums), len(parts))
}

// completeXML is a CompleteMultipartUpload body; parts alternate
// part number and ETag.
func completeXML(parts ...any) []byte {
	var b strings.Builder
	b.WriteString(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for i := 0; i+1 < len(parts); i += 2 {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", parts[i], parts[i+1])
	}
	b.WriteString(`</CompleteMultipartUpload>`)
	return []byte(b.String())
}

// checkError asserts an S3 error response: status, code, message
// (when given), Resource and extra elements.
func checkError(t *testing.T, r rawResponse, path string, status int, code, message string, extra map[string]string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	f := errorFields(t, r)
	if f["Code"] != code {
		t.Errorf("Code %q, want %q", f["Code"], code)
	}
	if message != "" && f["Message"] != message {
		t.Errorf("Message %q, want %q", f["Message"], message)
	}
	if p, _, _ := strings.Cut(path, "?"); f["Resource"] != p {
		t.Errorf("Resource %q, want %q", f["Resource"], p)
	}
	for k, v := range extra {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
}

const (
	invalidPartMessage  = "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
	noSuchUploadMessage = "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
	malformedMessage    = "The XML you provided was not well-formed or did not validate against our published schema"
)

func TestMultipartCompleteRules(t *testing.T) {
	srv, _ := newServer(t, "mp")
	big := bytes.Repeat([]byte("a"), 5*mib)
	small1, small2, small3 := []byte("0123456789"), []byte("tail"), []byte("three")
	tests := []struct {
		name    string
		parts   [][]byte // uploaded as parts 1..n (nil: not uploaded)
		body    func(id string, etags []string) []byte
		upload  string // overrides the upload ID
		status  int
		code    string
		message string
		extra   func(id string, etags []string) map[string]string
		want    []byte // the object's content after success
		etag    string
	}{
		{name: "a small last part is fine", parts: [][]byte{big, small2},
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0], 2, e[1]) },
			status: 200, want: append(slices.Clone(big), small2...), etag: partsETag(big, small2)},
		{name: "a single small part is fine", parts: [][]byte{small1},
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0]) },
			status: 200, want: small1, etag: partsETag(small1)},
		{name: "a subset of the parts, unquoted ETags", parts: [][]byte{big, small1, small3},
			body: func(_ string, e []string) []byte {
				return completeXML(1, strings.Trim(e[0], `"`), 3, strings.Trim(e[2], `"`))
			},
			status: 200, want: append(slices.Clone(big), small3...), etag: partsETag(big, small3)},
		{name: "a small part before the last", parts: [][]byte{small1, small2},
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0], 2, e[1]) },
			status: 400, code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed size",
			extra: func(_ string, e []string) map[string]string {
				return map[string]string{"ProposedSize": "10", "MinSizeAllowed": "5242880", "PartNumber": "1", "ETag": strings.Trim(e[0], `"`)}
			}},
		{name: "a wrong ETag", parts: [][]byte{big, small2},
			body: func(_ string, e []string) []byte {
				return completeXML(1, e[0], 2, `"0123456789abcdef0123456789abcdef"`)
			},
			status: 400, code: "InvalidPart", message: invalidPartMessage,
			extra: func(id string, _ []string) map[string]string {
				return map[string]string{"UploadId": id, "PartNumber": "2", "ETag": "0123456789abcdef0123456789abcdef"}
			}},
		{name: "a part never uploaded", parts: [][]byte{big},
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0], 7, e[0]) },
			status: 400, code: "InvalidPart", message: invalidPartMessage,
			extra: func(id string, _ []string) map[string]string {
				return map[string]string{"UploadId": id, "PartNumber": "7"}
			}},
		{name: "parts in descending order", parts: [][]byte{big, big},
			body:   func(_ string, e []string) []byte { return completeXML(2, e[1], 1, e[0]) },
			status: 400, code: "InvalidPartOrder",
			message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
			extra:   func(id string, _ []string) map[string]string { return map[string]string{"UploadId": id} }},
		{name: "a part listed twice", parts: [][]byte{big, small2},
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0], 1, e[0], 2, e[1]) },
			status: 400, code: "InvalidPartOrder"},
		{name: "not XML", parts: [][]byte{small1},
			body:   func(string, []string) []byte { return []byte("<CompleteMultipartUpload><Part>") },
			status: 400, code: "MalformedXML", message: malformedMessage},
		{name: "no parts", parts: [][]byte{small1},
			body:   func(string, []string) []byte { return completeXML() },
			status: 400, code: "MalformedXML", message: malformedMessage},
		{name: "another root element", parts: [][]byte{small1},
			body: func(_ string, e []string) []byte {
				return []byte("<Parts><Part><PartNumber>1</PartNumber><ETag>" + e[0] + "</ETag></Part></Parts>")
			},
			status: 400, code: "MalformedXML"},
		{name: "unknown upload", parts: [][]byte{small1}, upload: "no-such-upload",
			body:   func(_ string, e []string) []byte { return completeXML(1, e[0]) },
			status: 404, code: "NoSuchUpload", message: noSuchUploadMessage,
			extra: func(string, []string) map[string]string { return map[string]string{"UploadId": "no-such-upload"} }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("obj%d", i)
			id := createUpload(t, srv, "mp", key, nil)
			var etags []string
			for n, p := range tt.parts {
				etags = append(etags, putPart(t, srv, "mp", key, id, n+1, p))
			}
			target := id
			if tt.upload != "" {
				target = tt.upload
			}
			path := uploadPath("mp", key, target)
			r := do(t, srv, "POST", path, tt.body(id, etags), nil)
			if tt.status != 200 {
				var extra map[string]string
				if tt.extra != nil {
					extra = tt.extra(id, etags)
				}
				checkError(t, r, path, tt.status, tt.code, tt.message, extra)
				// A failed Complete leaves the upload and stores nothing.
				if l := do(t, srv, "GET", uploadPath("mp", key, id), nil, nil); l.Status != 200 {
					t.Errorf("ListParts after a failed Complete: %d %s", l.Status, l.Body)
				}
				if g := do(t, srv, "HEAD", "/mp/"+key, nil, nil); g.Status != 404 {
					t.Errorf("HEAD after a failed Complete: %d", g.Status)
				}
				return
			}
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			var res struct {
				XMLName                     xml.Name
				Location, Bucket, Key, ETag string
			}
			if err := xml.Unmarshal(r.Body, &res); err != nil {
				t.Fatal(err)
			}
			if res.XMLName.Local != "CompleteMultipartUploadResult" || res.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" ||
				res.Bucket != "mp" || res.Key != key || res.ETag != tt.etag {
				t.Errorf("result %+v, want ETag %s", res, tt.etag)
			}
			if g := getOK(t, srv, "/mp/"+key); !bytes.Equal(g.Body, tt.want) {
				t.Errorf("content: %d bytes, want %d", len(g.Body), len(tt.want))
			}
			if l := do(t, srv, "GET", uploadPath("mp", key, id), nil, nil); l.Status != 404 {
				t.Errorf("ListParts after Complete: %d %s", l.Status, l.Body)
			}
		})
	}
}

func TestMultipartConditionalComplete(t *testing.T) {
	srv, c := newServer(t, "mpc")
	put(t, c, "mpc", "exists", "old")
	existing := md5ETag("old")
	tests := []struct {
		name   string
		key    string
		hdr    map[string]string
		status int
		code   string
		extra  map[string]string
	}{
		{"If-None-Match * on an existing key", "exists", map[string]string{"If-None-Match": "*"}, 412, "PreconditionFailed", map[string]string{"Condition": "If-None-Match"}},
		{"If-None-Match * on a new key", "new1", map[string]string{"If-None-Match": "*"}, 200, "", nil},
		{"If-Match with another ETag", "exists", map[string]string{"If-Match": `"0123"`}, 412, "PreconditionFailed", map[string]string{"Condition": "If-Match"}},
		{"If-Match on a missing key", "new2", map[string]string{"If-Match": existing}, 404, "NoSuchKey", map[string]string{"Key": "new2"}},
		{"If-Match with the ETag", "exists", map[string]string{"If-Match": existing}, 200, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := createUpload(t, srv, "mpc", tt.key, nil)
			etag := putPart(t, srv, "mpc", tt.key, id, 1, []byte("new"))
			path := uploadPath("mpc", tt.key, id)
			r := do(t, srv, "POST", path, completeXML(1, etag), tt.hdr)
			if tt.status != 200 {
				checkError(t, r, path, tt.status, tt.code, "", tt.extra)
				return
			}
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if g := getOK(t, srv, "/mpc/"+tt.key); string(g.Body) != "new" {
				t.Errorf("content %q", g.Body)
			}
		})
	}
	t.Run("SDK", func(t *testing.T) {
		cr, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String("mpc"), Key: aws.String("exists")})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UploadPart(t.Context(), &s3.UploadPartInput{Bucket: aws.String("mpc"), Key: aws.String("exists"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpc"), Key: aws.String("exists"),
			UploadId: cr.UploadId, IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}})
		if got, want := apiError(err), "PreconditionFailed: At least one of the pre-conditions you specified did not hold"; got != want {
			t.Errorf("error %q, want %q", got, want)
		}
	})
}

func TestMultipartSDK(t *testing.T) {
	_, c := newServer(t, "mps")
	ctx := t.Context()
	src := bytes.Repeat([]byte("0123456789abcdef"), 6*mib/16) // 6 MiB
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mps"), Key: aws.String("src"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("dst"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	in := func(n int32) *s3.UploadPartCopyInput {
		return &s3.UploadPartCopyInput{Bucket: aws.String("mps"), Key: aws.String("dst"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(n), CopySource: aws.String("mps/src")}
	}
	p1 := in(1)
	p1.CopySourceRange = aws.String("bytes=0-5242879")
	c1, err := c.UploadPartCopy(ctx, p1)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.UploadPartCopy(ctx, in(2)) // the whole source
	if err != nil {
		t.Fatal(err)
	}
	up3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mps"), Key: aws.String("dst"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(3), Body: strings.NewReader("end")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(c1.CopyPartResult.ETag), `"`+md5Hex(src[:5*mib])+`"`; got != want {
		t.Errorf("CopyPartResult.ETag %q, want %q", got, want)
	}
	if c1.CopyPartResult.LastModified == nil {
		t.Error("CopyPartResult without LastModified")
	}

	t.Run("ListParts pages", func(t *testing.T) {
		var got []int32
		var marker *string
		for page := 0; page < 5; page++ {
			out, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mps"), Key: aws.String("dst"), UploadId: cr.UploadId,
				MaxParts: aws.Int32(2), PartNumberMarker: marker})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.Parts {
				got = append(got, aws.ToInt32(p.PartNumber))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = out.NextPartNumberMarker
		}
		if want := []int32{1, 2, 3}; !slices.Equal(got, want) {
			t.Errorf("parts %v, want %v", got, want)
		}
	})

	parts := []types.CompletedPart{
		{PartNumber: aws.Int32(1), ETag: c1.CopyPartResult.ETag},
		{PartNumber: aws.Int32(2), ETag: c2.CopyPartResult.ETag},
		{PartNumber: aws.Int32(3), ETag: up3.ETag},
	}
	t.Run("a part never uploaded", func(t *testing.T) {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("dst"),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{parts[2], {PartNumber: aws.Int32(4), ETag: up3.ETag}}}})
		if got, want := apiError(err), "InvalidPart: "+invalidPartMessage; got != want {
			t.Errorf("error %q, want %q", got, want)
		}
	})
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("dst"),
		UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(src[:5*mib], src, []byte("end"))
	if got, w := aws.ToString(out.ETag), partsETag(src[:5*mib], src, []byte("end")); got != w {
		t.Errorf("ETag %q, want %q", got, w)
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mps"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if !bytes.Equal(body, want) {
		t.Errorf("content %d bytes, want %d", len(body), len(want))
	}
	if !maps.Equal(g.Metadata, map[string]string{"k": "v"}) || aws.ToString(g.ContentType) != "text/plain" {
		t.Errorf("Metadata %v, ContentType %q", g.Metadata, aws.ToString(g.ContentType))
	}

	t.Run("EntityTooSmall through the SDK", func(t *testing.T) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("small")})
		if err != nil {
			t.Fatal(err)
		}
		var done []types.CompletedPart
		for n := int32(1); n <= 2; n++ {
			up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mps"), Key: aws.String("small"), UploadId: cr.UploadId,
				PartNumber: aws.Int32(n), Body: strings.NewReader("tiny")})
			if err != nil {
				t.Fatal(err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: up.ETag})
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("small"),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
		if got, want := apiError(err), "EntityTooSmall: Your proposed upload is smaller than the minimum allowed size"; got != want {
			t.Errorf("error %q, want %q", got, want)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mps"), Key: aws.String("small"), UploadId: cr.UploadId}); err != nil {
			t.Fatal(err)
		}
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mps"), Key: aws.String("small"), UploadId: cr.UploadId})
		if got, want := apiError(err), "NoSuchUpload: "+noSuchUploadMessage; got != want {
			t.Errorf("ListParts after Abort: %q, want %q", got, want)
		}
	})
}

func TestMultipartUploadPartCopyRaw(t *testing.T) {
	srv, c := newServer(t, "mpx")
	put(t, c, "mpx", "src", "0123456789")
	id := createUpload(t, srv, "mpx", "dst", nil)
	tests := []struct {
		name    string
		path    string
		hdr     map[string]string
		status  int
		code    string
		message string
		extra   map[string]string
		etag    string
	}{
		{name: "whole object", hdr: map[string]string{"x-amz-copy-source": "mpx/src"}, status: 200, etag: md5Hex([]byte("0123456789"))},
		{name: "a range", hdr: map[string]string{"x-amz-copy-source": "/mpx/src", "x-amz-copy-source-range": "bytes=2-4"}, status: 200, etag: md5Hex([]byte("234"))},
		{name: "the last byte", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "bytes=9-9"}, status: 200, etag: md5Hex([]byte("9"))},
		{name: "a range past the end", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "bytes=5-10"},
			status: 400, code: "InvalidArgument", message: "Range specified is not valid for source object of size: 10",
			extra: map[string]string{"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": "bytes=5-10"}},
		{name: "a backwards range", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "bytes=5-2"},
			status: 400, code: "InvalidArgument",
			message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"},
		{name: "a suffix range", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "bytes=-3"}, status: 400, code: "InvalidArgument"},
		{name: "an open range", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "bytes=3-"}, status: 400, code: "InvalidArgument"},
		{name: "no unit", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-range": "0-3"}, status: 400, code: "InvalidArgument"},
		{name: "missing source", hdr: map[string]string{"x-amz-copy-source": "mpx/none"}, status: 404, code: "NoSuchKey", extra: map[string]string{"Key": "none"}},
		{name: "source if-match fails", hdr: map[string]string{"x-amz-copy-source": "mpx/src", "x-amz-copy-source-if-match": `"00"`},
			status: 412, code: "PreconditionFailed", extra: map[string]string{"Condition": "x-amz-copy-source-If-Match"}},
		{name: "unknown upload", path: uploadPath("mpx", "dst", "nope", "&partNumber=1"), hdr: map[string]string{"x-amz-copy-source": "mpx/src"},
			status: 404, code: "NoSuchUpload", message: noSuchUploadMessage, extra: map[string]string{"UploadId": "nope"}},
		{name: "part number 0", path: uploadPath("mpx", "dst", id, "&partNumber=0"), hdr: map[string]string{"x-amz-copy-source": "mpx/src"},
			status: 400, code: "InvalidArgument", message: "Part number must be an integer between 1 and 10000, inclusive",
			extra: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "0"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = uploadPath("mpx", "dst", id, "&partNumber="+strconv.Itoa(i+1))
			}
			r := do(t, srv, "PUT", path, nil, tt.hdr)
			if tt.status != 200 {
				checkError(t, r, path, tt.status, tt.code, tt.message, tt.extra)
				return
			}
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var res struct {
				XMLName            xml.Name
				ETag, LastModified string
			}
			if err := xml.Unmarshal(r.Body, &res); err != nil {
				t.Fatal(err)
			}
			if res.XMLName.Local != "CopyPartResult" || res.ETag != `"`+tt.etag+`"` || !s3TimeRE.MatchString(res.LastModified) {
				t.Errorf("CopyPartResult %s, want ETag %s", r.Body, tt.etag)
			}
		})
	}
}

func TestMultipartListPartsRaw(t *testing.T) {
	srv, _ := newServer(t, "mpl")
	id := createUpload(t, srv, "mpl", "k", nil)
	for _, n := range []int{1, 2, 3, 5} {
		putPart(t, srv, "mpl", "k", id, n, []byte("part"+strconv.Itoa(n)))
	}
	type page struct {
		XMLName              xml.Name
		Bucket, Key          string
		UploadId             string
		PartNumberMarker     int
		NextPartNumberMarker int
		MaxParts             int
		IsTruncated          bool
		Part                 []struct {
			PartNumber   int
			ETag         string
			Size         int
			LastModified string
		}
		Owner        struct{ ID, DisplayName string }
		StorageClass string
	}
	tests := []struct {
		query     string
		parts     []int
		truncated bool
		next      int
	}{
		{"", []int{1, 2, 3, 5}, false, 5},
		{"&max-parts=2", []int{1, 2}, true, 2},
		{"&max-parts=2&part-number-marker=2", []int{3, 5}, false, 5},
		{"&part-number-marker=3", []int{5}, false, 5},
		{"&part-number-marker=5", nil, false, 0},
		{"&part-number-marker=9", nil, false, 0},
	}
	for _, tt := range tests {
		t.Run("q"+tt.query, func(t *testing.T) {
			r := do(t, srv, "GET", uploadPath("mpl", "k", id, tt.query), nil, nil)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var p page
			if err := xml.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, part := range p.Part {
				got = append(got, part.PartNumber)
				if part.ETag != `"`+md5Hex([]byte("part"+strconv.Itoa(part.PartNumber)))+`"` || part.Size != 5 ||
					!s3TimeRE.MatchString(part.LastModified) {
					t.Errorf("part %+v", part)
				}
			}
			if !slices.Equal(got, tt.parts) || p.IsTruncated != tt.truncated || p.NextPartNumberMarker != tt.next {
				t.Errorf("parts %v truncated %v next %d, want %v %v %d", got, p.IsTruncated, p.NextPartNumberMarker, tt.parts, tt.truncated, tt.next)
			}
			if p.XMLName.Local != "ListPartsResult" || p.Bucket != "mpl" || p.Key != "k" || p.UploadId != id || p.StorageClass != "STANDARD" || p.Owner.ID == "" {
				t.Errorf("result %s", r.Body)
			}
		})
	}
	t.Run("bad max-parts", func(t *testing.T) {
		path := uploadPath("mpl", "k", id, "&max-parts=x")
		checkError(t, do(t, srv, "GET", path, nil, nil), path, 400, "InvalidArgument", "", map[string]string{"ArgumentName": "max-parts"})
	})
}

func TestMultipartUploadPartErrors(t *testing.T) {
	srv, _ := newServer(t, "mpe")
	id := createUpload(t, srv, "mpe", "k", nil)
	dataMD5 := md5.Sum([]byte("data"))
	otherMD5 := md5.Sum([]byte("other"))
	tests := []struct {
		name, method, path string
		status             int
		code               string
		extra              map[string]string
		hdr                map[string]string
	}{
		{"Content-MD5 not base64 of 16 bytes", "PUT", uploadPath("mpe", "k", id, "&partNumber=1"), 400, "InvalidDigest", nil,
			map[string]string{"Content-MD5": "abc"}},
		{"Content-MD5 of other data", "PUT", uploadPath("mpe", "k", id, "&partNumber=1"), 400, "BadDigest", nil,
			map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(otherMD5[:])}},
		{"Content-MD5 of the data", "PUT", uploadPath("mpe", "k", id, "&partNumber=1"), 200, "", nil,
			map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(dataMD5[:])}},
		{"part number 0", "PUT", uploadPath("mpe", "k", id, "&partNumber=0"), 400, "InvalidArgument", map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "0"}, nil},
		{"part number 10001", "PUT", uploadPath("mpe", "k", id, "&partNumber=10001"), 400, "InvalidArgument", map[string]string{"ArgumentValue": "10001"}, nil},
		{"part number not a number", "PUT", uploadPath("mpe", "k", id, "&partNumber=one"), 400, "InvalidArgument", nil, nil},
		{"UploadPart to an unknown upload", "PUT", uploadPath("mpe", "k", "nope", "&partNumber=1"), 404, "NoSuchUpload", map[string]string{"UploadId": "nope"}, nil},
		{"UploadPart to another key", "PUT", uploadPath("mpe", "other", id, "&partNumber=1"), 404, "NoSuchUpload", nil, nil},
		{"Abort an unknown upload", "DELETE", uploadPath("mpe", "k", "nope"), 404, "NoSuchUpload", map[string]string{"UploadId": "nope"}, nil},
		{"ListParts of an unknown upload", "GET", uploadPath("mpe", "k", "nope"), 404, "NoSuchUpload", nil, nil},
		{"Create in a missing bucket", "POST", "/mpe-missing/k?uploads", 404, "NoSuchBucket", map[string]string{"BucketName": "mpe-missing"}, nil},
		{"Create with a key over 1024 bytes", "POST", "/mpe/" + strings.Repeat("k", 1025) + "?uploads", 400, "KeyTooLongError", map[string]string{"MaxSizeAllowed": "1024"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.method == "PUT" {
				body = []byte("data")
			}
			r := do(t, srv, tt.method, tt.path, body, tt.hdr)
			if tt.status == 200 {
				if r.Status != 200 || r.Header.Get("ETag") != `"`+hex.EncodeToString(dataMD5[:])+`"` {
					t.Errorf("%d %q %s", r.Status, r.Header.Get("ETag"), r.Body)
				}
				return
			}
			checkError(t, r, tt.path, tt.status, tt.code, "", tt.extra)
		})
	}
	t.Run("Abort", func(t *testing.T) {
		if r := do(t, srv, "DELETE", uploadPath("mpe", "k", id), nil, nil); r.Status != 204 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		path := uploadPath("mpe", "k", id, "&partNumber=1")
		checkError(t, do(t, srv, "PUT", path, []byte("x"), nil), path, 404, "NoSuchUpload", noSuchUploadMessage, nil)
	})
}

func TestMultipartMetadataReplaced(t *testing.T) {
	for _, versioned := range []bool{false, true} {
		t.Run(fmt.Sprintf("versioned=%v", versioned), func(t *testing.T) {
			srv, c := newServer(t, "mpm")
			ctx := t.Context()
			if versioned {
				if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("mpm"),
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
					t.Fatal(err)
				}
			}
			if r := do(t, srv, "PUT", "/mpm/k", []byte("old"), map[string]string{"x-amz-meta-old": "1", "Content-Language": "fr"}); r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			id := createUpload(t, srv, "mpm", "k", map[string]string{"x-amz-meta-new": "2", "Cache-Control": "no-cache",
				"Content-Type": "text/plain", "x-amz-tagging": "t=1"})
			etag := putPart(t, srv, "mpm", "k", id, 1, []byte("new"))
			r := do(t, srv, "POST", uploadPath("mpm", "k", id), completeXML(1, etag), nil)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if versioned && r.Header.Get("x-amz-version-id") == "" {
				t.Error("no x-amz-version-id in a versioned bucket")
			}
			g := getOK(t, srv, "/mpm/k")
			if string(g.Body) != "new" {
				t.Errorf("content %q", g.Body)
			}
			if versioned && g.Header.Get("x-amz-version-id") != r.Header.Get("x-amz-version-id") {
				t.Errorf("GET version %q, Complete said %q", g.Header.Get("x-amz-version-id"), r.Header.Get("x-amz-version-id"))
			}
			want := map[string]string{"x-amz-meta-new": "2", "Cache-Control": "no-cache", "Content-Type": "text/plain",
				"x-amz-meta-old": "", "Content-Language": ""}
			for k, v := range want {
				if got := g.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("mpm"), Key: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			if len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "t" {
				t.Errorf("tags %+v", tags.TagSet)
			}
			if versioned {
				vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("mpm")})
				if err != nil {
					t.Fatal(err)
				}
				if len(vs.Versions) != 2 || len(vs.DeleteMarkers) != 0 {
					t.Errorf("%d versions and %d delete markers, want 2 and 0", len(vs.Versions), len(vs.DeleteMarkers))
				}
			}
		})
	}
}
