package s3api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestWebsiteRoundTrip: a website configuration put through the SDK comes
// back field for field; after DeleteBucketWebsite, GetBucketWebsite answers
// NoSuchWebsiteConfiguration.
func TestWebsiteRoundTrip(t *testing.T) {
	_, c := newServer(t, "web")
	ctx := t.Context()
	bucket := aws.String("web")
	if _, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucket}); !strings.HasPrefix(apiError(err), "NoSuchWebsiteConfiguration: The specified bucket does not have a website configuration") {
		t.Fatalf("Get before Put: %v", err)
	}
	cfg := &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("error.html")},
		RoutingRules: []types.RoutingRule{{
			Condition: &types.Condition{KeyPrefixEquals: aws.String("docs/")},
			Redirect:  &types.Redirect{ReplaceKeyPrefixWith: aws.String("documents/"), HttpRedirectCode: aws.String("301"), Protocol: types.ProtocolHttps},
		}, {
			Condition: &types.Condition{HttpErrorCodeReturnedEquals: aws.String("404")},
			Redirect:  &types.Redirect{HostName: aws.String("example.com"), ReplaceKeyWith: aws.String("missing.html")},
		}},
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: bucket, WebsiteConfiguration: cfg}); err != nil {
		t.Fatalf("PutBucketWebsite: %v", err)
	}
	got, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("GetBucketWebsite: %v", err)
	}
	if aws.ToString(got.IndexDocument.Suffix) != "index.html" || aws.ToString(got.ErrorDocument.Key) != "error.html" || got.RedirectAllRequestsTo != nil || len(got.RoutingRules) != 2 {
		t.Fatalf("GetBucketWebsite: %+v", got)
	}
	r0, r1 := got.RoutingRules[0], got.RoutingRules[1]
	if aws.ToString(r0.Condition.KeyPrefixEquals) != "docs/" || aws.ToString(r0.Redirect.ReplaceKeyPrefixWith) != "documents/" ||
		aws.ToString(r0.Redirect.HttpRedirectCode) != "301" || r0.Redirect.Protocol != types.ProtocolHttps {
		t.Errorf("rule 0: %+v %+v", r0.Condition, r0.Redirect)
	}
	if aws.ToString(r1.Condition.HttpErrorCodeReturnedEquals) != "404" || aws.ToString(r1.Redirect.HostName) != "example.com" ||
		aws.ToString(r1.Redirect.ReplaceKeyWith) != "missing.html" || r1.Redirect.ReplaceKeyPrefixWith != nil {
		t.Errorf("rule 1: %+v %+v", r1.Condition, r1.Redirect)
	}
	redirect := &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.org"), Protocol: types.ProtocolHttp}}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: bucket, WebsiteConfiguration: redirect}); err != nil {
		t.Fatalf("PutBucketWebsite redirect: %v", err)
	}
	if got, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucket}); err != nil || got.IndexDocument != nil ||
		aws.ToString(got.RedirectAllRequestsTo.HostName) != "example.org" || got.RedirectAllRequestsTo.Protocol != types.ProtocolHttp {
		t.Fatalf("GetBucketWebsite redirect: %+v, %v", got, err)
	}
	if _, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: bucket}); err != nil {
		t.Fatalf("DeleteBucketWebsite: %v", err)
	}
	if _, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucket}); !strings.HasPrefix(apiError(err), "NoSuchWebsiteConfiguration:") {
		t.Fatalf("Get after Delete: %v", err)
	}
}

// TestWebsiteValidationRaw: each malformed website configuration gets S3's
// status, code and message, and stores nothing.
func TestWebsiteValidationRaw(t *testing.T) {
	srv, _ := newServer(t, "webv")
	wrap := func(s string) string { return "<WebsiteConfiguration>" + s + "</WebsiteConfiguration>" }
	index := "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>"
	rule := func(s string) string { return "<RoutingRules><RoutingRule>" + s + "</RoutingRule></RoutingRules>" }
	tests := []struct {
		name, body, code, message string
	}{
		{"not xml", "<WebsiteConfiguration>", "MalformedXML", "The XML you provided was not well-formed"},
		{"empty", wrap(""), "InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"},
		{"error document only", wrap("<ErrorDocument><Key>e.html</Key></ErrorDocument>"), "InvalidArgument", "A value for IndexDocument Suffix must be provided"},
		{"empty suffix", wrap("<IndexDocument><Suffix></Suffix></IndexDocument>"), "InvalidArgument", "The IndexDocument Suffix is not well formed"},
		{"suffix with slash", wrap("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>"), "InvalidArgument", "The IndexDocument Suffix is not well formed"},
		{"index without suffix", wrap("<IndexDocument></IndexDocument>"), "MalformedXML", ""},
		{"error document without key", wrap(index + "<ErrorDocument></ErrorDocument>"), "MalformedXML", ""},
		{"redirect all with index", wrap("<RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>" + index), "InvalidRequest", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."},
		{"redirect all without host", wrap("<RedirectAllRequestsTo><Protocol>http</Protocol></RedirectAllRequestsTo>"), "MalformedXML", ""},
		{"redirect all bad protocol", wrap("<RedirectAllRequestsTo><HostName>h</HostName><Protocol>ftp</Protocol></RedirectAllRequestsTo>"), "InvalidRequest", "Invalid protocol, protocol can be http or https."},
		{"rule without redirect", wrap(index + rule("<Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition>")), "MalformedXML", ""},
		{"empty condition", wrap(index + rule("<Condition></Condition><Redirect><HostName>h</HostName></Redirect>")), "InvalidRequest", "Condition cannot be empty."},
		{"both replace keys", wrap(index + rule("<Redirect><ReplaceKeyWith>a</ReplaceKeyWith><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect>")), "InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both."},
		{"redirect code 200", wrap(index + rule("<Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect>")), "InvalidRequest", "The provided HTTP redirect code (200) is not valid."},
		{"error code 200", wrap(index + rule("<Condition><HttpErrorCodeReturnedEquals>200</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName></Redirect>")), "InvalidRequest", "The provided HTTP error code (200) is not valid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, "PUT", "/webv?website", []byte(tt.body), nil)
			if r.Status != 400 {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
			}
			if e := errorOf(t, r); e.Code != tt.code || !strings.HasPrefix(e.Message, tt.message) {
				t.Errorf("%s: %s, want %s: %s…", e.Code, e.Message, tt.code, tt.message)
			}
			if g := do(t, srv, "GET", "/webv?website", nil, nil); g.Status != 404 {
				t.Errorf("a refused configuration was stored: %d %s", g.Status, g.Body)
			}
		})
	}
}

// TestBucketRegionFields: CreateBucket's Location, HeadBucket's region and
// access point alias, ListBuckets' BucketRegion per bucket and its
// bucket-region filter, as S3 reports them for general purpose buckets
// (no BucketArn: S3 sends it for directory buckets only).
func TestBucketRegionFields(t *testing.T) {
	_, c := newServer(t)
	ctx := t.Context()
	out, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("regional")})
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if aws.ToString(out.Location) != "/regional" || out.BucketArn != nil {
		t.Errorf("CreateBucket Location %q BucketArn %v, want /regional and none", aws.ToString(out.Location), out.BucketArn)
	}
	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("regional")})
	if err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	if aws.ToString(head.BucketRegion) != "us-east-1" || !aws.ToBool(head.AccessPointAlias) && head.AccessPointAlias == nil || aws.ToBool(head.AccessPointAlias) {
		t.Errorf("HeadBucket region %q alias %v", aws.ToString(head.BucketRegion), head.AccessPointAlias)
	}
	tests := []struct {
		name   string
		region string
		want   []string
	}{
		{"all", "", []string{"regional"}},
		{"same region", "us-east-1", []string{"regional"}},
		{"other region", "us-west-2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &s3.ListBucketsInput{}
			if tt.region != "" {
				in.BucketRegion = aws.String(tt.region)
			}
			l, err := c.ListBuckets(ctx, in)
			if err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			var names []string
			for _, b := range l.Buckets {
				names = append(names, aws.ToString(b.Name))
				if aws.ToString(b.BucketRegion) != "us-east-1" || b.BucketArn != nil || b.CreationDate == nil {
					t.Errorf("bucket %s: region %q arn %v created %v", aws.ToString(b.Name), aws.ToString(b.BucketRegion), b.BucketArn, b.CreationDate)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Errorf("buckets %v, want %v", names, tt.want)
			}
			if l.Owner == nil || aws.ToString(l.Owner.ID) == "" || l.Owner.DisplayName != nil {
				t.Errorf("Owner %+v: want the canonical ID without DisplayName", l.Owner)
			}
		})
	}
}

// TestOwnerWithoutDisplayName: every Owner and CanonicalUser grantee
// carries the canonical ID and, as S3 since 21 November 2025, no
// DisplayName.
func TestOwnerWithoutDisplayName(t *testing.T) {
	srv, c := newServer(t, "owners")
	ctx := t.Context()
	put(t, c, "owners", "k", "body")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("owners"), Key: aws.String("mp")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("owners"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")}); err != nil {
		t.Fatalf("UploadPart: %v", err)
	}
	paths := []string{"/", "/owners", "/owners?versions", "/owners?list-type=2&fetch-owner=true", "/owners?uploads",
		"/owners/mp?uploadId=" + aws.ToString(up.UploadId), "/owners?acl", "/owners/k?acl"}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			r := do(t, srv, "GET", p, nil, nil)
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if !bytes.Contains(r.Body, []byte("<ID>")) || bytes.Contains(r.Body, []byte("DisplayName")) {
				t.Errorf("want <ID> and no DisplayName: %s", r.Body)
			}
		})
	}
}

// TestPartNumberFields: GET and HEAD with partNumber answer 206 with the
// part's Content-Range; x-amz-mp-parts-count only for a multipart object.
func TestPartNumberFields(t *testing.T) {
	_, c := newServer(t, "parts")
	ctx := t.Context()
	put(t, c, "parts", "single", "0123456789")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("multi")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	const partSize = 5 << 20
	var done []types.CompletedPart
	for i, size := range []int{partSize, 3} {
		n := aws.Int32(int32(i + 1))
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("parts"), Key: aws.String("multi"), UploadId: up.UploadId, PartNumber: n,
			Body: bytes.NewReader(bytes.Repeat([]byte{'a' + byte(i)}, size))})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: n, ETag: p.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("multi"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	tests := []struct {
		name, key    string
		part         int32
		contentRange string
		length       int64
		partsCount   *int32
	}{
		{"multipart first part", "multi", 1, "bytes 0-5242879/5242883", partSize, aws.Int32(2)},
		{"multipart last part", "multi", 2, "bytes 5242880-5242882/5242883", 3, aws.Int32(2)},
		{"single part object", "single", 1, "bytes 0-9/10", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("parts"), Key: aws.String(tt.key), PartNumber: aws.Int32(tt.part)})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			g.Body.Close()
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("parts"), Key: aws.String(tt.key), PartNumber: aws.Int32(tt.part)})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			for op, got := range map[string][3]any{
				"GET":  {aws.ToString(g.ContentRange), aws.ToInt64(g.ContentLength), g.PartsCount},
				"HEAD": {aws.ToString(h.ContentRange), aws.ToInt64(h.ContentLength), h.PartsCount},
			} {
				pc, _ := got[2].(*int32)
				if got[0] != tt.contentRange || got[1] != tt.length || (pc == nil) != (tt.partsCount == nil) || (pc != nil && *pc != *tt.partsCount) {
					t.Errorf("%s: Content-Range %v length %v parts count %v, want %s %d %v", op, got[0], got[1], pc, tt.contentRange, tt.length, tt.partsCount)
				}
			}
		})
	}
}

// TestListMarkerRules: the paging fields of each listing as S3 sets them
// on a truncated page: ListObjects' NextMarker only with a delimiter and
// its Marker echoed, ListObjectsV2's tokens, StartAfter and KeyCount, the
// next markers of ListObjectVersions and ListMultipartUploads.
func TestListMarkerRules(t *testing.T) {
	_, c := newServer(t, "marks")
	ctx := t.Context()
	b := aws.String("marks")
	for _, k := range []string{"a", "b", "c/1", "c/2", "d"} {
		put(t, c, "marks", k, "x")
		if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(k)}); err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
	}
	v1 := []struct {
		name, marker, delimiter string
		max                     int32
		truncated               bool
		nextMarker              *string
	}{
		{"no delimiter truncated", "", "", 2, true, nil},
		{"no delimiter after marker", "b", "", 2, true, nil},
		{"delimiter truncated at prefix", "a", "/", 2, true, aws.String("c/")},
		{"delimiter last page", "c/", "/", 2, false, nil},
	}
	for _, tt := range v1 {
		t.Run("V1 "+tt.name, func(t *testing.T) {
			in := &s3.ListObjectsInput{Bucket: b, MaxKeys: aws.Int32(tt.max), Marker: aws.String(tt.marker)}
			if tt.delimiter != "" {
				in.Delimiter = aws.String(tt.delimiter)
			}
			out, err := c.ListObjects(ctx, in)
			if err != nil {
				t.Fatalf("ListObjects: %v", err)
			}
			if aws.ToBool(out.IsTruncated) != tt.truncated || aws.ToString(out.Marker) != tt.marker ||
				aws.ToString(out.NextMarker) != aws.ToString(tt.nextMarker) || (out.NextMarker == nil) != (tt.nextMarker == nil) {
				t.Errorf("IsTruncated %v Marker %q NextMarker %v, want %v %q %v", aws.ToBool(out.IsTruncated), aws.ToString(out.Marker),
					aws.ToString(out.NextMarker), tt.truncated, tt.marker, aws.ToString(tt.nextMarker))
			}
			for _, o := range out.Contents {
				if o.StorageClass != types.ObjectStorageClassStandard {
					t.Errorf("%s: StorageClass %q", aws.ToString(o.Key), o.StorageClass)
				}
			}
		})
	}
	t.Run("V2 tokens", func(t *testing.T) {
		first, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(2), Delimiter: aws.String("/"), StartAfter: aws.String("a")})
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		if aws.ToInt32(first.KeyCount) != 2 || len(first.CommonPrefixes) != 1 || !aws.ToBool(first.IsTruncated) || first.NextContinuationToken == nil ||
			first.ContinuationToken != nil || aws.ToString(first.StartAfter) != "a" {
			t.Fatalf("first page: KeyCount %d prefixes %d truncated %v next %v token %v start %q", aws.ToInt32(first.KeyCount), len(first.CommonPrefixes),
				aws.ToBool(first.IsTruncated), first.NextContinuationToken, first.ContinuationToken, aws.ToString(first.StartAfter))
		}
		second, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(2), Delimiter: aws.String("/"), ContinuationToken: first.NextContinuationToken})
		if err != nil {
			t.Fatalf("ListObjectsV2 page 2: %v", err)
		}
		if aws.ToInt32(second.KeyCount) != 1 || aws.ToString(second.Contents[0].Key) != "d" || aws.ToBool(second.IsTruncated) ||
			second.NextContinuationToken != nil || aws.ToString(second.ContinuationToken) != aws.ToString(first.NextContinuationToken) {
			t.Errorf("second page: %+v", second)
		}
	})
	t.Run("ListObjectVersions next markers", func(t *testing.T) {
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, MaxKeys: aws.Int32(2)})
		if err != nil {
			t.Fatalf("ListObjectVersions: %v", err)
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextKeyMarker) != "b" || aws.ToString(out.NextVersionIdMarker) != "null" {
			t.Errorf("truncated %v NextKeyMarker %q NextVersionIdMarker %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextKeyMarker), aws.ToString(out.NextVersionIdMarker))
		}
		for _, v := range out.Versions {
			if v.StorageClass != types.ObjectVersionStorageClassStandard {
				t.Errorf("%s: StorageClass %q", aws.ToString(v.Key), v.StorageClass)
			}
		}
	})
	t.Run("ListMultipartUploads next markers", func(t *testing.T) {
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b, MaxUploads: aws.Int32(2)})
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		if !aws.ToBool(out.IsTruncated) || len(out.Uploads) != 2 || aws.ToString(out.NextKeyMarker) != "b" ||
			aws.ToString(out.NextUploadIdMarker) != aws.ToString(out.Uploads[1].UploadId) {
			t.Errorf("truncated %v NextKeyMarker %q NextUploadIdMarker %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextKeyMarker), aws.ToString(out.NextUploadIdMarker))
		}
		for _, u := range out.Uploads {
			if u.StorageClass != types.StorageClassStandard {
				t.Errorf("%s: StorageClass %q", aws.ToString(u.Key), u.StorageClass)
			}
		}
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: out.Uploads[0].Key, UploadId: out.Uploads[0].UploadId})
		if err != nil || parts.StorageClass != types.StorageClassStandard {
			t.Errorf("ListParts StorageClass %q, %v", parts.StorageClass, err)
		}
	})
	t.Run("GetObjectAttributes StorageClass", func(t *testing.T) {
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("a"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}})
		if err != nil || out.StorageClass != types.StorageClassStandard {
			t.Errorf("StorageClass %q, %v", out.StorageClass, err)
		}
	})
}

// TestCreateBucketLocationRaw: CreateBucket's Location header, and S3's
// refusal of an explicit us-east-1 constraint.
func TestCreateBucketLocationRaw(t *testing.T) {
	srv, _ := newServer(t)
	tests := []struct {
		name, bucket, body string
		status             int
		code, location     string
	}{
		{"no body", "loc-a", "", 200, "", "/loc-a"},
		{"other region", "loc-b", "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>", 200, "", "/loc-b"},
		{"explicit us-east-1", "loc-c", "<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>", 400, "InvalidLocationConstraint", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, "PUT", "/"+tt.bucket, []byte(tt.body), nil)
			if r.Status != tt.status || r.Header.Get("Location") != tt.location {
				t.Fatalf("status %d Location %q, want %d %q: %s", r.Status, r.Header.Get("Location"), tt.status, tt.location, r.Body)
			}
			if tt.code != "" {
				if e := errorOf(t, r); e.Code != tt.code || e.Message != "The specified location-constraint is not valid" {
					t.Errorf("%s: %s", e.Code, e.Message)
				}
			}
		})
	}
}
