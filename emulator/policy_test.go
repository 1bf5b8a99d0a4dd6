package emulator_test

import (
	"errors"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// twoEndpoints is a topology with the seed's endpoint and a second one in
// another VPC.
func twoEndpoints(t *testing.T) *vpce.Topology {
	t.Helper()
	other := vpce.Endpoint{ID: "vpce-0b11111111111111b", DNSSuffix: "otherone", Region: "us-east-1", VPCID: "vpc-0222222222222222b",
		Zones: []vpce.Zone{{Name: "us-east-1a", IP: netip.MustParseAddr("10.2.1.10")}}}
	topo, err := vpce.NewTopology(
		[]vpce.VPC{vpce.DefaultVPC(), {ID: "vpc-0222222222222222b", CIDR: netip.MustParsePrefix("10.2.0.0/16")}},
		[]vpce.Endpoint{vpce.DefaultEndpoint(), other})
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestBucketPolicySourceVpce(t *testing.T) {
	srv := startServer(t, emulator.Options{Topology: twoEndpoints(t), Buckets: []string{"pinned"}})
	ctx := t.Context()
	viaSeed := sdkClient(srv, srv.URL(), false)
	otherURL, err := srv.EndpointURL("vpce-0b11111111111111b", "")
	if err != nil {
		t.Fatal(err)
	}
	viaOther := sdkClient(srv, otherURL, false)
	put := func(c *s3.Client, key string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pinned"), Key: aws.String(key), Body: strings.NewReader("x")})
		return err
	}
	if err := put(viaOther, "before"); err != nil {
		t.Fatalf("before any bucket policy, PutObject through the other endpoint: %v", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyThroughSeedEndpoint","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::pinned","arn:aws:s3:::pinned/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a77994aa2124c299"}}}]}`
	if _, err := viaSeed.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pinned"), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	got, err := viaSeed.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pinned")})
	if err != nil || aws.ToString(got.Policy) != doc {
		t.Fatalf("GetBucketPolicy = %v, %v", got, err)
	}
	if err := put(viaSeed, "through-seed"); err != nil {
		t.Errorf("PutObject through the named endpoint: %v", err)
	}
	err = put(viaOther, "through-other")
	want := `AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::pinned/through-other" with an explicit deny in a resource-based policy`
	if apiCode(err) != want {
		t.Errorf("PutObject through another endpoint:\n got %s\nwant %s", apiCode(err), want)
	}
	d := srv.RecentDecisions(1)[0]
	if d.Allowed() || d.Endpoint != "vpce-0b11111111111111b" || d.Checks[0].Decision.Sid != "OnlyThroughSeedEndpoint" {
		t.Errorf("decision log: %+v", d)
	}
	if !strings.Contains(d.Explain(), `Sid "OnlyThroughSeedEndpoint"`) {
		t.Errorf("explain lacks the deciding statement:\n%s", d.Explain())
	}
	if _, err := viaSeed.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pinned")}); err != nil {
		t.Fatal(err)
	}
	if _, err := viaSeed.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pinned")}); !strings.HasPrefix(apiCode(err), "NoSuchBucketPolicy") {
		t.Errorf("GetBucketPolicy after delete: %v", apiCode(err))
	}
	if err := put(viaOther, "after"); err != nil {
		t.Errorf("after DeleteBucketPolicy, through the other endpoint: %v", err)
	}
}

func TestBucketPolicyAPIErrors(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"b"}})
	c := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	tests := []struct {
		name, bucket, doc, code string
	}{
		{"not json", "b", "nope", "MalformedPolicy: Policies must be valid JSON and the first byte must be '{'"},
		{"no principal", "b", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicy"},
		{"bad resource", "b", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"bucket/*"}]}`, "MalformedPolicy: Policy has invalid resource"},
		{"missing bucket", "nosuch", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(tt.bucket), Policy: aws.String(tt.doc)})
			if !strings.HasPrefix(apiCode(err), tt.code) {
				t.Errorf("got %q, want prefix %q", apiCode(err), tt.code)
			}
		})
	}
	if _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("b")}); !strings.HasPrefix(apiCode(err), "NoSuchBucketPolicy") {
		t.Errorf("GetBucketPolicy without one: %v", apiCode(err))
	}
}

func TestEndpointPolicyAtRuntime(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"rt"}})
	c := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	get := func() string {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rt"), Key: aws.String("missing")})
		return apiCode(err)
	}
	// Allowed to list: a missing key is 404.
	if got := get(); !strings.HasPrefix(got, "NoSuchKey") {
		t.Fatalf("GetObject of a missing key with full access: %s", got)
	}
	onlyGet := `{"Statement":[{"Sid":"ReadOnly","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::rt/*"}]}`
	if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, onlyGet); err != nil {
		t.Fatal(err)
	}
	// Without s3:ListBucket the same request is 403, as on S3.
	if got := get(); !strings.HasPrefix(got, "AccessDenied") {
		t.Errorf("GetObject of a missing key without ListBucket: %s", got)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rt"), Key: aws.String("k"), Body: strings.NewReader("x")})
	want := `AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::rt/k" because no VPC endpoint policy allows the s3:PutObject action`
	if apiCode(err) != want {
		t.Errorf("PutObject:\n got %s\nwant %s", apiCode(err), want)
	}
	if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`); err == nil {
		t.Error("an endpoint policy without Principal was accepted")
	}
	if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rt"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Errorf("PutObject after reset: %v", err)
	}
	doc, _ := srv.EndpointPolicy(vpce.DefaultEndpointID)
	if doc != emulator.DefaultEndpointPolicy {
		t.Errorf("policy after reset = %s", doc)
	}
}

func TestAnonymousAccess(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"public"}})
	c := sdkClient(srv, srv.URL(), false)
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("public"), Key: aws.String("doc.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	anon := func() (int, string) {
		resp, err := srv.Client().Get(srv.URL() + "/public/doc.txt")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := anon(); st != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "User: anonymous is not authorized") {
		t.Errorf("anonymous GET without a policy: %d %s", st, body)
	}
	if err := srv.SetBucketPolicy("public", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public/*"}]}`); err != nil {
		t.Fatal(err)
	}
	if st, body := anon(); st != 200 || body != "hello" {
		t.Errorf("anonymous GET with a public-read bucket policy: %d %s", st, body)
	}
}

func TestDeleteObjectsPerKey(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"del"}})
	c := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	for _, k := range []string{"keep/a", "keep/b", "tmp/a", "tmp/b"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("del"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.SetBucketPolicy("del", `{"Statement":[{"Sid":"ProtectKeep","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::del/keep/*"}]}`); err != nil {
		t.Fatal(err)
	}
	var objs []types.ObjectIdentifier
	for _, k := range []string{"keep/a", "tmp/a", "keep/b", "tmp/b"} {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k)})
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: objs}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	var deleted, denied []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	for _, e := range out.Errors {
		if aws.ToString(e.Code) != "AccessDenied" {
			t.Errorf("error for %s: %s", aws.ToString(e.Key), aws.ToString(e.Code))
		}
		denied = append(denied, aws.ToString(e.Key))
	}
	slices.Sort(deleted)
	slices.Sort(denied)
	if !slices.Equal(deleted, []string{"tmp/a", "tmp/b"}) || !slices.Equal(denied, []string{"keep/a", "keep/b"}) {
		t.Errorf("deleted %v, denied %v", deleted, denied)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, o := range list.Contents {
		left = append(left, aws.ToString(o.Key))
	}
	if !slices.Equal(left, []string{"keep/a", "keep/b"}) {
		t.Errorf("objects left %v, want the protected ones", left)
	}
}
