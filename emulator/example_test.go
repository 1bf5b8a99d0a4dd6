package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
)

// start is what every example does first.
func start(opts emulator.Options) (*emulator.Server, *s3.Client) {
	srv, err := emulator.New(opts)
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	cfg, err := srv.AWSConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	return srv, s3.NewFromConfig(cfg)
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return fmt.Sprint(err)
}

// List buckets through the seed's interface endpoint, with aws-sdk-go-v2
// pointed at https://bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com.
func Example() {
	ctx := context.Background()
	srv, client := start(emulator.Options{Buckets: []string{"wsgbucket"}})
	defer srv.Close()

	out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range out.Buckets {
		fmt.Println(aws.ToString(b.Name))
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(srv.URL(), "https://"), ":")
	fmt.Println(host)
	// Output:
	// wsgbucket
	// bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com
}

// An endpoint policy that allows only uploads: GetObject is refused with
// the message S3 gives through a real endpoint.
func Example_deniedGetObject() {
	ctx := context.Background()
	e := emulator.DefaultEndpoint()
	e.Policy = `{"Statement":[{"Sid":"UploadsOnly","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::wsgbucket/*"}]}`
	topo, err := emulator.NewTopology([]emulator.VPC{emulator.DefaultVPC()}, []emulator.Endpoint{e})
	if err != nil {
		log.Fatal(err)
	}
	srv, client := start(emulator.Options{Topology: topo, Buckets: []string{"wsgbucket"}})
	defer srv.Close()

	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("wsgbucket"), Key: aws.String("report.csv"), Body: strings.NewReader("a,b\n")})
	fmt.Println("put:", err == nil)
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("wsgbucket"), Key: aws.String("report.csv")})
	fmt.Println("get:", errorMessage(err))
	// Output:
	// put: true
	// get: AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::wsgbucket/report.csv" because no VPC endpoint policy allows the s3:GetObject action
}

// A bucket policy pinned to one endpoint with aws:SourceVpce: requests
// through it pass, requests through any other endpoint are denied.
func Example_bucketPolicySourceVpce() {
	ctx := context.Background()
	other := emulator.Endpoint{ID: "vpce-0b11111111111111b", DNSSuffix: "otherone", Region: "us-east-1", VPCID: "vpc-0222222222222222b",
		Zones: []emulator.Zone{{Name: "us-east-1a", IP: netip.MustParseAddr("10.2.1.10")}}}
	topo, err := emulator.NewTopology(
		[]emulator.VPC{emulator.DefaultVPC(), {ID: "vpc-0222222222222222b", CIDR: netip.MustParsePrefix("10.2.0.0/16")}},
		[]emulator.Endpoint{emulator.DefaultEndpoint(), other})
	if err != nil {
		log.Fatal(err)
	}
	srv, viaSeed := start(emulator.Options{Topology: topo, Buckets: []string{"pinned"}, BucketPolicies: map[string]string{"pinned": `{
		"Version": "2012-10-17",
		"Statement": [{"Sid": "OnlyThroughOurEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource": ["arn:aws:s3:::pinned", "arn:aws:s3:::pinned/*"],
			"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a77994aa2124c299"}}}]}`}})
	defer srv.Close()
	otherURL, _ := srv.EndpointURL(other.ID, "")
	viaOther := s3.New(viaSeed.Options(), func(o *s3.Options) { o.BaseEndpoint = aws.String(otherURL) })

	_, err = viaSeed.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pinned"), Key: aws.String("k"), Body: strings.NewReader("x")})
	fmt.Println("through vpce-0a77994aa2124c299:", err == nil)
	_, err = viaOther.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pinned"), Key: aws.String("k"), Body: strings.NewReader("x")})
	fmt.Println("through vpce-0b11111111111111b:", errorMessage(err))
	fmt.Println("decided by:", srv.RecentDecisions(1)[0].Checks[0].Decision.Sid)
	// Output:
	// through vpce-0a77994aa2124c299: true
	// through vpce-0b11111111111111b: AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::pinned/k" with an explicit deny in a resource-based policy
	// decided by: OnlyThroughOurEndpoint
}

// Two endpoints in two VPCs with different endpoint policies: the same
// request is allowed through one and denied through the other.
func Example_twoEndpoints() {
	ctx := context.Background()
	readOnly := emulator.Endpoint{ID: "vpce-0c22222222222222c", DNSSuffix: "readonly", Region: "us-east-1", VPCID: "vpc-0333333333333333c",
		Zones:  []emulator.Zone{{Name: "us-east-1b", IP: netip.MustParseAddr("10.3.2.20")}},
		Policy: `{"Statement":[{"Sid":"ReadOnly","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`}
	topo, err := emulator.NewTopology(
		[]emulator.VPC{emulator.DefaultVPC(), {ID: "vpc-0333333333333333c", CIDR: netip.MustParsePrefix("10.3.0.0/16")}},
		[]emulator.Endpoint{emulator.DefaultEndpoint(), readOnly})
	if err != nil {
		log.Fatal(err)
	}
	srv, appVPC := start(emulator.Options{Topology: topo, Buckets: []string{"shared"}})
	defer srv.Close()
	url, _ := srv.EndpointURL(readOnly.ID, "us-east-1b")
	analyticsVPC := s3.New(appVPC.Options(), func(o *s3.Options) { o.BaseEndpoint = aws.String(url) })

	put := func(c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("data"), Body: strings.NewReader("x")})
		return err
	}
	fmt.Println("app VPC put:", put(appVPC) == nil)
	fmt.Println("analytics VPC put:", errorMessage(put(analyticsVPC)))
	_, err = analyticsVPC.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("data")})
	fmt.Println("analytics VPC get:", err == nil)
	// Output:
	// app VPC put: true
	// analytics VPC put: AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::shared/data" because no VPC endpoint policy allows the s3:PutObject action
	// analytics VPC get: true
}
