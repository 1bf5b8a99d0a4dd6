package vpce

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

const (
	regional = "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"
	zonalD   = "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		name, in string
		want     Host
		wantErr  bool
	}{
		{name: "bare regional", in: regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceBare}},
		{name: "bare zonal", in: zonalD, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Zone: "us-east-1d", Region: "us-east-1", Surface: SurfaceBare}},
		{name: "bucket regional", in: "bucket." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceBucket}},
		{name: "bucket zonal with port and case", in: "Bucket.VPCE-0A77994AA2124C299-9TCNTPVN-US-EAST-1D.s3.us-east-1.vpce.amazonaws.com:4443", want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Zone: "us-east-1d", Region: "us-east-1", Surface: SurfaceBucket}},
		{name: "trailing dot", in: "bucket." + regional + ".", want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceBucket}},
		{name: "virtual-hosted bucket", in: "my-bucket.bucket." + zonalD, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Zone: "us-east-1d", Region: "us-east-1", Surface: SurfaceVirtualBucket, Bucket: "my-bucket"}},
		{name: "dotted virtual-hosted bucket", in: "my.dotted.bucket.bucket." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceVirtualBucket, Bucket: "my.dotted.bucket"}},
		{name: "access point", in: "finance-ap-123456789012.accesspoint." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceAccessPoint, AccessPoint: "finance-ap", Account: "123456789012"}},
		{name: "access point without account", in: "finance.accesspoint." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceOther}},
		{name: "control", in: "123456789012.control." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceControl, Account: "123456789012"}},
		{name: "bare control", in: "control." + regional, want: Host{EndpointID: DefaultEndpointID, DNSSuffix: "9tcntpvn", Region: "us-east-1", Surface: SurfaceOther}},
		{name: "old 8-hex id", in: "bucket.vpce-1a2b3c4d-abcdefgh.s3.eu-west-1.vpce.amazonaws.com", want: Host{EndpointID: "vpce-1a2b3c4d", DNSSuffix: "abcdefgh", Region: "eu-west-1", Surface: SurfaceBucket}},
		{name: "private s3", in: "s3.us-east-1.amazonaws.com", want: Host{Region: "us-east-1", Surface: SurfacePrivateS3}},
		{name: "private virtual bucket", in: "logs.example.s3.us-east-1.amazonaws.com:443", want: Host{Region: "us-east-1", Surface: SurfacePrivateVirtualBucket, Bucket: "logs.example"}},
		{name: "private access point", in: "ap1-123456789012.s3-accesspoint.us-east-1.amazonaws.com", want: Host{Region: "us-east-1", Surface: SurfacePrivateAccessPoint, AccessPoint: "ap1", Account: "123456789012"}},
		{name: "private control", in: "123456789012.s3-control.us-east-1.amazonaws.com", want: Host{Region: "us-east-1", Surface: SurfacePrivateControl, Account: "123456789012"}},
		{name: "region dropped", in: "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com", wantErr: true},
		{name: "zone of another region", in: "bucket.vpce-0a77994aa2124c299-9tcntpvn-eu-west-1a.s3.us-east-1.vpce.amazonaws.com", wantErr: true},
		{name: "short id", in: "bucket.vpce-0a77-9tcntpvn.s3.us-east-1.vpce.amazonaws.com", wantErr: true},
		{name: "short suffix", in: "bucket.vpce-0a77994aa2124c299-9tcn.s3.us-east-1.vpce.amazonaws.com", wantErr: true},
		{name: "not s3", in: "bucket.vpce-0a77994aa2124c299-9tcntpvn.ec2.us-east-1.vpce.amazonaws.com", wantErr: true},
		{name: "unrelated", in: "example.com", wantErr: true},
		{name: "legacy global", in: "s3.amazonaws.com", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "ipv4 with port", in: "127.0.0.1:4443", wantErr: true},
		{name: "ipv6 with port", in: "[::1]:4443", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHost(tt.in)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrNotEndpointName) {
					t.Fatalf("ParseHost(%q) = %+v, %v; want ErrNotEndpointName", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHost(%q): %v", tt.in, err)
			}
			got.Name = ""
			if got != tt.want {
				t.Errorf("ParseHost(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"a.example:443": "a.example", "a.example": "a.example", "[::1]:80": "::1", "::1": "::1",
		"a.example:": "a.example", "a.example:x1": "a.example:x1",
	} {
		if got := SplitHostPort(in); got != want {
			t.Errorf("SplitHostPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTopologyResolve(t *testing.T) {
	topo := DefaultTopology()
	withPrivate := DefaultEndpoint()
	withPrivate.PrivateDNS = true
	private, err := NewTopology([]VPC{DefaultVPC()}, []Endpoint{withPrivate})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		topo *Topology
		host string
		ok   bool
	}{
		{"regional bucket", topo, "bucket." + regional, true},
		{"zonal bucket", topo, "bucket." + zonalD, true},
		{"unknown zone", topo, "bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1z.s3.us-east-1.vpce.amazonaws.com", false},
		{"wrong suffix", topo, "bucket.vpce-0a77994aa2124c299-aaaaaaaa.s3.us-east-1.vpce.amazonaws.com", false},
		{"unknown endpoint", topo, "bucket.vpce-0a77994aa2124c298-9tcntpvn.s3.us-east-1.vpce.amazonaws.com", false},
		{"wrong region", topo, "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-west-2.vpce.amazonaws.com", false},
		{"private dns off", topo, "s3.us-east-1.amazonaws.com", false},
		{"private dns on", private, "s3.us-east-1.amazonaws.com", true},
		{"private dns other region", private, "s3.eu-west-1.amazonaws.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, e, err := tt.topo.Resolve(tt.host)
			if (err == nil) != tt.ok {
				t.Fatalf("Resolve(%q) err = %v, want ok=%v", tt.host, err, tt.ok)
			}
			if tt.ok && e.ID != DefaultEndpointID {
				t.Errorf("Resolve(%q) endpoint %s", tt.host, e.ID)
			}
		})
	}
}

func TestNewTopologyRejects(t *testing.T) {
	bad := func(f func(*Endpoint)) Endpoint { e := DefaultEndpoint(); f(&e); return e }
	tests := map[string][]Endpoint{
		"bad id":       {bad(func(e *Endpoint) { e.ID = "vpce-xyz" })},
		"bad suffix":   {bad(func(e *Endpoint) { e.DNSSuffix = "UPPER123" })},
		"bad region":   {bad(func(e *Endpoint) { e.Region = "useast" })},
		"no zones":     {bad(func(e *Endpoint) { e.Zones = nil })},
		"foreign zone": {bad(func(e *Endpoint) { e.Zones[0].Name = "eu-west-1a" })},
		"dup zone":     {bad(func(e *Endpoint) { e.Zones[1].Name = e.Zones[0].Name })},
		"no ip":        {bad(func(e *Endpoint) { e.Zones[0].IP = netip.Addr{} })},
		"unknown vpc":  {bad(func(e *Endpoint) { e.VPCID = "vpc-other" })},
		"duplicate":    {DefaultEndpoint(), DefaultEndpoint()},
	}
	for name, eps := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewTopology([]VPC{DefaultVPC()}, eps); err == nil {
				t.Fatal("NewTopology accepted a bad endpoint")
			}
		})
	}
}

func TestDNSNames(t *testing.T) {
	e := DefaultEndpoint()
	names := e.DNSNames()
	if len(names) != 7 || names[0].Name != regional || len(names[0].Addrs) != 6 {
		t.Fatalf("DNSNames()[0] = %+v (of %d)", names[0], len(names))
	}
	if names[4].Name != zonalD || len(names[4].Addrs) != 1 || names[4].Addrs[0].String() != "172.16.10.143" {
		t.Errorf("zonal d = %+v, want the seed's 172.16.10.143", names[4])
	}
	e.PrivateDNS = true
	if n := len(e.DNSNames()); n != 10 {
		t.Errorf("with private DNS: %d names, want 10", n)
	}
	if got := DefaultVPC().ResolverIP().String(); got != "172.16.0.2" {
		t.Errorf("resolver = %s, want 172.16.0.2", got)
	}
}

func TestWithEndpoint(t *testing.T) {
	topo := DefaultTopology()
	e := DefaultEndpoint()
	e.Policy = `{"Statement":[]}`
	next, err := topo.WithEndpoint(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := next.Endpoint(e.ID); got.Policy != e.Policy {
		t.Errorf("new snapshot policy %q", got.Policy)
	}
	if got, _ := topo.Endpoint(e.ID); got.Policy != "" {
		t.Errorf("old snapshot changed: %q", got.Policy)
	}
	e.ID = "vpce-0a77994aa2124c298"
	if _, err := topo.WithEndpoint(e); err == nil {
		t.Error("WithEndpoint accepted an unknown endpoint")
	}
}

func TestPrivateDNSOnlyForInboundResolverEndpoint(t *testing.T) {
	e := DefaultEndpoint()
	e.PrivateDNS = true
	e.PrivateDNSOnlyForInboundResolverEndpoint = true
	if _, err := NewTopology([]VPC{DefaultVPC()}, []Endpoint{e}); err == nil || !strings.Contains(err.Error(), "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC "+DefaultVPCID+" must have a gateway endpoint for the service.") {
		t.Fatalf("without a gateway endpoint: %v", err)
	}
	withGateway := func(e Endpoint) (*Topology, error) {
		vpc := DefaultVPC()
		vpc.EnableDNSHostnames = true // private DNS needs it
		return Build(Spec{VPCs: []VPC{vpc}, Endpoints: []Endpoint{e},
			GatewayEndpoints: []GatewayEndpoint{{ID: "vpce-0123456789abcdef0", VPCID: DefaultVPCID, Region: "us-east-1"}}})
	}
	topo, err := withGateway(e)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := topo.Endpoint(e.ID)
	if in, out := len(got.DNSNamesFor(true)), len(got.DNSNamesFor(false)); in != 7 || out != 10 {
		t.Errorf("names in the VPC %d (want 7: no private names), through an inbound resolver %d (want 10)", in, out)
	}
	e.PrivateDNS = false
	if _, err := withGateway(e); err == nil {
		t.Error("the option was accepted without private DNS")
	}
}
