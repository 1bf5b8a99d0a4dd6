package s3api_test

import (
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/store"
)

// listingKeys is the fixture of the delimiter tests, in S3's (UTF-8 byte)
// order: '-' < '/' < '0' < '_'.
var listingKeys = []string{"a", "a-b", "a/b", "a/c/d", "a0", "a_b", "b/", "b//x", "c--d--e", "c--f", "top"}

// listBucketResult is a ListBucketResult (V1 or V2) as a client reads it;
// pointers tell an absent element from an empty one.
type listBucketResult struct {
	XMLName               xml.Name
	Name                  string
	Prefix                *string
	Marker                *string
	NextMarker            *string
	MaxKeys               int
	KeyCount              *int
	Delimiter             *string
	EncodingType          *string
	IsTruncated           bool
	ContinuationToken     *string
	NextContinuationToken *string
	StartAfter            *string
	Contents              []struct {
		Key, LastModified, ETag, StorageClass string
		Size                                  int64
		Owner                                 *struct{ ID, DisplayName string }
	}
	CommonPrefixes []struct{ Prefix string }
}

func (r listBucketResult) keys() []string {
	var out []string
	for _, c := range r.Contents {
		out = append(out, c.Key)
	}
	return out
}

func (r listBucketResult) prefixes() []string {
	var out []string
	for _, p := range r.CommonPrefixes {
		out = append(out, p.Prefix)
	}
	return out
}

// listObjects sends a raw listing request and parses a 200 answer.
func listObjects(t *testing.T, srv *emulatortest.Server, bucket string, q url.Values) listBucketResult {
	t.Helper()
	r := do(t, srv, "GET", "/"+bucket+"?"+q.Encode(), nil, nil)
	if r.Status != 200 {
		t.Fatalf("GET ?%s: %d %s", q.Encode(), r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	var res listBucketResult
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("body: %v\n%s", err, r.Body)
	}
	return res
}

func listingFixture(t *testing.T, keys ...string) (*emulatortest.Server, *s3.Client) {
	t.Helper()
	srv, c := newServer(t, "b")
	for _, k := range keys {
		put(t, c, "b", k, "body of "+k)
	}
	return srv, c
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestListingDelimiterAndPrefix(t *testing.T) {
	srv, c := listingFixture(t, listingKeys...)
	for _, tc := range []struct {
		name, prefix, delimiter string
		keys, prefixes          []string
	}{
		{name: "everything", keys: listingKeys},
		{name: "slash", delimiter: "/", keys: []string{"a", "a-b", "a0", "a_b", "c--d--e", "c--f", "top"}, prefixes: []string{"a/", "b/"}},
		{name: "prefix without delimiter", prefix: "a/", keys: []string{"a/b", "a/c/d"}},
		{name: "prefix a", prefix: "a", delimiter: "/", keys: []string{"a", "a-b", "a0", "a_b"}, prefixes: []string{"a/"}},
		{name: "prefix ending in delimiter", prefix: "a/", delimiter: "/", keys: []string{"a/b"}, prefixes: []string{"a/c/"}},
		{name: "key equal to prefix and double delimiter", prefix: "b/", delimiter: "/", keys: []string{"b/"}, prefixes: []string{"b//"}},
		{name: "prefix b", prefix: "b", delimiter: "/", prefixes: []string{"b/"}},
		{name: "multi-character delimiter", delimiter: "--", keys: []string{"a", "a-b", "a/b", "a/c/d", "a0", "a_b", "b/", "b//x", "top"}, prefixes: []string{"c--"}},
		{name: "multi-character delimiter under prefix", prefix: "c--", delimiter: "--", keys: []string{"c--f"}, prefixes: []string{"c--d--"}},
		{name: "delimiter not present", delimiter: "z", keys: listingKeys},
		{name: "underscore delimiter", delimiter: "_", keys: []string{"a", "a-b", "a/b", "a/c/d", "a0", "b/", "b//x", "c--d--e", "c--f", "top"}, prefixes: []string{"a_"}},
		{name: "no match", prefix: "nothing", delimiter: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v2 := range []bool{false, true} {
				q := url.Values{}
				if v2 {
					q.Set("list-type", "2")
				}
				if tc.prefix != "" {
					q.Set("prefix", tc.prefix)
				}
				if tc.delimiter != "" {
					q.Set("delimiter", tc.delimiter)
				}
				res := listObjects(t, srv, "b", q)
				equalStrings(t, "raw Contents", res.keys(), tc.keys)
				equalStrings(t, "raw CommonPrefixes", res.prefixes(), tc.prefixes)
				if res.XMLName.Local != "ListBucketResult" || res.Name != "b" || res.MaxKeys != 1000 || res.IsTruncated {
					t.Errorf("envelope: %+v", res)
				}
				if res.Prefix == nil || *res.Prefix != tc.prefix {
					t.Errorf("Prefix %v, want %q", res.Prefix, tc.prefix)
				}
				if (res.Delimiter != nil) != (tc.delimiter != "") || (res.Delimiter != nil && *res.Delimiter != tc.delimiter) {
					t.Errorf("Delimiter %v, want %q", res.Delimiter, tc.delimiter)
				}
				if v2 && (res.KeyCount == nil || *res.KeyCount != len(tc.keys)+len(tc.prefixes)) {
					t.Errorf("KeyCount %v, want %d", res.KeyCount, len(tc.keys)+len(tc.prefixes))
				}
				if !v2 && (res.Marker == nil || *res.Marker != "" || res.NextMarker != nil) {
					t.Errorf("V1 Marker %v NextMarker %v", res.Marker, res.NextMarker)
				}
			}
			in := &s3.ListObjectsV2Input{Bucket: aws.String("b")}
			if tc.prefix != "" {
				in.Prefix = aws.String(tc.prefix)
			}
			if tc.delimiter != "" {
				in.Delimiter = aws.String(tc.delimiter)
			}
			out, err := c.ListObjectsV2(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			var keys, prefixes []string
			for _, o := range out.Contents {
				keys = append(keys, aws.ToString(o.Key))
			}
			for _, p := range out.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(p.Prefix))
			}
			equalStrings(t, "SDK Contents", keys, tc.keys)
			equalStrings(t, "SDK CommonPrefixes", prefixes, tc.prefixes)
			if aws.ToInt32(out.KeyCount) != int32(len(tc.keys)+len(tc.prefixes)) || aws.ToBool(out.IsTruncated) {
				t.Errorf("SDK KeyCount %d IsTruncated %v", aws.ToInt32(out.KeyCount), aws.ToBool(out.IsTruncated))
			}
		})
	}
}

// listingAllRows is the fixture listed in one page with delimiter "/", as rows.
var listingAllRows = []string{"a", "a-b", "a/", "a0", "a_b", "b/", "c--d--e", "c--f", "top"}

func TestListingPaging(t *testing.T) {
	srv, c := listingFixture(t, listingKeys...)
	rowsOf := func(r listBucketResult) []string {
		rows := append(r.keys(), r.prefixes()...)
		slices.Sort(rows)
		return rows
	}
	t.Run("V2 continuation tokens, one row a page", func(t *testing.T) {
		var got []string
		q := url.Values{"list-type": {"2"}, "delimiter": {"/"}, "max-keys": {"1"}}
		for page := 0; ; page++ {
			res := listObjects(t, srv, "b", q)
			if *res.KeyCount != 1 || res.MaxKeys != 1 {
				t.Fatalf("page %d: KeyCount %d MaxKeys %d", page, *res.KeyCount, res.MaxKeys)
			}
			got = append(got, rowsOf(res)...)
			if page > 0 && (res.ContinuationToken == nil || *res.ContinuationToken != q.Get("continuation-token")) {
				t.Errorf("page %d: ContinuationToken %v not echoed", page, res.ContinuationToken)
			}
			if !res.IsTruncated {
				if res.NextContinuationToken != nil {
					t.Errorf("last page has NextContinuationToken")
				}
				break
			}
			q.Set("continuation-token", *res.NextContinuationToken)
		}
		equalStrings(t, "rows", got, listingAllRows)
	})
	t.Run("V1 NextMarker with a delimiter", func(t *testing.T) {
		var got []string
		q := url.Values{"delimiter": {"/"}, "max-keys": {"2"}}
		for {
			res := listObjects(t, srv, "b", q)
			got = append(got, rowsOf(res)...)
			if !res.IsTruncated {
				if res.NextMarker != nil {
					t.Errorf("last page has NextMarker")
				}
				break
			}
			if res.NextMarker == nil {
				t.Fatal("truncated V1 page with a delimiter has no NextMarker")
			}
			if *res.Marker != q.Get("marker") {
				t.Errorf("Marker %q not echoed", *res.Marker)
			}
			q.Set("marker", *res.NextMarker)
		}
		equalStrings(t, "rows", got, listingAllRows)
	})
	t.Run("V1 without a delimiter has no NextMarker", func(t *testing.T) {
		res := listObjects(t, srv, "b", url.Values{"max-keys": {"3"}})
		if !res.IsTruncated || res.NextMarker != nil {
			t.Errorf("IsTruncated %v NextMarker %v", res.IsTruncated, res.NextMarker)
		}
		equalStrings(t, "keys", res.keys(), listingKeys[:3])
		res = listObjects(t, srv, "b", url.Values{"marker": {"a0"}})
		equalStrings(t, "after marker", res.keys(), listingKeys[5:])
	})
	t.Run("marker inside a common prefix skips it", func(t *testing.T) {
		res := listObjects(t, srv, "b", url.Values{"delimiter": {"/"}, "marker": {"a/b"}})
		equalStrings(t, "rows", rowsOf(res), []string{"a0", "a_b", "b/", "c--d--e", "c--f", "top"})
	})
	t.Run("StartAfter", func(t *testing.T) {
		res := listObjects(t, srv, "b", url.Values{"list-type": {"2"}, "start-after": {"a0"}})
		equalStrings(t, "keys", res.keys(), listingKeys[5:])
		if res.StartAfter == nil || *res.StartAfter != "a0" {
			t.Errorf("StartAfter %v", res.StartAfter)
		}
		out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b"), StartAfter: aws.String("c--f")})
		if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "top" || aws.ToString(out.StartAfter) != "c--f" {
			t.Errorf("SDK StartAfter: %v %+v", err, out)
		}
	})
	t.Run("SDK paginator", func(t *testing.T) {
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("b"), MaxKeys: aws.Int32(2)})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Contents {
				got = append(got, aws.ToString(o.Key))
			}
		}
		equalStrings(t, "keys", got, listingKeys)
		var v1 []string
		marker := ""
		for {
			out, err := c.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String("b"), MaxKeys: aws.Int32(4), Marker: aws.String(marker)})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Contents {
				v1 = append(v1, aws.ToString(o.Key))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = aws.ToString(out.Contents[len(out.Contents)-1].Key)
		}
		equalStrings(t, "V1 keys", v1, listingKeys)
	})
	t.Run("max-keys 0 and above 1000", func(t *testing.T) {
		for _, v2 := range []string{"", "2"} {
			res := listObjects(t, srv, "b", url.Values{"list-type": {v2}, "max-keys": {"0"}})
			if len(res.Contents) != 0 || res.IsTruncated || res.MaxKeys != 0 {
				t.Errorf("list-type %q max-keys=0: %+v", v2, res)
			}
			res = listObjects(t, srv, "b", url.Values{"list-type": {v2}, "max-keys": {"5000"}})
			if len(res.Contents) != len(listingKeys) || res.MaxKeys != 1000 {
				t.Errorf("list-type %q max-keys=5000: MaxKeys %d, %d keys", v2, res.MaxKeys, len(res.Contents))
			}
		}
		out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b"), MaxKeys: aws.Int32(0)})
		if err != nil || len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 0 {
			t.Errorf("SDK max-keys 0: %v %+v", err, out)
		}
	})
}

var s3TimeFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestListingContentsAndOwner(t *testing.T) {
	srv, c := listingFixture(t, "k")
	for _, tc := range []struct {
		name      string
		q         url.Values
		wantOwner bool
	}{
		{"V1 always has Owner", url.Values{}, true},
		{"V2 without fetch-owner", url.Values{"list-type": {"2"}}, false},
		{"V2 fetch-owner=false", url.Values{"list-type": {"2"}, "fetch-owner": {"false"}}, false},
		{"V2 fetch-owner=true", url.Values{"list-type": {"2"}, "fetch-owner": {"true"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", "/b?"+tc.q.Encode(), nil, nil)
			if !strings.Contains(string(r.Body), "<ETag>&quot;") {
				t.Errorf("ETag not written as S3 writes it: %s", r.Body)
			}
			res := listObjects(t, srv, "b", tc.q)
			if len(res.Contents) != 1 {
				t.Fatalf("contents: %+v", res.Contents)
			}
			o := res.Contents[0]
			if o.Key != "k" || o.Size != int64(len("body of k")) || o.StorageClass != "STANDARD" ||
				!s3TimeFormat.MatchString(o.LastModified) || len(o.ETag) != 34 || o.ETag[0] != '"' {
				t.Errorf("contents: %+v", o)
			}
			if (o.Owner != nil) != tc.wantOwner || (o.Owner != nil && (o.Owner.ID == "" || o.Owner.DisplayName != "")) {
				t.Errorf("Owner %+v, want present=%v", o.Owner, tc.wantOwner)
			}
		})
	}
	out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b")})
	if err != nil || out.Contents[0].Owner != nil || out.Contents[0].StorageClass != types.ObjectStorageClassStandard {
		t.Errorf("SDK without FetchOwner: %v %+v", err, out.Contents)
	}
	out, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b"), FetchOwner: aws.Bool(true)})
	if err != nil || out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
		t.Errorf("SDK FetchOwner: %v %+v", err, out.Contents)
	}
}

func TestListingEncodingTypeURL(t *testing.T) {
	srv, _ := listingFixture(t, "sp ace/ü+x~(1).txt", "sp ace/plain", "top")
	for _, v2 := range []string{"", "2"} {
		q := url.Values{"list-type": {v2}, "prefix": {"sp ace/"}, "encoding-type": {"url"}}
		res := listObjects(t, srv, "b", q)
		equalStrings(t, "keys", res.keys(), []string{"sp+ace/plain", "sp+ace/%C3%BC%2Bx%7E%281%29.txt"})
		if *res.Prefix != "sp+ace/" || res.EncodingType == nil || *res.EncodingType != "url" {
			t.Errorf("Prefix %q EncodingType %v", *res.Prefix, res.EncodingType)
		}
		res = listObjects(t, srv, "b", url.Values{"list-type": {v2}, "delimiter": {" "}, "encoding-type": {"url"}})
		equalStrings(t, "prefixes", res.prefixes(), []string{"sp+"})
		if *res.Delimiter != "+" {
			t.Errorf("Delimiter %q", *res.Delimiter)
		}
		res = listObjects(t, srv, "b", url.Values{"list-type": {v2}, "prefix": {"sp ace/"}})
		if res.EncodingType != nil || !slices.Contains(res.keys(), "sp ace/ü+x~(1).txt") {
			t.Errorf("without encoding-type: %q %v", res.keys(), res.EncodingType)
		}
	}
}

// answerDirect sends a listing request straight to a Handler (no emulator in front) and returns its status and body.
func answerDirect(t *testing.T, h *s3api.Handler, bucket, query string) (int, []byte) {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	op := "ListObjects"
	switch {
	case q.Has("versions"):
		op = "ListObjectVersions"
	case q.Has("uploads"):
		op = "ListMultipartUploads"
	case q.Get("list-type") == "2":
		op = "ListObjectsV2"
	}
	r := httptest.NewRequest("GET", "/"+bucket+"?"+query, nil)
	w := httptest.NewRecorder()
	h.Answer(w, &s3api.Request{Op: op, Bucket: bucket, HTTP: r, OwnerID: "id", OwnerName: "name"})
	return w.Code, w.Body.Bytes()
}

// directHandler is a Handler over a memory store holding bucket "b" with
// key "k".
func directHandler(t *testing.T) *s3api.Handler {
	t.Helper()
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { st.Close() })
	if err := st.CreateBucket(store.Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutObject(t.Context(), "b", "k", store.PutInput{Body: strings.NewReader("v"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	return s3api.New(st)
}

func TestListingErrors(t *testing.T) {
	srv, _ := listingFixture(t, "k")
	direct := directHandler(t)
	type argErr struct {
		Code, Message, ArgumentName, BucketName string
		ArgumentValue                           *string
	}
	val := func(s string) *string { return &s }
	for _, tc := range []struct {
		name, query string
		bucket      string
		status      int
		want        argErr
	}{
		{"V1 negative max-keys", "max-keys=-1", "b", 400, argErr{Code: "InvalidArgument", Message: "Argument maxKeys must be an integer between 0 and 2147483647", ArgumentName: "maxKeys", ArgumentValue: val("-1")}},
		{"V2 negative max-keys", "list-type=2&max-keys=-3", "b", 400, argErr{Code: "InvalidArgument", Message: "Argument maxKeys must be an integer between 0 and 2147483647", ArgumentName: "maxKeys", ArgumentValue: val("-3")}},
		{"max-keys not an integer", "list-type=2&max-keys=abc", "b", 400, argErr{Code: "InvalidArgument", Message: "Provided max-keys not an integer or within integer range", ArgumentName: "max-keys", ArgumentValue: val("abc")}},
		{"max-keys beyond int32", "max-keys=2147483648", "b", 400, argErr{Code: "InvalidArgument", Message: "Provided max-keys not an integer or within integer range", ArgumentName: "max-keys", ArgumentValue: val("2147483648")}},
		{"max-keys not an integer before the bucket", "max-keys=abc", "nobucket", 400, argErr{Code: "InvalidArgument", Message: "Provided max-keys not an integer or within integer range", ArgumentName: "max-keys", ArgumentValue: val("abc")}},
		{"invalid encoding-type", "list-type=2&encoding-type=bogus", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: val("bogus")}},
		{"V1 invalid encoding-type", "encoding-type=", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: val("")}},
		{"invalid continuation token", "list-type=2&continuation-token=garbage", "b", 400, argErr{Code: "InvalidArgument", Message: "The continuation token provided is incorrect", ArgumentName: "continuation-token", ArgumentValue: val("garbage")}},
		{"forged continuation token", "list-type=2&continuation-token=" + url.QueryEscape("AAAAAGs="), "b", 400, argErr{Code: "InvalidArgument", Message: "The continuation token provided is incorrect", ArgumentName: "continuation-token", ArgumentValue: val("AAAAAGs=")}},
		{"V2 marker", "list-type=2&marker=x", "b", 400, argErr{Code: "InvalidArgument", Message: "Marker unsupported with REST.GET.BUCKET in list-type=2", ArgumentName: "marker"}},
		{"V1 start-after", "start-after=x", "b", 400, argErr{Code: "InvalidArgument", Message: "startAfter only supported in REST.GET.BUCKET with list-type=2", ArgumentName: "start-after"}},
		{"V1 missing bucket", "", "nobucket", 404, argErr{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "nobucket"}},
		{"V2 missing bucket", "list-type=2", "nobucket", 404, argErr{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "nobucket"}},
		{"missing bucket before the encoding-type", "list-type=2&encoding-type=bogus", "nobucket", 404, argErr{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "nobucket"}},
		{"versions missing bucket", "versions", "nobucket", 404, argErr{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "nobucket"}},
		{"versions negative max-keys", "versions&max-keys=-1", "b", 400, argErr{Code: "InvalidArgument", Message: "max-keys cannot be negative", ArgumentName: "max-keys"}},
		{"versions invalid encoding-type", "versions&encoding-type=bogus", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: val("bogus")}},
		{"version-id-marker without key-marker", "versions&version-id-marker=x", "b", 400, argErr{Code: "InvalidArgument", Message: "A version-id marker cannot be specified without a key marker.", ArgumentName: "version-id-marker", ArgumentValue: val("x")}},
		{"empty version-id-marker", "versions&key-marker=k&version-id-marker=", "b", 400, argErr{Code: "InvalidArgument", Message: "A version-id marker cannot be empty.", ArgumentName: "version-id-marker", ArgumentValue: val("")}},
		{"unknown version-id-marker", "versions&key-marker=k&version-id-marker=x", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid version id specified", ArgumentName: "version-id-marker", ArgumentValue: val("x")}},
		{"uploads missing bucket", "uploads", "nobucket", 404, argErr{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "nobucket"}},
		{"uploads negative max-uploads", "uploads&max-uploads=-1", "b", 400, argErr{Code: "InvalidArgument", Message: "Argument max-uploads must be an integer between 0 and 2147483647", ArgumentName: "max-uploads", ArgumentValue: val("-1")}},
		{"uploads max-uploads not an integer", "uploads&max-uploads=abc", "b", 400, argErr{Code: "InvalidArgument", Message: "Provided max-uploads not an integer or within integer range", ArgumentName: "max-uploads", ArgumentValue: val("abc")}},
		{"uploads invalid encoding-type", "uploads&encoding-type=bogus", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: val("bogus")}},
		{"uploads unknown upload-id-marker", "uploads&key-marker=k&upload-id-marker=xyz", "b", 400, argErr{Code: "InvalidArgument", Message: "Invalid uploadId marker", ArgumentName: "upload-id-marker", ArgumentValue: val("xyz")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Through the emulator: status, code, message and RequestId.
			r := do(t, srv, "GET", "/"+tc.bucket+"?"+tc.query, nil, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if e := errorOf(t, r); e.Code != tc.want.Code || e.Message != tc.want.Message {
				t.Errorf("through the emulator: %s: %s, want %s: %s", e.Code, e.Message, tc.want.Code, tc.want.Message)
			}
			// The handler's own body, with S3's extra elements (ArgumentName,
			// ArgumentValue, BucketName).
			status, body := answerDirect(t, direct, tc.bucket, tc.query)
			if status != tc.status {
				t.Errorf("handler status %d, want %d", status, tc.status)
			}
			var got argErr
			if err := xml.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Code != tc.want.Code || got.Message != tc.want.Message || got.ArgumentName != tc.want.ArgumentName ||
				got.BucketName != tc.want.BucketName || (got.ArgumentValue == nil) != (tc.want.ArgumentValue == nil) ||
				(got.ArgumentValue != nil && *got.ArgumentValue != *tc.want.ArgumentValue) {
				t.Errorf("error\n got %+v\nwant %+v\n%s", got, tc.want, body)
			}
		})
	}
	// The SDK sees the same codes.
	_, c := newServer(t, "b")
	_, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("nobucket")})
	if got := apiError(err); got != "NoSuchBucket: The specified bucket does not exist" {
		t.Errorf("SDK missing bucket: %s", got)
	}
	_, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b"), ContinuationToken: aws.String("bm9wZQ==")})
	if got := apiError(err); got != "InvalidArgument: The continuation token provided is incorrect" {
		t.Errorf("SDK bad token: %s", got)
	}
	_, err = c.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String("b"), MaxKeys: aws.Int32(-1)})
	if got := apiError(err); got != "InvalidArgument: Argument maxKeys must be an integer between 0 and 2147483647" {
		t.Errorf("SDK negative max-keys: %s", got)
	}
}

// versionsResult is a ListVersionsResult as a client reads it, entries in
// document order.
type versionsResult struct {
	XMLName                                    xml.Name
	KeyMarker, VersionIdMarker                 *string
	NextKeyMarker, NextVersionIdMarker, Prefix *string
	MaxKeys                                    int
	IsTruncated                                bool
	Entries                                    []versionRow `xml:",any"`
}

type versionRow struct {
	XMLName                      xml.Name
	Key, VersionId, LastModified string
	IsLatest                     bool
	Prefix                       string
}

func (r versionsResult) rows() []string {
	var out []string
	for _, e := range r.Entries {
		switch e.XMLName.Local {
		case "Version":
			out = append(out, "V "+e.Key+" "+map[bool]string{true: "latest", false: "old"}[e.IsLatest])
		case "DeleteMarker":
			out = append(out, "D "+e.Key+" "+map[bool]string{true: "latest", false: "old"}[e.IsLatest])
		case "CommonPrefixes":
			out = append(out, "P "+e.Prefix)
		}
	}
	return out
}

func listVersions(t *testing.T, srv *emulatortest.Server, q url.Values) (versionsResult, []versionRow) {
	t.Helper()
	q.Set("versions", "")
	r := do(t, srv, "GET", "/b?"+q.Encode(), nil, nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var res versionsResult
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	var versions []versionRow
	for _, e := range res.Entries {
		if e.XMLName.Local == "Version" || e.XMLName.Local == "DeleteMarker" {
			versions = append(versions, e)
		}
	}
	return res, versions
}

func TestListingObjectVersions(t *testing.T) {
	srv, c := newServer(t, "b")
	put(t, c, "b", "plain", "before versioning")
	if _, err := c.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String("b"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "b", "dir/k1", "one")
	put(t, c, "b", "dir/k1", "two")
	put(t, c, "b", "k2", "three")
	if _, err := c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("b"), Key: aws.String("k2")}); err != nil {
		t.Fatal(err)
	}
	want := []string{"V dir/k1 latest", "V dir/k1 old", "D k2 latest", "V k2 old", "V plain latest"}
	res, versions := listVersions(t, srv, url.Values{})
	if res.XMLName.Local != "ListVersionsResult" || res.IsTruncated || res.MaxKeys != 1000 ||
		res.KeyMarker == nil || res.VersionIdMarker == nil || res.NextKeyMarker != nil {
		t.Errorf("envelope %+v", res)
	}
	equalStrings(t, "versions", res.rows(), want)
	for _, v := range versions {
		if v.VersionId == "" || !s3TimeFormat.MatchString(v.LastModified) {
			t.Errorf("version %+v", v)
		}
	}

	t.Run("delimiter", func(t *testing.T) {
		res, _ := listVersions(t, srv, url.Values{"delimiter": {"/"}})
		equalStrings(t, "rows", res.rows(), []string{"D k2 latest", "V k2 old", "V plain latest", "P dir/"})
	})
	t.Run("paging one version at a time", func(t *testing.T) {
		var got []string
		q := url.Values{"max-keys": {"1"}}
		for page := 0; page < 10; page++ {
			res, _ := listVersions(t, srv, q)
			got = append(got, res.rows()...)
			if !res.IsTruncated {
				break
			}
			q.Set("key-marker", *res.NextKeyMarker)
			q.Set("version-id-marker", *res.NextVersionIdMarker)
		}
		equalStrings(t, "rows", got, want)
	})
	t.Run("paging with a delimiter", func(t *testing.T) {
		res, _ := listVersions(t, srv, url.Values{"delimiter": {"/"}, "max-keys": {"1"}})
		equalStrings(t, "page 1", res.rows(), []string{"P dir/"})
		if !res.IsTruncated || res.NextKeyMarker == nil || *res.NextKeyMarker != "dir/" || res.NextVersionIdMarker != nil {
			t.Fatalf("page 1 ends on a common prefix: %+v", res)
		}
		res, _ = listVersions(t, srv, url.Values{"delimiter": {"/"}, "max-keys": {"2"}, "key-marker": {"dir/"}})
		equalStrings(t, "page 2", res.rows(), []string{"D k2 latest", "V k2 old"})
		if !res.IsTruncated || *res.NextKeyMarker != "k2" || res.NextVersionIdMarker == nil {
			t.Fatalf("page 2: %+v", res)
		}
		res, _ = listVersions(t, srv, url.Values{"delimiter": {"/"}, "key-marker": {"k2"}, "version-id-marker": {*res.NextVersionIdMarker}})
		equalStrings(t, "page 3", res.rows(), []string{"V plain latest"})
	})
	t.Run("key-marker alone", func(t *testing.T) {
		res, _ := listVersions(t, srv, url.Values{"key-marker": {"dir/k1"}})
		equalStrings(t, "rows", res.rows(), want[2:])
	})
	t.Run("max-keys 0", func(t *testing.T) {
		res, _ := listVersions(t, srv, url.Values{"max-keys": {"0"}})
		if len(res.rows()) != 0 || res.IsTruncated {
			t.Errorf("%+v", res)
		}
	})
	t.Run("SDK", func(t *testing.T) {
		out, err := c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String("b")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Versions) != 4 || len(out.DeleteMarkers) != 1 || aws.ToString(out.DeleteMarkers[0].Key) != "k2" ||
			!aws.ToBool(out.DeleteMarkers[0].IsLatest) || aws.ToString(out.Versions[0].Key) != "dir/k1" || !aws.ToBool(out.Versions[0].IsLatest) {
			t.Errorf("SDK: %+v", out)
		}
		// The delete marker hides k2 from the object listing.
		lo, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b")})
		if err != nil || len(lo.Contents) != 2 {
			t.Errorf("ListObjectsV2 after delete marker: %v %+v", err, lo.Contents)
		}
	})
}

func TestListingObjectVersionsUnversionedBucketShowsNull(t *testing.T) {
	srv, _ := listingFixture(t, "k")
	_, versions := listVersions(t, srv, url.Values{})
	if len(versions) != 1 || versions[0].VersionId != "null" || !versions[0].IsLatest {
		t.Errorf("%+v", versions)
	}
}

type uploadsResult struct {
	XMLName                           xml.Name
	Bucket                            string
	KeyMarker, UploadIdMarker         *string
	NextKeyMarker, NextUploadIdMarker *string
	Prefix, Delimiter                 *string
	MaxUploads                        int
	IsTruncated                       bool
	Upload                            []struct {
		Key, UploadId, Initiated, StorageClass string
		Initiator, Owner                       struct{ ID string }
	}
	CommonPrefixes []struct{ Prefix string }
}

func (r uploadsResult) keys() []string {
	var out []string
	for _, u := range r.Upload {
		out = append(out, u.Key)
	}
	for _, p := range r.CommonPrefixes {
		out = append(out, "P "+p.Prefix)
	}
	return out
}

func listUploads(t *testing.T, srv *emulatortest.Server, q url.Values) uploadsResult {
	t.Helper()
	q.Set("uploads", "")
	r := do(t, srv, "GET", "/b?"+q.Encode(), nil, nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var res uploadsResult
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestListingMultipartUploads(t *testing.T) {
	srv, c := newServer(t, "b")
	t.Run("no uploads yet", func(t *testing.T) {
		res := listUploads(t, srv, url.Values{})
		if res.XMLName.Local != "ListMultipartUploadsResult" || res.Bucket != "b" || len(res.Upload) != 0 || res.IsTruncated ||
			res.MaxUploads != 1000 || res.KeyMarker == nil || res.NextKeyMarker == nil || res.NextUploadIdMarker == nil || res.Prefix != nil {
			t.Errorf("%+v", res)
		}
	})
	var ids []string
	for _, k := range []string{"u/1", "u/1", "v", "w x"} {
		out, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String("b"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.UploadId))
	}
	t.Run("all", func(t *testing.T) {
		res := listUploads(t, srv, url.Values{})
		equalStrings(t, "uploads", res.keys(), []string{"u/1", "u/1", "v", "w x"})
		for i, u := range res.Upload {
			if u.UploadId != ids[i] || u.StorageClass != "STANDARD" || u.Initiator.ID == "" || u.Owner.ID == "" || !s3TimeFormat.MatchString(u.Initiated) {
				t.Errorf("upload %d: %+v", i, u)
			}
		}
	})
	t.Run("delimiter and prefix", func(t *testing.T) {
		res := listUploads(t, srv, url.Values{"delimiter": {"/"}})
		equalStrings(t, "rows", res.keys(), []string{"v", "w x", "P u/"})
		res = listUploads(t, srv, url.Values{"prefix": {"u/"}})
		equalStrings(t, "rows", res.keys(), []string{"u/1", "u/1"})
		if res.Prefix == nil || *res.Prefix != "u/" {
			t.Errorf("Prefix %v", res.Prefix)
		}
	})
	t.Run("encoding-type=url", func(t *testing.T) {
		res := listUploads(t, srv, url.Values{"prefix": {"w "}, "encoding-type": {"url"}})
		equalStrings(t, "rows", res.keys(), []string{"w+x"})
	})
	t.Run("paging", func(t *testing.T) {
		var got []string
		q := url.Values{"max-uploads": {"1"}}
		for page := 0; page < 10; page++ {
			res := listUploads(t, srv, q)
			got = append(got, res.keys()...)
			if !res.IsTruncated {
				break
			}
			q.Set("key-marker", *res.NextKeyMarker)
			q.Set("upload-id-marker", *res.NextUploadIdMarker)
		}
		equalStrings(t, "uploads", got, []string{"u/1", "u/1", "v", "w x"})
	})
	t.Run("key-marker alone skips the key", func(t *testing.T) {
		res := listUploads(t, srv, url.Values{"key-marker": {"u/1"}, "upload-id-marker": {""}})
		equalStrings(t, "uploads", res.keys(), []string{"v", "w x"})
	})
	t.Run("SDK", func(t *testing.T) {
		out, err := c.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("b"), Delimiter: aws.String("/")})
		if err != nil || len(out.Uploads) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "u/" {
			t.Errorf("%v %+v", err, out)
		}
	})
}

// A client that deletes what each page listed (cleanup code, ceph/s3-tests'
// nuke_bucket) asks for the next page after a "null" version that is gone:
// the listing goes on from there instead of refusing the marker.
func TestListingVersionsAfterDeletedNullMarker(t *testing.T) {
	srv, c := newServer(t, "b")
	for _, k := range []string{"a", "b", "c"} {
		put(t, c, "b", k, k)
	}
	res, _ := listVersions(t, srv, url.Values{"max-keys": {"1"}})
	equalStrings(t, "page 1", res.rows(), []string{"V a latest"})
	if !res.IsTruncated || res.NextKeyMarker == nil || *res.NextKeyMarker != "a" || res.NextVersionIdMarker == nil || *res.NextVersionIdMarker != "null" {
		t.Fatalf("page 1 markers: %+v", res)
	}
	if _, err := c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("b"), Key: aws.String("a"), VersionId: aws.String("null")}); err != nil {
		t.Fatal(err)
	}
	res, _ = listVersions(t, srv, url.Values{"key-marker": {"a"}, "version-id-marker": {"null"}})
	equalStrings(t, "after the deleted marker", res.rows(), []string{"V b latest", "V c latest"})
}
