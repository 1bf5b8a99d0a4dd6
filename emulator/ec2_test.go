package emulator_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// ec2Client is aws-sdk-go-v2's EC2 client pointed at the emulator's EC2 API.
func ec2Client(t testing.TB, srv *emulator.Server) *ec2.Client {
	t.Helper()
	cfg, err := srv.EC2Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ec2.NewFromConfig(cfg)
}

const denyPuts = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
{"Sid":"NoPuts","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}`

// TestEC2EndpointLifecycle: an interface endpoint created with the EC2 API
// serves S3 on its own names at once (certificate, routing, gate); a
// modified policy governs the next request; a deleted endpoint's names are
// refused; all of it through aws-sdk-go-v2's real EC2 and S3 clients.
func TestEC2EndpointLifecycle(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"wsgbucket"}})
	ctx := t.Context()
	api := ec2Client(t, srv)
	created, err := api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
		VpcEndpointType:   ec2types.VpcEndpointTypeInterface,
		VpcId:             aws.String(vpce.DefaultVPCID),
		ServiceName:       aws.String("com.amazonaws.us-east-1.s3"),
		SubnetIds:         []string{"subnet-01a2b3c4d5e6f7a81", "subnet-01a2b3c4d5e6f7a84"},
		SecurityGroupIds:  []string{vpce.DefaultEndpointGroupID},
		PrivateDnsEnabled: aws.Bool(false),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcEndpoint,
			Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("second")}}}},
	})
	if err != nil {
		t.Fatalf("CreateVpcEndpoint: %v", err)
	}
	ep := created.VpcEndpoint
	id := aws.ToString(ep.VpcEndpointId)
	if !vpce.ValidResourceID(vpce.PrefixEndpoint, id) || len(ep.NetworkInterfaceIds) != 2 || len(ep.DnsEntries) != 3 {
		t.Fatalf("created %s with %d ENIs and %d DNS entries; want a vpce- ID, 2 and 3", id, len(ep.NetworkInterfaceIds), len(ep.DnsEntries))
	}
	regional := aws.ToString(ep.DnsEntries[0].DnsName)
	if !strings.HasPrefix(regional, "*."+id+"-") || aws.ToString(ep.DnsEntries[0].HostedZoneId) != "Z7HUB22UULQXV" {
		t.Fatalf("first DNS entry %s (%s): want *.%s-<suffix>… in Z7HUB22UULQXV", regional, aws.ToString(ep.DnsEntries[0].HostedZoneId), id)
	}
	// The next request through the new name works: certificate issued,
	// Host routed, default policy.
	base := "https://bucket." + strings.TrimPrefix(regional, "*.") + ":" + portOf(t, srv)
	s3c := sdkClient(srv, base, false)
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("wsgbucket"), Key: aws.String("k"), Body: bytes.NewReader([]byte("v"))}); err != nil {
		t.Fatalf("PutObject through the new endpoint: %v", err)
	}
	if d := srv.RecentDecisions(1); len(d) != 1 || d[0].Endpoint != id {
		t.Errorf("the request was not gated by the new endpoint %s: %v", id, d)
	}

	desc, err := api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeVpcEndpoints: %v", err)
	}
	if len(desc.VpcEndpoints) != 1 || string(desc.VpcEndpoints[0].State) != "available" {
		t.Fatalf("described %d endpoints (%+v); want 1, state available (EC2's wire value, lower case)", len(desc.VpcEndpoints), desc.VpcEndpoints)
	}

	if _, err := api.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), PolicyDocument: aws.String(denyPuts)}); err != nil {
		t.Fatalf("ModifyVpcEndpoint: %v", err)
	}
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("wsgbucket"), Key: aws.String("k2"), Body: bytes.NewReader([]byte("v"))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.Contains(ae.ErrorMessage(), "explicit deny in a VPC endpoint policy") {
		t.Fatalf("PutObject after the deny policy: %v; want AccessDenied naming the VPC endpoint policy", err)
	}
	// The other endpoint is untouched.
	if _, err := sdkClient(srv, srv.URL(), false).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("wsgbucket"), Key: aws.String("k3"), Body: bytes.NewReader([]byte("v"))}); err != nil {
		t.Fatalf("PutObject through the seed's endpoint: %v", err)
	}

	del, err := api.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id, "vpce-0123456789abcdef0"}})
	if err != nil {
		t.Fatalf("DeleteVpcEndpoints: %v", err)
	}
	if len(del.Unsuccessful) != 1 || aws.ToString(del.Unsuccessful[0].ResourceId) != "vpce-0123456789abcdef0" {
		t.Fatalf("unsuccessful: %+v; want only the unknown ID", del.Unsuccessful)
	}
	_, err = s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err == nil {
		t.Fatal("a request through the deleted endpoint's name succeeded")
	}
	// TLS to the deleted name: no certificate covers it any more.
	conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{ServerName: "bucket." + strings.TrimPrefix(regional, "*."), RootCAs: srv.CACertPool()})
	if err == nil {
		conn.Close()
		t.Error("TLS to the deleted endpoint's name verified")
	}
}

// TestEC2Persists: endpoints created through the API are in the topology a
// new Server on the same data directory starts with.
func TestEC2Persists(t *testing.T) {
	dir := t.TempDir()
	srv, err := emulator.New(emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	api := ec2Client(t, srv)
	out, err := api.CreateVpcEndpoint(t.Context(), &ec2.CreateVpcEndpointInput{
		VpcEndpointType: ec2types.VpcEndpointTypeInterface, VpcId: aws.String(vpce.DefaultVPCID),
		ServiceName: aws.String("com.amazonaws.us-east-1.s3"), SubnetIds: []string{"subnet-01a2b3c4d5e6f7a83"},
		PrivateDnsEnabled: aws.Bool(false), PolicyDocument: aws.String(denyPuts),
	})
	if err != nil {
		t.Fatalf("CreateVpcEndpoint: %v", err)
	}
	id := aws.ToString(out.VpcEndpoint.VpcEndpointId)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, emulator.Options{DataDir: dir})
	e, ok := again.Topology().Endpoint(id)
	if !ok {
		t.Fatalf("endpoint %s is gone after a restart", id)
	}
	if e.Policy != denyPuts {
		t.Errorf("policy after a restart: %q", e.Policy)
	}
}

// TestEC2Errors: EC2's error shape for what the gate of the EC2 API refuses.
func TestEC2Errors(t *testing.T) {
	srv := startServer(t, emulator.Options{})
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		code string
	}{
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest("POST", "https://ec2.us-east-1.amazonaws.com:"+portOf(t, srv)+"/", strings.NewReader("Action=DescribeVpcEndpoints&Version=2016-11-15"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, "AuthFailure"},
		{"wrong method", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://ec2.us-east-1.amazonaws.com:"+portOf(t, srv)+"/", nil)
			return r
		}, "InvalidAction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := srv.Client().Do(tc.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if !strings.Contains(body.String(), "<Errors><Error><Code>"+tc.code+"</Code>") || !strings.Contains(body.String(), "<RequestID>") {
				t.Errorf("status %d body %s; want EC2's error shape with %s", resp.StatusCode, body.String(), tc.code)
			}
		})
	}
}

// BenchmarkCreateToFirstRequest measures the time from CreateVpcEndpoint's
// response to the first successful S3 request through the new name.
func BenchmarkCreateToFirstRequest(b *testing.B) {
	srv := startServer(b, emulator.Options{Buckets: []string{"wsgbucket"}})
	api := ec2Client(b, srv)
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		out, err := api.CreateVpcEndpoint(b.Context(), &ec2.CreateVpcEndpointInput{
			VpcEndpointType: ec2types.VpcEndpointTypeInterface, VpcId: aws.String(vpce.DefaultVPCID),
			ServiceName: aws.String("com.amazonaws.us-east-1.s3"), SubnetIds: []string{"subnet-01a2b3c4d5e6f7a85"},
			PrivateDnsEnabled: aws.Bool(false),
		})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		name := strings.TrimPrefix(aws.ToString(out.VpcEndpoint.DnsEntries[0].DnsName), "*.")
		_, port, _ := strings.Cut(srv.Addr(), ":")
		s3c := sdkClient(srv, "https://bucket."+name+":"+port, false)
		if _, err := s3c.ListObjectsV2(b.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")}); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if _, err := api.DeleteVpcEndpoints(b.Context(), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{aws.ToString(out.VpcEndpoint.VpcEndpointId)}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-create-to-first-request")
}

func portOf(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	_, port, ok := strings.Cut(srv.Addr(), ":")
	if !ok {
		t.Fatalf("address %q", srv.Addr())
	}
	return port
}

// TestEC2PaginationAndFilters: aws-sdk-go-v2's paginator walks every
// endpoint (the seed's three and 23 new ones) exactly once, and filters select by type, VPC and tag.
func TestEC2PaginationAndFilters(t *testing.T) {
	srv := startServer(t, emulator.Options{})
	ctx := t.Context()
	api := ec2Client(t, srv)
	subnets := []string{"subnet-01a2b3c4d5e6f7a81", "subnet-01a2b3c4d5e6f7a82", "subnet-01a2b3c4d5e6f7a83"}
	made := map[string]bool{vpce.DefaultEndpointID: false, vpce.DefaultGatewayEndpointID: false, vpce.PrivateGatewayEndpointID: false}
	for i := range 23 {
		out, err := api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
			VpcEndpointType: ec2types.VpcEndpointTypeInterface, VpcId: aws.String(vpce.DefaultVPCID),
			ServiceName: aws.String("com.amazonaws.us-east-1.s3"), SubnetIds: subnets[i%3 : i%3+1],
			PrivateDnsEnabled: aws.Bool(false),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcEndpoint,
				Tags: []ec2types.Tag{{Key: aws.String("batch"), Value: aws.String([]string{"even", "odd"}[i%2])}}}},
		})
		if err != nil {
			t.Fatalf("CreateVpcEndpoint %d: %v", i, err)
		}
		made[aws.ToString(out.VpcEndpoint.VpcEndpointId)] = false
	}
	pages := 0
	p := ec2.NewDescribeVpcEndpointsPaginator(api, &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, e := range out.VpcEndpoints {
			id := aws.ToString(e.VpcEndpointId)
			if seen, ok := made[id]; !ok || seen {
				t.Errorf("page %d: %s unknown or seen twice", pages, id)
			}
			made[id] = true
		}
	}
	for id, seen := range made {
		if !seen {
			t.Errorf("%s was on no page", id)
		}
	}
	if pages != 6 {
		t.Errorf("%d pages of 5 for 26 endpoints, want 6", pages)
	}
	for _, tc := range []struct {
		name    string
		filters []ec2types.Filter
		want    int
	}{
		{"gateway", []ec2types.Filter{{Name: aws.String("vpc-endpoint-type"), Values: []string{"Gateway"}}}, 2},
		{"interface in my-vpc", []ec2types.Filter{{Name: aws.String("vpc-endpoint-type"), Values: []string{"Interface"}},
			{Name: aws.String("vpc-id"), Values: []string{vpce.DefaultVPCID}}}, 24},
		{"tag", []ec2types.Filter{{Name: aws.String("tag:batch"), Values: []string{"odd"}}}, 11},
		{"tag-key", []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{"batch"}}}, 23},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.VpcEndpoints) != tc.want {
				t.Errorf("%d endpoints, want %d", len(out.VpcEndpoints), tc.want)
			}
		})
	}
	_, err := api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{"vpce-0123456789abcdef0"}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidVpcEndpointId.NotFound" {
		t.Errorf("unknown ID: %v", err)
	}
	_, err = api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{DryRun: aws.Bool(true)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "DryRunOperation" {
		t.Errorf("DryRun: %v", err)
	}
}

// BenchmarkDescribeVpcEndpoints1000 is DescribeVpcEndpoints of 1,000
// interface endpoints through the whole path (TLS, SigV4, the API,
// aws-sdk-go-v2's XML decoding), MaxResults 1000.
func BenchmarkDescribeVpcEndpoints1000(b *testing.B) {
	spec := vpce.DefaultSpec()
	base := spec.Endpoints[0]
	for i := range 999 {
		e := base
		e.ID = fmt.Sprintf("vpce-%017x", i+1)
		e.DNSSuffix = fmt.Sprintf("b%07d", i)
		e.Zones = []vpce.Zone{{Name: "us-east-1a", IP: netip.AddrFrom4([4]byte{172, 16, byte(100 + i/200), byte(10 + i%200)})}}
		spec.Endpoints = append(spec.Endpoints, e)
	}
	topo, err := vpce.Build(spec)
	if err != nil {
		b.Fatal(err)
	}
	api := ec2Client(b, startServer(b, emulator.Options{Topology: topo}))
	for b.Loop() {
		out, err := api.DescribeVpcEndpoints(b.Context(), &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(1000)})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.VpcEndpoints) != 1000 {
			b.Fatalf("%d endpoints", len(out.VpcEndpoints))
		}
	}
}
