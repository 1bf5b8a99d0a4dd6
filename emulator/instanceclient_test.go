package emulator_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The seed's instances.
const (
	webHost     = "172.16.10.77" // my-vpc, main route table: internet gateway
	privateHost = "172.16.2.99"  // my-vpc, private route table: gateway endpoint only
	defaultHost = "172.31.80.132"
)

// s3From is an S3 client of cfg at base, with one attempt per call (a
// refused dial is not retried) and path-style addressing when asked.
func s3From(cfg aws.Config, base string, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if base != "" {
			o.BaseEndpoint = aws.String(base)
		}
		o.UsePathStyle = pathStyle
		o.RetryMaxAttempts = 1
	})
}

// requireDropped fails unless err is a dial that timed out, naming want.
func requireDropped(t *testing.T, err error, want string) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a dial timeout", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("err = %v: not os.ErrDeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "i/o timeout (s3vpce: ") || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want the reason naming %q", err, want)
	}
}

func TestClientFromInterfaceEndpoint(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
	c := s3From(srv.AWSConfigFrom(t, webHost), "", true)
	if _, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")}); err != nil {
		t.Fatalf("ListObjectsV2 from %s: %v", webHost, err)
	}
	d := srv.LastDecision()
	if !d.Allowed() || d.Path != "interface endpoint "+vpce.DefaultEndpointID || !strings.HasPrefix(d.Source, webHost+" (") {
		t.Errorf("decision: allowed %v, path %q, source %q", d.Allowed(), d.Path, d.Source)
	}
	if got := d.Checks[0].Context("aws:VpcSourceIp"); !slices.Equal(got, []string{webHost}) {
		t.Errorf("aws:VpcSourceIp = %v, want %s", got, webHost)
	}
	if !strings.Contains(d.Explain(), "  source    "+webHost) {
		t.Errorf("explain lacks the source:\n%s", d.Explain())
	}

	// The endpoint's security group loses its HTTPS rule: the next
	// request's dial is dropped.
	_, err := srv.UpdateTopology(func(s *vpce.Spec) error {
		for i := range s.SecurityGroups {
			if s.SecurityGroups[i].ID == vpce.DefaultEndpointGroupID {
				s.SecurityGroups[i].Ingress = nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")})
	requireDropped(t, err, vpce.DefaultEndpointGroupID)
}

func TestClientFromPublicS3(t *testing.T) {
	const bucketPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyThroughGateway","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::wsgbucket","arn:aws:s3:::wsgbucket/*"],
		"Condition":{"StringNotEquals":{"aws:SourceVpce":"%s"},"Null":{"aws:SourceVpce":"false"}}}]}`
	tests := []struct {
		name      string
		from      string
		base      string
		pathStyle bool
		gatewayID string // in the bucket policy's condition
		wantPath  string
		wantErr   string // S3 error code; "" for success
		keys      map[string]string
	}{
		{name: "private subnet through the gateway endpoint", from: privateHost, base: "https://s3.amazonaws.com", pathStyle: true,
			gatewayID: vpce.PrivateGatewayEndpointID, wantPath: "gateway endpoint " + vpce.PrivateGatewayEndpointID,
			keys: map[string]string{"aws:SourceVpce": vpce.PrivateGatewayEndpointID, "aws:SourceVpc": vpce.DefaultVPCID,
				"aws:VpcSourceIp": privateHost, "aws:SourceIp": "", "aws:SecureTransport": "true"}},
		{name: "virtual-hosted over plain HTTP", from: privateHost, base: "http://s3.amazonaws.com",
			gatewayID: vpce.PrivateGatewayEndpointID, wantPath: "gateway endpoint " + vpce.PrivateGatewayEndpointID,
			keys: map[string]string{"aws:SecureTransport": "false", "aws:VpcSourceIp": privateHost}},
		{name: "bucket policy names another gateway endpoint", from: privateHost, base: "https://s3.amazonaws.com", pathStyle: true,
			gatewayID: vpce.DefaultGatewayEndpointID, wantPath: "gateway endpoint " + vpce.PrivateGatewayEndpointID, wantErr: "AccessDenied"},
		{name: "public subnet through the internet gateway", from: webHost, base: "https://s3.amazonaws.com", pathStyle: true,
			gatewayID: vpce.PrivateGatewayEndpointID, wantPath: "internet gateway " + vpce.MyVPCInternetGatewayID,
			keys: map[string]string{"aws:SourceIp": "54.175.12.77", "aws:SourceVpce": "", "aws:VpcSourceIp": ""}},
		{name: "default VPC through its gateway endpoint, regional name", from: defaultHost, base: "https://s3.us-east-1.amazonaws.com",
			gatewayID: vpce.DefaultGatewayEndpointID, wantPath: "gateway endpoint " + vpce.DefaultGatewayEndpointID,
			keys: map[string]string{"aws:SourceVpc": vpce.DefaultVPCDefaultID, "aws:VpcSourceIp": defaultHost}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulatortest.WithBucketPolicy("wsgbucket", strings.Replace(bucketPolicy, "%s", tt.gatewayID, 1)))
			c := s3From(srv.AWSConfigFrom(t, tt.from), tt.base, tt.pathStyle)
			_, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")})
			var apiErr smithy.APIError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ListObjectsV2: %v", err)
			case tt.wantErr != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantErr):
				t.Fatalf("ListObjectsV2: err = %v, want %s", err, tt.wantErr)
			}
			d := srv.LastDecision()
			if d.Path != tt.wantPath || !strings.HasPrefix(d.Source, tt.from+" (") {
				t.Errorf("decision path %q source %q, want %q from %s", d.Path, d.Source, tt.wantPath, tt.from)
			}
			for k, want := range tt.keys {
				var got string
				if v := d.Checks[0].Context(k); len(v) > 0 {
					got = v[0]
				}
				if got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestClientFromGatewayEndpointPolicy(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		message string
	}{
		{"no statement allows", `{"Statement":[{"Sid":"OnlyOther","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}]}`,
			"because no VPC endpoint policy allows the s3:ListBucket action"},
		{"explicit deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"NoList","Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"*"}]}`,
			"with an explicit deny in a VPC endpoint policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
			_, err := srv.UpdateTopology(func(s *vpce.Spec) error {
				for i := range s.GatewayEndpoints {
					if s.GatewayEndpoints[i].ID == vpce.PrivateGatewayEndpointID {
						s.GatewayEndpoints[i].Policy = tt.policy
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			c := s3From(srv.AWSConfigFrom(t, privateHost), "https://s3.amazonaws.com", true)
			_, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" || !strings.Contains(apiErr.ErrorMessage(), tt.message) {
				t.Fatalf("err = %v, want AccessDenied %q", err, tt.message)
			}
			d := srv.LastDecision()
			if d.Checks[0].Decision.Kind.String() != "gateway-endpoint" {
				t.Errorf("deciding policy kind %s, want gateway-endpoint", d.Checks[0].Decision.Kind)
			}
			want := "  path      gateway endpoint " + vpce.PrivateGatewayEndpointID + "\n  source    " + privateHost + " ("
			if d.Endpoint != vpce.PrivateGatewayEndpointID || !strings.Contains(d.Explain(), want) {
				t.Errorf("endpoint %s, explain:\n%s", d.Endpoint, d.Explain())
			}
		})
	}
}

func TestClientFromRoutesGone(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		change func(*vpce.Spec)
		reason string
	}{
		{"gateway endpoint deleted", privateHost, func(s *vpce.Spec) {
			s.GatewayEndpoints = slices.DeleteFunc(s.GatewayEndpoints, func(g vpce.GatewayEndpoint) bool { return g.ID == vpce.PrivateGatewayEndpointID })
		}, "rtb-"},
		{"internet gateway detached", webHost, func(s *vpce.Spec) {
			for i := range s.InternetGateways {
				if s.InternetGateways[i].ID == vpce.MyVPCInternetGatewayID {
					s.InternetGateways[i].VPCID = ""
				}
			}
			for i := range s.RouteTables {
				s.RouteTables[i].Routes = slices.DeleteFunc(s.RouteTables[i].Routes, func(r vpce.Route) bool { return r.Target == vpce.MyVPCInternetGatewayID })
			}
		}, "rtb-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
			c := s3From(srv.AWSConfigFrom(t, tt.from), "https://s3.amazonaws.com", true)
			if _, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{}); err != nil {
				t.Fatalf("before the change: %v", err)
			}
			if _, err := srv.UpdateTopology(func(s *vpce.Spec) error { tt.change(s); return nil }); err != nil {
				t.Fatal(err)
			}
			_, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
			requireDropped(t, err, tt.reason)
		})
	}
}

func TestClientFromHTTP(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
	tests := []struct {
		name     string
		from     string
		url      string
		status   int    // 0: the dial fails
		dialErr  string // in the dial error
		timedOut bool
	}{
		{"public S3 answers plain HTTP", webHost, "http://s3.amazonaws.com/", http.StatusForbidden, "", false},
		{"public S3 by address literal", webHost, "http://52.216.53.32/wsgbucket", http.StatusForbidden, "", false},
		{"an ENI's group allows no plain HTTP", webHost, "http://172.16.10.143/", 0, vpce.DefaultEndpointGroupID + " (s3-endpoint) allows no tcp 80", true},
		{"the endpoint's group allows no port 80 from the default VPC", defaultHost,
			"http://vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com/", 0, vpce.DefaultEndpointGroupID, true},
		{"nothing listens on an allowed port", defaultHost, "http://172.31.80.132:8080/", 0, "connect: connection refused", false},
		{"an unknown name", webHost, "https://nope.example.com/", 0, "no such host", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := srv.ClientFrom(t, tt.from)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if tt.status == 0 {
				if err == nil || !strings.Contains(err.Error(), tt.dialErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.dialErr)
				}
				var ne net.Error
				if timedOut := errors.As(err, &ne) && ne.Timeout(); timedOut != tt.timedOut {
					t.Errorf("timeout = %v, want %v (%v)", timedOut, tt.timedOut, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
				t.Errorf("status %d, body %s; want %d AccessDenied (anonymous)", resp.StatusCode, body, tt.status)
			}
		})
	}
}

func TestClientFromListBucketsAnyRegion(t *testing.T) {
	srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
	for _, base := range []string{"https://s3-eu-west-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com", "https://s3-external-1.amazonaws.com"} {
		t.Run(base, func(t *testing.T) {
			c := s3From(srv.AWSConfigFrom(t, webHost), base, true) // signs for us-east-1
			out, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
			if err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "wsgbucket" {
				t.Errorf("buckets = %v", out.Buckets)
			}
		})
	}
}

func TestClientFromUnknownInstance(t *testing.T) {
	srv := emulatortest.New(t)
	if _, err := srv.Server.ClientFrom("10.9.9.9"); err == nil || !strings.Contains(err.Error(), "no instance") {
		t.Errorf("ClientFrom(10.9.9.9) err = %v", err)
	}
	if _, err := srv.Server.AWSConfigFrom(context.Background(), "nope"); err == nil {
		t.Error("AWSConfigFrom(nope) succeeded")
	}
}

// BenchmarkClientFrom compares a request through the in-process instance
// path (ClientFrom: Decide, the VPC view, an in-memory connection) with
// one through Client (loopback TCP), on keep-alive connections:
//
//	go test -run '^$' -bench ClientFrom ./emulator
func BenchmarkClientFrom(b *testing.B) {
	srv := emulatortest.New(b, emulatortest.WithBuckets("wsgbucket"))
	zonal, err := srv.EndpointURL(vpce.DefaultEndpointID, vpce.DefaultZone) // with the listener's port
	if err != nil {
		b.Fatal(err)
	}
	clients := []struct {
		name string
		cfg  aws.Config
		base string
	}{
		{"loopback", srv.AWSConfig(b), zonal},
		{"instance", srv.AWSConfigFrom(b, webHost), "https://bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com"},
	}
	for _, c := range clients {
		b.Run(c.name, func(b *testing.B) {
			cl := s3From(c.cfg, c.base, true)
			for b.Loop() {
				if _, err := cl.HeadBucket(b.Context(), &s3.HeadBucketInput{Bucket: aws.String("wsgbucket")}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
